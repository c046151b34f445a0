import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exceptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('raised_by_type', 'text', (c) => c.notNull())
    .addColumn('raised_by_ref', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('resolver_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('links', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('root_cause_category', 'text')
    .addColumn('root_cause_text', 'text')
    .addColumn('root_cause_key', 'text')
    .addColumn('recurring', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('recurring_refs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('duplicate_of', 'text')
    .addColumn('verified_by', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('verification_note', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('exceptions_status_idx').on('exceptions').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('exceptions_system_idx').on('exceptions').columns(['system_id', 'root_cause_key']).execute();
  await db.schema.createIndex('exceptions_owner_idx').on('exceptions').columns(['owner_id', 'status']).execute();

  await db.schema
    .createTable('corrective_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('exception_id', 'text', (c) => c.notNull().references('exceptions.id'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('corrective_actions_exception_idx').on('corrective_actions').columns(['exception_id']).execute();
  await db.schema.createIndex('corrective_actions_due_idx').on('corrective_actions').columns(['status', 'due_at']).execute();

  await db.schema
    .createTable('lessons_learned')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('exception_id', 'text', (c) => c.notNull().references('exceptions.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema.createIndex('lessons_learned_exception_idx').on('lessons_learned').columns(['exception_id']).execute();

  await db.schema
    .createTable('follow_ups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('exception_id', 'text', (c) => c.notNull().references('exceptions.id'))
    .addColumn('lesson_id', 'text', (c) => c.notNull().references('lessons_learned.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text')
    .addColumn('done_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('follow_ups_exception_idx').on('follow_ups').columns(['exception_id']).execute();
  await db.schema.createIndex('follow_ups_due_idx').on('follow_ups').columns(['status', 'due_at']).execute();

  await db.schema
    .createTable('escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'text', (c) => c.notNull())
    .addColumn('exception_id', 'text', (c) => c.notNull().references('exceptions.id'))
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('escalated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('escalations_item_level_uq', ['item_type', 'item_id', 'due_at', 'level'])
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('exception_id', 'text', (c) => c.primaryKey().references('exceptions.id'))
    .addColumn('harm_categories', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('aware_at', 'text', (c) => c.notNull())
    .addColumn('widespread_infringement', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('critical_infrastructure_disruption', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('death', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('personal_data_breach', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dora_major', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dora_classified_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('exception_id', 'text', (c) => c.notNull().references('exceptions.id'))
    .addColumn('deadline_key', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text')
    .addColumn('filed_at', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('on_time', 'integer', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema.createIndex('incident_reports_exception_idx').on('incident_reports').columns(['exception_id', 'deadline_key']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
