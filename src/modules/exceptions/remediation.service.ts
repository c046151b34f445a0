// What an exception leaves behind: corrective actions (owner, due date, evidence of completion),
// lessons learned, and the follow-ups they turn into (policy update, training need, control
// change), each tracked to done with its own ledger events.
import { randomUUID } from 'node:crypto';
import { hasRole, type RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { isOpenStatus } from './exceptions.policy.js';
import {
  findException,
  namedCorrectiveAction,
  namedFollowUp,
  namedLesson,
  presentCorrectiveAction,
  presentFollowUp,
  presentLesson,
  requireActiveUser,
} from './exceptions.repository.js';
import { canManage, requireIsoTime, requireManager, requireText, requireVersion } from './exceptions.service.js';
import type { CorrectiveActionsTable, FollowUpKind, FollowUpStatus, FollowUpsTable } from './exceptions.tables.js';

async function requireOpenException(trx: Tx, ctx: RequestContext, exceptionId: string) {
  const row = await findException(trx, exceptionId);
  requireManager(ctx, row);
  if (!isOpenStatus(row.status)) {
    throw new AppError('invalid_transition', `exception ${row.id} is ${row.status}; nothing more can be added`, { status: row.status });
  }
  return row;
}

export interface NewCorrectiveAction {
  exceptionId: string;
  description: string;
  ownerId: string;
  dueAt: string;
}

export async function addCorrectiveAction(trx: Tx, { ctx, input }: { ctx: RequestContext; input: NewCorrectiveAction }) {
  const exception = await requireOpenException(trx, ctx, input.exceptionId);
  await requireActiveUser(trx, input.ownerId, 'ownerId');
  const now = new Date().toISOString();
  const row: Omit<CorrectiveActionsTable, 'version'> = {
    id: randomUUID(),
    exception_id: exception.id,
    description: requireText(input.description, 'description'),
    owner_id: input.ownerId,
    due_at: requireIsoTime(input.dueAt, 'dueAt'),
    status: 'open',
    evidence: null,
    completed_at: null,
    completed_by: null,
    created_at: now,
  };
  await trx.insertInto('corrective_actions').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'corrective_action.added',
    subject: { type: 'corrective_action', id: row.id, version: 1 },
    after: row,
    data: { systemId: exception.system_id, exceptionId: exception.id },
  });
  return namedCorrectiveAction(trx, presentCorrectiveAction({ ...row, version: 1 }));
}

export interface CompleteCorrectiveAction {
  exceptionId: string;
  actionId: string;
  evidence: string;
  expectedVersion?: number;
}

/** Completion needs evidence; the action's owner or whoever manages the exception records it. */
export async function completeCorrectiveAction(trx: Tx, { ctx, input }: { ctx: RequestContext; input: CompleteCorrectiveAction }) {
  const exception = await findException(trx, input.exceptionId);
  const action = await trx
    .selectFrom('corrective_actions')
    .selectAll()
    .where('id', '=', input.actionId)
    .where('exception_id', '=', exception.id)
    .executeTakeFirst();
  if (!action) throw notFound('corrective_action', input.actionId);
  if (ctx.actor.userId !== action.owner_id && !canManage(ctx, exception)) {
    throw new AppError('forbidden', 'only the action owner or someone managing the exception may complete it');
  }
  requireVersion(action, input.expectedVersion);
  if (action.status === 'completed') throw new AppError('invalid_transition', 'the corrective action is already completed');
  const evidence = requireText(input.evidence, 'evidence');
  const now = new Date().toISOString();
  const version = Number(action.version) + 1;
  const changes = { status: 'completed' as const, evidence, completed_at: now, completed_by: ctx.actor.userId, version };
  await trx.updateTable('corrective_actions').set(changes).where('id', '=', action.id).execute();
  await appendEvent(trx, ctx, {
    type: 'corrective_action.completed',
    subject: { type: 'corrective_action', id: action.id, version },
    before: { status: action.status },
    after: { status: 'completed', evidence },
    data: { systemId: exception.system_id, exceptionId: exception.id },
  });
  return namedCorrectiveAction(trx, presentCorrectiveAction({ ...action, ...changes }));
}

export interface NewFollowUp {
  kind: FollowUpKind;
  description: string;
  ownerId: string;
  dueAt: string;
}

async function insertFollowUp(
  trx: Tx,
  ctx: RequestContext,
  exception: { id: string; system_id: string },
  lessonId: string,
  input: NewFollowUp,
) {
  const exceptionId = exception.id;
  await requireActiveUser(trx, input.ownerId, 'ownerId');
  const row: Omit<FollowUpsTable, 'version'> = {
    id: randomUUID(),
    exception_id: exceptionId,
    lesson_id: lessonId,
    kind: input.kind,
    description: requireText(input.description, 'description'),
    owner_id: input.ownerId,
    due_at: requireIsoTime(input.dueAt, 'dueAt'),
    status: 'open',
    evidence: null,
    done_at: null,
    created_at: new Date().toISOString(),
  };
  await trx.insertInto('follow_ups').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'follow_up.created',
    subject: { type: 'follow_up', id: row.id, version: 1 },
    after: row,
    data: { systemId: exception.system_id, exceptionId, lessonId },
  });
  return presentFollowUp({ ...row, version: 1 });
}

export interface NewLesson {
  exceptionId: string;
  text: string;
  followUps?: NewFollowUp[];
}

export async function recordLesson(trx: Tx, { ctx, input }: { ctx: RequestContext; input: NewLesson }) {
  const exception = await requireOpenException(trx, ctx, input.exceptionId);
  const row = {
    id: randomUUID(),
    exception_id: exception.id,
    text: requireText(input.text, 'text'),
    created_at: new Date().toISOString(),
    created_by: ctx.actor.userId,
  };
  await trx.insertInto('lessons_learned').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'lesson.recorded',
    subject: { type: 'lesson', id: row.id },
    after: row,
    data: { systemId: exception.system_id, exceptionId: exception.id },
  });
  const followUps = [];
  for (const f of input.followUps ?? []) followUps.push(await insertFollowUp(trx, ctx, exception, row.id, f));
  return namedLesson(trx, { ...presentLesson(row), followUps });
}

/** A follow-up may be added to a lesson later, even after the exception closed: improvement continues. */
export async function addFollowUp(
  trx: Tx,
  { ctx, input }: { ctx: RequestContext; input: NewFollowUp & { exceptionId: string; lessonId: string } },
) {
  const exception = await findException(trx, input.exceptionId);
  requireManager(ctx, exception);
  const lesson = await trx
    .selectFrom('lessons_learned')
    .select('id')
    .where('id', '=', input.lessonId)
    .where('exception_id', '=', exception.id)
    .executeTakeFirst();
  if (!lesson) throw notFound('lesson', input.lessonId);
  return namedFollowUp(trx, await insertFollowUp(trx, ctx, exception, lesson.id, input));
}

const FOLLOW_UP_NEXT: Record<FollowUpStatus, FollowUpStatus[]> = { open: ['in_progress', 'done'], in_progress: ['done'], done: [] };

export interface FollowUpTransition {
  exceptionId: string;
  followUpId: string;
  to: FollowUpStatus;
  reason: string;
  evidence?: string;
  expectedVersion?: number;
}

export async function transitionFollowUp(trx: Tx, { ctx, input }: { ctx: RequestContext; input: FollowUpTransition }) {
  const exception = await findException(trx, input.exceptionId);
  const row = await trx
    .selectFrom('follow_ups')
    .selectAll()
    .where('id', '=', input.followUpId)
    .where('exception_id', '=', exception.id)
    .executeTakeFirst();
  if (!row) throw notFound('follow_up', input.followUpId);
  if (ctx.actor.userId !== row.owner_id && !canManage(ctx, exception) && !hasRole(ctx.actor, 'governance_lead')) {
    throw new AppError('forbidden', 'only the follow-up owner or someone managing the exception may move it');
  }
  requireVersion(row, input.expectedVersion);
  const reason = requireRationale(input.reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  if (!FOLLOW_UP_NEXT[row.status].includes(input.to)) {
    throw new AppError('invalid_transition', `a follow-up cannot go from ${row.status} to ${input.to}`, {
      from: row.status,
      to: input.to,
      allowed: FOLLOW_UP_NEXT[row.status],
    });
  }
  const evidence = input.to === 'done' ? requireText(input.evidence ?? '', 'evidence') : row.evidence;
  const version = Number(row.version) + 1;
  const changes = { status: input.to, evidence, done_at: input.to === 'done' ? new Date().toISOString() : row.done_at, version };
  await trx.updateTable('follow_ups').set(changes).where('id', '=', row.id).execute();
  await appendEvent(trx, ctx, {
    type: `follow_up.${input.to}`,
    subject: { type: 'follow_up', id: row.id, version },
    before: { status: row.status },
    after: { status: input.to, ...(input.to === 'done' ? { evidence } : {}) },
    reason,
    data: { systemId: exception.system_id, exceptionId: exception.id },
  });
  return namedFollowUp(trx, presentFollowUp({ ...row, ...changes }));
}
