// Sign-in, sign-out and who-am-I. Sessions travel in an HttpOnly SameSite cookie; writes made with
// the cookie need the X-CSRF-Token header returned here.
import { SESSION_COOKIE } from '../../server/access.js';
import { type App, type AppDeps, errorResponses, requestContext } from '../../server/http.js';
import { AppError } from '../../errors.js';
import { systemContext } from '../../context.js';
import { actorFromSession } from './actors.js';
import { LoginBody, SessionView } from './auth.schema.js';
import { login, logout } from './auth.service.js';

export function authRoutes(app: App, { store, config }: AppDeps) {
  app.post(
    '/api/v1/auth/login',
    {
      schema: { tags: ['auth'], body: LoginBody, response: { 200: SessionView, ...errorResponses } },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      const ctx = { ...systemContext(String(req.id)), sourceAddress: req.ip };
      const result = await store.transact((trx) =>
        login(trx, { ctx, email: req.body.email, password: req.body.password, ttlMinutes: config.sessionTtlMinutes }),
      );
      if (result instanceof AppError) throw result;
      reply.setCookie(SESSION_COOKIE, result.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.cookieSecure,
        expires: new Date(result.expiresAt),
      });
      return { user: result.user, csrfToken: result.csrfToken, expiresAt: result.expiresAt };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'] }, config: { access: { roles: 'any', scope: 'read' } } },
    async (req, reply) => {
      const sessionId = req.cookies[SESSION_COOKIE];
      const session = sessionId ? await actorFromSession(store.db, sessionId) : null;
      if (!session) throw new AppError('validation_failed', 'sign-out applies to a browser session, not an API token');
      await store.transact((trx) => logout(trx, { ctx: requestContext(req), sessionIdHash: session.sessionIdHash }));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );
}
