// Blind writes no longer take the ledger lock (issue 13, PostgreSQL): their combined transaction
// commits beside every other writer and its callers are answered at the commit, with their events
// queued for the integrator (db/store.ts). proofline_ledger_lock_now (migration 20261202_1600),
// which began that transaction by taking the lock or failing at once, has no caller left. SQLite
// never had it. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop function if exists proofline_ledger_lock_now(bigint)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
