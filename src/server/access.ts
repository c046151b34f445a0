// Every route declares who may call it (`config.access`); one hook enforces it. A route under
// /api without a declaration refuses to register, so nothing is open by accident.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, hasRole, type Role, type TokenScope } from '../context.js';
import { AppError } from '../errors.js';
import { actorFromSession, actorFromToken } from '../modules/auth/actors.js';
import type { Store } from '../db/store.js';

export type Access =
  /** Anyone, no credentials needed. */
  | { public: true }
  /** A signed-in caller holding any of `roles` (globally or for some system), or any signed-in
   * caller ('any'); a token also needs `scope`. */
  | { roles: readonly Role[] | 'any'; scope: TokenScope };

export const SESSION_COOKIE = 'pl_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

function holdsAny(actor: Actor, roles: readonly Role[]): boolean {
  if (hasRole(actor, ...roles)) return true;
  return Object.values(actor.systemRoles).some((held) => held.some((r) => roles.includes(r)));
}

function scopeAllows(scopes: readonly TokenScope[], needed: TokenScope): boolean {
  if (scopes.includes(needed)) return true;
  return needed === 'read' && scopes.includes('write');
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function makeAccessHook(store: Store) {
  return async function enforceAccess(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    req.actor = null;
    const access = req.routeOptions.config.access;
    if (!access) return; // non-API routes (health, docs) declare nothing and need nothing
    const authz = req.headers.authorization;
    if (authz?.startsWith('Bearer ')) {
      req.actor = await actorFromToken(store.db, authz.slice('Bearer '.length).trim());
      if (!req.actor) throw new AppError('unauthenticated', 'the API token is invalid, expired or revoked');
    } else {
      const sessionId = req.cookies[SESSION_COOKIE];
      if (sessionId) {
        const session = await actorFromSession(store.db, sessionId);
        if (session) {
          req.actor = session.actor;
          if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
            if ('public' in access) req.actor = null;
            else throw new AppError('csrf_failed', 'cookie-authenticated writes need the X-CSRF-Token header from the login answer');
          }
        }
      }
    }
    if (req.actor) req.log = req.log.child({ user: req.actor.email, token: req.actor.tokenId });
    if ('public' in access) return;
    if (!req.actor) throw new AppError('unauthenticated', 'sign in or send an API token');
    if (access.roles !== 'any' && !holdsAny(req.actor, access.roles)) {
      throw new AppError('forbidden', `this needs one of the roles: ${access.roles.join(', ')}`, { required: access.roles });
    }
    if (req.actor.kind === 'token' && !scopeAllows(req.actor.scopes ?? [], access.scope)) {
      throw new AppError('insufficient_scope', `this API token lacks the "${access.scope}" scope`, { required: access.scope });
    }
  };
}

/** The actor of a request whose route required sign-in. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new AppError('unauthenticated', 'sign in or send an API token');
  return req.actor;
}
