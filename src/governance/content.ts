// What an approver signs: a snapshot of the subject as it is now plus the change asked for, and
// the SHA-256 of its RFC 8785 canonical JSON. The same snapshot rebuilt later tells whether the
// subject changed under an approval.
import { createHash } from 'node:crypto';
import type { Database } from '../db/schema.js';
import type { Tx } from '../db/store.js';
import { AppError, notFound } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import { requireRationale } from '../rationale.js';
import type { RequestKind } from './approvals.tables.js';
import { REQUEST_KINDS } from './approvals.tables.js';
import { APPROVAL_GATED_STATUSES, assertNotProhibited, governingKindOfStatusMove, SYSTEM_USE_TARGETS } from './governed-changes.js';
import { type PolicyStep, policyIdOf, validateSteps } from './policies.js';
import { SOA_SUBJECT_ID, type SoaEntryInput, soaSnapshot, validateSoaEntries } from './soa.js';
import { EU_RISK_TIERS, type SystemStatus } from './system-states.js';

export const contentDigest = (content: unknown) => createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');

export interface DataSourceInput {
  name?: string;
  kind?: string;
  containsPersonalData?: boolean;
  provenance?: string;
}

/** The change a requester asks for; which fields apply depends on the kind. */
export interface RequestedChange {
  /** For `system_use`: into use (approved_for_use, in_production) or back out of it. */
  targetStatus?: SystemStatus;
  /** For a `risk_tier_change` out of the prohibited tier: why the practice is not prohibited. */
  legalRationale?: string;
  intendedUse?: string;
  euRiskTier?: string;
  dataSourceAction?: 'add' | 'update';
  dataSourceId?: string;
  dataSource?: DataSourceInput;
  steps?: PolicyStep[];
  /** For `soa_change`: the Annex A entries that change (the rest of the SoA stays as it is). */
  soaEntries?: SoaEntryInput[];
}

export interface RequestContent {
  kind: RequestKind;
  subject: { type: 'ai_system' | 'model_version' | 'approval_policy' | 'soa'; id: string; snapshot: Record<string, unknown> | null };
  change: Record<string, unknown>;
}

export interface BuiltContent {
  content: RequestContent;
  systemId: string | null;
  riskTier: string;
}

type SystemRow = Omit<Database['ai_systems'], 'version'> & { version: number };
type ModelVersionRow = Omit<Database['model_versions'], 'version'> & { version: number };

export async function loadSystem(trx: Tx, id: string): Promise<SystemRow> {
  const row = await trx.selectFrom('ai_systems').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('system', id);
  return row as SystemRow;
}

export async function loadModelVersion(trx: Tx, id: string): Promise<ModelVersionRow> {
  const row = await trx.selectFrom('model_versions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('model version', id);
  return row as ModelVersionRow;
}

/** The facts an approver relies on; timestamps and row versions are left out so only substance counts. */
export const systemSnapshot = (s: SystemRow) => ({
  name: s.name,
  purpose: s.purpose,
  intendedUse: s.intended_use,
  description: s.description,
  aiType: s.ai_type,
  deploymentKind: s.deployment_kind,
  status: s.status,
  euRiskTier: s.eu_risk_tier,
  orgRiskTier: s.org_risk_tier,
  accountableOwnerId: s.accountable_owner_id,
});

export const modelVersionSnapshot = (m: ModelVersionRow) => ({
  systemId: m.system_id,
  label: m.label,
  artifactSha256: m.artifact_sha256,
  trainingDataRefs: JSON.parse(m.training_data_refs) as unknown,
  parameters: JSON.parse(m.parameters) as unknown,
  notes: m.notes,
  status: m.status,
});

const required = (value: string | undefined, field: string): string => {
  if (!value?.trim())
    throw new AppError('validation_failed', `change.${field}: required for this kind of request`, { field: `change.${field}` });
  return value.trim();
};

function systemChange(kind: RequestKind, system: SystemRow, change: RequestedChange, minRationaleLength?: number): Record<string, unknown> {
  switch (kind) {
    case 'system_use': {
      const to = change.targetStatus ?? 'approved_for_use';
      if (!SYSTEM_USE_TARGETS.includes(to))
        throw new AppError(
          'validation_failed',
          `change.targetStatus: a system_use request moves a system to one of ${SYSTEM_USE_TARGETS.join(', ')}`,
          {
            field: 'change.targetStatus',
            allowed: SYSTEM_USE_TARGETS,
          },
        );
      if (system.status === to) throw new AppError('invalid_transition', `system ${system.id} is already ${to}`, { status: to });
      if (system.status === 'retired') throw new AppError('invalid_transition', 'a retired system cannot be put to use');
      if (APPROVAL_GATED_STATUSES.includes(to)) assertNotProhibited(system, `approving it for ${to}`);
      else if (governingKindOfStatusMove(system.status, to) !== 'system_use')
        throw new AppError('invalid_transition', `moving system ${system.id} from ${system.status} to ${to} needs no approval`, {
          status: to,
        });
      return { status: { from: system.status, to } };
    }
    case 'intended_use_change':
      return { intendedUse: { from: system.intended_use, to: required(change.intendedUse, 'intendedUse') } };
    case 'risk_tier_change': {
      const to = required(change.euRiskTier, 'euRiskTier');
      if (!(EU_RISK_TIERS as readonly string[]).includes(to))
        throw new AppError('validation_failed', `change.euRiskTier: unknown tier ${to}`, { field: 'change.euRiskTier' });
      if (system.eu_risk_tier !== 'prohibited') return { euRiskTier: { from: system.eu_risk_tier, to } };
      // Out of the prohibited tier: the approvers sign the legal reasoning along with the new tier.
      const legalRationale = requireRationale(change.legalRationale, { field: 'change.legalRationale', minimum: minRationaleLength });
      return { euRiskTier: { from: system.eu_risk_tier, to }, legalRationale };
    }
    case 'system_retirement':
      if (system.status === 'retired') throw new AppError('invalid_transition', `system ${system.id} is already retired`);
      return { status: { from: system.status, to: 'retired' } };
    case 'data_source_change': {
      const action = change.dataSourceAction ?? 'add';
      if (action === 'update') required(change.dataSourceId, 'dataSourceId');
      else required(change.dataSource?.name, 'dataSource.name');
      return { dataSource: { action, id: change.dataSourceId ?? null, values: change.dataSource ?? {} } };
    }
    default:
      throw new AppError('validation_failed', `kind ${kind} does not apply to a system`, { field: 'kind' });
  }
}

/** The change as a requester asks for it, from the change stored in a request's content: a revision
 * without a new change re-signs the same change against the subject as it is now. */
export function requestedChangeOf(kind: RequestKind, stored: Record<string, unknown>): RequestedChange {
  const to = (key: string) => (stored[key] as { to?: string } | undefined)?.to;
  switch (kind) {
    case 'system_use':
      return { targetStatus: to('status') as SystemStatus | undefined };
    case 'intended_use_change':
      return { intendedUse: to('intendedUse') };
    case 'risk_tier_change':
      return { euRiskTier: to('euRiskTier'), legalRationale: stored.legalRationale as string | undefined };
    case 'data_source_change': {
      const ds = stored.dataSource as { action: 'add' | 'update'; id: string | null; values: DataSourceInput };
      return { dataSourceAction: ds.action, dataSourceId: ds.id ?? undefined, dataSource: ds.values };
    }
    case 'policy_change':
      return { steps: stored.steps as PolicyStep[] };
    case 'soa_change':
      return { soaEntries: stored.entries as SoaEntryInput[] };
    default:
      return {};
  }
}

/** Builds the content of a new request (or of a revision) from the subject as it is now; a legal
 * rationale in it is held to `minRationaleLength` (config.minRationaleLength). */
export async function buildContent(
  trx: Tx,
  kind: RequestKind,
  subjectId: string,
  change: RequestedChange,
  minRationaleLength?: number,
): Promise<BuiltContent> {
  if (!REQUEST_KINDS.includes(kind)) throw new AppError('validation_failed', `kind: unknown request kind ${kind}`, { field: 'kind' });
  if (kind === 'policy_change') {
    const [policyKind, tier] = subjectId.split(':');
    if (!REQUEST_KINDS.includes(policyKind as RequestKind) || !tier || subjectId !== policyIdOf(policyKind as RequestKind, tier)) {
      throw new AppError('validation_failed', 'subjectId: a policy id is <kind>:<risk tier>, e.g. model_deployment:high', {
        field: 'subjectId',
      });
    }
    const steps = validateSteps(change.steps ?? []);
    const current = await trx.selectFrom('approval_policies').select('current_version').where('id', '=', subjectId).executeTakeFirst();
    const currentSteps = current
      ? await trx
          .selectFrom('approval_policy_versions')
          .select('steps')
          .where('policy_id', '=', subjectId)
          .where('version', '=', current.current_version)
          .executeTakeFirstOrThrow()
      : null;
    const snapshot =
      current && currentSteps ? { version: Number(current.current_version), steps: JSON.parse(currentSteps.steps) as unknown } : null;
    return {
      content: { kind, subject: { type: 'approval_policy', id: subjectId, snapshot }, change: { policyKind, riskTier: tier, steps } },
      systemId: null,
      riskTier: '*',
    };
  }
  if (kind === 'soa_change') {
    if (subjectId !== SOA_SUBJECT_ID)
      throw new AppError('validation_failed', `subjectId: the Statement of Applicability is ${SOA_SUBJECT_ID}`, { field: 'subjectId' });
    const entries = validateSoaEntries(change.soaEntries, minRationaleLength);
    const snapshot = await soaSnapshot(
      trx,
      entries.map((e) => e.controlId),
    );
    return {
      content: { kind, subject: { type: 'soa', id: SOA_SUBJECT_ID, snapshot }, change: { entries } },
      systemId: null,
      riskTier: '*',
    };
  }
  if (kind === 'model_deployment') {
    const mv = await loadModelVersion(trx, subjectId);
    if (mv.status !== 'registered') throw new AppError('invalid_transition', `model version ${mv.label} is ${mv.status}, not registered`);
    const system = await loadSystem(trx, mv.system_id);
    assertNotProhibited(system, `deploying model version ${mv.label}`);
    return {
      content: {
        kind,
        subject: { type: 'model_version', id: mv.id, snapshot: { ...modelVersionSnapshot(mv), system: systemSnapshot(system) } },
        change: { status: { from: mv.status, to: 'deployed' }, environment: 'production' },
      },
      systemId: system.id,
      riskTier: system.eu_risk_tier,
    };
  }
  const system = await loadSystem(trx, subjectId);
  return {
    content: {
      kind,
      subject: { type: 'ai_system', id: system.id, snapshot: systemSnapshot(system) },
      change: systemChange(kind, system, change, minRationaleLength),
    },
    systemId: system.id,
    riskTier: system.eu_risk_tier,
  };
}

/** The subject's snapshot as it is now, to compare with what was approved. */
export async function currentSnapshot(trx: Tx, content: RequestContent): Promise<Record<string, unknown> | null> {
  if (content.subject.type === 'model_version') {
    const mv = await loadModelVersion(trx, content.subject.id);
    return { ...modelVersionSnapshot(mv), system: systemSnapshot(await loadSystem(trx, mv.system_id)) };
  }
  if (content.subject.type === 'ai_system') return systemSnapshot(await loadSystem(trx, content.subject.id));
  if (content.subject.type === 'soa')
    return soaSnapshot(
      trx,
      (content.change.entries as SoaEntryInput[]).map((e) => e.controlId),
    );
  const current = await trx
    .selectFrom('approval_policies')
    .select('current_version')
    .where('id', '=', content.subject.id)
    .executeTakeFirst();
  if (!current) return null;
  const row = await trx
    .selectFrom('approval_policy_versions')
    .select('steps')
    .where('policy_id', '=', content.subject.id)
    .where('version', '=', current.current_version)
    .executeTakeFirstOrThrow();
  return { version: Number(current.current_version), steps: JSON.parse(row.steps) as unknown };
}
