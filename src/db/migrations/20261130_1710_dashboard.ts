// What the dashboard (GET /api/v1/dashboard) counts at 100,000 systems and 1,000,000 events without
// scanning. Counts that would read every system (systems by tier and status, systems with a phase
// owner) are kept by triggers in small tables, in the same statement as the change, whatever code
// makes it; the other figures get indexes whose leading columns are their filter and which cover
// what they read. A record of ledger verifications, too (a verification writes no ledger event:
// that would grow the tree it just checked). Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

const INDEXES: Array<[string, string, string[]]> = [
  // Open exceptions by status and severity, and the overdue ones, from index entries alone.
  ['exceptions_status_severity_idx', 'exceptions', ['status', 'severity', 'due_at']],
  // Trends and time to close: exceptions (and incidents) opened and closed per day.
  ['exceptions_kind_created_idx', 'exceptions', ['kind', 'created_at']],
  ['exceptions_created_idx', 'exceptions', ['created_at']],
  ['exceptions_closed_idx', 'exceptions', ['closed_at', 'detected_at']],
  // Recurring root causes: only the rows flagged recurring are read.
  ['exceptions_recurring_idx', 'exceptions', ['recurring', 'system_id', 'root_cause_key', 'root_cause_category']],
  // Approvals decided per week and the median time to decide.
  ['approval_requests_completed_idx', 'approval_requests', ['completed_at', 'status', 'revised_at']],
  // Appeals received and resolved per week, and the median time to resolve.
  ['appeals_created_idx', 'appeals', ['created_at']],
  ['appeals_resolved_idx', 'appeals', ['resolved_at', 'created_at']],
  // Systems paused or restricted now, latest first.
  ['system_runtime_state_idx', 'system_runtime', ['state', 'updated_at']],
  // Oversight actions in the last 30 days: one range per event type.
  ['ledger_events_type_time_idx', 'ledger_events', ['type', 'recorded_at']],
];

async function countTriggersSqlite(db: Kysely<unknown>): Promise<void> {
  const bump = (tier: string, status: string, by: string) =>
    `insert into system_counts (eu_risk_tier, status, n) values (${tier}, ${status}, ${by})
       on conflict (eu_risk_tier, status) do update set n = system_counts.n + (${by});`;
  const statements = [
    `create trigger system_counts_insert after insert on ai_systems begin ${bump('new.eu_risk_tier', 'new.status', '1')} end`,
    `create trigger system_counts_update after update of eu_risk_tier, status on ai_systems
       when old.eu_risk_tier is not new.eu_risk_tier or old.status is not new.status
       begin ${bump('old.eu_risk_tier', 'old.status', '-1')} ${bump('new.eu_risk_tier', 'new.status', '1')} end`,
    `create trigger system_counts_delete after delete on ai_systems begin ${bump('old.eu_risk_tier', 'old.status', '-1')} end`,
    `create trigger phase_coverage_insert after insert on system_phase_owners
       when (select count(*) from system_phase_owners where system_id = new.system_id) = 1
       begin update dashboard_counters set n = n + 1 where name = 'systems_with_phase_owner'; end`,
    `create trigger phase_coverage_delete after delete on system_phase_owners
       when not exists (select 1 from system_phase_owners where system_id = old.system_id)
       begin update dashboard_counters set n = n - 1 where name = 'systems_with_phase_owner'; end`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

async function countTriggersPostgres(db: Kysely<unknown>): Promise<void> {
  await sql`create or replace function proofline_system_counts() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        insert into system_counts (eu_risk_tier, status, n) values (old.eu_risk_tier, old.status, -1)
          on conflict (eu_risk_tier, status) do update set n = system_counts.n - 1;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into system_counts (eu_risk_tier, status, n) values (new.eu_risk_tier, new.status, 1)
          on conflict (eu_risk_tier, status) do update set n = system_counts.n + 1;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger system_counts_change after insert or delete on ai_systems
    for each row execute function proofline_system_counts()`.execute(db);
  await sql`create trigger system_counts_update after update of eu_risk_tier, status on ai_systems
    for each row when (old.eu_risk_tier is distinct from new.eu_risk_tier or old.status is distinct from new.status)
    execute function proofline_system_counts()`.execute(db);
  await sql`create or replace function proofline_phase_coverage() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' and (select count(*) from system_phase_owners where system_id = new.system_id) = 1 then
        update dashboard_counters set n = n + 1 where name = 'systems_with_phase_owner';
      elsif tg_op = 'DELETE' and not exists (select 1 from system_phase_owners where system_id = old.system_id) then
        update dashboard_counters set n = n - 1 where name = 'systems_with_phase_owner';
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger phase_coverage_change after insert or delete on system_phase_owners
    for each row execute function proofline_phase_coverage()`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, table, columns] of INDEXES) await db.schema.createIndex(name).on(table).columns(columns).execute();

  await db.schema
    .createTable('system_counts')
    .addColumn('eu_risk_tier', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('system_counts_pk', ['eu_risk_tier', 'status'])
    .execute();
  await db.schema
    .createTable('dashboard_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  // Filled from the rows as they are, then kept by the triggers.
  await sql`insert into system_counts (eu_risk_tier, status, n)
    select eu_risk_tier, status, count(*) from ai_systems group by eu_risk_tier, status`.execute(db);
  await sql`insert into dashboard_counters (name, n)
    select 'systems_with_phase_owner', count(distinct system_id) from system_phase_owners`.execute(db);
  if (isPostgres(db)) await countTriggersPostgres(db);
  else await countTriggersSqlite(db);

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
