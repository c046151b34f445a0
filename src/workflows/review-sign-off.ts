// The end of a review: the second signature completes it (modules/reviews), and an unsatisfactory
// decision opens an exception on the system (a deviation to follow up, ISO 42001 10.2) in the same
// transaction, naming the review and its actions.
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { openException } from '../modules/exceptions/exceptions.service.js';
import { completeReview, findReview, signReview } from '../modules/reviews/reviews.service.js';

type Completed = Awaited<ReturnType<typeof completeReview>>;

async function followUp(trx: Tx, ctx: RequestContext, review: Completed): Promise<string | null> {
  if (review.status !== 'signed' || review.decision !== 'unsatisfactory') return null;
  const system = await trx
    .selectFrom('ai_systems')
    .select(['accountable_owner_id'])
    .where('id', '=', review.systemId)
    .executeTakeFirstOrThrow();
  const actions = review.actions.map((a) => `- ${a}`).join('\n');
  const exception = await openException(trx, {
    ctx,
    // Composed from findings already held to the rationale minimum.
    rationaleComposed: true,
    input: {
      systemId: review.systemId,
      kind: 'deviation',
      title: `Unsatisfactory ${review.kind} review (${review.periodFrom.slice(0, 10)} to ${review.periodTo.slice(0, 10)})`,
      description: `${review.findings ?? ''}\nActions:\n${actions}\nSnapshot SHA-256: ${review.snapshotDigest}`,
      severity: 'high',
      raisedBy: { type: 'review', ref: review.id },
      ownerId: system.accountable_owner_id ?? review.preparerId,
      resolverId: review.preparerId,
      links: [{ type: 'review', id: review.id }],
    },
  });
  return exception.id;
}

/** A signatory signs; when that completes the review, an unsatisfactory one opens its exception. */
export async function signOffReview(
  trx: Tx,
  args: { ctx: RequestContext; reviewId: string; snapshotDigest: string; rationale: string },
): Promise<{ exceptionId: string | null }> {
  const review = await signReview(trx, args);
  return { exceptionId: await followUp(trx, args.ctx, review) };
}

/** Completes a review whose two signatures are in (refused otherwise), with the same follow-up. */
export async function finishReview(trx: Tx, { ctx, reviewId }: { ctx: RequestContext; reviewId: string }) {
  await findReview(trx, reviewId);
  const review = await completeReview(trx, { ctx, reviewId });
  return { exceptionId: await followUp(trx, ctx, review) };
}
