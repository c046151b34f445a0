// Outcome ingestion (issue 11), SQLite: an outcome was written to two b-trees, the table (keyed by
// its decision's row id) and `decision_outcomes_window_idx` (system, decision time, ...), which every
// report, rollup and drift query reads. The table is now keyed by (system, decision time, decision
// row id) itself: a window of one system is one range of the table, and an outcome is one b-tree
// entry. The key is as unique as before: a decision has one system and one time, so its row id
// decides the rest, and a second outcome for the same decision is refused by this key as it was by
// the old one. PostgreSQL keeps its table and index (a heap and an index-only window scan).
// Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) return;
  await db.schema
    .createTable('decision_outcomes_by_window')
    .addColumn('decision_row', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('decision_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text')
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('predicted', 'integer', (c) => c.notNull())
    .addColumn('actual', 'integer', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('known_at', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('group_attributes', 'text')
    .addPrimaryKeyConstraint('decision_outcomes_window_pk', ['system_id', 'decided_at', 'decision_row'])
    .modifyEnd(sql`without rowid`)
    .execute();
  await sql`insert into decision_outcomes_by_window (decision_row, system_id, decision_id, model_version_id, decided_at,
      predicted, actual, score, known_at, batch_id, group_attributes)
    select decision_row, system_id, decision_id, model_version_id, decided_at, predicted, actual, score, known_at, batch_id,
      group_attributes
    from decision_outcomes`.execute(db);
  await db.schema.dropTable('decision_outcomes').execute();
  await db.schema.alterTable('decision_outcomes_by_window').renameTo('decision_outcomes').execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
