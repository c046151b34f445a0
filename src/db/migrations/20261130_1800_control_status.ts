// When a control's status changed: the status last computed for each (control, scope) and each
// change of it. Scope is '' for the organisation or an AI system's id. Not evidence: derived from
// the records whenever a status is computed. Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('control_status')
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('control_status_pk', ['control_id', 'scope'])
    .execute();
  await db.schema
    .createTable('control_status_transitions')
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('control_status_transitions_by_control')
    .on('control_status_transitions')
    .columns(['control_id', 'scope', 'changed_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
