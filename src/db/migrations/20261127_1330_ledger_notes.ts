import type { Kysely } from 'kysely';
import { makeAppendOnly } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ledger_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('references', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // A note is evidence too: corrected by a new note, never edited.
  await makeAppendOnly(db, 'ledger_notes');
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
