// Recording decisions (5,000 a batch) took five times as long after migration 2100: a decision
// entering a dashboard count by its INSERT fired a trigger, and a statement with a trigger opens a
// statement journal, which inside the batch's savepoint costs more with every row already written
// (quadratic in the batch: 175 µs per decision instead of 32 in batches of 5,000). A decision is
// only ever inserted by the decision batch, which now adds its pending reviews to the count in one
// statement (`addToCounter`); the triggers on a review's later changes (enter, leave) and on delete
// stay. (Of the two insert triggers, `decisions_reviewed` never fired: a decision is recorded
// pending or with no review, never reviewed.) Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['decisions_review_pending_insert', 'decisions_reviewed_insert']) {
    await sql.raw(isPostgres(db) ? `drop trigger ${trigger} on decisions` : `drop trigger ${trigger}`).execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
