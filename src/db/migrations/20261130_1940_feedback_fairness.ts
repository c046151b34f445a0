// Issue 11, second part: which group attributes a system declares for fairness measurement (and
// which values each may take), feedback and support tickets about a system, and each data source's
// declared reference population with its latest group counts. Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per system: its declared attributes as JSON ([{ name, values, fairnessOnly }]).
  await db.schema
    .createTable('fairness_declarations')
    .addColumn('system_id', 'text', (c) => c.primaryKey().references('ai_systems.id'))
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_ref', 'text')
    .addColumn('submitted_by', 'text')
    .addColumn('token_id', 'text')
    .addColumn('exception_id', 'text')
    .addColumn('converted_by', 'text')
    .addColumn('converted_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('feedback_system_idx').on('feedback').columns(['system_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('feedback_created_idx').on('feedback').columns(['created_at', 'id']).execute();
  // A data source's declared reference population (group -> expected share) and its latest group
  // counts and result; every change is also a ledger event (the evidence), this row is the latest.
  await db.schema
    .createTable('data_source_populations')
    .addColumn('data_source_id', 'text', (c) => c.primaryKey().references('data_sources.id'))
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('attribute', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
