// Approval requests: opening one (content snapshot + digest, policy version pinned), revising its
// content (earlier approvals stop counting, the chain restarts; never once its change was applied)
// and withdrawing it.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import type { RequestKind } from '../../governance/approvals.tables.js';
import { systemRefOf } from '../../governance/approvers.js';
import { assertChainFillable } from '../../governance/chain-feasibility.js';
import { buildContent, contentDigest, type RequestedChange, requestedChangeOf } from '../../governance/content.js';
import { currentPolicyFor } from '../../governance/policies.js';
import { contentOf, loadRequest, loadRequestState, type RequestRow } from '../../governance/requests.repository.js';
import { assertMayRequestSoaChange } from '../../governance/soa.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { notifyOpenSteps } from './notify.js';

export interface NewRequest {
  kind: RequestKind;
  subjectId: string;
  title: string;
  justification: string;
  change?: RequestedChange;
}

function requesterOf(ctx: RequestContext): string {
  if (!ctx.actor.userId) throw new AppError('forbidden', 'an approval request is made by a named person');
  return ctx.actor.userId;
}

function requireTitle(value: string): string {
  if (!value?.trim()) throw new AppError('validation_failed', 'title: required, say what changes', { field: 'title' });
  return value.trim();
}

export async function createRequest(
  trx: Tx,
  {
    ctx,
    input,
    now = new Date(),
  }: {
    ctx: RequestContext;
    input: NewRequest;
    now?: Date;
  },
) {
  const requestedBy = requesterOf(ctx);
  if (input.kind === 'soa_change') assertMayRequestSoaChange(ctx.actor);
  const title = requireTitle(input.title);
  const justification = requireRationale(input.justification, { field: 'justification', minimum: ctx.policies.minRationaleLength });
  const built = await buildContent(trx, input.kind, input.subjectId, input.change ?? {}, ctx.policies.minRationaleLength);
  const open = await trx
    .selectFrom('approval_requests')
    .select('id')
    .where('kind', '=', input.kind)
    .where('subject_id', '=', built.content.subject.id)
    .where('status', 'in', ['pending', 'changes_requested'])
    .executeTakeFirst();
  if (open) {
    throw new AppError('conflict', `request ${open.id} for the same change is still open; revise or withdraw it`, { requestId: open.id });
  }
  const policy = await currentPolicyFor(trx, input.kind, built.riskTier);
  await assertChainFillable(trx, { steps: policy.steps, system: await systemRefOf(trx, built.systemId), requesterId: requestedBy, now });
  const at = now.toISOString();
  const row: Omit<RequestRow, 'version'> = {
    id: randomUUID(),
    kind: input.kind,
    subject_type: built.content.subject.type,
    subject_id: built.content.subject.id,
    system_id: built.systemId,
    title,
    justification,
    content: JSON.stringify(built.content),
    content_digest: contentDigest(built.content),
    revision: 1,
    policy_id: policy.policyId,
    policy_version: policy.version,
    status: 'pending',
    requested_by: requestedBy,
    created_at: at,
    revised_at: at,
    completed_at: null,
    valid_until: null,
    applied_at: null,
    applied_digest: null,
    emergency_by: null,
    emergency_reason: null,
    emergency_at: null,
    exception_id: null,
    retrospective_due_at: null,
    escalated_at: null,
    updated_at: at,
  };
  await trx.insertInto('approval_requests').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'approval.requested',
    subject: { type: 'approval_request', id: row.id, version: 1 },
    after: { kind: row.kind, subject: built.content.subject, change: built.content.change, title, status: row.status },
    reason: justification,
    data: {
      systemId: row.system_id,
      contentDigest: row.content_digest,
      revision: 1,
      policy: { id: policy.policyId, version: policy.version },
    },
  });
  await notifyOpenSteps(trx, await loadRequestState(trx, row.id, now), now);
  return loadRequest(trx, row.id);
}

/** New content for an open request: rebuilt from the subject as it is now plus the new change. */
export async function reviseRequest(
  trx: Tx,
  {
    ctx,
    requestId,
    change,
    reason,
    expectedVersion,
    now = new Date(),
  }: {
    ctx: RequestContext;
    requestId: string;
    change?: RequestedChange;
    reason: string;
    expectedVersion?: number;
    now?: Date;
  },
) {
  const before = await loadRequest(trx, requestId);
  if (before.requested_by !== requesterOf(ctx)) throw new AppError('forbidden', 'only the requester revises a request');
  if (before.status !== 'pending' && before.status !== 'changes_requested') {
    throw new AppError('invalid_transition', `request ${requestId} is ${before.status}; only an open request can be revised`);
  }
  // An emergency change was applied before its approval: the retrospective approval signs what was
  // applied, so the content stays as it was. A different change is a new request (or a roll-back).
  if (before.applied_at) {
    throw new AppError(
      'content_frozen',
      `the change of request ${requestId} was applied at ${before.applied_at}; its content is frozen. Approve or reject what was applied; for a different change open a new request`,
      { requestId, appliedAt: before.applied_at, appliedDigest: before.applied_digest },
    );
  }
  if (expectedVersion !== undefined && expectedVersion !== Number(before.version)) {
    throw new AppError('version_conflict', `request ${requestId} is at version ${before.version}, not ${expectedVersion}`, {
      current: Number(before.version),
    });
  }
  const why = requireRationale(reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const previous = contentOf(before);
  const built = await buildContent(
    trx,
    before.kind,
    before.subject_id,
    change ?? requestedChangeOf(before.kind, previous.change),
    ctx.policies.minRationaleLength,
  );
  const digest = contentDigest(built.content);
  const at = now.toISOString();
  const revision = Number(before.revision) + 1;
  const version = Number(before.version) + 1;
  await trx
    .updateTable('approval_requests')
    .set({
      content: JSON.stringify(built.content),
      content_digest: digest,
      revision,
      revised_at: at,
      status: 'pending',
      updated_at: at,
      version,
    })
    .where('id', '=', requestId)
    .execute();
  await appendEvent(trx, ctx, {
    type: 'approval.revised',
    subject: { type: 'approval_request', id: requestId, version },
    before: { revision: before.revision, contentDigest: before.content_digest, change: previous.change, subject: previous.subject },
    after: { revision, contentDigest: digest, change: built.content.change, subject: built.content.subject },
    reason: why,
    data: { systemId: before.system_id, chainRestarted: true },
  });
  await notifyOpenSteps(trx, await loadRequestState(trx, requestId, now), now, 'was revised and needs your decision again');
  return loadRequest(trx, requestId);
}

export async function withdrawRequest(trx: Tx, { ctx, requestId, reason }: { ctx: RequestContext; requestId: string; reason: string }) {
  const why = requireRationale(reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const before = await loadRequest(trx, requestId);
  if (before.requested_by !== requesterOf(ctx)) throw new AppError('forbidden', 'only the requester withdraws a request');
  if (before.status !== 'pending' && before.status !== 'changes_requested') {
    throw new AppError('invalid_transition', `request ${requestId} is ${before.status}`);
  }
  if (before.emergency_at)
    throw new AppError('invalid_transition', 'an emergency change was already made; it needs its retrospective decision');
  const version = Number(before.version) + 1;
  await trx
    .updateTable('approval_requests')
    .set({ status: 'withdrawn', updated_at: new Date().toISOString(), version })
    .where('id', '=', requestId)
    .execute();
  await appendEvent(trx, ctx, {
    type: 'approval.withdrawn',
    subject: { type: 'approval_request', id: requestId, version },
    before: { status: before.status },
    after: { status: 'withdrawn' },
    reason: why,
    data: { systemId: before.system_id },
  });
  return loadRequest(trx, requestId);
}
