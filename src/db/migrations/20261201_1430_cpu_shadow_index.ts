// The inventory's untriaged-shadow filter is served by ai_systems_kind_order_idx: it leads with
// deployment_kind, gives the order (name, id) and carries triaged_at, so the filter reads the shadow
// range in order and checks triaged_at from the entries. Its own index only repeated that, and every
// create wrote a page of it (about 1.8 of the 27 WAL pages of a create on SQLite).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('ai_systems_shadow_order_idx').ifExists().execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
