import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('oversight_roster')
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('authorities', 'text', (c) => c.notNull())
    .addColumn('competence', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('training', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('oversight_roster_pk', ['system_id', 'user_id'])
    .execute();
  await db.schema.createIndex('oversight_roster_user_idx').on('oversight_roster').column('user_id').execute();

  await db.schema
    .createTable('system_runtime')
    .addColumn('system_id', 'text', (c) => c.primaryKey().references('ai_systems.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('pending_resume_by', 'text')
    .addColumn('pending_resume_reason', 'text')
    .addColumn('pending_resume_at', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('decision_settings')
    .addColumn('system_id', 'text', (c) => c.primaryKey().references('ai_systems.id'))
    .addColumn('allow_raw_input', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('review_sample_rate', 'real', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('decision_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('record_count', 'integer', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('token_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('decision_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text')
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('input_ref', 'text')
    .addColumn('input_digest', 'text')
    .addColumn('raw_input', 'text')
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('confidence', 'real')
    .addColumn('human_reviewed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reviewed_by', 'text')
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('review_status', 'text')
    .addColumn('review_reason', 'text')
    .addColumn('review_outcome_reason', 'text')
    .addColumn('reviewer_id', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('exception_id', 'text')
    .addUniqueConstraint('decisions_ref_uq', ['system_id', 'decision_id'])
    .execute();
  await db.schema.createIndex('decisions_review_idx').on('decisions').columns(['review_status', 'received_at']).execute();

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_number', 'text', (c) => c.notNull().unique())
    .addColumn('system_ref', 'text', (c) => c.notNull())
    .addColumn('decision_ref', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('appellant_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('appellant_contact', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('outcome_explanation', 'text')
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('appeals_status_idx').on('appeals').columns(['status', 'due_at']).execute();

  await db.schema
    .createTable('appeal_links')
    .addColumn('appeal_id', 'text', (c) => c.notNull().references('appeals.id'))
    .addColumn('link_type', 'text', (c) => c.notNull())
    .addColumn('link_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('appeal_links_pk', ['appeal_id', 'link_type', 'link_id'])
    .execute();

  await db.schema
    .createTable('appeal_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
