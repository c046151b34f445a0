// The gate other modules call before an action that needs a completed approval (a system reaching
// approved_for_use or in_production, a model version being deployed, a change of intended use, data
// sources or risk tier). It passes only for a completed request of that kind for that subject,
// asking for this very change, none of whose approvals has expired, whose content digest still
// matches what every approver signed and what the subject is now. An emergency change passes instead
// with the exception its request opened (the retrospective approval follows).
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { canonicalJson } from '../ledger/canonical.js';
import { contentDigest, currentSnapshot, type RequestContent } from './content.js';
import { contentOf, loadRequestState, type RequestRow, type RequestState } from './requests.repository.js';

/** What an approval request authorises. */
export type ApprovalKind =
  /** A status move of a system; the target is the status (retirement is its own request kind). */
  'system.status' | 'model_version.deploy' | 'intended_use_change' | 'risk_tier_change' | 'data_source_change';

/** The request kind that approves each gated action (a status move: by its target). */
export function requestKindOf(kind: ApprovalKind, target?: unknown): RequestRow['kind'] {
  switch (kind) {
    case 'system.status':
      return target === 'retired' ? 'system_retirement' : 'system_use';
    case 'model_version.deploy':
      return 'model_deployment';
    default:
      return kind;
  }
}

function missingSteps(state: RequestState): string[] {
  return state.chain.steps.filter((s) => !s.complete).map((s) => `${s.step.name} (${s.approvals.length}/${s.step.required})`);
}

/** Refuses a request that is not (or no longer) a valid completed approval of its own content. */
export async function assertRequestUsable(trx: Tx, state: RequestState, now = new Date()): Promise<void> {
  const { request, chain } = state;
  const id = request.id;
  // An approved request whose approvals lapsed is expired, not merely incomplete.
  const expired = chain.steps.filter((s) => !s.complete).flatMap((s) => s.expired);
  if (request.status === 'approved' && ((request.valid_until && request.valid_until <= now.toISOString()) || expired.length > 0)) {
    throw new AppError('approval_expired', `the approval of request ${id} expired at ${request.valid_until}; it must be renewed`, {
      requestId: id,
      validUntil: request.valid_until,
    });
  }
  if (request.status !== 'approved' || !chain.complete) {
    const missing = missingSteps(state);
    throw new AppError(
      'approval_required',
      `approval request ${id} is ${request.status}; missing: ${missing.join(', ') || 'a completed approval'}`,
      {
        requestId: id,
        status: request.status,
        missing,
      },
    );
  }
  const content = contentOf(request);
  if (contentDigest(content) !== request.content_digest) {
    throw new AppError('content_changed', `the stored content of request ${id} no longer matches its digest`, { requestId: id });
  }
  const signed = state.decisions.filter((d) => d.decision === 'approve' && Number(d.revision) === Number(request.revision));
  const stale = signed.find((d) => d.content_digest !== request.content_digest);
  if (stale)
    throw new AppError('content_changed', `approval ${stale.id} signed different content`, { requestId: id, decisionId: stale.id });
  const current = await currentSnapshot(trx, content);
  if (
    !(content.subject.type === 'approval_policy' && request.applied_at) &&
    comparable(current, content) !== comparable(content.subject.snapshot, content)
  ) {
    throw new AppError(
      'content_changed',
      `${content.subject.type} ${content.subject.id} changed after request ${id} was approved; revise the request`,
      {
        requestId: id,
        subjectId: content.subject.id,
      },
    );
  }
}

/** The subject's substance, less what the approved change itself moves (a status, the intended use, ...). */
function comparable(snapshot: Record<string, unknown> | null, content: RequestContent): string {
  if (!snapshot) return 'null';
  const moved = content.subject.type === 'model_version' ? ['status', 'system'] : Object.keys(content.change);
  return canonicalJson(Object.fromEntries(Object.entries(snapshot).filter(([key]) => !moved.includes(key))));
}

/** Whether the request approves this action on this subject; `target` is the value being applied,
 * so an approval of one intended use (tier, data source) cannot apply another. */
function matches(request: RequestRow, kind: ApprovalKind, systemId: string, subjectId?: string, target?: unknown): boolean {
  if (request.system_id !== systemId) return false;
  if (subjectId && request.subject_id !== subjectId) return false;
  if (request.kind !== requestKindOf(kind, target)) return false;
  const change = contentOf(request).change as {
    status?: { to?: string };
    intendedUse?: { to?: string };
    euRiskTier?: { to?: string };
    dataSource?: { action: string; id: string | null };
  };
  switch (kind) {
    case 'model_version.deploy':
      return true;
    case 'system.status':
      return change.status?.to === target;
    case 'intended_use_change':
      return change.intendedUse?.to === target;
    case 'risk_tier_change':
      return change.euRiskTier?.to === target;
    case 'data_source_change': {
      const wanted = target as { action: string; id: string | null } | undefined;
      return change.dataSource?.action === wanted?.action && (change.dataSource?.id ?? null) === (wanted?.id ?? null);
    }
  }
}

/** A request's change is applied once: by its final approval, or by its emergency change. The gate
 * above says whether an approval holds; this says it has not been used yet. */
export async function assertNotYetApplied(trx: Tx, requestId: string): Promise<void> {
  const row = await trx.selectFrom('approval_requests').select('applied_at').where('id', '=', requestId).executeTakeFirst();
  if (row?.applied_at) {
    throw new AppError('invalid_transition', `the change of request ${requestId} was already applied at ${row.applied_at}`, { requestId });
  }
}

export async function assertApprovalCompleted(
  trx: Tx,
  {
    requestId,
    exceptionId,
    systemId,
    kind,
    subjectId,
    target,
    now = new Date(),
  }: {
    requestId?: string | null;
    /** Given for an emergency change: the exception its request opened stands in for the approval. */
    exceptionId?: string | null;
    systemId: string;
    kind: ApprovalKind;
    /** The model version being deployed, so one version's approval cannot deploy another. */
    subjectId?: string;
    /** The value being applied (intended use, tier, data source action and id). */
    target?: unknown;
    now?: Date;
  },
): Promise<void> {
  if (!requestId) {
    const open = await trx
      .selectFrom('approval_requests')
      .select(['id', 'status'])
      .where('system_id', '=', systemId)
      .where('kind', '=', requestKindOf(kind, target))
      .where('status', 'in', ['pending', 'changes_requested'])
      .execute();
    throw new AppError('approval_required', `${kind} for system ${systemId} needs a completed approval request; none was given`, {
      systemId,
      kind,
      requestKind: requestKindOf(kind, target),
      missing: ['approvalRequestId'],
      openRequests: open.map((r) => r.id),
    });
  }
  const exists = await trx.selectFrom('approval_requests').select('id').where('id', '=', requestId).executeTakeFirst();
  if (!exists) {
    throw new AppError('approval_required', `approval request ${requestId} does not exist; ${kind} needs a completed one`, {
      requestId,
      systemId,
      kind,
      requestKind: requestKindOf(kind, target),
      missing: ['a completed approval request'],
    });
  }
  const state = await loadRequestState(trx, requestId, now);
  const request = state.request;
  if (!matches(request, kind, systemId, subjectId, target)) {
    throw new AppError('approval_required', `approval request ${requestId} does not approve this ${kind} for ${subjectId ?? systemId}`, {
      requestId,
      systemId,
      kind,
      requestKind: requestKindOf(kind, target),
      missing: [`a ${requestKindOf(kind, target)} approval for this subject and this change`],
    });
  }
  if (exceptionId) {
    if (!request.emergency_at || request.exception_id !== exceptionId) {
      throw new AppError('approval_required', `exception ${exceptionId} is not the emergency change of request ${requestId}`, {
        requestId,
        exceptionId,
        missing: ['a completed approval request'],
      });
    }
    return;
  }
  await assertRequestUsable(trx, state, now);
}
