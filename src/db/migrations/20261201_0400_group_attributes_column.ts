// Outcome ingestion (issue 11): a decision's group attributes move from rows of their own
// (decision_group_attributes: one row per attribute per decision, each a random b-tree insert) into
// one column of its outcome, `decision_outcomes.group_attributes`: a JSON object attribute -> value
// (canonical text on SQLite, jsonb on PostgreSQL; both read it with `->>`). Which attributes a system
// has recorded (a review's snapshot reports fairness by each) is kept in `recorded_group_attributes`,
// one row per system and attribute name, no values. Existing rows are moved, then the old table is
// dropped so the special-category values live in one place. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);
  await db.schema
    .alterTable('decision_outcomes')
    .addColumn('group_attributes', postgres ? sql`jsonb` : 'text')
    .execute();
  await db.schema
    .createTable('recorded_group_attributes')
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('attribute', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('recorded_group_attributes_pk', ['system_id', 'attribute'])
    .execute();
  if (postgres) {
    await sql`update decision_outcomes o set group_attributes = g.attributes
      from (select system_id, decision_id, jsonb_object_agg(attribute, value) as attributes
            from decision_group_attributes group by system_id, decision_id) g
      where g.system_id = o.system_id and g.decision_id = o.decision_id`.execute(db);
  } else {
    // Keys in order, no spaces: the same canonical text the ingestion writes.
    await sql`update decision_outcomes set group_attributes = (
        select json_group_object(g.attribute, g.value order by g.attribute) from decision_group_attributes g
        where g.system_id = decision_outcomes.system_id and g.decision_id = decision_outcomes.decision_id)
      where exists (select 1 from decision_group_attributes g
        where g.system_id = decision_outcomes.system_id and g.decision_id = decision_outcomes.decision_id)`.execute(db);
  }
  await sql`insert into recorded_group_attributes (system_id, attribute)
    select distinct system_id, attribute from decision_group_attributes`.execute(db);
  await db.schema.dropTable('decision_group_attributes').execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
