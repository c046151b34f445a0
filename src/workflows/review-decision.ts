// A reviewer's outcome on a queued decision; an override opens an exception on the system (ISO 42001
// A.9.2: a human override is a deviation to follow up), linked both ways, in the same transaction.
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { findReviewable, type ReviewInput, recordReview } from '../modules/decisions/review.service.js';
import { openException } from '../modules/exceptions/exceptions.service.js';
import type { Severity } from '../modules/exceptions/exceptions.tables.js';
import { requireRationale } from '../rationale.js';

export interface ReviewWithOverrideInput extends ReviewInput {
  /** For an override: the exception's severity, owner and resolver (defaults: medium, the system's
   * accountable owner, the reviewer). */
  severity?: Severity;
  ownerId?: string;
  resolverId?: string;
}

export async function reviewDecision(trx: Tx, { ctx, input: written }: { ctx: RequestContext; input: ReviewWithOverrideInput }) {
  const input = { ...written, reason: requireRationale(written.reason, { field: 'reason', minimum: ctx.policies.minRationaleLength }) };
  const row = await findReviewable(trx, { ctx, decisionId: input.decisionId });
  const reviewerId = ctx.actor.userId as string;
  let exceptionId: string | null = null;
  if (input.outcome === 'override') {
    const system = await trx
      .selectFrom('ai_systems')
      .select(['accountable_owner_id'])
      .where('id', '=', row.system_id)
      .executeTakeFirstOrThrow();
    const corrected = input.correctedOutput === undefined ? '' : `\nCorrected output: ${JSON.stringify(input.correctedOutput)}`;
    const exception = await openException(trx, {
      ctx,
      // Composed from the reason checked above: not held to the minimum again.
      rationaleComposed: true,
      input: {
        systemId: row.system_id,
        kind: 'override',
        title: `Override of decision ${row.decision_id}`,
        description: `${input.reason}${corrected}`,
        severity: input.severity ?? 'medium',
        raisedBy: { type: 'decision', ref: row.id },
        ownerId: input.ownerId ?? system.accountable_owner_id ?? reviewerId,
        resolverId: input.resolverId ?? reviewerId,
        links: [{ type: 'decision', id: row.id }],
      },
    });
    exceptionId = exception.id;
  }
  return recordReview(trx, { ctx, row, input, exceptionId });
}
