// Four dashboard counts read thousands of index entries at 100,000 systems and 200,000 decisions
// (the shadow systems awaiting triage alone took about 6 ms of the dashboard's 50). They are now
// kept by triggers in dashboard_counters, like the systems with a phase owner (migrations 1710 and
// 0510): a row entering a count adds one, leaving it takes one away, in the statement that changes
// it, whatever code makes the change. (Partial indexes were tried first: SQLite's planner then read
// the inventory's filtered pages from them and sorted, 27 ms instead of 0.06.) On PostgreSQL each
// count is split over shards, one per connection, as there. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

/** Each count: its name, the table and the columns whose change may move a row in or out, and when
 * a row (`r`) is in it (never NULL, so "in before" and "in after" compare). */
const COUNTS: Array<{ name: string; table: string; columns: string[]; holds: (r: string) => string }> = [
  {
    name: 'systems_untriaged_shadow',
    table: 'ai_systems',
    columns: ['deployment_kind', 'triaged_at'],
    holds: (r) => `(${r}.deployment_kind = 'shadow' and ${r}.triaged_at is null)`,
  },
  {
    name: 'systems_without_owner',
    table: 'ai_systems',
    columns: ['accountable_owner_id'],
    holds: (r) => `(${r}.accountable_owner_id is null)`,
  },
  {
    name: 'decisions_review_pending',
    table: 'decisions',
    columns: ['review_status'],
    holds: (r) => `(${r}.review_status is not null and ${r}.review_status = 'pending')`,
  },
  {
    name: 'decisions_reviewed',
    table: 'decisions',
    columns: ['review_status'],
    holds: (r) => `(${r}.review_status is not null and ${r}.review_status in ('confirmed', 'overridden'))`,
  },
];

const SHARDS = 64;

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  if (pg) {
    await sql`create or replace function proofline_bump_counter() returns trigger language plpgsql as $$
      begin
        insert into dashboard_counters (name, shard, n) values (tg_argv[0], ${sql.raw(`pg_backend_pid() % ${SHARDS}`)}, tg_argv[1]::integer)
          on conflict (name, shard) do update set n = dashboard_counters.n + excluded.n;
        return null;
      end $$`.execute(db);
  }
  for (const { name, table, columns, holds } of COUNTS) {
    // Filled from the rows as they are, then kept by the triggers.
    await sql
      .raw(`insert into dashboard_counters (name, shard, n) select '${name}', 0, count(*) from ${table} r where ${holds('r')}`)
      .execute(db);
    const triggers: Array<[string, string, string, number]> = [
      ['insert', 'insert', holds('new'), 1],
      ['delete', 'delete', holds('old'), -1],
      ['enter', `update of ${columns.join(', ')}`, `not ${holds('old')} and ${holds('new')}`, 1],
      ['leave', `update of ${columns.join(', ')}`, `${holds('old')} and not ${holds('new')}`, -1],
    ];
    for (const [suffix, event, when, by] of triggers) {
      const trigger = `${name}_${suffix}`;
      await sql
        .raw(
          pg
            ? `create trigger ${trigger} after ${event} on ${table} for each row when (${when})
                 execute function proofline_bump_counter('${name}', '${by}')`
            : `create trigger ${trigger} after ${event} on ${table} when ${when}
                 begin update dashboard_counters set n = n + (${by}) where name = '${name}'; end`,
        )
        .execute(db);
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
