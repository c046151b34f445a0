// Feedback converted into an exception in one action: the exception is raised from the feedback
// (and linked to its decision, where known), the feedback names the exception, both ledgered in
// one transaction. A second conversion is refused (`feedback_already_converted`).
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { openException } from '../modules/exceptions/exceptions.service.js';
import type { Severity } from '../modules/exceptions/exceptions.tables.js';
import { feedbackToConvert, markFeedbackConverted } from '../modules/feedback/feedback.service.js';

/** Harm and security reports start high; the rest medium, unless the converter says otherwise. */
const DEFAULT_SEVERITY: Record<string, Severity> = { harm: 'high', security: 'high' };

export interface ConvertFeedbackInput {
  feedbackId: string;
  severity?: Severity;
  ownerId?: string;
  resolverId?: string;
}

export async function convertFeedbackToException(trx: Tx, { ctx, input }: { ctx: RequestContext; input: ConvertFeedbackInput }) {
  const row = await feedbackToConvert(trx, { ctx, feedbackId: input.feedbackId });
  const converter = ctx.actor.userId as string;
  const system = await trx
    .selectFrom('ai_systems')
    .select('accountable_owner_id')
    .where('id', '=', row.system_id)
    .executeTakeFirstOrThrow();
  const decision =
    row.decision_id === null
      ? undefined
      : await trx
          .selectFrom('decisions')
          .select('id')
          .where('system_id', '=', row.system_id)
          .where('decision_id', '=', row.decision_id)
          .executeTakeFirst();
  const exception = await openException(trx, {
    ctx,
    // Composed from what the person reported: not held to the rationale minimum.
    rationaleComposed: true,
    input: {
      systemId: row.system_id,
      kind: 'deviation',
      title: `Feedback (${row.category}): ${row.summary}`.slice(0, 200),
      description: `${row.details}${row.external_ref ? `\nTicket: ${row.external_ref}` : ''}`,
      severity: input.severity ?? DEFAULT_SEVERITY[row.category] ?? 'medium',
      raisedBy: { type: 'feedback', ref: row.id },
      ownerId: input.ownerId ?? system.accountable_owner_id ?? converter,
      resolverId: input.resolverId ?? converter,
      links: [{ type: 'feedback', id: row.id }, ...(decision ? [{ type: 'decision', id: decision.id }] : [])],
    },
  });
  const feedback = await markFeedbackConverted(trx, { ctx, row, exceptionId: exception.id });
  return { feedback, exceptionId: exception.id };
}
