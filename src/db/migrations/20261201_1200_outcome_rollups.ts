// The fairness report (issue 11) over a million outcomes read every outcome and sorted them by group
// (SQLite's GROUP BY sorts). `outcome_rollups` keeps mergeable confusion counts per system, hour of
// decision time (the first 13 characters of decided_at), model version and group combination,
// added to by every outcome batch in its transaction; the report reads whole hours from here and
// only the partial hours at a window's edges from the outcomes. Existing outcomes are counted in.
// A key column cannot be null on PostgreSQL: no model version is '', no group attributes '{}'.
// Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .createTable('outcome_rollups')
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('model_version_id', 'text', (c) => c.notNull())
    .addColumn('group_attributes', postgres ? sql`jsonb` : 'text', (c) => c.notNull())
    .addColumn('tp', 'integer', (c) => c.notNull())
    .addColumn('fp', 'integer', (c) => c.notNull())
    .addColumn('tn', 'integer', (c) => c.notNull())
    .addColumn('fn', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('outcome_rollups_pk', ['system_id', 'bucket', 'model_version_id', 'group_attributes'])
    .$call((t) => (postgres ? t : t.modifyEnd(sql`without rowid`)))
    .execute();
  const none = postgres ? sql`'{}'::jsonb` : sql`'{}'`;
  await sql`insert into outcome_rollups (system_id, bucket, model_version_id, group_attributes, tp, fp, tn, fn)
    select system_id, substr(decided_at, 1, 13), coalesce(model_version_id, ''), coalesce(group_attributes, ${none}),
      sum(case when predicted = 1 and actual = 1 then 1 else 0 end),
      sum(case when predicted = 1 and actual = 0 then 1 else 0 end),
      sum(case when predicted = 0 and actual = 0 then 1 else 0 end),
      sum(case when predicted = 0 and actual = 1 then 1 else 0 end)
    from decision_outcomes
    group by system_id, substr(decided_at, 1, 13), coalesce(model_version_id, ''), coalesce(group_attributes, ${none})`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
