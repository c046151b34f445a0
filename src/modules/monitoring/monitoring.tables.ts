// Tables of monitoring signals: outcomes attached to recorded decisions, and group attributes
// stored apart from them.

export interface OutcomeBatchesTable {
  id: string;
  record_count: number;
  /** sha256 hex of the batch's records as received (JSON, in order). */
  digest: string;
  submitted_by: string | null;
  token_id: string | null;
  received_at: string;
}

/** The ground truth of one recorded decision, once known. */
export interface DecisionOutcomesTable {
  system_id: string;
  decision_id: string;
  /** Copied from the decision so that reports per model version read one table. */
  model_version_id: string | null;
  decided_at: string;
  predicted: number;
  actual: number;
  score: number | null;
  known_at: string;
  batch_id: string;
}

/** Special-category data (GDPR Art. 9) used only to measure fairness: never joined into decisions. */
export interface DecisionGroupAttributesTable {
  system_id: string;
  decision_id: string;
  attribute: string;
  value: string;
}

/** A frozen drift baseline of one numeric feature: bins (JSON number[]) and counts (JSON number[]). */
export interface MonitoringBaselinesTable {
  id: string;
  system_id: string;
  feature: string;
  edges: string;
  counts: string;
  window_from: string | null;
  window_to: string | null;
  frozen_by: string | null;
  frozen_at: string;
}

/** Which group attributes a system's outcome batches may carry, and which values each may take. */
export interface FairnessDeclarationsTable {
  system_id: string;
  /** JSON: FairnessAttribute[] (outcomes.service.ts). */
  attributes: string;
  rationale: string;
  version: number;
  updated_by: string | null;
  updated_at: string;
}

export interface MonitoringTables {
  fairness_declarations: FairnessDeclarationsTable;
  monitoring_baselines: MonitoringBaselinesTable;
  outcome_batches: OutcomeBatchesTable;
  decision_outcomes: DecisionOutcomesTable;
  decision_group_attributes: DecisionGroupAttributesTable;
}
