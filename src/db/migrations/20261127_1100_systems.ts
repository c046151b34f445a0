import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ai_systems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('intended_use', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('ai_type', 'text', (c) => c.notNull())
    .addColumn('deployment_kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('eu_risk_tier', 'text', (c) => c.notNull())
    .addColumn('org_risk_tier', 'text')
    .addColumn('vendor', 'text')
    .addColumn('business_unit', 'text')
    .addColumn('jurisdictions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('links', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('accountable_owner_id', 'text', (c) => c.references('users.id'))
    .addColumn('triaged_at', 'text')
    .addColumn('runtime_default', 'text', (c) => c.notNull().defaultTo('paused'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('ai_systems_name_idx').on('ai_systems').column('name').execute();
  await db.schema.createIndex('ai_systems_status_idx').on('ai_systems').columns(['status', 'name']).execute();
  await db.schema.createIndex('ai_systems_tier_idx').on('ai_systems').columns(['eu_risk_tier', 'name']).execute();
  await db.schema.createIndex('ai_systems_owner_idx').on('ai_systems').columns(['accountable_owner_id']).execute();
  await db.schema.createIndex('ai_systems_kind_idx').on('ai_systems').columns(['deployment_kind', 'triaged_at']).execute();

  await db.schema
    .createTable('system_phase_owners')
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('system_phase_owners_pk', ['system_id', 'phase'])
    .execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('artifact_sha256', 'text', (c) => c.notNull())
    .addColumn('training_data_refs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('parameters', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('registered_by', 'text')
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('registered'))
    .addColumn('deployed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('model_versions_label_uq', ['system_id', 'label'])
    .execute();

  await db.schema
    .createTable('data_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('contains_personal_data', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('provenance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('data_sources_system_idx').on('data_sources').column('system_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
