// The dashboard's row function for system_counts (migrations 20261130_1710 and 20261201_0510) kept
// its INSERT branch after inserts moved to a statement trigger of their own (migration
// 20261203_0030): no trigger called it on an insert any more. It now handles what still calls it,
// a deleted row and an update of tier or status, and says so. Same counts. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

const SHARDS = 64;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  const shard = sql.raw(`pg_backend_pid() % ${SHARDS}`);
  await sql`create or replace function proofline_system_counts() returns trigger language plpgsql as $$
    begin
      -- Called after a delete and after an update of eu_risk_tier or status (inserts: proofline_system_counts_inserted).
      insert into system_counts (eu_risk_tier, status, shard, n) values (old.eu_risk_tier, old.status, ${shard}, -1)
        on conflict (eu_risk_tier, status, shard) do update set n = system_counts.n - 1;
      if tg_op = 'UPDATE' then
        insert into system_counts (eu_risk_tier, status, shard, n) values (new.eu_risk_tier, new.status, ${shard}, 1)
          on conflict (eu_risk_tier, status, shard) do update set n = system_counts.n + 1;
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
