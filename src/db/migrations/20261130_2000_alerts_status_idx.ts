// The alert list across systems (filtered by status, newest first) and the dashboard's count of
// firing alerts read an index range, not the whole table.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('alerts_status_fired_idx').on('alerts').columns(['status', 'last_fired_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
