// Auditor grants (issue 12): an external auditor's read-only access to one scope (a system, a
// framework, a period) until it expires or is revoked. What they read is in the ledger, not here.
// Frozen once merged.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('auditor_grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('auditor_id', 'text', (c) => c.notNull().references('users.id'))
    /** null: every system. */
    .addColumn('system_id', 'text', (c) => c.references('ai_systems.id'))
    /** null: every framework. */
    .addColumn('framework', 'text')
    .addColumn('period_from', 'text')
    .addColumn('period_to', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .addColumn('revocation_rationale', 'text')
    .execute();
  await db.schema.createIndex('auditor_grants_auditor_idx').on('auditor_grants').columns(['auditor_id', 'expires_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
