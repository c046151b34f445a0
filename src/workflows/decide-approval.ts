// An approver's decision, and when it completes the chain, the approved change applied in the same
// transaction: the approvals feature records the decision and completes the request; the inventory
// (through apply-approved-change.ts) makes the change. A rejected retrospective approval opens the
// emergency change's follow-up on its exception (emergency-change.ts). Routes and the CLI decide
// through here.
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { loadRequest } from '../governance/requests.repository.js';
import { type DecisionInput, decideRequest } from '../modules/approvals/decisions.service.js';
import { applyEffect } from './apply-approved-change.js';
import { openRejectedEmergencyFollowUp } from './emergency-change.js';

export async function decideApproval(trx: Tx, args: { ctx: RequestContext; requestId: string; input: DecisionInput; now?: Date }) {
  // decideRequest reads the request's state once and hands it on as it moved; the change is applied
  // from it (the approval gate of the inventory's use case still checks the approval itself).
  const { request, state, toApply } = await decideRequest(trx, args);
  if (request.status === 'rejected' && request.applied_at) {
    await openRejectedEmergencyFollowUp(trx, { ctx: args.ctx, request, rationale: args.input.rationale.trim(), now: args.now });
    return loadRequest(trx, args.requestId);
  }
  if (!toApply) return request;
  const applied = await applyEffect(trx, {
    ctx: args.ctx,
    request: toApply,
    decisions: state.decisions,
    rationale: `${toApply.title}: ${toApply.justification}`,
  });
  return applied.request;
}
