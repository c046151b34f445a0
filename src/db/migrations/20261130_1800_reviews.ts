// Scheduled reviews with double sign-off (issue 11): cadences per kind and risk tier (overridable
// per system), reviews with their snapshot digest, and the two signatures. Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_cadences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('eu_risk_tier', 'text', (c) => c.notNull())
    /** null: the organisation's default for (kind, tier); else one system's override. */
    .addColumn('system_id', 'text', (c) => c.references('ai_systems.id'))
    .addColumn('interval_months', 'integer', (c) => c.notNull())
    .addColumn('rationale', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_cadences_key_idx').on('review_cadences').columns(['kind', 'eu_risk_tier', 'system_id']).execute();
  await db.schema
    .createTable('reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('preparer_id', 'text', (c) => c.notNull())
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('second_signatory_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'text')
    .addColumn('snapshot_digest', 'text')
    .addColumn('findings', 'text')
    .addColumn('decision', 'text')
    .addColumn('actions', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('reviews_status_due_idx').on('reviews').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('reviews_system_kind_idx').on('reviews').columns(['system_id', 'kind', 'period_to']).execute();
  await db.schema
    .createTable('review_signatures')
    .addColumn('review_id', 'text', (c) => c.notNull().references('reviews.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('signer_id', 'text', (c) => c.notNull())
    .addColumn('snapshot_digest', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_signatures_pk', ['review_id', 'role'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
