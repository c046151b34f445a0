// Delegation: an approver names a person who may decide in their place for a period. A decision
// made that way records both names; once the period ends the delegate may no longer decide.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';

export interface NewDelegation {
  delegateId: string;
  startsAt?: string;
  endsAt: string;
  reason: string;
}

export async function createDelegation(
  trx: Tx,
  { ctx, input, now = new Date() }: { ctx: RequestContext; input: NewDelegation; now?: Date },
) {
  const delegatorId = ctx.actor.userId;
  if (!delegatorId) throw new AppError('forbidden', 'only a named person delegates');
  if (input.delegateId === delegatorId)
    throw new AppError('validation_failed', 'delegateId: delegate to someone else', { field: 'delegateId' });
  const delegate = await trx.selectFrom('users').select(['id', 'status']).where('id', '=', input.delegateId).executeTakeFirst();
  if (delegate?.status !== 'active') throw new AppError('validation_failed', 'delegateId: not an active user', { field: 'delegateId' });
  const startsAt = new Date(input.startsAt ?? now).toISOString();
  const endsAt = new Date(input.endsAt).toISOString();
  if (endsAt <= startsAt) throw new AppError('validation_failed', 'endsAt: must be after startsAt', { field: 'endsAt' });
  const reason = requireRationale(input.reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const row = {
    id: randomUUID(),
    delegator_id: delegatorId,
    delegate_id: input.delegateId,
    starts_at: startsAt,
    ends_at: endsAt,
    reason,
    created_at: now.toISOString(),
    revoked_at: null,
  };
  await trx.insertInto('approval_delegations').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'approval.delegated',
    subject: { type: 'approval_delegation', id: row.id, version: 1 },
    after: { delegatorId, delegateId: row.delegate_id, startsAt, endsAt },
    reason: row.reason,
  });
  return row;
}

export async function revokeDelegation(trx: Tx, { ctx, delegationId }: { ctx: RequestContext; delegationId: string }) {
  const row = await trx.selectFrom('approval_delegations').selectAll().where('id', '=', delegationId).executeTakeFirst();
  if (!row) throw notFound('delegation', delegationId);
  if (row.delegator_id !== ctx.actor.userId) throw new AppError('forbidden', 'only the person who delegated revokes the delegation');
  if (row.revoked_at) throw new AppError('invalid_transition', 'the delegation is already revoked');
  const at = new Date().toISOString();
  await trx.updateTable('approval_delegations').set({ revoked_at: at }).where('id', '=', delegationId).execute();
  await appendEvent(trx, ctx, {
    type: 'approval.delegation_revoked',
    subject: { type: 'approval_delegation', id: delegationId, version: 2 },
    before: { revokedAt: null },
    after: { revokedAt: at },
  });
  return { ...row, revoked_at: at };
}

/** Delegations the user gave or received. */
export async function listDelegations(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('approval_delegations')
    .selectAll()
    .where((eb) => eb.or([eb('delegator_id', '=', userId), eb('delegate_id', '=', userId)]))
    .orderBy('created_at', 'desc')
    .execute();
}
