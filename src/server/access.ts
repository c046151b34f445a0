// Every route declares who may call it (`config.access`); one hook enforces it. A route under
// /api without a declaration refuses to register, so nothing is open by accident.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cachedActorFromToken, rememberedActorFromSession, rememberedActorFromToken } from '../accounts/actors.js';
import { type Actor, hasRole, type Role, type TokenScope } from '../context.js';
import type { CallerCheck, Store } from '../db/store.js';
import { AppError } from '../errors.js';
import { admitGrantHolder, isGrantHolder } from '../modules/auditor-grants/grant-access.js';

export type Access =
  /** Anyone, no credentials needed. */
  | { public: true }
  /** A signed-in caller holding any of `roles` (globally or for some system), or any signed-in
   * caller ('any'); a token also needs `scope`. */
  | { roles: readonly Role[] | 'any'; selfService?: true; scope: TokenScope | readonly TokenScope[] };

export const SESSION_COOKIE = 'pl_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Hot read paths only: reuse a resolved API token for this long (revocation lags by as much). */
    actorCacheMs?: number;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** Set when the caller was taken from memory unchecked (server/caller-check.ts). */
    callerCheck: CallerCheck | null;
    /** The caller is being resolved again, from the database, after its check failed. */
    callerRechecked: boolean;
  }
}

function holdsAny(actor: Actor, roles: readonly Role[]): boolean {
  if (hasRole(actor, ...roles)) return true;
  return Object.values(actor.systemRoles).some((held) => held.some((r) => roles.includes(r)));
}

/** `needed` as a list: any one of them will do (e.g. the runtime status takes ingest or read). */
function scopeAllows(scopes: readonly TokenScope[], needed: TokenScope | readonly TokenScope[]): boolean {
  if (typeof needed !== 'string') return needed.some((one) => scopeAllows(scopes, one));
  if (scopes.includes(needed)) return true;
  return needed === 'read' && scopes.includes('write');
}

/** An ingest route: the systems that report (decision records) write through it with machine
 * tokens. Its only scope is `ingest`; a session cookie never reaches it. */
export function isIngest(access: Access): boolean {
  return !('public' in access) && [access.scope].flat().every((scope) => scope === 'ingest');
}

/** A route that changes things: its token scope is `write`, or it is an ingest route. */
export function isWrite(access: Access): boolean {
  return !('public' in access) && ([access.scope].flat().includes('write') || isIngest(access));
}

/** Auditors read everything and change nothing: a caller whose only role is auditor may not write,
 * even on routes open to any signed-in person (e.g. a named approver who holds no role). */
export function isOnlyAuditor(actor: Actor): boolean {
  const systemRoles = Object.values(actor.systemRoles).flat();
  return actor.roles.includes('auditor') && actor.roles.every((r) => r === 'auditor') && systemRoles.length === 0;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function makeAccessHook(store: Store) {
  return async function enforceAccess(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      await resolveAndAdmit(req, reply);
    } catch (error) {
      // A refusal of a caller taken from memory unchecked may be stale (a role granted since):
      // it is decided again on the caller as the database has it now.
      if (!req.callerCheck) throw error;
      req.callerRechecked = true;
      await resolveAndAdmit(req, reply);
    }
  };

  async function resolveAndAdmit(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    req.actor = null;
    req.callerCheck = null;
    const access = req.routeOptions.config.access;
    if (!access) return; // non-API routes (health, docs) declare nothing and need nothing
    // PostgreSQL writes: a remembered caller is taken without reading the auth epoch; the request's
    // first write checks the epoch in its own first message (server/caller-check.ts).
    const remember =
      store.dialect === 'postgres' && !req.callerRechecked && !SAFE_METHODS.has(req.method) && isWrite(access)
        ? {
            uncheckedFromMemory: (epoch: number) => {
              req.callerCheck = { epoch, checked: false, moved: false, active: true };
            },
          }
        : undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Bearer ')) {
      const raw = authz.slice('Bearer '.length).trim();
      const cacheMs = req.routeOptions.config.actorCacheMs;
      req.actor = cacheMs ? await cachedActorFromToken(store.db, raw, cacheMs) : await rememberedActorFromToken(store.db, raw, remember);
      if (!req.actor) throw new AppError('unauthenticated', 'the API token is invalid, expired or revoked');
    } else {
      const sessionId = req.cookies[SESSION_COOKIE];
      if (sessionId) {
        const session = await rememberedActorFromSession(store.db, sessionId, remember);
        if (session) {
          req.actor = session.actor;
          if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
            if ('public' in access) req.actor = null;
            else throw new AppError('csrf_failed', 'cookie-authenticated writes need the X-CSRF-Token header from the login answer');
          }
        }
      }
    }
    // A child logger costs a few microseconds: skip it when logging is off (hot paths, benchmarks).
    if (req.actor && req.log.level !== 'silent') req.log = req.log.child({ user: req.actor.email, token: req.actor.tokenId });
    if ('public' in access) return;
    if (!req.actor) throw new AppError('unauthenticated', 'sign in or send an API token');
    if (isGrantHolder(req.actor)) {
      // An external auditor: the grant's list of routes replaces the roles (default-deny); a copy of
      // the actor names the grant, so a cached token actor is never changed.
      const grant = await admitGrantHolder(store.db, req, req.actor);
      if (grant) req.actor = { ...req.actor, auditorGrantId: grant.id };
      if (req.actor.kind === 'token' && !scopeAllows(req.actor.scopes ?? [], access.scope)) {
        throw new AppError('insufficient_scope', 'this API token lacks the scope', { required: access.scope });
      }
      return;
    }
    if (isIngest(access) && req.actor.kind !== 'token') {
      throw new AppError('token_required', 'this route takes an API token with the ingest scope, not a signed-in session');
    }
    if (access.roles !== 'any' && !holdsAny(req.actor, access.roles)) {
      throw new AppError('forbidden', `this needs one of the roles: ${access.roles.join(', ')}`, { required: access.roles });
    }
    if (isWrite(access) && !access.selfService && isOnlyAuditor(req.actor)) {
      throw new AppError('forbidden', 'auditors read everything and change nothing');
    }
    if (req.actor.kind === 'token' && !scopeAllows(req.actor.scopes ?? [], access.scope)) {
      const required = typeof access.scope === 'string' ? access.scope : access.scope.join('" or "');
      throw new AppError('insufficient_scope', `this API token lacks the "${required}" scope`, { required: access.scope });
    }
  }
}

/** The actor of a request whose route required sign-in. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthenticated', 'sign in or send an API token');
  return req.actor;
}
