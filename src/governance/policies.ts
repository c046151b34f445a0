// Approval policies: which chain of steps a kind of request needs at a risk tier. Policies are
// versioned; a request keeps the version it started under. Edits go through a policy_change request.
import { ROLES, type Role } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import type { RequestKind } from './approvals.tables.js';

/** One step of a chain. Steps of the same stage run in parallel; a stage opens when the ones before it are complete. */
export interface PolicyStep {
  name: string;
  stage: number;
  /** Anyone holding one of these roles (globally, or for the request's system) may fill the step. */
  roles?: Role[];
  /** Named people who may fill the step. */
  userIds?: string[];
  /** How many distinct people must approve this step. */
  required: number;
}

export interface PolicyVersion {
  policyId: string;
  kind: RequestKind;
  riskTier: string;
  version: number;
  steps: PolicyStep[];
}

/** Refuses a chain that could never complete or that names nobody. */
export function validateSteps(steps: PolicyStep[]): PolicyStep[] {
  if (steps.length === 0) throw new AppError('validation_failed', 'steps: a policy needs at least one step', { field: 'steps' });
  steps.forEach((step, i) => {
    const field = `steps.${i}`;
    if (!step.name?.trim()) throw new AppError('validation_failed', `${field}.name: required`, { field: `${field}.name` });
    if (!Number.isInteger(step.stage) || step.stage < 1) {
      throw new AppError('validation_failed', `${field}.stage: a whole number from 1`, { field: `${field}.stage` });
    }
    if (!Number.isInteger(step.required) || step.required < 1) {
      throw new AppError('validation_failed', `${field}.required: at least 1 approver`, { field: `${field}.required` });
    }
    const roles = step.roles ?? [];
    const people = step.userIds ?? [];
    if (roles.length === 0 && people.length === 0) {
      throw new AppError('validation_failed', `${field}: name a role or people who may approve`, { field });
    }
    const unknown = roles.find((r) => !ROLES.includes(r));
    if (unknown) throw new AppError('validation_failed', `${field}.roles: unknown role ${unknown}`, { field: `${field}.roles` });
    if (roles.length === 0 && new Set(people).size < step.required) {
      throw new AppError('validation_failed', `${field}: names fewer distinct people than it requires`, { field });
    }
  });
  return steps.map((s) => ({ ...s, name: s.name.trim() }));
}

export const policyIdOf = (kind: RequestKind, riskTier: string) => `${kind}:${riskTier}`;

async function loadVersion(trx: Tx, policyId: string, version: number): Promise<PolicyVersion> {
  const row = await trx
    .selectFrom('approval_policy_versions')
    .innerJoin('approval_policies', 'approval_policies.id', 'approval_policy_versions.policy_id')
    .select([
      'approval_policies.id',
      'approval_policies.kind',
      'approval_policies.risk_tier',
      'approval_policy_versions.version',
      'approval_policy_versions.steps',
    ])
    .where('approval_policy_versions.policy_id', '=', policyId)
    .where('approval_policy_versions.version', '=', version)
    .executeTakeFirst();
  if (!row)
    throw new AppError('not_found', `approval policy ${policyId} v${version} does not exist`, {
      resource: 'approval_policy',
      id: policyId,
    });
  return {
    policyId: row.id,
    kind: row.kind,
    riskTier: row.risk_tier,
    version: Number(row.version),
    steps: JSON.parse(row.steps) as PolicyStep[],
  };
}

/** The version a request started under. */
export const policyVersionOf = (trx: Tx, request: { policy_id: string; policy_version: number }) =>
  loadVersion(trx, request.policy_id, Number(request.policy_version));

/** The current policy for a kind at a tier, falling back to the kind's '*' policy. */
export async function currentPolicyFor(trx: Tx, kind: RequestKind, riskTier: string): Promise<PolicyVersion> {
  const rows = await trx
    .selectFrom('approval_policies')
    .select(['id', 'risk_tier', 'current_version'])
    .where('kind', '=', kind)
    .where('risk_tier', 'in', [riskTier, '*'])
    .execute();
  const row = rows.find((r) => r.risk_tier === riskTier) ?? rows.find((r) => r.risk_tier === '*');
  if (!row) throw new AppError('not_found', `no approval policy covers ${kind} at risk tier ${riskTier}`, { kind, riskTier });
  return loadVersion(trx, row.id, Number(row.current_version));
}

export async function listPolicies(trx: Tx): Promise<PolicyVersion[]> {
  const rows = await trx.selectFrom('approval_policies').select(['id', 'current_version']).orderBy('id').execute();
  return Promise.all(rows.map((r) => loadVersion(trx, r.id, Number(r.current_version))));
}

export async function getPolicyHistory(trx: Tx, policyId: string) {
  const rows = await trx.selectFrom('approval_policy_versions').selectAll().where('policy_id', '=', policyId).orderBy('version').execute();
  if (rows.length === 0)
    throw new AppError('not_found', `approval policy ${policyId} does not exist`, { resource: 'approval_policy', id: policyId });
  return rows.map((r) => ({
    version: Number(r.version),
    steps: JSON.parse(r.steps) as PolicyStep[],
    createdAt: r.created_at,
    createdBy: r.created_by,
    approvalRequestId: r.approval_request_id,
  }));
}

/** Writes the next version of a policy (or its first); only an approved policy_change request calls this. */
export async function writePolicyVersion(
  trx: Tx,
  {
    kind,
    riskTier,
    steps,
    createdBy,
    requestId,
  }: { kind: RequestKind; riskTier: string; steps: PolicyStep[]; createdBy: string; requestId: string },
): Promise<{ before: PolicyVersion | null; after: PolicyVersion }> {
  const id = policyIdOf(kind, riskTier);
  const now = new Date().toISOString();
  const existing = await trx.selectFrom('approval_policies').select('current_version').where('id', '=', id).executeTakeFirst();
  const before = existing ? await loadVersion(trx, id, Number(existing.current_version)) : null;
  const version = before ? before.version + 1 : 1;
  if (before) await trx.updateTable('approval_policies').set({ current_version: version, updated_at: now }).where('id', '=', id).execute();
  else {
    await trx
      .insertInto('approval_policies')
      .values({ id, kind, risk_tier: riskTier, current_version: version, created_at: now, updated_at: now })
      .execute();
  }
  await trx
    .insertInto('approval_policy_versions')
    .values({
      policy_id: id,
      version,
      steps: JSON.stringify(steps),
      created_at: now,
      created_by: createdBy,
      approval_request_id: requestId,
    })
    .execute();
  return { before, after: { policyId: id, kind, riskTier, version, steps } };
}
