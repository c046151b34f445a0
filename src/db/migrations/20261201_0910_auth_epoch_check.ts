// A write's check that its request's caller still holds (issue 13, PostgreSQL): a request may take
// its caller from this process's memory without reading the auth epoch first (accounts/actors.ts);
// its first write transaction then calls proofline_auth_epoch_is(epoch remembered) in the message
// that begins it, and fails with SQLSTATE PLA01, writing nothing, when the epoch moved since. SQLite
// reads the epoch before every request and has no such function. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create or replace function proofline_auth_epoch_is(expected bigint) returns void
    language plpgsql as $$
    begin
      if (select n from auth_epoch where id = 1) is distinct from expected then
        raise exception 'the auth epoch moved: the caller must be resolved again' using errcode = 'PLA01';
      end if;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
