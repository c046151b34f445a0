// The ledger lock at once or not at all (issue 13, PostgreSQL): proofline_ledger_lock_now(key) takes
// the session's advisory lock `key` when it is free, and otherwise fails with SQLSTATE PLL01, which
// ends the message it began before anything else in it runs. A combined transaction of blind writes
// (db/store.ts) begins with it; when another session holds the lock (most often another instance's
// combined transaction), it waits for the lock on its own, and the writes that reach their commit
// meanwhile join it. SQLite has no such lock. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create or replace function proofline_ledger_lock_now(lock_key bigint) returns void
    language plpgsql as $$
    begin
      if not pg_try_advisory_lock(lock_key) then
        raise exception 'the ledger lock is held by another session' using errcode = 'PLL01';
      end if;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
