// Monitoring signals (issue 11): the ground truth attached to recorded decisions, and the group
// attributes of the person concerned, kept in their own table (AI Act Art. 10(5), GDPR Art. 9) so
// that nothing reading decisions reads them by accident. Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outcome_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('record_count', 'integer', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text')
    .addColumn('token_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('decision_outcomes')
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('decision_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text')
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('predicted', 'integer', (c) => c.notNull())
    .addColumn('actual', 'integer', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('known_at', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('outcome_batches.id'))
    .addPrimaryKeyConstraint('decision_outcomes_pk', ['system_id', 'decision_id'])
    .execute();
  // Reports read one system's window by decision time.
  await db.schema
    .createIndex('decision_outcomes_window_idx')
    .on('decision_outcomes')
    .columns(['system_id', 'decided_at', 'model_version_id', 'predicted', 'actual'])
    .execute();
  await db.schema
    .createTable('decision_group_attributes')
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text', (c) => c.notNull())
    .addColumn('attribute', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('decision_group_attributes_pk', ['system_id', 'decision_id', 'attribute'])
    .execute();
  await db.schema
    .createIndex('decision_group_attributes_attr_idx')
    .on('decision_group_attributes')
    .columns(['system_id', 'attribute', 'decision_id', 'value'])
    .execute();
  // A frozen drift baseline: its bins and counts, never recomputed from raw data.
  await db.schema
    .createTable('monitoring_baselines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('feature', 'text', (c) => c.notNull())
    .addColumn('edges', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('window_from', 'text')
    .addColumn('window_to', 'text')
    .addColumn('frozen_by', 'text')
    .addColumn('frozen_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
