// The gate other modules call before an action that needs a completed approval (a system reaching
// approved_for_use or in_production, a model version being deployed). It passes only for a completed
// request of that kind for that subject, none of whose approvals has expired, whose content digest
// still matches what every approver signed and what the subject is now.
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { canonicalJson } from '../../ledger/canonical.js';
import { contentDigest, currentSnapshot, type RequestContent } from './content.js';
import { contentOf, loadRequestState, type RequestRow, type RequestState } from './requests.repository.js';

/** What an approval request authorises. */
export type ApprovalKind = 'system.approved_for_use' | 'system.in_production' | 'model_version.deploy';

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

function matches(request: RequestRow, kind: ApprovalKind, systemId: string, subjectId?: string): boolean {
  if (request.system_id !== systemId) return false;
  if (subjectId && request.subject_id !== subjectId) return false;
  const change = contentOf(request).change as { status?: { to?: string } };
  if (kind === 'model_version.deploy') return request.kind === 'model_deployment';
  const target = kind === 'system.approved_for_use' ? 'approved_for_use' : 'in_production';
  return request.kind === 'system_use' && change.status?.to === target;
}

export async function assertApprovalCompleted(
  trx: Tx,
  {
    requestId,
    systemId,
    kind,
    subjectId,
    now = new Date(),
  }: {
    requestId?: string | null;
    systemId: string;
    kind: ApprovalKind;
    /** The model version being deployed, so one version's approval cannot deploy another. */
    subjectId?: string;
    now?: Date;
  },
): Promise<void> {
  if (!requestId) {
    const open = await trx
      .selectFrom('approval_requests')
      .select(['id', 'status'])
      .where('system_id', '=', systemId)
      .where('kind', '=', kind === 'model_version.deploy' ? 'model_deployment' : 'system_use')
      .where('status', 'in', ['pending', 'changes_requested'])
      .execute();
    throw new AppError('approval_required', `${kind} for system ${systemId} needs a completed approval request; none was given`, {
      systemId,
      kind,
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
      missing: ['a completed approval request'],
    });
  }
  const state = await loadRequestState(trx, requestId, now);
  if (!matches(state.request, kind, systemId, subjectId)) {
    throw new AppError('approval_required', `approval request ${requestId} does not approve ${kind} for ${subjectId ?? systemId}`, {
      requestId,
      systemId,
      kind,
      missing: [`a ${kind} approval for this subject`],
    });
  }
  await assertRequestUsable(trx, state, now);
}
