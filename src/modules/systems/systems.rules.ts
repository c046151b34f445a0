// The inventory's business rules that several use cases share: who may do what (row versions:
// src/versions.ts; rationales: src/rationale.ts). Which changes need an approval is governance's rule
// (governance/governed-changes.ts).
import { type Actor, actsWithProoflineAuthority, hasRole, hasSystemRole } from '../../context.js';
import { AppError } from '../../errors.js';
import type { DeploymentKind, SystemStatus } from './systems.tables.js';

// The system actor is Proofline itself (migrations, bootstrap, CLI maintenance without --as); a
// person applying a completed approval acts with its authority (the gate checks that approval).
const isMaintenance = actsWithProoflineAuthority;

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
