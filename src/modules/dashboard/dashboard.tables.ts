import type { Generated } from 'kysely';

/** Systems per (EU risk tier, lifecycle status), kept by database triggers on ai_systems
 * (migration 20261130_1710), so the dashboard never counts 100,000 rows. A pair may hold 0. */
export interface SystemCountsTable {
  eu_risk_tier: string;
  status: string;
  /** PostgreSQL: the writing connection's pg_backend_pid() mod 64 (migration 20261201_0510), so
   * concurrent writers bump different rows; a pair's count is the sum over its shards. SQLite: 0. */
  shard: Generated<number>;
  n: number;
}

/** Single counts kept by triggers: `systems_with_phase_owner` (systems with at least one phase owner;
 * migration 20261130_1710); `systems_untriaged_shadow`, `systems_without_owner` (no accountable
 * owner), `decisions_review_pending` and `decisions_reviewed` (confirmed or overridden by a person;
 * migration 20261201_2100). */
export interface DashboardCountersTable {
  name: string;
  /** As SystemCountsTable.shard: the count is the sum over its shards. */
  shard: Generated<number>;
  n: number;
}

export interface DashboardTables {
  system_counts: SystemCountsTable;
  dashboard_counters: DashboardCountersTable;
}
