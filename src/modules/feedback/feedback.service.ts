// Feedback and support tickets about an AI system (issue 11; ISO 42001 A.8.3, AI Act Art. 72):
// received from the signed-in form, the API, or a support-ticket system with an ingest token;
// categorised, linked to a recorded decision where known (checked to be the system's), listed for
// the dashboards, and convertible into an exception once (workflows/feedback-to-exception.ts).
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { displayNames, idsIn, withNames } from '../../accounts/display-names.js';
import { hasSystemRole, type RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import type { FeedbackCategory, FeedbackChannel, FeedbackTable } from './feedback.tables.js';

export interface NewFeedback {
  systemId: string;
  category: FeedbackCategory;
  summary: string;
  details: string;
  decisionId?: string;
  externalRef?: string;
}

export function presentFeedback(row: Selectable<FeedbackTable>) {
  return {
    id: row.id,
    systemId: row.system_id,
    category: row.category,
    summary: row.summary,
    details: row.details,
    decisionId: row.decision_id,
    channel: row.channel,
    externalRef: row.external_ref,
    submittedBy: row.submitted_by,
    exceptionId: row.exception_id,
    convertedBy: row.converted_by,
    convertedAt: row.converted_at,
    createdAt: row.created_at,
  };
}
type FeedbackView = ReturnType<typeof presentFeedback>;
const FEEDBACK_PEOPLE = ['submittedBy', 'convertedBy'] as const;

/** Feedback with submitter and converter named, in one lookup. */
export async function nameFeedback(db: Kysely<Database>, views: FeedbackView[]) {
  const names = await displayNames(db, idsIn(views, FEEDBACK_PEOPLE));
  return views.map((view) => withNames(view, FEEDBACK_PEOPLE, names));
}

function requireText(value: string, field: string): string {
  const text = value.trim();
  if (text === '') throw new AppError('validation_failed', `${field}: must not be blank`, { field });
  return text;
}

/** Records feedback (or a support ticket, `channel: 'ticket'`) with its ledger event. */
export async function submitFeedback(
  trx: Tx,
  { ctx, input, channel }: { ctx: RequestContext; input: NewFeedback; channel: FeedbackChannel },
): Promise<FeedbackView> {
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', input.systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', input.systemId);
  if (input.decisionId !== undefined) {
    const decision = await trx
      .selectFrom('decisions')
      .select('id')
      .where('system_id', '=', input.systemId)
      .where('decision_id', '=', input.decisionId)
      .executeTakeFirst();
    if (!decision) {
      throw new AppError('validation_failed', `decisionId: no recorded decision ${input.decisionId} of system ${input.systemId}`, {
        field: 'decisionId',
      });
    }
  }
  const row: Selectable<FeedbackTable> = {
    id: randomUUID(),
    system_id: input.systemId,
    category: input.category,
    summary: requireText(input.summary, 'summary'),
    details: requireText(input.details, 'details'),
    decision_id: input.decisionId ?? null,
    channel,
    external_ref: input.externalRef?.trim() || null,
    submitted_by: ctx.actor.userId,
    token_id: ctx.actor.tokenId ?? null,
    exception_id: null,
    converted_by: null,
    converted_at: null,
    created_at: new Date().toISOString(),
  };
  await trx.insertInto('feedback').values(row).execute();
  // The text stays in the table; the ledger keeps what is needed to evidence its handling.
  await appendEvent(trx, ctx, {
    type: 'feedback.received',
    subject: { type: 'feedback', id: row.id },
    data: {
      systemId: row.system_id,
      category: row.category,
      channel,
      decisionId: row.decision_id,
      externalRef: row.external_ref,
    },
  });
  return presentFeedback(row);
}

export async function findFeedback(db: Tx, id: string): Promise<Selectable<FeedbackTable>> {
  const row = await db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('feedback', id);
  return row;
}

export interface FeedbackFilter {
  systemId?: string;
  category?: FeedbackCategory;
  converted?: boolean;
  decisionId?: string;
  limit: number;
  offset: number;
}

/** One page of feedback, newest first, with the total matching. */
export async function listFeedback(db: Kysely<Database>, filter: FeedbackFilter) {
  let query = db.selectFrom('feedback');
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.category) query = query.where('category', '=', filter.category);
  if (filter.decisionId) query = query.where('decision_id', '=', filter.decisionId);
  if (filter.converted === true) query = query.where('exception_id', 'is not', null);
  if (filter.converted === false) query = query.where('exception_id', 'is', null);
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await nameFeedback(db, rows.map(presentFeedback)), total: Number(total.n), limit: filter.limit, offset: filter.offset };
}

/** Who may turn feedback into an exception: the system's owners, governance leads, admins,
 * reviewers and oversight officers (those who handle appeals and overrides). */
export const CONVERTERS = ['admin', 'governance_lead', 'system_owner', 'reviewer', 'oversight_officer'] as const;

/** The feedback to convert, refused when the caller may not or when it was converted already. */
export async function feedbackToConvert(trx: Tx, { ctx, feedbackId }: { ctx: RequestContext; feedbackId: string }) {
  const row = await findFeedback(trx, feedbackId);
  if (!hasSystemRole(ctx.actor, row.system_id, ...CONVERTERS)) {
    throw new AppError(
      'forbidden',
      "only the system's owner, a governance lead, an admin, a reviewer or an oversight officer converts feedback",
    );
  }
  if (row.exception_id !== null) throw alreadyConverted(row);
  return row;
}

const alreadyConverted = (row: { id: string; exception_id: string | null }) =>
  new AppError('feedback_already_converted', `feedback ${row.id} was already converted into exception ${row.exception_id}`, {
    feedbackId: row.id,
    exceptionId: row.exception_id,
  });

/** Links the feedback to the exception opened from it, with its ledger event. Guarded by
 * `exception_id is null`, so of two concurrent conversions one loses with the same refusal. */
export async function markFeedbackConverted(
  trx: Tx,
  { ctx, row, exceptionId }: { ctx: RequestContext; row: Selectable<FeedbackTable>; exceptionId: string },
) {
  const now = new Date().toISOString();
  const result = await trx
    .updateTable('feedback')
    .set({ exception_id: exceptionId, converted_by: ctx.actor.userId, converted_at: now })
    .where('id', '=', row.id)
    .where('exception_id', 'is', null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw alreadyConverted(await findFeedback(trx, row.id));
  await appendEvent(trx, ctx, {
    type: 'feedback.converted',
    subject: { type: 'feedback', id: row.id },
    data: { systemId: row.system_id, exceptionId, category: row.category },
  });
  const [named] = await nameFeedback(trx, [
    presentFeedback({ ...row, exception_id: exceptionId, converted_by: ctx.actor.userId, converted_at: now }),
  ]);
  return named;
}
