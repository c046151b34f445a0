// Two dashboard counts of systems (migration 20261201_2100: shadow systems awaiting triage, systems
// without an accountable owner) were kept on PostgreSQL by row triggers on ai_systems, so a
// combined transaction's multi-row INSERT (db/store.ts) upserted the same counter shard once per
// new system: one row version, one WAL record and one trigger call each. As migration
// 20261203_0030 did for system_counts, the insert side now runs once per statement and adds each
// count's share of the statement's new rows in one upsert. Deletes and updates keep their row
// triggers. SQLite keeps its row triggers (it has no statement triggers). Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

const SHARDS = 64;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  const shard = sql.raw(`pg_backend_pid() % ${SHARDS}`);
  await sql`create or replace function proofline_system_flags_inserted() returns trigger language plpgsql as $$
    begin
      insert into dashboard_counters (name, shard, n)
        select v.name, ${shard}, v.n
        from (
          select count(*) filter (where r.deployment_kind = 'shadow' and r.triaged_at is null) as shadow,
                 count(*) filter (where r.accountable_owner_id is null) as unowned
          from inserted r
        ) c,
        lateral (values ('systems_untriaged_shadow', c.shadow), ('systems_without_owner', c.unowned)) as v(name, n)
        where v.n > 0
        on conflict (name, shard) do update set n = dashboard_counters.n + excluded.n;
      return null;
    end $$`.execute(db);
  await sql`drop trigger systems_untriaged_shadow_insert on ai_systems`.execute(db);
  await sql`drop trigger systems_without_owner_insert on ai_systems`.execute(db);
  await sql`create trigger system_flags_insert after insert on ai_systems
    referencing new table as inserted
    for each statement execute function proofline_system_flags_inserted()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
