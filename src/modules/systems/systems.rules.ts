// The inventory's business rules that several use cases share: who may do what, rationales, the
// accountable owner before a system leaves `proposed`, the approval gate, and which changes the
// approval policies govern.
import { type Actor, hasRole, hasSystemRole } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { type ApprovalKind, assertApprovalCompleted, assertNotYetApplied } from '../../governance/approval-gate.js';
import type { DeploymentKind, SystemStatus } from './systems.tables.js';

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

/** Used when a caller passes no configured minimum (the configuration's default). */
export const DEFAULT_MIN_RATIONALE_LENGTH = 10;

/** Statuses a system reaches only through a completed approval. */
export const APPROVAL_GATED_STATUSES: readonly SystemStatus[] = ['approved_for_use', 'in_production'];

// The system actor is Proofline itself (migrations, bootstrap, CLI maintenance without --as).
const isMaintenance = (actor: Actor) => actor.kind === 'system';

const forbidden = (message: string, details: Record<string, unknown> = {}) => new AppError('forbidden', message, details);

/** Admins and governance leads manage every system. */
export function assertGovernor(actor: Actor, action: string): void {
  if (isMaintenance(actor) || hasRole(actor, 'admin', 'governance_lead')) return;
  throw forbidden(`${action} needs the admin or governance_lead role`, { required: ['admin', 'governance_lead'] });
}

/** Governors, or the system_owner of this very system. */
export function assertMayEdit(actor: Actor, systemId: string, action: string): void {
  if (isMaintenance(actor) || hasSystemRole(actor, systemId, 'admin', 'governance_lead', 'system_owner')) return;
  throw forbidden(`${action} needs the admin or governance_lead role, or the system_owner role for system ${systemId}`, {
    required: ['admin', 'governance_lead', 'system_owner'],
    systemId,
  });
}

/** Contributors may record proposals and discovered (shadow) systems; governors anything. */
export function assertMayCreate(actor: Actor, status: SystemStatus, deploymentKind: DeploymentKind): void {
  if (isMaintenance(actor) || hasRole(actor, 'admin', 'governance_lead')) return;
  if (hasRole(actor, 'contributor') && (status === 'proposed' || deploymentKind === 'shadow')) return;
  throw forbidden('creating a system needs the admin or governance_lead role (contributors may create proposed or shadow systems)', {
    required: ['admin', 'governance_lead', 'contributor'],
  });
}

/** A rationale is the "why" of a ledger event; a blank or token one is refused. */
export function requireRationale(rationale: string | undefined | null, minLength = DEFAULT_MIN_RATIONALE_LENGTH): string {
  const text = (rationale ?? '').trim();
  if (text.length < minLength) {
    throw new AppError('validation_failed', `rationale: say why, in at least ${minLength} characters`, { field: 'rationale', minLength });
  }
  return text;
}

/** Refuses a gated status unless an approval request is given and the approvals module confirms it. */
export async function assertStatusApproved(
  trx: Tx,
  { systemId, status, authority }: { systemId: string; status: SystemStatus; authority: ChangeAuthority },
): Promise<void> {
  if (!APPROVAL_GATED_STATUSES.includes(status)) return;
  await assertApproved(trx, { systemId, kind: `system.${status}` as ApprovalKind, authority, what: `status ${status}` });
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

/** The changes the approval policies govern, each with the kind of request that allows it. */
export type GovernedChange = 'intended_use_change' | 'data_source_change' | 'risk_tier_change';

/**
 * THE rule for governed changes. Changing a system's intended use, its data sources (adding or
 * updating one) or its EU risk tier needs a completed approval request of that kind (or the emergency
 * exception that bypassed it), EXCEPT while the system is still `proposed`: a proposed system has
 * never been approved, so what is set then is its first assessment, and the `system_use` approval
 * that takes it out of `proposed` signs all of it. The organisation's own tier and descriptive fields
 * are not governed. An approval that is given is always checked, proposed or not.
 */
export async function assertGovernedChangeAllowed(
  trx: Tx,
  {
    system,
    kind,
    authority,
    target,
  }: { system: { id: string; status: SystemStatus }; kind: GovernedChange; authority: ChangeAuthority; target: unknown },
): Promise<void> {
  if (system.status === 'proposed' && !authority.approvalRequestId) return;
  if (!authority.approvalRequestId) {
    throw new AppError(
      'approval_required',
      `system ${system.id} is ${system.status}: this change needs a completed ${kind} approval request; missing: approvalRequestId`,
      { systemId: system.id, kind, requestKind: kind, missing: ['approvalRequestId'] },
    );
  }
  await assertApproved(trx, { systemId: system.id, kind, authority, target, what: `a ${kind}` });
}

export function assertVersion(current: number, expected: number | undefined, what: string): void {
  if (expected !== undefined && expected !== current) {
    throw new AppError('version_conflict', `${what} changed since you read it (you sent version ${expected}, it is now ${current})`, {
      expectedVersion: expected,
      currentVersion: current,
    });
  }
}
