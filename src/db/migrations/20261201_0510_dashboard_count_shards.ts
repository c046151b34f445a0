// The dashboard's counts (migration 20261130_1710) were one row per (tier, status), bumped by a
// trigger in every create: on PostgreSQL, where writes now run side by side at SERIALIZABLE
// isolation (issue 13), every create updated the same row, so all but one of any concurrent
// creates failed to serialize and ran again. Each count is now split over shards, one per database
// connection (pg_backend_pid() mod 64): transactions on one connection run one after another, so
// concurrent writers bump different rows. Readers sum the shards (a shard may hold a negative part
// of a count: a system created on one connection and retired on another). SQLite has one writer:
// its triggers keep shard 0. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

const SHARDS = 64;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table system_counts add column shard integer not null default 0`.execute(db);
  await sql`alter table dashboard_counters add column shard integer not null default 0`.execute(db);
  if (!isPostgres(db)) return;
  await sql`alter table system_counts drop constraint system_counts_pk`.execute(db);
  await sql`alter table system_counts add constraint system_counts_pk primary key (eu_risk_tier, status, shard)`.execute(db);
  await sql`alter table dashboard_counters drop constraint dashboard_counters_pkey`.execute(db);
  await sql`alter table dashboard_counters add constraint dashboard_counters_pk primary key (name, shard)`.execute(db);
  const shard = sql.raw(`pg_backend_pid() % ${SHARDS}`);
  await sql`create or replace function proofline_system_counts() returns trigger language plpgsql as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        insert into system_counts (eu_risk_tier, status, shard, n) values (old.eu_risk_tier, old.status, ${shard}, -1)
          on conflict (eu_risk_tier, status, shard) do update set n = system_counts.n - 1;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into system_counts (eu_risk_tier, status, shard, n) values (new.eu_risk_tier, new.status, ${shard}, 1)
          on conflict (eu_risk_tier, status, shard) do update set n = system_counts.n + 1;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create or replace function proofline_phase_coverage() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' and (select count(*) from system_phase_owners where system_id = new.system_id) = 1 then
        insert into dashboard_counters (name, shard, n) values ('systems_with_phase_owner', ${shard}, 1)
          on conflict (name, shard) do update set n = dashboard_counters.n + 1;
      elsif tg_op = 'DELETE' and not exists (select 1 from system_phase_owners where system_id = old.system_id) then
        insert into dashboard_counters (name, shard, n) values ('systems_with_phase_owner', ${shard}, -1)
          on conflict (name, shard) do update set n = dashboard_counters.n - 1;
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
