// Deciding on a request: approve, reject or request changes. Four-eyes for everyone, admins
// included: the requester never decides their own request and no person fills two approvals of one
// revision, in their own right or through a delegation. The final approval applies the change.
// The request's state is read once; what the decision writes moves it on in memory.
import { randomUUID } from 'node:crypto';
import { type RequestContext, requirePersonalSignature } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { assertRequestUsable } from '../../governance/approval-gate.js';
import type { Decision } from '../../governance/approvals.tables.js';
import { activeDelegationsTo, candidateOf, systemRefOf } from '../../governance/approvers.js';
import { type Candidate, evaluateChain, peopleOf, qualifyingRole, type StepState } from '../../governance/chain.js';
import {
  countedApprovals,
  type DecisionRow,
  loadRequestState,
  type RequestRow,
  type RequestState,
} from '../../governance/requests.repository.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { notifyOpenSteps } from './notify.js';

export interface DecisionInput {
  decision: Decision;
  rationale: string;
  /** The digest of the content the approver read; it must still be the request's digest. */
  contentDigest: string;
  /** An approval may be valid for a limited time only. */
  validUntil?: string | null;
  /** Which open step to fill, when the approver qualifies for several. */
  stepIndex?: number;
}

interface Capacity {
  step: StepState;
  role: string;
  onBehalfOf: string | null;
  delegationId: string | null;
}

/** The open step this actor may fill, in their own right first, else as someone's delegate. */
async function findCapacity(
  trx: Tx,
  state: RequestState,
  actor: Candidate,
  stepIndex: number | undefined,
  now: Date,
): Promise<Capacity | null> {
  const system = await systemRefOf(trx, state.request.system_id);
  const open = state.chain.openSteps.filter((s) => stepIndex === undefined || s.index === stepIndex);
  for (const step of open) {
    const role = qualifyingRole(step.step, actor, system);
    if (role) return { step, role, onBehalfOf: null, delegationId: null };
  }
  for (const delegation of await activeDelegationsTo(trx, actor.userId, now)) {
    const delegator = await candidateOf(trx, delegation.delegator_id);
    for (const step of open) {
      const role = qualifyingRole(step.step, delegator, system);
      if (role) return { step, role, onBehalfOf: delegator.userId, delegationId: delegation.id };
    }
  }
  return null;
}

function assertFourEyes(state: RequestState, people: string[]): void {
  const { request, chain } = state;
  const own = [request.requested_by, request.emergency_by].filter((p): p is string => p !== null);
  if (people.some((p) => own.includes(p))) {
    throw new AppError('self_approval_forbidden', 'the requester (or whoever made the emergency change) never decides their own request', {
      requestId: request.id,
    });
  }
  const filled = peopleOf(chain.steps.flatMap((s) => s.approvals));
  const twice = people.find((p) => filled.has(p));
  if (twice) {
    throw new AppError('duplicate_approver', 'one person never fills two approvals of the same request', {
      requestId: request.id,
      userId: twice,
    });
  }
}

/** A retrospective decision (the change was applied by an emergency change) is on exactly what was
 * applied: an approval signs the applied digest, and no changes can be requested of it. */
function assertSignsWhatWasApplied(request: RequestRow, input: DecisionInput): void {
  if (input.decision === 'request_changes') {
    throw new AppError('content_frozen', 'the change was applied already; approve what was applied, or reject it to open the follow-up', {
      requestId: request.id,
      appliedDigest: request.applied_digest,
    });
  }
  if (input.decision !== 'approve') return;
  if (
    request.applied_digest === null ||
    request.applied_digest !== request.content_digest ||
    input.contentDigest !== request.applied_digest
  ) {
    throw new AppError('content_frozen', 'a retrospective approval signs exactly the content that was applied', {
      requestId: request.id,
      yourDigest: input.contentDigest,
      appliedDigest: request.applied_digest,
      currentDigest: request.content_digest,
    });
  }
}

export async function decideRequest(
  trx: Tx,
  {
    ctx,
    requestId,
    input,
    now = new Date(),
  }: {
    ctx: RequestContext;
    requestId: string;
    input: DecisionInput;
    now?: Date;
  },
) {
  if (input.decision !== 'request_changes') requirePersonalSignature(ctx, input.decision === 'approve' ? 'approving' : 'rejecting');
  const rationale = requireRationale(input.rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const userId = ctx.actor.userId;
  if (!userId) throw new AppError('forbidden', 'a decision is made by a named person');
  const state = await loadRequestState(trx, requestId, now);
  const { request } = state;
  if (request.status !== 'pending')
    throw new AppError('invalid_transition', `request ${requestId} is ${request.status}; nothing to decide`, { status: request.status });
  if (request.applied_at) assertSignsWhatWasApplied(request, input);
  if (input.contentDigest !== request.content_digest) {
    throw new AppError('content_changed', 'the content changed since you read it; read the request again and decide on what it says now', {
      requestId,
      yourDigest: input.contentDigest,
      currentDigest: request.content_digest,
      revision: Number(request.revision),
    });
  }
  const validUntil = input.validUntil ? new Date(input.validUntil).toISOString() : null;
  if (validUntil && validUntil <= now.toISOString())
    throw new AppError('validation_failed', 'validUntil: must be in the future', { field: 'validUntil' });
  assertFourEyes(state, [userId]);
  const capacity = await findCapacity(
    trx,
    state,
    { userId, roles: ctx.actor.roles, systemRoles: ctx.actor.systemRoles },
    input.stepIndex,
    now,
  );
  if (!capacity) {
    const waiting = state.chain.openSteps.map((s) => s.step.name);
    throw new AppError('forbidden', `you may not decide on any open step of this request (waiting for: ${waiting.join(', ')})`, {
      requestId,
      waiting,
    });
  }
  if (capacity.onBehalfOf) assertFourEyes(state, [capacity.onBehalfOf]);

  const decidedAt = now.toISOString();
  const names = await trx
    .selectFrom('users')
    .select(['id', 'display_name', 'email'])
    .where('id', 'in', [userId, capacity.onBehalfOf ?? userId])
    .execute();
  const nameOf = (id: string) => names.find((n) => n.id === id)?.display_name ?? id;
  const version = Number(request.version) + 1;
  const eventType = { approve: 'approval.granted', reject: 'approval.rejected', request_changes: 'approval.changes_requested' }[
    input.decision
  ];
  const event = await appendEvent(trx, ctx, {
    type: eventType,
    subject: { type: 'approval_request', id: requestId, version },
    after: {
      decision: input.decision,
      step: { index: capacity.step.index, name: capacity.step.step.name },
      approver: { id: userId, name: nameOf(userId), role: capacity.role },
      onBehalfOf: capacity.onBehalfOf ? { id: capacity.onBehalfOf, name: nameOf(capacity.onBehalfOf) } : null,
      contentDigest: request.content_digest,
      revision: Number(request.revision),
      decidedAt,
      validUntil,
    },
    reason: rationale,
    onBehalfOf: capacity.onBehalfOf,
    data: { kind: request.kind, systemId: request.system_id, subjectId: request.subject_id, delegationId: capacity.delegationId },
  });
  const decision: DecisionRow = {
    id: randomUUID(),
    request_id: requestId,
    revision: Number(request.revision),
    step_index: capacity.step.index,
    decision: input.decision,
    approver_id: userId,
    approver_role: capacity.role,
    on_behalf_of: capacity.onBehalfOf,
    delegation_id: capacity.delegationId,
    rationale,
    content_digest: request.content_digest,
    decided_at: decidedAt,
    valid_until: validUntil,
    event_id: event.eventId,
  };
  await trx.insertInto('approval_decisions').values(decision).execute();
  const status = input.decision === 'reject' ? 'rejected' : input.decision === 'request_changes' ? 'changes_requested' : 'pending';
  await trx.updateTable('approval_requests').set({ status, updated_at: decidedAt, version }).where('id', '=', requestId).execute();
  // The state read above, moved on by what was just written: the request is not read again.
  const decided = withDecision(state, { ...request, status, updated_at: decidedAt, version }, decision, now);
  if (input.decision !== 'approve') return { request: decided.request, state: decided, toApply: null };
  return afterApproval(trx, ctx, decided, state.chain.openStage, now);
}

/** `state` after `decision` was written and the request became `request`; decisions stay in the
 * order decisionsOf reads them (decided_at, id). */
function withDecision(state: RequestState, request: RequestRow, decision: DecisionRow, now: Date): RequestState {
  const decisions = [...state.decisions, decision].sort(
    (a, b) => a.decided_at.localeCompare(b.decided_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { ...state, request, decisions, chain: evaluateChain(state.policy.steps, countedApprovals(request, decisions), now) };
}

/** Completes the chain or tells the next stage's approvers it is their turn. `toApply` is the request
 * whose change is now to be applied (workflows/decide-approval.ts applies it in the same
 * transaction), or null when nothing is to be applied (chain still open, or a retrospective approval
 * of an emergency change that was applied already). */
async function afterApproval(
  trx: Tx,
  ctx: RequestContext,
  state: RequestState,
  stageBefore: number | null,
  now: Date,
): Promise<{ request: RequestRow; state: RequestState; toApply: RequestRow | null }> {
  if (!state.chain.complete) {
    if (state.chain.openStage !== stageBefore) await notifyOpenSteps(trx, state, now);
    return { request: state.request, state, toApply: null };
  }
  const approvals = state.chain.steps.flatMap((s) => s.approvals);
  const expiries = approvals
    .map((a) => a.validUntil)
    .filter((v): v is string => v !== null)
    .sort();
  const at = now.toISOString();
  const version = Number(state.request.version) + 1;
  const completion = { status: 'approved' as const, completed_at: at, valid_until: expiries[0] ?? null, updated_at: at, version };
  await trx.updateTable('approval_requests').set(completion).where('id', '=', state.request.id).execute();
  const retrospective = state.request.applied_at !== null;
  await appendEvent(trx, ctx, {
    type: 'approval.completed',
    subject: { type: 'approval_request', id: state.request.id, version },
    before: { status: 'pending' },
    after: { status: 'approved', completedAt: at, validUntil: expiries[0] ?? null, retrospective },
    data: {
      systemId: state.request.system_id,
      contentDigest: state.request.content_digest,
      approvals: approvals.map((a) => a.id),
      exceptionId: state.request.exception_id,
    },
  });
  // The chain does not depend on the request's status: the completed state is this one, approved.
  const completed: RequestState = { ...state, request: { ...state.request, ...completion } };
  if (retrospective) return { request: completed.request, state: completed, toApply: null };
  await assertRequestUsable(trx, completed, now);
  return { request: completed.request, state: completed, toApply: completed.request };
}
