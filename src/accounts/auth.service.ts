// Signing in (with lockout), sessions and API tokens. Users themselves are users.service.ts.
import { randomBytes } from 'node:crypto';
import { hasRole, mayWrite, type RequestContext, TOKEN_SCOPES, type TokenScope } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { sha256Hex } from './actors.js';
import { verifyPassword } from './passwords.js';
import { isAdmin, requireWriter } from './users.policy.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export interface LoginResult {
  sessionId: string;
  csrfToken: string;
  expiresAt: string;
  user: { id: string; email: string; displayName: string };
}

export interface CheckedUser {
  id: string;
  email: string;
  display_name: string;
}

/** Checks a person's password, as sign-in does and for the command line's --password-stdin. A
 * failure is returned, not thrown, so that its ledger event and the lockout count commit; enough
 * failures lock the account for a while. Success clears the count. */
export async function checkPassword(
  trx: Tx,
  { ctx, email, password, now = new Date() }: { ctx: RequestContext; email: string; password: string; now?: Date },
): Promise<CheckedUser | AppError> {
  const normalized = email.trim().toLowerCase();
  const user = await trx
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'password_hash', 'status', 'failed_logins', 'locked_until'])
    .where('email', '=', normalized)
    .executeTakeFirst();
  const subject = { type: 'user', id: user?.id ?? `email:${normalized}` };
  if (user?.locked_until && user.locked_until > now.toISOString()) {
    await appendEvent(trx, ctx, { type: 'auth.login_failed', subject, data: { email: normalized, reason: 'locked' } });
    return new AppError('account_locked', `too many failed sign-ins; try again after ${user.locked_until}`, {
      lockedUntil: user.locked_until,
    });
  }
  const ok = user !== undefined && user.status === 'active' && (await verifyPassword(password, user.password_hash));
  if (!ok) {
    if (user) {
      const failed = user.failed_logins + 1;
      const lockedUntil = failed >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000).toISOString() : null;
      await trx
        .updateTable('users')
        .set({ failed_logins: lockedUntil ? 0 : failed, locked_until: lockedUntil })
        .where('id', '=', user.id)
        .execute();
      if (lockedUntil) await appendEvent(trx, ctx, { type: 'auth.locked_out', subject, data: { until: lockedUntil } });
    }
    await appendEvent(trx, ctx, { type: 'auth.login_failed', subject, data: { email: normalized } });
    return new AppError('invalid_credentials', 'email or password is wrong');
  }
  await trx.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
  return { id: user.id, email: user.email, display_name: user.display_name };
}

/** Signs in: checks the password (lockout included), then opens a session. */
export async function login(
  trx: Tx,
  { ctx, email, password, ttlMinutes }: { ctx: RequestContext; email: string; password: string; ttlMinutes: number },
): Promise<LoginResult | AppError> {
  const now = new Date();
  const user = await checkPassword(trx, { ctx, email, password, now });
  if (user instanceof AppError) return user;
  return openSession(trx, { ctx, user, ttlMinutes, now });
}

/** Opens a browser session for a person already proven (by password, or by single sign-on, whose
 * `method` the auth.login event then names): the session row, its CSRF token, the ledger event. */
export async function openSession(
  trx: Tx,
  {
    ctx,
    user,
    ttlMinutes,
    now = new Date(),
    method,
  }: { ctx: RequestContext; user: CheckedUser; ttlMinutes: number; now?: Date; method?: Record<string, unknown> },
): Promise<LoginResult> {
  const subject = { type: 'user', id: user.id };
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000).toISOString();
  await trx
    .insertInto('sessions')
    .values({
      id_hash: sha256Hex(sessionId),
      user_id: user.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      source_address: ctx.sourceAddress,
    })
    .execute();
  const actorCtx: RequestContext = {
    ...ctx,
    actor: { kind: 'user', userId: user.id, email: user.email, displayName: user.display_name, roles: [], systemRoles: {} },
  };
  await appendEvent(trx, actorCtx, { type: 'auth.login', subject, data: { expiresAt, ...method } });
  return { sessionId, csrfToken, expiresAt, user: { id: user.id, email: user.email, displayName: user.display_name } };
}

export async function logout(trx: Tx, { ctx, sessionIdHash }: { ctx: RequestContext; sessionIdHash: string }) {
  await trx
    .updateTable('sessions')
    .set({ revoked_at: new Date().toISOString() })
    .where('id_hash', '=', sessionIdHash)
    .where('revoked_at', 'is', null)
    .execute();
  await appendEvent(trx, ctx, { type: 'auth.logout', subject: { type: 'user', id: ctx.actor.userId ?? 'unknown' } });
}

export interface NewToken {
  userId: string;
  name: string;
  scopes: TokenScope[];
  expiresInDays: number;
}

export const MAX_TOKEN_DAYS = 365;

function validateNewToken(ctx: RequestContext, token: NewToken): void {
  if (!Number.isInteger(token.expiresInDays) || token.expiresInDays < 1 || token.expiresInDays > MAX_TOKEN_DAYS) {
    throw new AppError('validation_failed', `expiresInDays: must be a whole number from 1 to ${MAX_TOKEN_DAYS}`, {
      field: 'expiresInDays',
    });
  }
  if (token.name.trim() === '') throw new AppError('validation_failed', 'name: must not be blank', { field: 'name' });
  const unknown = token.scopes.filter((s) => !TOKEN_SCOPES.includes(s));
  if (token.scopes.length === 0 || unknown.length > 0) {
    throw new AppError('validation_failed', `scopes: give one or more of ${TOKEN_SCOPES.join(', ')}`, { field: 'scopes', unknown });
  }
  // A token must not mint a token that can do more than itself.
  const own = ctx.actor.kind === 'token' ? (ctx.actor.scopes ?? []) : null;
  if (own && token.scopes.some((s) => !own.includes(s))) {
    throw new AppError('insufficient_scope', 'an API token cannot create a token with scopes it lacks', { scopes: own });
  }
}

/** Who may change nothing (an auditor) may still hold a token to read with: an auditor creates
 * their own read-only tokens, and nothing more; an account with no role creates none. */
function requireReadOnlyToken(ctx: RequestContext, token: NewToken): void {
  if (!hasRole(ctx.actor, 'auditor')) requireWriter(ctx);
  // ledger:stream only reads too: an auditor may hand a SIEM a token that follows the ledger.
  if (token.scopes.some((scope) => scope !== 'read' && scope !== 'ledger:stream')) {
    throw new AppError('forbidden', 'an auditor creates read-only tokens: scopes must be "read" or "ledger:stream"', {
      field: 'scopes',
      allowed: ['read', 'ledger:stream'],
    });
  }
}

/** Creates an API token; the secret is returned once and only its hash is kept. Users create their
 * own tokens; admins (and the system actor, for the CLI) create them for anyone. */
export async function createApiToken(trx: Tx, { ctx, token }: { ctx: RequestContext; token: NewToken }) {
  if (!isAdmin(ctx.actor)) {
    if (!mayWrite(ctx.actor)) requireReadOnlyToken(ctx, token);
    if (ctx.actor.userId !== token.userId) throw new AppError('forbidden', 'only an admin may create tokens for someone else');
  }
  validateNewToken(ctx, token);
  const user = await trx.selectFrom('users').select(['id', 'status']).where('id', '=', token.userId).executeTakeFirst();
  if (!user) throw new AppError('not_found', `user ${token.userId} does not exist`);
  if (user.status !== 'active') throw new AppError('invalid_transition', 'a deactivated user cannot get new tokens');
  const id = randomBytes(9).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const now = new Date();
  const expiresAt = new Date(now.getTime() + token.expiresInDays * 86_400_000).toISOString();
  const scopes = [...new Set(token.scopes)].sort();
  await trx
    .insertInto('api_tokens')
    .values({
      id,
      user_id: token.userId,
      name: token.name.trim(),
      secret_hash: sha256Hex(secret),
      scopes: scopes.join(','),
      created_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  await appendEvent(trx, ctx, {
    type: 'token.created',
    subject: { type: 'api_token', id },
    after: { userId: token.userId, name: token.name, scopes, expiresAt },
  });
  return { id, token: `plt_${id}_${secret}`, name: token.name, scopes, expiresAt };
}

/** Revokes a token at once; its owner or an admin may. */
export async function revokeApiToken(trx: Tx, { ctx, tokenId, reason }: { ctx: RequestContext; tokenId: string; reason?: string | null }) {
  const token = await trx
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'name', 'revoked_at'])
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (!token) throw new AppError('not_found', `API token ${tokenId} does not exist`, { resource: 'api_token', id: tokenId });
  if (!isAdmin(ctx.actor)) {
    if (!hasRole(ctx.actor, 'auditor')) requireWriter(ctx);
    if (ctx.actor.userId !== token.user_id) throw new AppError('forbidden', 'only an admin may revoke tokens of someone else');
  }
  if (token.revoked_at !== null) throw new AppError('invalid_transition', `API token ${tokenId} was revoked at ${token.revoked_at}`);
  const revokedAt = new Date().toISOString();
  await trx.updateTable('api_tokens').set({ revoked_at: revokedAt }).where('id', '=', tokenId).execute();
  await appendEvent(trx, ctx, {
    type: 'token.revoked',
    subject: { type: 'api_token', id: tokenId },
    before: { revokedAt: null },
    after: { revokedAt },
    reason: reason ?? null,
    data: { userId: token.user_id, name: token.name },
  });
  return { id: tokenId, revokedAt };
}
