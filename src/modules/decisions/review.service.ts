// The human review queue: decisions of a restricted system (humanReviewAll) or in a system's
// sample wait here for a reviewer, who confirms or overrides them. An override is an exception of
// kind `override`, linked to the decision, so it follows the exception lifecycle to lessons learned.
import type { Kysely, Selectable } from 'kysely';
import { displayNames, nameOf } from '../../accounts/display-names.js';
import { hasSystemRole, type RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import type { DecisionsTable } from './decisions.tables.js';

export function presentDecision(row: Selectable<DecisionsTable>) {
  return {
    id: row.id,
    systemId: row.system_id,
    decisionId: row.decision_id,
    modelVersionId: row.model_version_id,
    decidedAt: row.decided_at,
    inputRef: row.input_ref,
    inputDigest: row.input_digest,
    hasRawInput: row.raw_input !== null,
    output: JSON.parse(row.output) as unknown,
    confidence: row.confidence,
    humanReviewed: row.human_reviewed === 1,
    reviewedBy: row.reviewed_by,
    batchId: row.batch_id,
    receivedAt: row.received_at,
    review:
      row.review_status === null
        ? null
        : {
            status: row.review_status,
            queuedBecause: row.review_reason,
            reviewerId: row.reviewer_id,
            reviewedAt: row.reviewed_at,
            reason: row.review_outcome_reason,
            exceptionId: row.exception_id,
          },
  };
}

type DecisionView = ReturnType<typeof presentDecision>;

/** Decisions with their reviewers named (reviewedByName: the reviewer the AI service reported, when a
 * known user; review.reviewerName: who reviewed it here), in one lookup. */
export async function nameDecisions(db: Kysely<Database>, views: DecisionView[]) {
  const names = await displayNames(
    db,
    views.flatMap((view) => [view.reviewedBy, view.review?.reviewerId]),
  );
  return views.map((view) => ({
    ...view,
    reviewedByName: nameOf(names, view.reviewedBy),
    review: view.review ? { ...view.review, reviewerName: nameOf(names, view.review.reviewerId) } : null,
  }));
}

export async function namedDecision(db: Kysely<Database>, view: DecisionView) {
  const [named] = await nameDecisions(db, [view]);
  return named;
}

export async function findDecision(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('decision', id);
  return row;
}

export async function listReviewQueue(
  db: Kysely<Database>,
  { systemId, status, limit, offset }: { systemId?: string; status: 'pending' | 'confirmed' | 'overridden'; limit: number; offset: number },
) {
  let query = db.selectFrom('decisions').where('review_status', '=', status);
  if (systemId) query = query.where('system_id', '=', systemId);
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('received_at').orderBy('id').limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await nameDecisions(db, rows.map(presentDecision)), total: Number(total.n), limit, offset };
}

export interface ReviewInput {
  decisionId: string;
  outcome: 'confirm' | 'override';
  reason: string;
  /** For an override: what the output should have been. */
  correctedOutput?: unknown;
}

/** The decision to review, refused unless this reviewer may review it and it waits for review. */
export async function findReviewable(trx: Tx, { ctx, decisionId }: { ctx: RequestContext; decisionId: string }) {
  const row = await findDecision(trx, decisionId);
  if (!hasSystemRole(ctx.actor, row.system_id, 'reviewer')) {
    throw new AppError('forbidden', 'only a reviewer (for this system or globally) reviews decisions', { required: 'reviewer' });
  }
  if (row.review_status !== 'pending') {
    throw new AppError(
      'invalid_transition',
      row.review_status === null ? 'this decision is not in the review queue' : `this decision was already ${row.review_status}`,
    );
  }
  return row;
}

/** Records a reviewer's outcome; an override carries the exception that workflows/review-decision.ts
 * opened for it. */
export async function recordReview(
  trx: Tx,
  {
    ctx,
    row,
    input,
    exceptionId,
  }: { ctx: RequestContext; row: Selectable<DecisionsTable>; input: ReviewInput; exceptionId: string | null },
) {
  const reviewerId = ctx.actor.userId as string;
  const reviewedAt = new Date().toISOString();
  const status = input.outcome === 'confirm' ? 'confirmed' : 'overridden';
  await trx
    .updateTable('decisions')
    .set({
      review_status: status,
      reviewer_id: reviewerId,
      reviewed_at: reviewedAt,
      review_outcome_reason: input.reason,
      exception_id: exceptionId,
    })
    .where('id', '=', row.id)
    .execute();
  await appendEvent(trx, ctx, {
    type: input.outcome === 'confirm' ? 'decision.review_confirmed' : 'decision.review_overridden',
    subject: { type: 'decision', id: row.id },
    before: { reviewStatus: 'pending' },
    after: { reviewStatus: status, exceptionId },
    reason: input.reason,
    data: { systemId: row.system_id, decisionId: row.decision_id, correctedOutput: input.correctedOutput },
  });
  const view = presentDecision({
    ...row,
    review_status: status,
    reviewer_id: reviewerId,
    reviewed_at: reviewedAt,
    review_outcome_reason: input.reason,
    exception_id: exceptionId,
  });
  return namedDecision(trx, view);
}
