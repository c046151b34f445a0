// Users and roles: use cases, creating users and the first admin included. (Signing in, sessions
// and tokens: auth.service.ts.)
// Accounts are never deleted: a deactivated user cannot sign in and their sessions and tokens
// stop working and their approval delegations end, while every ledger event they made keeps naming them.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type RequestContext, type Role, systemContext } from '../context.js';
import type { Database } from '../db/schema.js';
import type { Tx } from '../db/store.js';
import { AppError, notFound } from '../errors.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { loadRoles } from './actors.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { actingUserId, isAdmin, requireAdmin, requireWriter } from './users.policy.js';
import { countOtherActiveAdmins, findUserRow, type HeldRoles, type UserRow } from './users.repository.js';

export const MIN_PASSWORD_LENGTH = 12;

async function loadUser(trx: Tx, userId: string, expectedVersion?: number): Promise<UserRow> {
  const row = await findUserRow(trx, userId);
  if (!row) throw notFound('user', userId);
  if (expectedVersion !== undefined && Number(row.version) !== expectedVersion) {
    throw new AppError('version_conflict', `user ${userId} changed since version ${expectedVersion}; read it again`, {
      currentVersion: Number(row.version),
    });
  }
  return row;
}

/** Bumps the version of a user row; returns the new version. */
async function touchUser(trx: Tx, row: UserRow, set: { display_name?: string; status?: 'deactivated'; password_hash?: string }) {
  const version = Number(row.version) + 1;
  await trx
    .updateTable('users')
    .set({ ...set, updated_at: new Date().toISOString(), version })
    .where('id', '=', row.id)
    .execute();
  return version;
}

export function validatePassword(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('validation_failed', `${field}: must be at least ${MIN_PASSWORD_LENGTH} characters`, { field });
  }
}

/** An admin renames anyone; any other writer renames only themselves. */
export async function updateUser(
  trx: Tx,
  { ctx, userId, displayName, expectedVersion }: { ctx: RequestContext; userId: string; displayName: string; expectedVersion: number },
) {
  requireWriter(ctx);
  if (!isAdmin(ctx.actor) && ctx.actor.userId !== userId) throw new AppError('forbidden', 'only an admin may rename other users');
  const name = displayName.trim();
  if (name === '') throw new AppError('validation_failed', 'displayName: must not be blank', { field: 'displayName' });
  const row = await loadUser(trx, userId, expectedVersion);
  if (name === row.display_name) return { version: Number(row.version) };
  const version = await touchUser(trx, row, { display_name: name });
  await appendEvent(trx, ctx, {
    type: 'user.updated',
    subject: { type: 'user', id: userId, version },
    before: { displayName: row.display_name },
    after: { displayName: name },
  });
  return { version };
}

interface Grant {
  role: Role;
  scope: string;
}

const grantKey = (g: Grant) => `${g.role}@${g.scope}`;

function grantsOf(held: HeldRoles): Grant[] {
  const grants = held.roles.map((role) => ({ role, scope: '' }));
  for (const [scope, roles] of Object.entries(held.systemRoles)) for (const role of roles) grants.push({ role, scope });
  return grants;
}

/** Sorted, de-duplicated, and without systems that hold no role. */
function normalizeRoles(held: HeldRoles): HeldRoles {
  const systemRoles: Record<string, Role[]> = {};
  for (const scope of Object.keys(held.systemRoles).sort()) {
    const roles = [...new Set(held.systemRoles[scope])].sort();
    if (roles.length > 0) systemRoles[scope] = roles;
  }
  return { roles: [...new Set(held.roles)].sort(), systemRoles };
}

/**
 * Replaces a user's roles with the full set given (global roles, and per-system roles keyed by
 * system id); only the difference is written. The ledger event carries before and after.
 */
export async function setUserRoles(
  trx: Tx,
  {
    ctx,
    userId,
    roles,
    reason,
    expectedVersion,
  }: { ctx: RequestContext; userId: string; roles: HeldRoles; reason?: string | null; expectedVersion?: number },
) {
  requireAdmin(ctx, 'change roles');
  const row = await loadUser(trx, userId, expectedVersion);
  const after = normalizeRoles(roles);
  const systemIds = Object.keys(after.systemRoles);
  if (systemIds.length > 0) {
    const found = await trx.selectFrom('ai_systems').select('id').where('id', 'in', systemIds).execute();
    const missing = systemIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0) {
      throw new AppError('validation_failed', `systemRoles: no AI system ${missing.join(', ')}`, { field: 'systemRoles', missing });
    }
  }
  const before = await loadRoles(trx, userId);
  const beforeKeys = new Set(grantsOf(before).map(grantKey));
  const afterKeys = new Set(grantsOf(after).map(grantKey));
  const added = grantsOf(after).filter((g) => !beforeKeys.has(grantKey(g)));
  const removed = grantsOf(before).filter((g) => !afterKeys.has(grantKey(g)));
  if (added.length === 0 && removed.length === 0) return { version: Number(row.version), roles: after };

  const losesAdmin = removed.some((g) => g.role === 'admin' && g.scope === '');
  if (losesAdmin && row.status === 'active' && (await countOtherActiveAdmins(trx, userId)) === 0) {
    throw new AppError('conflict', 'this is the last active admin; make someone else admin first', { userId });
  }
  for (const g of removed) {
    await trx.deleteFrom('user_roles').where('user_id', '=', userId).where('role', '=', g.role).where('scope', '=', g.scope).execute();
  }
  if (added.length > 0) {
    const now = new Date().toISOString();
    await trx
      .insertInto('user_roles')
      .values(added.map((g) => ({ user_id: userId, role: g.role, scope: g.scope, granted_at: now, granted_by: ctx.actor.userId })))
      .execute();
  }
  const version = await touchUser(trx, row, {});
  await appendEvent(trx, ctx, {
    type: 'user.roles_changed',
    subject: { type: 'user', id: userId, version },
    before,
    after,
    reason: reason ?? null,
    data: { added: added.map(grantKey), removed: removed.map(grantKey) },
  });
  return { version, roles: after };
}

/** Never deletes: the account stays, its sessions and tokens are revoked. */
export async function deactivateUser(
  trx: Tx,
  { ctx, userId, reason, expectedVersion }: { ctx: RequestContext; userId: string; reason?: string | null; expectedVersion?: number },
) {
  requireAdmin(ctx, 'deactivate users');
  const row = await loadUser(trx, userId, expectedVersion);
  if (row.status === 'deactivated') throw new AppError('invalid_transition', `user ${row.email} is already deactivated`);
  const held = await loadRoles(trx, userId);
  if (held.roles.includes('admin') && (await countOtherActiveAdmins(trx, userId)) === 0) {
    throw new AppError('conflict', 'this is the last active admin; make someone else admin first', { userId });
  }
  const version = await touchUser(trx, row, { status: 'deactivated' });
  const now = new Date().toISOString();
  const sessions = await trx
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  const tokens = await trx
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await appendEvent(trx, ctx, {
    type: 'user.deactivated',
    subject: { type: 'user', id: userId, version },
    before: { status: 'active' },
    after: { status: 'deactivated' },
    reason: reason ?? null,
    data: { sessionsRevoked: Number(sessions.numUpdatedRows), tokensRevoked: Number(tokens.numUpdatedRows) },
  });
  await endDelegationsOf(trx, { ctx, userId, at: now });
  return { version };
}

/**
 * A deactivated user's approval delegations end, those they gave and those they received, each with
 * its own `approval.delegation_ended` event (reason `delegator_deactivated` / `delegate_deactivated`).
 * The delegation rows belong to the approvals' governance; ending them is part of deactivating the account.
 */
async function endDelegationsOf(trx: Tx, { ctx, userId, at }: { ctx: RequestContext; userId: string; at: string }) {
  const open = await trx
    .selectFrom('approval_delegations')
    .select(['id', 'delegator_id', 'delegate_id', 'ends_at'])
    .where((eb) => eb.or([eb('delegator_id', '=', userId), eb('delegate_id', '=', userId)]))
    .where('revoked_at', 'is', null)
    .where('ends_at', '>', at)
    .orderBy('created_at')
    .execute();
  for (const d of open) {
    const endedBecause = d.delegator_id === userId ? 'delegator_deactivated' : 'delegate_deactivated';
    await trx.updateTable('approval_delegations').set({ revoked_at: at }).where('id', '=', d.id).execute();
    await appendEvent(trx, ctx, {
      type: 'approval.delegation_ended',
      subject: { type: 'approval_delegation', id: d.id, version: 2 },
      before: { revokedAt: null },
      after: { revokedAt: at, endedBecause },
      reason: endedBecause,
      data: { delegatorId: d.delegator_id, delegateId: d.delegate_id, deactivatedUserId: userId },
    });
  }
}

/**
 * The acting user changes their own password, proving the current one. Every other session of
 * theirs is revoked (the one making the change, if any, is kept).
 */
export async function changeOwnPassword(
  trx: Tx,
  {
    ctx,
    currentPassword,
    newPassword,
    keepSessionHash,
  }: { ctx: RequestContext; currentPassword: string; newPassword: string; keepSessionHash?: string | null },
) {
  // Self-service: everyone, auditors included, keeps their own credentials.
  const userId = actingUserId(ctx);
  const row = await loadUser(trx, userId);
  if (!(await verifyPassword(currentPassword, row.password_hash))) {
    throw new AppError('validation_failed', 'currentPassword: is wrong', { field: 'currentPassword' });
  }
  validatePassword(newPassword, 'newPassword');
  if (newPassword === currentPassword) {
    throw new AppError('validation_failed', 'newPassword: must differ from the current password', { field: 'newPassword' });
  }
  const version = await touchUser(trx, row, { password_hash: await hashPassword(newPassword, ctx.policies.passwordHashCost) });
  let revoke = trx
    .updateTable('sessions')
    .set({ revoked_at: new Date().toISOString() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keepSessionHash) revoke = revoke.where('id_hash', '!=', keepSessionHash);
  const revoked = await revoke.executeTakeFirst();
  await appendEvent(trx, ctx, {
    type: 'user.password_changed',
    subject: { type: 'user', id: userId, version },
    data: { sessionsRevoked: Number(revoked.numUpdatedRows) },
  });
  return { version };
}

export interface NewUser {
  email: string;
  displayName: string;
  password?: string | null;
  roles?: Role[];
}

/** Admins (and the system actor) create users; without a password the user cannot sign in by
 * password until one is set. `reason` says why, when Proofline creates one itself (single sign-on). */
export async function createUser(trx: Tx, { ctx, user, reason }: { ctx: RequestContext; user: NewUser; reason?: string | null }) {
  requireAdmin(ctx, 'create users');
  const now = new Date().toISOString();
  const email = user.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email))
    throw new AppError('validation_failed', `email: "${email}" is not an email address`, { field: 'email' });
  const displayName = user.displayName.trim();
  if (displayName === '') throw new AppError('validation_failed', 'displayName: must not be blank', { field: 'displayName' });
  if (user.password) validatePassword(user.password);
  const existing = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw new AppError('conflict', `a user with email ${email} exists`, { field: 'email' });
  const id = randomUUID();
  const passwordHash = user.password ? await hashPassword(user.password, ctx.policies.passwordHashCost) : null;
  await trx
    .insertInto('users')
    .values({
      id,
      email,
      display_name: displayName,
      password_hash: passwordHash,
      status: 'active',
      locked_until: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const roles = [...new Set(user.roles ?? [])].sort();
  if (roles.length > 0) {
    await trx
      .insertInto('user_roles')
      .values(roles.map((role) => ({ user_id: id, role, scope: '', granted_at: now, granted_by: ctx.actor.userId })))
      .execute();
  }
  await appendEvent(trx, ctx, {
    type: 'user.created',
    subject: { type: 'user', id, version: 1 },
    after: { email, displayName, roles, status: 'active', hasPassword: passwordHash !== null },
    ...(reason ? { reason } : {}),
  });
  return { id, email, displayName, roles, status: 'active' as const };
}

/** On an empty database: create the first admin. Returns the one-time password when generated. */
export async function ensureAdmin(
  store: { transact: <T>(fn: (trx: Tx) => Promise<T>) => Promise<T>; db: Kysely<Database> },
  { email, password }: { email: string | null; password: string | null },
): Promise<{ created: false } | { created: true; email: string; password: string | null }> {
  return store.transact(async (trx) => {
    const any = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return { created: false as const };
    const adminEmail = email ?? 'admin@proofline.local';
    const oneTime = password ? null : generatePassword();
    await createUser(trx, {
      ctx: systemContext('bootstrap'),
      user: { email: adminEmail, displayName: 'Administrator', password: password ?? oneTime, roles: ['admin'] },
    });
    return { created: true as const, email: adminEmail, password: oneTime };
  });
}
