// Drift per declared feature (issue 11): which features a system's decision records carry (name,
// numeric or categorical, the allowed categories), the feature values of each decision, kept apart
// from the decision row and keyed for one system's window of one feature; a frozen baseline of a
// categorical feature keeps its category counts; a drift monitor names the feature it watches.
// Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .createTable('feature_declarations')
    .addColumn('system_id', 'text', (c) => c.primaryKey().references('ai_systems.id'))
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The key is the drift report's read: one system's feature over a window of decision time. On
  // SQLite the table is WITHOUT ROWID (the key's b-tree is the table: one b-tree per value). No
  // foreign keys: ingestion checked the system and wrote the decision in the same transaction.
  await db.schema
    .createTable('decision_features')
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('feature', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('decision_row', 'text', (c) => c.notNull())
    .addColumn('num_value', postgres ? sql`double precision` : 'real')
    .addColumn('category', 'text')
    .addPrimaryKeyConstraint('decision_features_pk', ['system_id', 'feature', 'decided_at', 'decision_row'])
    .$call((t) => (postgres ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  await db.schema
    .alterTable('monitoring_baselines')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('numeric'))
    .execute();
  await db.schema.alterTable('monitoring_baselines').addColumn('categories', 'text').execute();
  await db.schema.alterTable('monitors').addColumn('feature', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
