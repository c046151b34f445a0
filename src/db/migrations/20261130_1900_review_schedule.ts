// Scheduled reviews, continued (issue 11): one scheduled review per system, kind and period (the
// scheduler's idempotence, held by the database), each overdue review escalated once per level, and each
// person's calendar feed token (its SHA-256 only). Frozen once merged.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // 1: created by the scheduler; 0: scheduled by hand (which may repeat a period, e.g. a re-review).
  await db.schema
    .alterTable('reviews')
    .addColumn('scheduled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('reviews_period_uq')
    .on('reviews')
    .columns(['system_id', 'kind', 'period_from'])
    .unique()
    .where(sql.ref('scheduled'), '=', 1)
    .execute();
  await db.schema
    .createTable('review_escalations')
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('escalated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_escalations_pk', ['review_id', 'due_at', 'level'])
    .execute();
  await db.schema
    .createTable('review_feed_tokens')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
