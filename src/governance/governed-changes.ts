// THE rules for governed changes of an AI system: which status moves and which changes need a
// completed approval request, of which kind, and what no approval can allow. Every use case of the
// inventory that moves a status, changes the intended use, the EU risk tier or a data source, or
// deploys a model version asks here; nothing else decides it. The approval itself is checked by the
// gate (approval-gate.ts).
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { type ApprovalKind, assertApprovalCompleted, assertNotYetApplied } from './approval-gate.js';
import type { RequestKind } from './approvals.tables.js';
import type { EuRiskTier, SystemStatus } from './system-states.js';

/** What allowed a change: the completed approval request, or (emergency change) that request and the
 * exception that bypassed its approval. Both end up on the change record. */
export interface ChangeAuthority {
  approvalRequestId?: string | null;
  exceptionId?: string | null;
}

/** The ids of what allowed a change, for the ledger event's data; nothing when nothing had to. */
export function authorityData(authority: ChangeAuthority): Record<string, string> | undefined {
  const data: Record<string, string> = {};
  if (authority.approvalRequestId) data.approvalRequestId = authority.approvalRequestId;
  if (authority.exceptionId) data.exceptionId = authority.exceptionId;
  return Object.keys(data).length > 0 ? data : undefined;
}

/** Statuses a system reaches only through a completed approval. */
export const APPROVAL_GATED_STATUSES: readonly SystemStatus[] = ['approved_for_use', 'in_production'];

/** Statuses in which a system has been approved for use (restricted and paused are states of one in use). */
const APPROVED_STATUSES: readonly SystemStatus[] = ['approved_for_use', 'in_production', 'restricted', 'paused'];

/** The lifecycle before approval, in order; moving into it from an approved status is going backwards. */
const BEFORE_APPROVAL: readonly SystemStatus[] = ['proposed', 'in_development', 'in_validation'];

/** The system facts the rules read. */
export interface GovernedSystem {
  id: string;
  status: SystemStatus;
  eu_risk_tier: EuRiskTier;
}

/**
 * Which request kind governs moving a system from `from` to `to`, or null for a free move:
 * - reaching approved_for_use or in_production: `system_use`;
 * - retiring: `system_retirement` (its policy: owner + governance lead);
 * - leaving an approved or production state backwards (to proposed, in development, in validation,
 *   or from production back to approved_for_use): `system_use`, naming the status it goes back to.
 * Restricting or pausing a system in use is a protective move and free.
 */
export function governingKindOfStatusMove(from: SystemStatus, to: SystemStatus): RequestKind | null {
  if (to === 'retired') return 'system_retirement';
  if (APPROVAL_GATED_STATUSES.includes(to)) return 'system_use';
  if (APPROVED_STATUSES.includes(from) && BEFORE_APPROVAL.includes(to)) return 'system_use';
  return null;
}

/** The statuses a `system_use` request may ask for: forwards into use, or backwards out of it. */
export const SYSTEM_USE_TARGETS: readonly SystemStatus[] = [...APPROVAL_GATED_STATUSES, ...BEFORE_APPROVAL];

/** A prohibited practice (EU AI Act Art. 5) is never approved for use nor deployed. */
export function assertNotProhibited(system: GovernedSystem, what: string): void {
  if (system.eu_risk_tier !== 'prohibited') return;
  throw new AppError(
    'prohibited_practice',
    `system ${system.id} is classified as a prohibited practice (EU AI Act Art. 5): ${what} is not possible; only a reclassification through its own risk_tier_change chain, with a legal rationale, takes it out of that tier`,
    { systemId: system.id, euRiskTier: 'prohibited' },
  );
}

/** Whether the system was ever approved for use: read from its change records (its history), not
 * from its current status, so going back to `proposed` does not make it new again. */
export async function everApprovedForUse(trx: Tx, systemId: string): Promise<boolean> {
  const rows = await trx
    .selectFrom('change_records')
    .select('after')
    .where('subject_type', '=', 'ai_system')
    .where('subject_id', '=', systemId)
    .where('change_kind', '=', 'system.status_changed')
    .execute();
  return rows.some((row) => APPROVED_STATUSES.includes((JSON.parse(row.after) as { status?: SystemStatus }).status as SystemStatus));
}

export async function assertApproved(
  trx: Tx,
  {
    systemId,
    kind,
    authority,
    subjectId,
    target,
    what,
  }: { systemId: string; kind: ApprovalKind; authority: ChangeAuthority; subjectId?: string; target?: unknown; what: string },
): Promise<void> {
  if (!authority.approvalRequestId) {
    throw new AppError('approval_required', `${what} needs a completed approval; missing: approvalRequestId`, {
      systemId,
      kind,
      missing: ['approvalRequestId'],
    });
  }
  await assertApprovalCompleted(trx, {
    requestId: authority.approvalRequestId,
    exceptionId: authority.exceptionId,
    systemId,
    kind,
    subjectId,
    target,
  });
  await assertNotYetApplied(trx, authority.approvalRequestId);
}

/** Refuses a status move that its policy governs unless its approval (or emergency exception) is given. */
export async function assertStatusMoveAllowed(
  trx: Tx,
  { system, to, authority }: { system: GovernedSystem; to: SystemStatus; authority: ChangeAuthority },
): Promise<void> {
  if (APPROVAL_GATED_STATUSES.includes(to)) assertNotProhibited(system, `moving it to ${to}`);
  const kind = governingKindOfStatusMove(system.status, to);
  if (!kind && !authority.approvalRequestId) return;
  await assertApproved(trx, {
    systemId: system.id,
    kind: 'system.status',
    authority,
    target: to,
    what: `moving system ${system.id} from ${system.status} to ${to}`,
  });
}

/** Deploying a model version: never for a prohibited practice, always through its approval. */
export async function assertDeploymentAllowed(
  trx: Tx,
  {
    system,
    modelVersionId,
    label,
    authority,
  }: { system: GovernedSystem; modelVersionId: string; label: string; authority: ChangeAuthority },
): Promise<void> {
  assertNotProhibited(system, `deploying model version ${label}`);
  await assertApproved(trx, {
    systemId: system.id,
    kind: 'model_version.deploy',
    authority,
    subjectId: modelVersionId,
    what: `deploying model version ${label}`,
  });
}

/** The changes the approval policies govern, each with the kind of request that allows it. */
export type GovernedChange = 'intended_use_change' | 'data_source_change' | 'risk_tier_change';

/**
 * Changing a system's intended use, its data sources (adding or updating one) or its EU risk tier
 * needs a completed approval request of that kind (or the emergency exception that bypassed it),
 * EXCEPT for the first assessment of a system that has never been approved for use: what is set then
 * is signed by the `system_use` approval that first takes it into use. Whether it was ever approved
 * is read from its history, so moving an approved system back to `proposed` does not reopen the
 * exemption. A prohibited system leaves its tier only through its own chain, never by the exemption.
 * The organisation's own tier and descriptive fields are not governed. An approval that is given is
 * always checked.
 */
export async function assertGovernedChangeAllowed(
  trx: Tx,
  { system, kind, authority, target }: { system: GovernedSystem; kind: GovernedChange; authority: ChangeAuthority; target: unknown },
): Promise<void> {
  if (!authority.approvalRequestId) {
    const firstAssessment =
      system.status === 'proposed' &&
      !(kind === 'risk_tier_change' && system.eu_risk_tier === 'prohibited') &&
      !(await everApprovedForUse(trx, system.id));
    if (firstAssessment) return;
    throw new AppError(
      'approval_required',
      `system ${system.id} is ${system.status}: this change needs a completed ${kind} approval request; missing: approvalRequestId`,
      { systemId: system.id, kind, requestKind: kind, missing: ['approvalRequestId'] },
    );
  }
  await assertApproved(trx, { systemId: system.id, kind, authority, target, what: `a ${kind}` });
}
