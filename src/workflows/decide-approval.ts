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
  const { request, toApply } = await decideRequest(trx, args);
  if (request.status === 'rejected' && request.applied_at) {
    await openRejectedEmergencyFollowUp(trx, { ctx: args.ctx, request, rationale: args.input.rationale.trim(), now: args.now });
    return loadRequest(trx, args.requestId);
  }
  if (!toApply) return request;
  await applyEffect(trx, { ctx: args.ctx, request: toApply, rationale: `${toApply.title}: ${toApply.justification}` });
  return loadRequest(trx, args.requestId);
}
