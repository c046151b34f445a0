// Alerting (issue 11): a monitor's flapping suppression (a breach must hold for N evaluations, a
// resolve needs M clear ones) and its evaluation state; alerts from Alertmanager keep their labels.
// Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('monitors')
    .addColumn('for_evaluations', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('monitors')
    .addColumn('clear_evaluations', 'integer', (c) => c.notNull().defaultTo(3))
    .execute();
  await db.schema
    .alterTable('monitors')
    .addColumn('breach_streak', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('monitors')
    .addColumn('clear_streak', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  /** The end of the window last evaluated: the same window is never counted twice. */
  await db.schema.alterTable('monitors').addColumn('evaluated_to', 'text').execute();
  await db.schema.alterTable('monitors').addColumn('last_value', 'double precision').execute();
  /** Alertmanager's alerts: their labels and annotations as received (JSON), '{}' for our own. */
  await db.schema
    .alterTable('alerts')
    .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('alerts_external_key_idx').on('alerts').columns(['external_key', 'status']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
