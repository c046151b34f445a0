// Where a request's chain stands: which steps are filled, which stage is open, who may fill a step.
// Pure functions over the policy steps and the decisions of the current revision.
import type { Role } from '../context.js';
import type { PolicyStep } from './policies.js';

export interface CountedApproval {
  id: string;
  stepIndex: number;
  approverId: string;
  onBehalfOf: string | null;
  decidedAt: string;
  validUntil: string | null;
}

export interface StepState {
  index: number;
  step: PolicyStep;
  /** Approvals that count now (not expired). */
  approvals: CountedApproval[];
  /** Approvals that have expired and must be renewed. */
  expired: CountedApproval[];
  complete: boolean;
}

export interface ChainState {
  steps: StepState[];
  /** The stage waiting for decisions; null when the chain is complete. */
  openStage: number | null;
  openSteps: StepState[];
  complete: boolean;
}

export const isExpired = (a: { validUntil: string | null }, now: Date) => a.validUntil !== null && a.validUntil <= now.toISOString();

export function evaluateChain(steps: PolicyStep[], approvals: CountedApproval[], now: Date): ChainState {
  const states: StepState[] = steps.map((step, index) => {
    const mine = approvals.filter((a) => a.stepIndex === index);
    const counted = mine.filter((a) => !isExpired(a, now));
    return { index, step, approvals: counted, expired: mine.filter((a) => isExpired(a, now)), complete: counted.length >= step.required };
  });
  const stages = [...new Set(steps.map((s) => s.stage))].sort((a, b) => a - b);
  const openStage = stages.find((stage) => states.some((s) => s.step.stage === stage && !s.complete)) ?? null;
  const openSteps = openStage === null ? [] : states.filter((s) => s.step.stage === openStage && !s.complete);
  return { steps: states, openStage, openSteps, complete: openStage === null };
}

/** A person's roles at this moment, as the chain sees them. */
export interface Candidate {
  userId: string;
  roles: Role[];
  systemRoles: Record<string, Role[]>;
}

/** The role that lets `person` fill `step` (e.g. `approver`, `system_owner@<system>`, `named`), or null. */
export function qualifyingRole(
  step: PolicyStep,
  person: Candidate,
  system: { id: string; accountableOwnerId: string | null } | null,
): string | null {
  if (step.userIds?.includes(person.userId)) return 'named';
  for (const role of step.roles ?? []) {
    if (person.roles.includes(role)) return role;
    if (system && person.systemRoles[system.id]?.includes(role)) return `${role}@${system.id}`;
    if (system && role === 'system_owner' && system.accountableOwnerId === person.userId) return `system_owner@${system.id}`;
  }
  return null;
}

/** The people who have filled a counted approval (the approver and, under delegation, the delegator). */
export function peopleOf(approvals: CountedApproval[]): Set<string> {
  const people = new Set<string>();
  for (const a of approvals) {
    people.add(a.approverId);
    if (a.onBehalfOf) people.add(a.onBehalfOf);
  }
  return people;
}
