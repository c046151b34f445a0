// The gate other modules call before an action that needs a completed approval (a system reaching
// approved_for_use or in_production, a model version being deployed).
// STUB: the approvals track replaces this file with the real check (the request exists, concerns this
// system and kind, and every required step is approved). Until then no approval can be completed,
// so the gate always refuses.
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';

/** What an approval request authorises. */
export type ApprovalKind = 'system.approved_for_use' | 'system.in_production' | 'model_version.deploy';

export async function assertApprovalCompleted(
  _trx: Tx,
  { requestId, systemId, kind }: { requestId: string; systemId: string; kind: ApprovalKind },
): Promise<void> {
  throw new AppError('approval_required', `approval request ${requestId} is not a completed approval of ${kind} for system ${systemId}`, {
    requestId,
    systemId,
    kind,
    missing: ['completed approval'],
  });
}
