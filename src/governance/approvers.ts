// Who may fill a step: people holding its roles (globally or for the system), its named people,
// the system's accountable owner for a system_owner step, and anyone they have delegated to.
// A delegation carries no authority its delegator does not hold at the moment of the decision: the
// delegator must be active, and qualifies with the roles they hold now, for that system only.

import { loadRoles } from '../accounts/actors.js';
import type { Role } from '../context.js';
import type { Tx } from '../db/store.js';
import { type Candidate, qualifyingRole } from './chain.js';
import type { PolicyStep } from './policies.js';

export interface SystemRef {
  id: string;
  accountableOwnerId: string | null;
}

export async function systemRefOf(trx: Tx, systemId: string | null): Promise<SystemRef | null> {
  if (!systemId) return null;
  const row = await trx.selectFrom('ai_systems').select(['id', 'accountable_owner_id']).where('id', '=', systemId).executeTakeFirst();
  return row ? { id: row.id, accountableOwnerId: row.accountable_owner_id } : null;
}

export async function candidateOf(trx: Tx, userId: string): Promise<Candidate> {
  return { userId, ...(await loadRoles(trx, userId)) };
}

/** Active delegations to `delegateId` at `now`, from delegators who are active users now. */
export async function activeDelegationsTo(trx: Tx, delegateId: string, now: Date) {
  const at = now.toISOString();
  return trx
    .selectFrom('approval_delegations')
    .innerJoin('users as delegator', 'delegator.id', 'approval_delegations.delegator_id')
    .select(['approval_delegations.id', 'approval_delegations.delegator_id', 'approval_delegations.ends_at'])
    .where('approval_delegations.delegate_id', '=', delegateId)
    .where('approval_delegations.revoked_at', 'is', null)
    .where('approval_delegations.starts_at', '<=', at)
    .where('approval_delegations.ends_at', '>', at)
    .where('delegator.status', '=', 'active')
    .orderBy('approval_delegations.created_at')
    .execute();
}

/** Every active user who may fill `step` in their own right. */
export async function eligibleUserIds(trx: Tx, step: PolicyStep, system: SystemRef | null): Promise<string[]> {
  const ids = new Set<string>(step.userIds ?? []);
  const roles = (step.roles ?? []) as Role[];
  if (roles.length > 0) {
    const scopes = system ? ['', system.id] : [''];
    const rows = await trx.selectFrom('user_roles').select('user_id').where('role', 'in', roles).where('scope', 'in', scopes).execute();
    for (const r of rows) ids.add(r.user_id);
    if (system?.accountableOwnerId && roles.includes('system_owner')) ids.add(system.accountableOwnerId);
  }
  if (ids.size === 0) return [];
  const active = await trx
    .selectFrom('users')
    .select('id')
    .where('id', 'in', [...ids])
    .where('status', '=', 'active')
    .execute();
  return active.map((r) => r.id);
}

/** Eligible people (active, holding the step's role now) plus their active delegates who are active
 * users themselves, each with whom they would act for. */
export async function reachableApprovers(trx: Tx, step: PolicyStep, system: SystemRef | null, now: Date) {
  const own = await eligibleUserIds(trx, step, system);
  if (own.length === 0) return [];
  const at = now.toISOString();
  const delegations = await trx
    .selectFrom('approval_delegations')
    .innerJoin('users as delegate', 'delegate.id', 'approval_delegations.delegate_id')
    .select(['approval_delegations.delegator_id', 'approval_delegations.delegate_id'])
    .where('approval_delegations.delegator_id', 'in', own)
    .where('approval_delegations.revoked_at', 'is', null)
    .where('approval_delegations.starts_at', '<=', at)
    .where('approval_delegations.ends_at', '>', at)
    .where('delegate.status', '=', 'active')
    .execute();
  return [
    ...own.map((userId) => ({ userId, onBehalfOf: null as string | null })),
    ...delegations.map((d) => ({ userId: d.delegate_id, onBehalfOf: d.delegator_id as string | null })),
  ];
}

export { qualifyingRole };
