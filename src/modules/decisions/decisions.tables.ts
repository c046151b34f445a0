import type { Generated } from 'kysely';

/** Per system: whether raw personal data may be sent, and what share of decisions is sampled for review. */
export interface DecisionSettingsTable {
  system_id: string;
  allow_raw_input: number;
  review_sample_rate: number;
  updated_at: string;
  version: Generated<number>;
}

export interface DecisionBatchesTable {
  id: string;
  record_count: number;
  /** sha256 hex of the batch's records as received (JSON, in order). */
  digest: string;
  submitted_by: string | null;
  token_id: string | null;
  received_at: string;
}

export type ReviewStatus = 'pending' | 'confirmed' | 'overridden';

/** One decision of an AI system (GDPR Art. 22, EU AI Act Art. 86). */
export interface DecisionsTable {
  id: string;
  system_id: string;
  /** The client's id, unique per system. */
  decision_id: string;
  model_version_id: string | null;
  decided_at: string;
  input_ref: string | null;
  input_digest: string | null;
  /** JSON; only when the system allows raw input. */
  raw_input: string | null;
  output: string;
  confidence: number | null;
  human_reviewed: number;
  reviewed_by: string | null;
  batch_id: string;
  received_at: string;
  /** Proofline's review queue: null when not queued. */
  review_status: ReviewStatus | null;
  review_reason: 'restricted' | 'sample' | null;
  review_outcome_reason: string | null;
  reviewer_id: string | null;
  reviewed_at: string | null;
  exception_id: string | null;
}

/** Which features a system's decision records carry (features.service.ts). */
export interface FeatureDeclarationsTable {
  system_id: string;
  /** JSON: DeclaredFeature[]. */
  features: string;
  rationale: string;
  version: number;
  updated_by: string | null;
  updated_at: string;
}

/** One feature value of one decision, apart from the decision row: the drift report reads one
 * system's feature over a window of decision time. A numeric value or a category, never both. */
export interface DecisionFeaturesTable {
  system_id: string;
  feature: string;
  decided_at: string;
  /** `decisions.id`. */
  decision_row: string;
  num_value: number | null;
  category: string | null;
}

export interface DecisionsTables {
  decision_settings: DecisionSettingsTable;
  decision_batches: DecisionBatchesTable;
  decisions: DecisionsTable;
  feature_declarations: FeatureDeclarationsTable;
  decision_features: DecisionFeaturesTable;
}
