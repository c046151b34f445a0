// The integration round reads the queue through its primary key (issue 13, PostgreSQL). The queue
// is a table of churn: every row is deleted within milliseconds of its insert, so between two
// vacuums its heap is mostly dead rows, each about a kilobyte (the leaf around its number).
// Planned as a small table, `select ... from ledger_queue order by id limit n` became a sequential
// scan with a sort, and every round visited, and pruned, every page of that heap: under load a
// fifth of PostgreSQL's CPU. Ordered by its primary key the round reads only the index's live end.
// Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`alter function proofline_integrate(integer) set enable_seqscan = off`.execute(db);
  await sql`alter function proofline_integrate(integer) set enable_sort = off`.execute(db);
  // A disabled plan type adds a huge cost to the plans that remain, which would otherwise start
  // LLVM compilation of every statement of the round.
  await sql`alter function proofline_integrate(integer) set jit = off`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
