/** Systems per (EU risk tier, lifecycle status), kept by database triggers on ai_systems
 * (migration 20261130_1710), so the dashboard never counts 100,000 rows. A pair may hold 0. */
export interface SystemCountsTable {
  eu_risk_tier: string;
  status: string;
  n: number;
}

/** Single counts kept by triggers: `systems_with_phase_owner` (systems with at least one phase owner). */
export interface DashboardCountersTable {
  name: string;
  n: number;
}

export interface DashboardTables {
  system_counts: SystemCountsTable;
  dashboard_counters: DashboardCountersTable;
}
