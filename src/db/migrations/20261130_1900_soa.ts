// The Statement of Applicability (issue 12): the current entry of each Annex A control and every
// approved version, plus the approval policy of `soa_change` requests (a governance lead, then an
// admin as top management; organisations change it through a policy_change request). Version 0,
// the unreviewed default, has no rows. Frozen once merged.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

const SOA_CHANGE_STEPS = [
  { name: 'Governance lead', stage: 1, roles: ['governance_lead'], required: 1 },
  { name: 'Top management', stage: 2, roles: ['admin'], required: 1 },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('soa_entries')
    .addColumn('control_id', 'text', (c) => c.primaryKey())
    .addColumn('applicable', 'integer', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('approval_request_id', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('soa_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('entries', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('approval_request_id', 'text', (c) => c.notNull().unique())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text')
    .addColumn('approved_at', 'text', (c) => c.notNull())
    .addColumn('change_record_id', 'text', (c) => c.notNull())
    .execute();
  const now = new Date().toISOString();
  await sql`insert into approval_policies (id, kind, risk_tier, current_version, created_at, updated_at)
    values ('soa_change:*', 'soa_change', '*', 1, ${now}, ${now})`.execute(db);
  await sql`insert into approval_policy_versions (policy_id, version, steps, created_at, created_by, approval_request_id)
    values ('soa_change:*', 1, ${JSON.stringify(SOA_CHANGE_STEPS)}, ${now}, null, null)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
