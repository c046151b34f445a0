// What an approved (or emergency) request changes: the status move, the deployed model version,
// the new intended use, data source, risk tier or policy version. Applied in the transaction of the
// final approval, each with its change record.
// Status moves and deployments go through the inventory's own use cases (changeSystemStatus,
// deployModelVersion), which check the approval gate again and write their own events; they act
// as Proofline itself, applying what the approvers decided. The other changes are written here.
// INTEGRATION POINT (systems track): intended use, risk tier and data sources could move to
// updateSystem / changeRiskTier / addDataSource / updateDataSource the same way.
import { randomUUID } from 'node:crypto';
import { type RequestContext, SYSTEM_ACTOR } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { deployModelVersion } from '../systems/model-versions.service.js';
import { changeSystemStatus } from '../systems/systems.service.js';
import type { AiSystemsTable } from '../systems/systems.tables.js';
import { type NewChangeRecord, recordChange } from './change-records.service.js';
import { type DataSourceInput, loadModelVersion, loadSystem, modelVersionSnapshot, systemSnapshot } from './content.js';
import type { PolicyStep } from './policies.js';
import { writePolicyVersion } from './policies.js';
import { contentOf, type RequestRow } from './requests.repository.js';

type Allowed = Pick<NewChangeRecord, 'approvalRequestId' | 'exceptionId' | 'rationale'>;
type Change = Omit<NewChangeRecord, keyof Allowed>;

async function updateSystem(trx: Tx, id: string, patch: Partial<Omit<AiSystemsTable, 'id' | 'version'>>): Promise<Change> {
  const before = await loadSystem(trx, id);
  const version = Number(before.version) + 1;
  const result = await trx
    .updateTable('ai_systems')
    .set({ ...patch, updated_at: new Date().toISOString(), version })
    .where('id', '=', id)
    .where('version', '=', Number(before.version))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1)
    throw new AppError('version_conflict', `system ${id} changed meanwhile; try again`, { systemId: id });
  const after = await loadSystem(trx, id);
  return {
    subjectType: 'ai_system',
    subjectId: id,
    systemId: id,
    subjectVersion: version,
    changeKind: '',
    before: { ...systemSnapshot(before), version: Number(before.version) },
    after: { ...systemSnapshot(after), version },
  };
}

/** The inventory applies the change, acting as Proofline under this approval request. */
const applierOf = (ctx: RequestContext): RequestContext => ({ ...ctx, actor: SYSTEM_ACTOR });

async function moveStatus(trx: Tx, ctx: RequestContext, request: RequestRow, status: AiSystemsTable['status']): Promise<Change> {
  const systemId = request.system_id ?? '';
  // An emergency change bypasses the gate by definition; its exception is the record of that.
  if (request.emergency_at) return { ...(await updateSystem(trx, systemId, { status })), changeKind: 'system.status_changed' };
  const before = await loadSystem(trx, systemId);
  await changeSystemStatus(trx, {
    ctx: applierOf(ctx),
    systemId,
    status,
    rationale: `${request.title}: ${request.justification}`,
    minRationaleLength: 1,
    approvalRequestId: request.id,
  });
  const after = await loadSystem(trx, systemId);
  return {
    subjectType: 'ai_system',
    subjectId: systemId,
    systemId,
    subjectVersion: Number(after.version),
    changeKind: 'system.status_changed',
    before: { ...systemSnapshot(before), version: Number(before.version) },
    after: { ...systemSnapshot(after), version: Number(after.version) },
  };
}

/** An emergency deployment bypasses the gate; its exception and change record are the evidence. */
async function deployUnderException(trx: Tx, before: { id: string; system_id: string; status: string; label: string; version: number }) {
  if (before.status !== 'registered') throw new AppError('invalid_transition', `model version ${before.label} is ${before.status}`);
  // One deployed version per system: the one it replaces retires.
  await trx
    .updateTable('model_versions')
    .set((eb) => ({ status: 'retired', version: eb('version', '+', 1) }))
    .where('system_id', '=', before.system_id)
    .where('status', '=', 'deployed')
    .execute();
  await trx
    .updateTable('model_versions')
    .set({ status: 'deployed', deployed_at: new Date().toISOString(), version: Number(before.version) + 1 })
    .where('id', '=', before.id)
    .execute();
}

async function deployModel(trx: Tx, ctx: RequestContext, request: RequestRow): Promise<Change> {
  const before = await loadModelVersion(trx, request.subject_id);
  if (request.emergency_at) await deployUnderException(trx, before);
  else await deployModelVersion(trx, { ctx: applierOf(ctx), modelVersionId: before.id, approvalRequestId: request.id });
  const after = await loadModelVersion(trx, before.id);
  return {
    subjectType: 'model_version',
    subjectId: before.id,
    systemId: before.system_id,
    subjectVersion: Number(after.version),
    changeKind: 'model_version.deployed',
    before: { ...modelVersionSnapshot(before), deployedAt: before.deployed_at, version: Number(before.version) },
    after: { ...modelVersionSnapshot(after), deployedAt: after.deployed_at, version: Number(after.version) },
  };
}

const dataSourceView = (r: { name: string; kind: string; contains_personal_data: number; provenance: string; version: number }) => ({
  name: r.name,
  kind: r.kind,
  containsPersonalData: r.contains_personal_data === 1,
  provenance: r.provenance,
  version: Number(r.version),
});

async function changeDataSource(
  trx: Tx,
  systemId: string,
  change: { action: 'add' | 'update'; id: string | null; values: DataSourceInput },
): Promise<Change> {
  const now = new Date().toISOString();
  const v = change.values;
  if (change.action === 'add') {
    const row = {
      id: randomUUID(),
      system_id: systemId,
      name: v.name ?? '',
      kind: v.kind ?? 'dataset',
      contains_personal_data: v.containsPersonalData ? 1 : 0,
      provenance: v.provenance ?? '',
      owner_id: null,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    await trx.insertInto('data_sources').values(row).execute();
    return {
      subjectType: 'data_source',
      subjectId: row.id,
      systemId,
      subjectVersion: 1,
      changeKind: 'data_source.added',
      before: null,
      after: dataSourceView(row),
    };
  }
  const before = await trx
    .selectFrom('data_sources')
    .selectAll()
    .where('id', '=', change.id ?? '')
    .where('system_id', '=', systemId)
    .executeTakeFirst();
  if (!before) throw new AppError('not_found', `data source ${change.id} of system ${systemId} does not exist`);
  const version = Number(before.version) + 1;
  const patch = {
    name: v.name ?? before.name,
    kind: v.kind ?? before.kind,
    contains_personal_data: v.containsPersonalData === undefined ? before.contains_personal_data : v.containsPersonalData ? 1 : 0,
    provenance: v.provenance ?? before.provenance,
  };
  await trx
    .updateTable('data_sources')
    .set({ ...patch, updated_at: now, version })
    .where('id', '=', before.id)
    .execute();
  return {
    subjectType: 'data_source',
    subjectId: before.id,
    systemId,
    subjectVersion: version,
    changeKind: 'data_source.updated',
    before: dataSourceView(before),
    after: dataSourceView({ ...patch, version }),
  };
}

async function makeChange(trx: Tx, ctx: RequestContext, request: RequestRow): Promise<Change> {
  const content = contentOf(request);
  const change = content.change as Record<string, { to?: string } & Record<string, unknown>>;
  const systemId = request.system_id ?? '';
  switch (request.kind) {
    case 'system_use':
    case 'system_retirement':
      return moveStatus(trx, ctx, request, change.status.to as AiSystemsTable['status']);
    case 'intended_use_change':
      return {
        ...(await updateSystem(trx, systemId, { intended_use: String(change.intendedUse.to) })),
        changeKind: 'system.intended_use_changed',
      };
    case 'risk_tier_change':
      return {
        ...(await updateSystem(trx, systemId, { eu_risk_tier: change.euRiskTier.to as AiSystemsTable['eu_risk_tier'] })),
        changeKind: 'system.risk_tier_changed',
      };
    case 'model_deployment':
      return deployModel(trx, ctx, request);
    case 'data_source_change':
      return changeDataSource(
        trx,
        systemId,
        change.dataSource as unknown as { action: 'add' | 'update'; id: string | null; values: DataSourceInput },
      );
    case 'policy_change': {
      const c = content.change as { policyKind: RequestRow['kind']; riskTier: string; steps: PolicyStep[] };
      const { before, after } = await writePolicyVersion(trx, {
        kind: c.policyKind,
        riskTier: c.riskTier,
        steps: c.steps,
        createdBy: request.requested_by,
        requestId: request.id,
      });
      return {
        subjectType: 'approval_policy',
        subjectId: after.policyId,
        systemId: null,
        subjectVersion: after.version,
        changeKind: 'approval_policy.changed',
        before: before ? { version: before.version, steps: before.steps } : null,
        after: { version: after.version, steps: after.steps },
      };
    }
  }
}

/** Applies the request's change; `exceptionId` when an emergency bypassed the approval. */
export async function applyEffect(
  trx: Tx,
  {
    ctx,
    request,
    exceptionId = null,
    rationale,
  }: { ctx: RequestContext; request: RequestRow; exceptionId?: string | null; rationale: string },
) {
  if (request.applied_at)
    throw new AppError('invalid_transition', `the change of request ${request.id} was already applied at ${request.applied_at}`);
  const change = await makeChange(trx, ctx, request);
  const record = await recordChange(trx, {
    ctx,
    change: { ...change, rationale, approvalRequestId: request.id, exceptionId },
  });
  const at = new Date().toISOString();
  const version = Number(request.version) + 1;
  await trx.updateTable('approval_requests').set({ applied_at: at, updated_at: at, version }).where('id', '=', request.id).execute();
  await appendEvent(trx, ctx, {
    type: 'approval.applied',
    subject: { type: 'approval_request', id: request.id, version },
    after: {
      appliedAt: at,
      changeRecordId: record.id,
      changeKind: change.changeKind,
      subject: { type: change.subjectType, id: change.subjectId, version: change.subjectVersion },
    },
    reason: rationale,
    controls: ['iso42001:A.9.2', 'iso42001:A.6.2'],
    data: { exceptionId, contentDigest: request.content_digest, diff: record.diff },
  });
  return record;
}
