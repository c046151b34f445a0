// A lone write integrates its own events (issue 13, PostgreSQL): when a process has one write in
// flight and no integration round running or waiting, the write's final message calls
// proofline_integrate_inline(limit) before its commit, so the write and its integration are one
// transaction, one WAL flush and one round trip instead of two of each.
//
// The write runs at SERIALIZABLE, so the function reads the head and the queue as of the write's
// snapshot, which was taken before it took the ledger lock: a round of another process that
// committed in between makes that head stale. That never goes unnoticed: the first event it inserts
// takes a sequence number that round already used, a unique violation on ledger_events, which the
// function catches in a subtransaction of its own (undoing whatever it integrated) and answers -1:
// the write then commits with its events still queued, and a round integrates them as it would have
// anyway. A serialization failure is not caught: SERIALIZABLE's bookkeeping must see it, so the
// write fails whole and the store runs it again, as it does any write that meets one (the head's
// update meets a concurrent one only after such an insert would have). Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create or replace function proofline_integrate_inline(round_limit integer) returns integer
    language plpgsql as $$
    begin
      return proofline_integrate(round_limit);
    exception when unique_violation then
      return -1;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
