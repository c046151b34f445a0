// Outcome ingestion (issue 11): an outcome was keyed by (system, decision id), the caller's random
// id, so every outcome took one entry at a random place of that key's b-tree (one dirtied page per
// outcome). It is now keyed by its decision's row id (`decisions.id`, time-ordered: the decision
// batch's millisecond, then a counter), which is one-to-one with (system, decision id) by that
// table's unique constraint, so an outcome is still given once, and a batch's outcomes land near the
// end of the key instead of all over it. On SQLite the table is WITHOUT ROWID: the key's b-tree is
// the table, one b-tree less per outcome. Existing rows are copied with their decision's row id (an
// outcome whose decision is missing, which ingestion never wrote, keeps a key of its own).
// Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .createTable('decision_outcomes_by_row')
    .addColumn('decision_row', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('decision_id', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text')
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('predicted', 'integer', (c) => c.notNull())
    .addColumn('actual', 'integer', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('known_at', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('outcome_batches.id'))
    .addColumn('group_attributes', postgres ? sql`jsonb` : 'text')
    .addPrimaryKeyConstraint('decision_outcomes_row_pk', ['decision_row'])
    .$call((t) => (postgres ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  await sql`insert into decision_outcomes_by_row (decision_row, system_id, decision_id, model_version_id, decided_at,
      predicted, actual, score, known_at, batch_id, group_attributes)
    select coalesce(d.id, 'no-decision:' || o.system_id || ':' || o.decision_id), o.system_id, o.decision_id,
      o.model_version_id, o.decided_at, o.predicted, o.actual, o.score, o.known_at, o.batch_id, o.group_attributes
    from decision_outcomes o
    left join decisions d on d.system_id = o.system_id and d.decision_id = o.decision_id`.execute(db);
  await db.schema.dropTable('decision_outcomes').execute();
  await db.schema.alterTable('decision_outcomes_by_row').renameTo('decision_outcomes').execute();
  // Reports read one system's window by decision time (as before).
  await db.schema
    .createIndex('decision_outcomes_window_idx')
    .on('decision_outcomes')
    .columns(['system_id', 'decided_at', 'model_version_id', 'predicted', 'actual'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
