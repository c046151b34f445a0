import type { ColumnType, Generated } from 'kysely';

/** One numeric observation of a system's metric (latency, error count, a drift score...). */
/** One series' points of one batch (see `metric-chunks.ts`): metric points are stored in chunks. */
export interface MetricChunksTable {
  /** Time-ordered (UUID v7 layout): a batch's chunks ascend, so inserting them appends to the key. */
  id: string;
  system_id: string;
  metric: string;
  /** The chunk's oldest and newest observation time (ISO 8601, UTC, milliseconds). */
  first_at: string;
  last_at: string;
  received_at: string;
  point_count: number;
  value_sum: number;
  value_min: number;
  value_max: number;
  /** JSON: the points column by column (`ChunkBody`). */
  points: string;
}

/** Where a monitor's values come from: points sent to Proofline, or a statistic Proofline computes
 * (impact ratio, PSI: the monitoring feature's reports, later). */
export type MonitorSource = 'points' | 'computed';
/** What a computed monitor reads from the monitoring reports over its window. */
export const COMPUTED_METRICS = [
  'error_rate',
  'selection_rate',
  'tpr',
  'fpr',
  'fnr',
  'precision',
  'impact_ratio',
  'psi',
  'js_distance',
  'ks_statistic',
] as const;
export type ComputedMetric = (typeof COMPUTED_METRICS)[number];
export type Aggregation = 'avg' | 'max' | 'min' | 'sum' | 'count' | 'last';
export type Comparison = 'gt' | 'gte' | 'lt' | 'lte';
export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'firing' | 'acknowledged' | 'resolved';

export interface MonitorsTable {
  id: string;
  system_id: string;
  model_version_id: string | null;
  group_label: string | null;
  name: string;
  source: MonitorSource;
  metric: string;
  aggregation: Aggregation;
  comparison: Comparison;
  threshold: number;
  window_seconds: number;
  severity: AlertSeverity;
  owner_id: string;
  enabled: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
  /** Flapping suppression: a breach raises an alert once it held for this many evaluations in a row. */
  for_evaluations: Generated<number>;
  /** ...and an open alert resolves itself once this many evaluations in a row were clear. */
  clear_evaluations: Generated<number>;
  breach_streak: Generated<number>;
  clear_streak: Generated<number>;
  /** The key of the last evaluation counted (newest point received, or the job's instant). */
  evaluated_to: string | null;
  last_value: number | null;
  /** A drift monitor's feature: 'score' or a declared feature (null: not a drift monitor, or 'score'). */
  feature: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface AlertsTable {
  id: string;
  system_id: string;
  monitor_id: string | null;
  external_key: string | null;
  title: string;
  severity: AlertSeverity;
  status: AlertStatus;
  /** JSON: the computed values that caused the alert. */
  evidence: string;
  fire_count: number;
  fired_at: string;
  last_fired_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  ack_rationale: string | null;
  resolved_at: string | null;
  exception_id: string | null;
  /** JSON: Alertmanager's labels and annotations as received; '{}' for our own monitors' alerts. */
  labels: Generated<string>;
}

export interface AlertsTables {
  metric_chunks: MetricChunksTable;
  monitors: MonitorsTable;
  alerts: AlertsTable;
}
