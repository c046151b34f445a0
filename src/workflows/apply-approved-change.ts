// What an approved (or emergency) request changes: the status move, the deployed model version,
// the new intended use, data source, risk tier, policy version or Statement of Applicability version. Applied in the transaction of the
// final approval (or of the emergency change).
// Everything but a policy change goes through the inventory's own use cases (changeSystemStatus,
// deployModelVersion, updateSystem, changeRiskTier, addDataSource, updateDataSource), given the
// request id (and, for an emergency, its exception id): they check the approval gate again, write
// their event and the one change record of the change. The person whose decision completed the chain
// (or who made the emergency change) acts, with the approval's authority (`applierOf`), so every
// event and the change record name them and the signers. A policy change has no inventory use case:
// its record is written here. A SoA change is written by governance/soa-versions.ts (its own gate).
import { type ApplyingApproval, applierOf, type RequestContext, type Signer } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { changeRecordOfRequest, recordChange } from '../governance/change-records.service.js';
import type { DataSourceInput } from '../governance/content.js';
import type { ChangeAuthority } from '../governance/governed-changes.js';
import type { PolicyStep } from '../governance/policies.js';
import { writePolicyVersion } from '../governance/policies.js';
import { contentOf, countedApprovals, type DecisionRow, type RequestRow } from '../governance/requests.repository.js';
import { writeSoaVersion } from '../governance/soa-versions.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { addDataSource, updateDataSource } from '../modules/systems/data-sources.service.js';
import { deployModelVersion } from '../modules/systems/model-versions.service.js';
import { changeRiskTier, changeSystemStatus, updateSystem } from '../modules/systems/systems.service.js';
import type { EuRiskTier, SystemStatus } from '../modules/systems/systems.tables.js';

/** Who signed the request's current revision, in decision order (none for an emergency bypass). */
async function signersOf(trx: Tx, request: RequestRow, decisions: DecisionRow[]): Promise<Signer[]> {
  const approvals = countedApprovals(request, decisions);
  const ids = [...new Set(approvals.flatMap((a) => (a.onBehalfOf ? [a.approverId, a.onBehalfOf] : [a.approverId])))];
  const names = ids.length === 0 ? [] : await trx.selectFrom('users').select(['id', 'display_name']).where('id', 'in', ids).execute();
  const nameOf = (id: string) => names.find((n) => n.id === id)?.display_name ?? id;
  return approvals.map((a) => ({
    id: a.approverId,
    name: nameOf(a.approverId),
    onBehalfOf: a.onBehalfOf ? { id: a.onBehalfOf, name: nameOf(a.onBehalfOf) } : null,
  }));
}

interface Applied {
  changeKind: string;
  subject: { type: string; id: string; version: number | null };
}

/** A change of the inventory, through its use case; the use case records the change. */
async function changeInventory(
  trx: Tx,
  applier: RequestContext,
  request: RequestRow,
  { rationale, exceptionId }: { rationale: string; exceptionId: string | null },
): Promise<Applied> {
  const change = contentOf(request).change as Record<string, { to?: string } & Record<string, unknown>>;
  const systemId = request.system_id ?? '';
  const args = {
    ctx: applier,
    rationale,
    // Proofline composed this text from what the requester and approvers already wrote (each held
    // to the minimum then); it is not re-checked against it.
    rationaleComposed: true,
    approvalRequestId: request.id,
    exceptionId,
  } satisfies { ctx: RequestContext; rationale: string; rationaleComposed: true } & ChangeAuthority;
  const system = (changeKind: string, row: { id: string; version: number | bigint }): Applied => ({
    changeKind,
    subject: { type: 'ai_system', id: row.id, version: Number(row.version) },
  });
  switch (request.kind) {
    case 'system_use':
    case 'system_retirement':
      return system(
        'system.status_changed',
        await changeSystemStatus(trx, { ...args, systemId, status: change.status.to as SystemStatus }),
      );
    case 'intended_use_change':
      return system(
        'system.intended_use_changed',
        await updateSystem(trx, { ...args, systemId, changes: { intendedUse: String(change.intendedUse.to) } }),
      );
    case 'risk_tier_change':
      return system(
        'system.risk_tier_changed',
        await changeRiskTier(trx, { ...args, systemId, euRiskTier: change.euRiskTier.to as EuRiskTier }),
      );
    case 'model_deployment': {
      const row = await deployModelVersion(trx, { ...args, modelVersionId: request.subject_id });
      return { changeKind: 'model_version.deployed', subject: { type: 'model_version', id: row.id, version: Number(row.version) } };
    }
    case 'data_source_change': {
      const ds = change.dataSource as unknown as { action: 'add' | 'update'; id: string | null; values: DataSourceInput };
      const v = ds.values;
      const row =
        ds.action === 'add'
          ? await addDataSource(trx, {
              ...args,
              systemId,
              input: {
                name: v.name ?? '',
                kind: v.kind ?? 'dataset',
                containsPersonalData: v.containsPersonalData ?? false,
                provenance: v.provenance,
              },
            })
          : await updateDataSource(trx, { ...args, dataSourceId: ds.id ?? '', changes: v });
      if (row.system_id !== systemId) throw new AppError('invalid_transition', `data source ${row.id} is not of system ${systemId}`);
      return {
        changeKind: ds.action === 'add' ? 'data_source.added' : 'data_source.updated',
        subject: { type: 'data_source', id: row.id, version: Number(row.version) },
      };
    }
    case 'policy_change':
    case 'soa_change':
      throw new AppError('invalid_transition', `a ${request.kind} is not a change of the inventory`);
  }
}

/** A new policy version; the one change the inventory does not record itself. */
async function changePolicy(trx: Tx, ctx: RequestContext, request: RequestRow, rationale: string) {
  const c = contentOf(request).change as { policyKind: RequestRow['kind']; riskTier: string; steps: PolicyStep[] };
  const { before, after } = await writePolicyVersion(trx, {
    kind: c.policyKind,
    riskTier: c.riskTier,
    steps: c.steps,
    createdBy: request.requested_by,
    requestId: request.id,
  });
  const record = await recordChange(trx, {
    ctx,
    change: {
      subjectType: 'approval_policy',
      subjectId: after.policyId,
      systemId: null,
      subjectVersion: after.version,
      changeKind: 'approval_policy.changed',
      before: before ? { version: before.version, steps: before.steps } : null,
      after: { version: after.version, steps: after.steps },
      rationale,
      approvalRequestId: request.id,
      exceptionId: null,
    },
  });
  const applied: Applied = {
    changeKind: 'approval_policy.changed',
    subject: { type: 'approval_policy', id: after.policyId, version: after.version },
  };
  return { applied, record: { id: record.id, diff: record.diff } };
}

/** Applies the request's change; `exceptionId` when an emergency bypassed the approval (no signers
 * then). `decisions`: the request's decisions as its caller read them. Returns the change record and
 * the request as it now is (applied), so nobody reads it again. */
export async function applyEffect(
  trx: Tx,
  {
    ctx,
    request,
    decisions,
    exceptionId = null,
    rationale,
  }: { ctx: RequestContext; request: RequestRow; decisions: DecisionRow[]; exceptionId?: string | null; rationale: string },
) {
  if (request.applied_at)
    throw new AppError('invalid_transition', `the change of request ${request.id} was already applied at ${request.applied_at}`);
  const applying: ApplyingApproval = {
    approvalRequestId: request.id,
    signers: exceptionId ? [] : await signersOf(trx, request, decisions),
  };
  const applier = applierOf(ctx, applying);
  const { applied: change, record } =
    request.kind === 'policy_change'
      ? await changePolicy(trx, applier, request, rationale)
      : request.kind === 'soa_change'
        ? await writeSoaVersion(trx, { ctx: applier, request, rationale })
        : {
            applied: await changeInventory(trx, applier, request, { rationale, exceptionId }),
            record: await changeRecordOfRequest(trx, request.id),
          };
  const at = new Date().toISOString();
  const version = Number(request.version) + 1;
  const applied = { applied_at: at, applied_digest: request.content_digest, updated_at: at, version };
  await trx.updateTable('approval_requests').set(applied).where('id', '=', request.id).execute();
  await appendEvent(trx, ctx, {
    type: 'approval.applied',
    subject: { type: 'approval_request', id: request.id, version },
    after: {
      appliedAt: at,
      changeRecordId: record.id,
      changeKind: change.changeKind,
      subject: change.subject,
    },
    reason: rationale,
    data: {
      systemId: request.system_id,
      exceptionId,
      contentDigest: request.content_digest,
      diff: record.diff,
      appliedBy: { id: ctx.actor.userId, name: ctx.actor.displayName },
      signers: applying.signers,
    },
  });
  return { record, request: { ...request, ...applied } };
}
