// Creates on PostgreSQL go in multi-row INSERTs when several commit together (issue 13,
// db/store.ts combinedInserts), but the dashboard's count trigger (migrations 20261130_1710 and
// 20261201_0510) ran once per row: a transaction of twenty creates bumped the same shard row
// twenty times, twenty row versions and twenty WAL records. The insert trigger now runs once per
// statement and adds each (tier, status) group's count of the statement's new rows in one upsert.
// Deletes and updates of tier or status stay per row (transition tables do not go with a column
// list, and both are rare). SQLite keeps its row triggers (it has no statement triggers). Frozen
// once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

const SHARDS = 64;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  const shard = sql.raw(`pg_backend_pid() % ${SHARDS}`);
  await sql`create or replace function proofline_system_counts_inserted() returns trigger language plpgsql as $$
    begin
      insert into system_counts (eu_risk_tier, status, shard, n)
        select eu_risk_tier, status, ${shard}, count(*) from inserted group by eu_risk_tier, status
        on conflict (eu_risk_tier, status, shard) do update set n = system_counts.n + excluded.n;
      return null;
    end $$`.execute(db);
  await sql`drop trigger system_counts_change on ai_systems`.execute(db);
  await sql`create trigger system_counts_delete after delete on ai_systems
    for each row execute function proofline_system_counts()`.execute(db);
  await sql`create trigger system_counts_insert after insert on ai_systems
    referencing new table as inserted
    for each statement execute function proofline_system_counts_inserted()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
