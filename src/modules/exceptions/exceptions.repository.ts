// Typed reads for exceptions and the presenters that turn rows into API views.
import type { Kysely, Selectable } from 'kysely';
import { displayNames, idsIn, nameOf, withNames } from '../../accounts/display-names.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { listEvents } from '../../ledger/ledger.repository.js';
import { isOpenStatus, OPEN_STATUSES } from './exceptions.policy.js';
import {
  type CorrectiveActionsTable,
  EXCEPTION_STATUSES,
  type ExceptionStatus,
  type ExceptionsTable,
  type FollowUpsTable,
  type LessonsLearnedTable,
} from './exceptions.tables.js';

export type ExceptionRow = Selectable<ExceptionsTable>;

export async function findException(trx: Tx, id: string): Promise<ExceptionRow> {
  const row = await trx.selectFrom('exceptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('exception', id);
  return row;
}

/** Named people only: owners, resolvers and verifiers must be active users. */
export async function requireActiveUser(trx: Tx, userId: string, field: string): Promise<{ id: string; email: string }> {
  const user = await trx.selectFrom('users').select(['id', 'email', 'status']).where('id', '=', userId).executeTakeFirst();
  if (user?.status !== 'active') {
    throw new AppError('validation_failed', `${field}: ${userId} is not an active user`, { field });
  }
  return { id: user.id, email: user.email };
}

export interface ExceptionView {
  id: string;
  systemId: string;
  kind: ExceptionRow['kind'];
  title: string;
  description: string;
  severity: ExceptionRow['severity'];
  status: ExceptionRow['status'];
  detectedAt: string;
  raisedBy: { type: ExceptionRow['raised_by_type']; ref: string };
  ownerId: string;
  resolverId: string;
  dueAt: string;
  overdue: boolean;
  links: Array<{ type: string; id: string }>;
  rootCause: { category: string; text: string } | null;
  recurring: boolean;
  recurringRefs: string[];
  duplicateOf: string | null;
  verification: { by: string; at: string; note: string } | null;
  closedAt: string | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  version: number;
}

export function presentException(row: ExceptionRow, now = new Date()): ExceptionView {
  return {
    id: row.id,
    systemId: row.system_id,
    kind: row.kind,
    title: row.title,
    description: row.description,
    severity: row.severity,
    status: row.status,
    detectedAt: row.detected_at,
    raisedBy: { type: row.raised_by_type, ref: row.raised_by_ref },
    ownerId: row.owner_id,
    resolverId: row.resolver_id,
    dueAt: row.due_at,
    overdue: isOpenStatus(row.status) && row.due_at < now.toISOString(),
    links: JSON.parse(row.links) as Array<{ type: string; id: string }>,
    rootCause: row.root_cause_category !== null ? { category: row.root_cause_category, text: row.root_cause_text ?? '' } : null,
    recurring: row.recurring === 1,
    recurringRefs: JSON.parse(row.recurring_refs) as string[],
    duplicateOf: row.duplicate_of,
    verification: row.verified_by ? { by: row.verified_by, at: row.verified_at ?? '', note: row.verification_note ?? '' } : null,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

export function presentCorrectiveAction(row: Selectable<CorrectiveActionsTable>, now = new Date()) {
  return {
    id: row.id,
    exceptionId: row.exception_id,
    description: row.description,
    ownerId: row.owner_id,
    dueAt: row.due_at,
    status: row.status,
    overdue: row.status === 'open' && row.due_at < now.toISOString(),
    evidence: row.evidence,
    completedAt: row.completed_at,
    completedBy: row.completed_by,
    createdAt: row.created_at,
    version: Number(row.version),
  };
}

export function presentLesson(row: Selectable<LessonsLearnedTable>) {
  return { id: row.id, exceptionId: row.exception_id, text: row.text, createdAt: row.created_at, createdBy: row.created_by };
}

export function presentFollowUp(row: Selectable<FollowUpsTable>, now = new Date()) {
  return {
    id: row.id,
    exceptionId: row.exception_id,
    lessonId: row.lesson_id,
    kind: row.kind,
    description: row.description,
    ownerId: row.owner_id,
    dueAt: row.due_at,
    status: row.status,
    overdue: row.status !== 'done' && row.due_at < now.toISOString(),
    evidence: row.evidence,
    doneAt: row.done_at,
    createdAt: row.created_at,
    version: Number(row.version),
  };
}

// Responses name people: `xName` beside each user id field `x`/`xId` (raisedBy.refName when a person
// raised it, verification.byName), one lookup per response or page. Ledger events keep ids only.
const EXCEPTION_PEOPLE = ['ownerId', 'resolverId', 'createdBy'] as const;
const ACTION_PEOPLE = ['ownerId', 'completedBy'] as const;
const FOLLOW_UP_PEOPLE = ['ownerId'] as const;
const LESSON_PEOPLE = ['createdBy'] as const;
type CorrectiveActionView = ReturnType<typeof presentCorrectiveAction>;
type FollowUpView = ReturnType<typeof presentFollowUp>;
type LessonView = ReturnType<typeof presentLesson>;

const raisedByPerson = (view: ExceptionView) => (view.raisedBy.type === 'person' ? view.raisedBy.ref : null);
const peopleOfException = (view: ExceptionView) => [...idsIn([view], EXCEPTION_PEOPLE), raisedByPerson(view), view.verification?.by];

function nameException(view: ExceptionView, names: Map<string, string>) {
  return {
    ...withNames(view, EXCEPTION_PEOPLE, names),
    raisedBy: { ...view.raisedBy, refName: nameOf(names, raisedByPerson(view)) },
    verification: view.verification ? { ...view.verification, byName: nameOf(names, view.verification.by) } : null,
  };
}
export type NamedExceptionView = ReturnType<typeof nameException>;

/** A page of exceptions (or incidents) with their people named, in one lookup. */
export async function presentExceptionsNamed(db: Kysely<Database>, rows: ExceptionRow[], now = new Date()): Promise<NamedExceptionView[]> {
  const views = rows.map((row) => presentException(row, now));
  const names = await displayNames(db, views.flatMap(peopleOfException));
  return views.map((view) => nameException(view, names));
}

/** What a use case answers: its exception, people named. */
export async function namedException(db: Kysely<Database>, view: ExceptionView): Promise<NamedExceptionView> {
  return nameException(view, await displayNames(db, peopleOfException(view)));
}

export async function namedCorrectiveAction(db: Kysely<Database>, view: CorrectiveActionView) {
  return withNames(view, ACTION_PEOPLE, await displayNames(db, idsIn([view], ACTION_PEOPLE)));
}

export async function namedFollowUp(db: Kysely<Database>, view: FollowUpView) {
  return withNames(view, FOLLOW_UP_PEOPLE, await displayNames(db, idsIn([view], FOLLOW_UP_PEOPLE)));
}

export async function namedLesson(db: Kysely<Database>, lesson: LessonView & { followUps: FollowUpView[] }) {
  const names = await displayNames(db, [...idsIn([lesson], LESSON_PEOPLE), ...idsIn(lesson.followUps, FOLLOW_UP_PEOPLE)]);
  return {
    ...withNames(lesson, LESSON_PEOPLE, names),
    followUps: lesson.followUps.map((f) => withNames(f, FOLLOW_UP_PEOPLE, names)),
  };
}

export interface ExceptionFilter {
  status?: ExceptionRow['status'];
  kind?: ExceptionRow['kind'];
  severity?: ExceptionRow['severity'];
  systemId?: string;
  ownerId?: string;
  /** Only those still open (not closed, rejected or a duplicate). */
  open?: boolean;
  overdue?: boolean;
  limit: number;
  offset: number;
  now?: Date;
}

export async function listExceptions(trx: Tx, filter: ExceptionFilter) {
  const now = (filter.now ?? new Date()).toISOString();
  let query = trx.selectFrom('exceptions');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.severity) query = query.where('severity', '=', filter.severity);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.open === true) query = query.where('status', 'in', [...OPEN_STATUSES]);
  if (filter.overdue === true) {
    query = query.where('status', 'in', ['open', 'triaged', 'investigating', 'remediating', 'verifying']).where('due_at', '<', now);
  }
  const { n } = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await query.selectAll().orderBy('due_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
  return { items: rows, total: Number(n), limit: filter.limit, offset: filter.offset };
}

/** Most status moves one exception shows (its lifecycle has eight statuses; reopening repeats some). */
const MAX_STATUS_MOVES = 200;

/** Every status move of an exception, oldest first, from its ledger events (`exception.<status>`,
 * written by transitionException): who moved it, when, and the reason they gave. */
async function exceptionStatusMoves(db: Kysely<Database>, id: string) {
  const moves = await listEvents(db, {
    subjectType: 'exception',
    subjectId: id,
    types: EXCEPTION_STATUSES.filter((s) => s !== 'open').map((s) => `exception.${s}`),
    limit: MAX_STATUS_MOVES,
    offset: 0,
  });
  return moves.items.map(({ event, recordedAt }) => {
    const leaf = event as {
      actor: { kind: string; id?: string | null; name?: string | null };
      before?: { status?: ExceptionStatus } | null;
      after?: { status?: ExceptionStatus } | null;
      reason?: string | null;
    };
    return {
      from: leaf.before?.status ?? null,
      to: leaf.after?.status as ExceptionStatus,
      at: recordedAt,
      by: leaf.actor.kind === 'system' ? null : (leaf.actor.id ?? null),
      byName: leaf.actor.name ?? null,
      reason: leaf.reason ?? '',
    };
  });
}

export async function loadExceptionDetail(trx: Tx, id: string, now = new Date()) {
  const row = await findException(trx, id);
  const actions = await trx
    .selectFrom('corrective_actions')
    .selectAll()
    .where('exception_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const lessons = await trx
    .selectFrom('lessons_learned')
    .selectAll()
    .where('exception_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const followUps = await trx
    .selectFrom('follow_ups')
    .selectAll()
    .where('exception_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const exception = presentException(row, now);
  const statusMoves = await exceptionStatusMoves(trx, id);
  const correctiveActions = actions.map((a) => presentCorrectiveAction(a, now));
  const lessonViews = lessons.map(presentLesson);
  const followUpViews = followUps.map((f) => presentFollowUp(f, now));
  // Everyone the detail names, in one lookup.
  const names = await displayNames(trx, [
    ...peopleOfException(exception),
    ...idsIn(correctiveActions, ACTION_PEOPLE),
    ...idsIn(lessonViews, LESSON_PEOPLE),
    ...idsIn(followUpViews, FOLLOW_UP_PEOPLE),
  ]);
  return {
    ...nameException(exception, names),
    statusMoves,
    correctiveActions: correctiveActions.map((a) => withNames(a, ACTION_PEOPLE, names)),
    lessons: lessonViews.map((l) => withNames(l, LESSON_PEOPLE, names)),
    followUps: followUpViews.map((f) => withNames(f, FOLLOW_UP_PEOPLE, names)),
  };
}
