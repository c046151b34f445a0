// Sign-in, sign-out and who-am-I. Sessions travel in an HttpOnly SameSite cookie; writes made with
// the cookie need the X-CSRF-Token header returned here. Sign-in attempts are limited per source
// address (across instances on PostgreSQL, in memory on SQLite) besides the per-account lockout in
// the login use case.
import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import { systemContext } from '../context.js';
import { AppError } from '../errors.js';
import { actorOf, SESSION_COOKIE } from '../server/access.js';
import { type App, type AppDeps, ErrorRef, errorResponses, NoContent, requestContext } from '../server/http.js';
import { enforceRateLimit, SlidingWindowLimiter } from '../server/rate-limit.js';
import { actorFromSession } from './actors.js';
import { LoginBody, SessionView, SignInMethodsView, WhoAmIView } from './auth.schema.js';
import { type LoginResult, login, logout } from './auth.service.js';

export const LOGIN_ATTEMPTS_PER_MINUTE = 20;

/** The session cookie, as every way of signing in sets it. */
export function setSessionCookie(reply: FastifyReply, config: Config, session: LoginResult): void {
  reply.setCookie(SESSION_COOKIE, session.sessionId, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: config.cookieSecure,
    expires: new Date(session.expiresAt),
  });
}

export function authRoutes(app: App, { store, config }: AppDeps) {
  const loginLimiter = new SlidingWindowLimiter(LOGIN_ATTEMPTS_PER_MINUTE, 60_000);

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        operationId: 'login',
        summary: 'Sign in with email and password',
        tags: ['auth'],
        body: LoginBody,
        response: { 200: SessionView, ...errorResponses, 423: ErrorRef, 429: ErrorRef },
        description: 'Refused with 403 `password_sign_in_disabled` when PROOFLINE_PASSWORD_SIGNIN=off.',
      },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      if (!config.passwordSignIn) {
        throw new AppError('password_sign_in_disabled', 'password sign-in is switched off here; sign in with single sign-on');
      }
      await enforceRateLimit(loginLimiter, req, reply, 'sign-in attempts');
      const ctx = { ...systemContext(String(req.id), req.server.policies), sourceAddress: req.ip };
      const result = await store.transact((trx) =>
        login(trx, { ctx, email: req.body.email, password: req.body.password, ttlMinutes: config.sessionTtlMinutes }),
      );
      if (result instanceof AppError) throw result;
      setSessionCookie(reply, config, result);
      return { user: result.user, csrfToken: result.csrfToken, expiresAt: result.expiresAt };
    },
  );

  app.get(
    '/api/v1/auth/methods',
    {
      schema: {
        operationId: 'getSignInMethods',
        summary: 'How people sign in here: password, single sign-on, or both',
        tags: ['auth'],
        response: { 200: SignInMethodsView },
      },
      config: { access: { public: true } },
    },
    async () => ({
      password: config.passwordSignIn,
      sso: config.oidc === null ? null : { loginUrl: '/api/v1/auth/oidc/login' },
    }),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        operationId: 'logout',
        summary: 'Sign out: end the cookie session',
        tags: ['auth'],
        response: { 204: NoContent, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req, reply) => {
      const sessionId = req.cookies[SESSION_COOKIE];
      const session = sessionId ? await actorFromSession(store.db, sessionId) : null;
      if (!session) throw new AppError('validation_failed', 'sign-out applies to a browser session, not an API token');
      await store.transact((trx) => logout(trx, { ctx: requestContext(req), sessionIdHash: session.sessionIdHash }));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      schema: {
        operationId: 'getSession',
        summary: 'Who is signed in, and how',
        tags: ['auth'],
        response: { 200: WhoAmIView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req) => {
      const actor = actorOf(req);
      const base = {
        user: { id: actor.userId ?? '', email: actor.email ?? '', displayName: actor.displayName ?? '' },
        roles: actor.roles,
        systemRoles: actor.systemRoles,
      };
      if (actor.kind === 'token') return { ...base, authenticatedBy: 'token' as const, tokenId: actor.tokenId, scopes: actor.scopes };
      const session = await actorFromSession(store.db, req.cookies[SESSION_COOKIE] ?? '');
      if (!session) throw new AppError('unauthenticated', 'the session ended; sign in again');
      return { ...base, authenticatedBy: 'session' as const, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
    },
  );
}
