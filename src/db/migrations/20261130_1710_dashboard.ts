// What the dashboard (GET /api/v1/dashboard) counts at 100,000 systems and 1,000,000 events without
// scanning: indexes whose leading columns are the figure's filter (and, where it groups, the group
// columns too, so a count reads index entries only), and a record of ledger verifications (a
// verification writes no ledger event: that would grow the tree it just checked). Frozen once merged.
import type { Kysely } from 'kysely';

const INDEXES: Array<[string, string, string[]]> = [
  // Open exceptions by status and severity, and the overdue ones, from index entries alone.
  ['exceptions_status_severity_idx', 'exceptions', ['status', 'severity', 'due_at']],
  // Trends and time to close: exceptions (and incidents) opened and closed per week.
  ['exceptions_kind_created_idx', 'exceptions', ['kind', 'created_at']],
  ['exceptions_created_idx', 'exceptions', ['created_at']],
  ['exceptions_closed_idx', 'exceptions', ['closed_at']],
  // Recurring root causes: only the rows flagged recurring are read.
  ['exceptions_recurring_idx', 'exceptions', ['recurring', 'system_id', 'root_cause_key']],
  // Approvals decided per week and the median time to decide.
  ['approval_requests_completed_idx', 'approval_requests', ['completed_at']],
  // Appeals received and resolved per week, and the median time to resolve.
  ['appeals_created_idx', 'appeals', ['created_at']],
  ['appeals_resolved_idx', 'appeals', ['resolved_at']],
  // Oversight actions in the last 30 days: one range per event type.
  ['ledger_events_type_time_idx', 'ledger_events', ['type', 'recorded_at']],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, table, columns] of INDEXES) await db.schema.createIndex(name).on(table).columns(columns).execute();

  await db.schema
    .createTable('ledger_verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('verified_at', 'text', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('checkpoints_checked', 'integer', (c) => c.notNull())
    .addColumn('problem_kind', 'text')
    .addColumn('problem_seq', 'integer')
    .addColumn('verified_by', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_verifications_time_idx').on('ledger_verifications').columns(['verified_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
