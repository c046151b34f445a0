// Tables of monitoring signals: outcomes attached to recorded decisions, with the group attributes
// of the person concerned in a column of their own that only the fairness report reads.
import type { ColumnType } from 'kysely';

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
  /** The key: its decision's row id (`decisions.id`, time-ordered), one-to-one with (system_id,
   * decision_id), so a batch's outcomes are appended near the end of the key, not scattered. */
  decision_row: string;
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
  /** Special-category data (GDPR Art. 9) used only to measure fairness, never selected with the
   * outcome: a JSON object attribute -> value, written as canonical text (keys in order), read only
   * in SQL with `->>` by the fairness report. jsonb on PostgreSQL, which returns it parsed. */
  group_attributes: ColumnType<unknown, string | null | undefined, never>;
}

/** Confusion counts of a system's outcomes per hour of decision time, model version and group
 * combination (outcome-rollups.ts): added to by each outcome batch in its transaction, read by the
 * fairness report for the whole hours of its window. */
export interface OutcomeRollupsTable {
  system_id: string;
  /** The decision time's first 13 characters ('2026-11-27T10'): its hour as written. */
  bucket: string;
  /** '' for decisions recorded without a model version (a key column is never null). */
  model_version_id: string;
  /** Canonical JSON text as in decision_outcomes ('{}' for none); jsonb on PostgreSQL, which returns it parsed. */
  group_attributes: ColumnType<unknown, string, never>;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Which group attributes a system's outcomes have carried (names only, never values): a review's
 * snapshot reports fairness by each. */
export interface RecordedGroupAttributesTable {
  system_id: string;
  attribute: string;
}

/** A frozen drift baseline of one feature. Numeric: bins (JSON number[]) and counts (JSON number[]);
 * categorical: edges and counts '[]', category counts in `categories` (JSON object category -> count). */
export interface MonitoringBaselinesTable {
  id: string;
  system_id: string;
  feature: string;
  kind: ColumnType<'numeric' | 'categorical', 'numeric' | 'categorical' | undefined, never>;
  edges: string;
  counts: string;
  categories: string | null;
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
  outcome_rollups: OutcomeRollupsTable;
  recorded_group_attributes: RecordedGroupAttributesTable;
}
