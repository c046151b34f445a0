// Emergency change: a named person makes the change before the approval, with a written reason.
// It opens an exception at once and needs its retrospective approval within the configured time;
// when that is missed, governance leads are alerted (email and webhook) by a periodic job. What was
// applied is frozen (revising refuses `content_frozen`); a retrospective rejection opens the
// follow-up on the emergency's exception: roll the change back or open a new request for it.
import type { RequestContext } from '../context.js';
import { hasRole, hasSystemRole, SYSTEM_ACTOR } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { loadRequest, loadRequestState, type RequestRow } from '../governance/requests.repository.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { notifyOpenSteps } from '../modules/approvals/notify.js';
import { dueAtFor, isOpenStatus } from '../modules/exceptions/exceptions.policy.js';
import { findException } from '../modules/exceptions/exceptions.repository.js';
import { openException } from '../modules/exceptions/exceptions.service.js';
import { addCorrectiveAction } from '../modules/exceptions/remediation.service.js';
import { enqueueEmail, enqueueWebhooks } from '../notifications/notifications.service.js';
import { requireRationale } from '../rationale.js';
import { applyEffect } from './apply-approved-change.js';

export async function proceedWithEmergency(
  trx: Tx,
  {
    ctx,
    requestId,
    reason,
    now = new Date(),
  }: {
    ctx: RequestContext;
    requestId: string;
    reason: string;
    now?: Date;
  },
) {
  const userId = ctx.actor.userId;
  if (!userId) throw new AppError('forbidden', 'an emergency change is made by a named person');
  const why = requireRationale(reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const request = await loadRequest(trx, requestId);
  if (request.status !== 'pending') throw new AppError('invalid_transition', `request ${requestId} is ${request.status}`);
  if (request.emergency_at) throw new AppError('invalid_transition', `an emergency change was already made for request ${requestId}`);
  if (!request.system_id) throw new AppError('invalid_transition', 'a policy change never bypasses its approval');
  if (!hasRole(ctx.actor, 'governance_lead', 'admin') && !hasSystemRole(ctx.actor, request.system_id, 'system_owner')) {
    throw new AppError('forbidden', 'an emergency change needs the system owner, a governance lead or an admin');
  }
  const system = await trx
    .selectFrom('ai_systems')
    .select(['accountable_owner_id'])
    .where('id', '=', request.system_id)
    .executeTakeFirstOrThrow();
  const exception = await openException(trx, {
    ctx,
    // Composed from the reason checked above: not held to the minimum again.
    rationaleComposed: true,
    input: {
      systemId: request.system_id,
      kind: 'emergency_change',
      title: `Emergency change before approval: ${request.title}`,
      description: why,
      severity: 'high',
      raisedBy: { type: 'person', ref: userId },
      ownerId: userId,
      resolverId: system.accountable_owner_id ?? userId,
      links: [{ type: 'approval_request', id: requestId }],
    },
  });
  const at = now.toISOString();
  const dueAt = new Date(now.getTime() + ctx.policies.emergencyReviewHours * 3_600_000).toISOString();
  const version = Number(request.version) + 1;
  await trx
    .updateTable('approval_requests')
    .set({
      emergency_by: userId,
      emergency_reason: why,
      emergency_at: at,
      exception_id: exception.id,
      retrospective_due_at: dueAt,
      updated_at: at,
      version,
    })
    .where('id', '=', requestId)
    .execute();
  await appendEvent(trx, ctx, {
    type: 'approval.emergency_bypass',
    subject: { type: 'approval_request', id: requestId, version },
    after: { emergencyBy: userId, exceptionId: exception.id, retrospectiveDueAt: dueAt },
    reason: why,
    references: [],
    data: { systemId: request.system_id },
  });
  const bypassed: RequestRow = {
    ...request,
    emergency_by: userId,
    emergency_reason: why,
    emergency_at: at,
    exception_id: exception.id,
    retrospective_due_at: dueAt,
    updated_at: at,
    version,
  };
  // An emergency change has no signers: the decisions are not needed to apply it.
  const applied = await applyEffect(trx, { ctx, request: bypassed, decisions: [], exceptionId: exception.id, rationale: why });
  const state = await loadRequestState(trx, requestId, now);
  await notifyOpenSteps(trx, state, now, 'needs a retrospective decision (emergency change made)');
  return { request: state.request, exceptionId: exception.id, changeRecordId: applied.record.id, retrospectiveDueAt: dueAt };
}

/** Alerts governance leads about emergency changes whose retrospective approval is overdue; once each. */
export async function escalateOverdueApprovals(trx: Tx, { ctx, now = new Date() }: { ctx: RequestContext; now?: Date }) {
  const overdue = await trx
    .selectFrom('approval_requests')
    .select(['id', 'title', 'kind', 'system_id', 'exception_id', 'retrospective_due_at', 'version', 'emergency_by'])
    .where('emergency_at', 'is not', null)
    .where('status', 'in', ['pending', 'changes_requested'])
    .where('escalated_at', 'is', null)
    .where('retrospective_due_at', '<=', now.toISOString())
    .execute();
  if (overdue.length === 0) return { escalated: 0 };
  const leads = await trx
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select('users.email')
    .distinct()
    .where('user_roles.role', '=', 'governance_lead')
    .where('user_roles.scope', '=', '')
    .where('users.status', '=', 'active')
    .execute();
  for (const request of overdue) {
    const version = Number(request.version) + 1;
    await trx.updateTable('approval_requests').set({ escalated_at: now.toISOString(), version }).where('id', '=', request.id).execute();
    const payload = {
      requestId: request.id,
      kind: request.kind,
      systemId: request.system_id,
      exceptionId: request.exception_id,
      dueAt: request.retrospective_due_at,
    };
    for (const lead of leads) {
      await enqueueEmail(trx, {
        to: lead.email,
        kind: 'approval.retrospective_overdue',
        subject: `Overdue retrospective approval: ${request.title}`,
        body: [
          `An emergency change was made before approval and its retrospective approval was due at ${request.retrospective_due_at}.`,
          `Request: ${request.id} (${request.kind})`,
          `Exception: ${request.exception_id}`,
        ].join('\n'),
      });
    }
    await enqueueWebhooks(trx, { kind: 'approval.retrospective_overdue', payload });
    await appendEvent(trx, ctx, {
      type: 'approval.escalated',
      subject: { type: 'approval_request', id: request.id, version },
      after: { escalatedAt: now.toISOString(), notified: leads.map((l) => l.email) },
      data: payload,
    });
  }
  return { escalated: overdue.length };
}

/** What a rejected emergency change leaves to do; recorded on its exception. */
export const REJECTED_EMERGENCY_FOLLOW_UP = ['roll_back', 'new_request'] as const;

/**
 * The retrospective approval of an emergency change was rejected: the change stays applied, so its
 * exception records that the follow-up is needed (a corrective action for the resolver, which the
 * exception cannot close without) and the resolver is emailed. Runs in the rejecting transaction.
 */
export async function openRejectedEmergencyFollowUp(
  trx: Tx,
  { ctx, request, rationale, now = new Date() }: { ctx: RequestContext; request: RequestRow; rationale: string; now?: Date },
) {
  if (!request.exception_id || !request.applied_at) return null;
  const exception = await findException(trx, request.exception_id);
  // The resolver follows up; if they left, the exception's owner. A rejection is never blocked by it.
  const people = await trx
    .selectFrom('users')
    .select(['id', 'email'])
    .where('id', 'in', [exception.resolver_id, exception.owner_id])
    .where('status', '=', 'active')
    .execute();
  const followUpBy = people.find((p) => p.id === exception.resolver_id) ?? people.find((p) => p.id === exception.owner_id) ?? null;
  // Proofline itself annotates the exception: the approver who rejected may not manage it.
  const proofline: RequestContext = { ...ctx, actor: SYSTEM_ACTOR };
  const action =
    followUpBy && isOpenStatus(exception.status)
      ? await addCorrectiveAction(trx, {
          ctx: proofline,
          input: {
            exceptionId: exception.id,
            description: `The retrospective approval of request ${request.id} was rejected: roll the emergency change back, or open a new request for it.`,
            ownerId: followUpBy.id,
            dueAt: dueAtFor(exception.severity, now.toISOString()),
          },
        })
      : null;
  const version = Number(exception.version) + 1;
  await trx.updateTable('exceptions').set({ updated_at: now.toISOString(), version }).where('id', '=', exception.id).execute();
  await appendEvent(trx, ctx, {
    type: 'exception.emergency_rejected',
    subject: { type: 'exception', id: exception.id, version },
    after: { followUpRequired: [...REJECTED_EMERGENCY_FOLLOW_UP], correctiveActionId: action?.id ?? null, status: exception.status },
    reason: rationale,
    data: { requestId: request.id, appliedAt: request.applied_at, appliedDigest: request.applied_digest },
  });
  if (followUpBy) {
    await enqueueEmail(trx, {
      to: followUpBy.email,
      kind: 'exception.emergency_rejected',
      subject: `Emergency change rejected, follow-up needed: ${request.title}`,
      body: [
        `The retrospective approval of the emergency change "${request.title}" was rejected; the change is still applied.`,
        'Roll it back, or open a new request for it.',
        `Request: ${request.id}`,
        `Exception: ${exception.id}${action ? ` (corrective action ${action.id})` : ''}`,
        `Why: ${rationale}`,
      ].join('\n'),
    });
  }
  return { exceptionId: exception.id, correctiveActionId: action?.id ?? null };
}
