// Indexes that serve every filter of the inventory list together with its order (name, id), and a
// system_tags table so the tag filter is an index lookup instead of a scan of JSON text.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

// Each index leads with one filter, then the order (name, id), then the other filter columns: a
// single filter reads one index range in order, and a combined filter is checked (and counted)
// from index entries alone, without a lookup per row.
const FILTER_COLUMNS = ['status', 'eu_risk_tier', 'deployment_kind', 'ai_type', 'accountable_owner_id', 'triaged_at'];
const covering = (...lead: string[]) => [...lead, 'name', 'id', ...FILTER_COLUMNS.filter((c) => !lead.includes(c))];
const LIST_INDEXES: Array<[string, string[]]> = [
  ['ai_systems_order_idx', covering()],
  ['ai_systems_status_order_idx', covering('status')],
  ['ai_systems_tier_order_idx', covering('eu_risk_tier')],
  ['ai_systems_kind_order_idx', covering('deployment_kind')],
  ['ai_systems_type_order_idx', covering('ai_type')],
  ['ai_systems_owner_order_idx', covering('accountable_owner_id')],
  ['ai_systems_shadow_order_idx', covering('deployment_kind', 'triaged_at')],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // The earlier indexes are prefixes of these (or cannot serve the order); drop them.
  for (const name of [
    'ai_systems_name_idx',
    'ai_systems_status_idx',
    'ai_systems_tier_idx',
    'ai_systems_owner_idx',
    'ai_systems_kind_idx',
  ]) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
  for (const [name, columns] of LIST_INDEXES) await db.schema.createIndex(name).on('ai_systems').columns(columns).execute();

  await db.schema
    .createTable('system_tags')
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('system_tags_pk', ['system_id', 'tag'])
    .execute();
  await db.schema.createIndex('system_tags_tag_idx').on('system_tags').columns(['tag', 'system_id']).execute();
  if (isPostgres(db)) {
    await sql`insert into system_tags (system_id, tag)
      select distinct id, jsonb_array_elements_text(tags::jsonb) from ai_systems`.execute(db);
  } else {
    await sql`insert or ignore into system_tags (system_id, tag)
      select s.id, j.value from ai_systems s, json_each(s.tags) j`.execute(db);
  }

  await db.schema.createIndex('model_versions_system_idx').on('model_versions').columns(['system_id', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
