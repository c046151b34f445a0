// Approval policies (versioned), requests, decisions, delegations and change records, with the
// default policies the product ships. Frozen once merged: the defaults here are data, not code.
import type { Kysely } from 'kysely';

type Step = { name: string; stage: number; roles?: string[]; userIds?: string[]; required: number };

const owner: Step = { name: 'System owner', stage: 1, roles: ['system_owner'], required: 1 };
const approver = (stage: number): Step => ({ name: 'Approver', stage, roles: ['approver'], required: 1 });
const highRisk: Step[] = [
  owner,
  { name: 'Risk officer', stage: 2, roles: ['approver'], required: 1 },
  // Organisations name their data-protection officer by editing this step (a policy_change request).
  { name: 'Data-protection officer', stage: 2, roles: ['governance_lead'], required: 1 },
];

const DEFAULT_POLICIES: Array<{ kind: string; tier: string; steps: Step[] }> = [
  { kind: 'system_use', tier: '*', steps: [owner, approver(2)] },
  { kind: 'system_use', tier: 'high', steps: highRisk },
  { kind: 'model_deployment', tier: '*', steps: [owner, approver(2)] },
  { kind: 'model_deployment', tier: 'high', steps: highRisk },
  { kind: 'intended_use_change', tier: '*', steps: [owner, approver(2)] },
  { kind: 'data_source_change', tier: '*', steps: [owner, approver(2)] },
  { kind: 'risk_tier_change', tier: '*', steps: [{ name: 'Governance lead', stage: 1, roles: ['governance_lead'], required: 1 }] },
  {
    kind: 'system_retirement',
    tier: '*',
    steps: [owner, { name: 'Governance lead', stage: 2, roles: ['governance_lead'], required: 1 }],
  },
  { kind: 'policy_change', tier: '*', steps: [{ name: 'Governance', stage: 1, roles: ['governance_lead', 'admin'], required: 1 }] },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('approval_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('risk_tier', 'text', (c) => c.notNull())
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('approval_policies_kind_tier_uq', ['kind', 'risk_tier'])
    .execute();

  await db.schema
    .createTable('approval_policy_versions')
    .addColumn('policy_id', 'text', (c) => c.notNull().references('approval_policies.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('approval_request_id', 'text')
    .addPrimaryKeyConstraint('approval_policy_versions_pk', ['policy_id', 'version'])
    .execute();

  await db.schema
    .createTable('approval_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.references('ai_systems.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('content_digest', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revised_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('applied_at', 'text')
    .addColumn('emergency_by', 'text')
    .addColumn('emergency_reason', 'text')
    .addColumn('emergency_at', 'text')
    .addColumn('exception_id', 'text')
    .addColumn('retrospective_due_at', 'text')
    .addColumn('escalated_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addForeignKeyConstraint('approval_requests_policy_fk', ['policy_id', 'policy_version'], 'approval_policy_versions', [
      'policy_id',
      'version',
    ])
    .execute();
  await db.schema.createIndex('approval_requests_status_idx').on('approval_requests').columns(['status', 'created_at']).execute();
  await db.schema
    .createIndex('approval_requests_subject_idx')
    .on('approval_requests')
    .columns(['subject_type', 'subject_id', 'kind'])
    .execute();
  await db.schema.createIndex('approval_requests_due_idx').on('approval_requests').columns(['retrospective_due_at']).execute();

  await db.schema
    .createTable('approval_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('approval_requests.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('step_index', 'integer')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('approver_role', 'text', (c) => c.notNull())
    .addColumn('on_behalf_of', 'text', (c) => c.references('users.id'))
    .addColumn('delegation_id', 'text')
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('content_digest', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('valid_until', 'text')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('approval_decisions_request_idx').on('approval_decisions').columns(['request_id', 'revision']).execute();

  await db.schema
    .createTable('approval_delegations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delegator_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('delegate_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('approval_delegations_delegate_idx').on('approval_delegations').columns(['delegate_id', 'ends_at']).execute();

  await db.schema
    .createTable('change_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text')
    .addColumn('subject_version', 'integer')
    .addColumn('change_kind', 'text', (c) => c.notNull())
    .addColumn('before', 'text', (c) => c.notNull())
    .addColumn('after', 'text', (c) => c.notNull())
    .addColumn('diff', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('approval_request_id', 'text')
    .addColumn('exception_id', 'text')
    .addColumn('recorded_by', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('change_records_subject_idx')
    .on('change_records')
    .columns(['subject_type', 'subject_id', 'recorded_at'])
    .execute();
  await db.schema.createIndex('change_records_system_idx').on('change_records').columns(['system_id', 'recorded_at']).execute();

  const now = new Date().toISOString();
  for (const policy of DEFAULT_POLICIES) {
    const id = `${policy.kind}:${policy.tier}`;
    await db
      .insertInto('approval_policies' as never)
      .values({ id, kind: policy.kind, risk_tier: policy.tier, current_version: 1, created_at: now, updated_at: now } as never)
      .execute();
    await db
      .insertInto('approval_policy_versions' as never)
      .values({
        policy_id: id,
        version: 1,
        steps: JSON.stringify(policy.steps),
        created_at: now,
        created_by: null,
        approval_request_id: null,
      } as never)
      .execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
