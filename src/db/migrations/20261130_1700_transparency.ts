// Public transparency pages: what an organisation chooses to publish about an AI system, under a
// short public reference that never reveals the internal id. Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('system_publications')
    .addColumn('system_id', 'text', (c) => c.primaryKey().references('ai_systems.id'))
    .addColumn('public_ref', 'text', (c) => c.notNull().unique())
    .addColumn('published', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('public_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('what_it_does', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('what_it_does_not', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('human_review', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('overseen_by', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('how_to_challenge', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('published_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // The public list: published pages by name.
  await db.schema
    .createIndex('system_publications_published_idx')
    .on('system_publications')
    .columns(['published', 'public_name', 'public_ref'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
