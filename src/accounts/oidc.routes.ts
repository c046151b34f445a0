// Single sign-on (OpenID Connect): the login redirect to the provider and the callback that signs
// the person in. The started flow (state, nonce, PKCE verifier, return path) travels in a signed,
// HttpOnly, ten-minute cookie scoped to these routes; SameSite=Lax so that the provider's redirect
// back (a cross-site navigation) carries it. Without PROOFLINE_OIDC_ISSUER both answer 404. A refused
// callback sends a browser back to the sign-in page with the code (/login?error=CODE); API clients get JSON.
import { Type } from 'typebox';
import { systemContext } from '../context.js';
import { AppError } from '../errors.js';
import { type App, type AppDeps, ErrorRef, errorResponses } from '../server/http.js';
import { enforceRateLimit, SlidingWindowLimiter } from '../server/rate-limit.js';
import { setSessionCookie } from './auth.routes.js';
import { OIDC_FLOW_COOKIE, OIDC_FLOW_MINUTES, type OidcRelyingParty } from './oidc.client.js';
import { signInWithSso } from './oidc.service.js';

export const SSO_CALLBACKS_PER_MINUTE = 20;
const FLOW_COOKIE_PATH = '/api/v1/auth/oidc';

const LoginQuery = Type.Object(
  {
    returnTo: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: 'a path of the web UI to return to, e.g. /systems' }),
    ),
  },
  { additionalProperties: false },
);

// What a provider adds to its answer (iss, session_state, ...) varies: extra parameters are let through.
const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    state: Type.Optional(Type.String({ maxLength: 1024 })),
    error: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: true },
);

// Redirects only; any other answer (the statuses listed, and `default`) is an error.
const Redirect = Type.Null({ description: 'A redirect; the Location header says where' });

/** Only a path of this site: `/x`, never `//host`, `/\host` or a URL with a scheme. */
export function isRelativePath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') && ![...path].some((c) => c.charCodeAt(0) < 0x20);
}

/** The callback's refusals that the web UI's sign-in page explains (web/src/routes/login.tsx). */
export const SIGN_IN_PAGE_CODES: ReadonlySet<string> = new Set([
  'sso_state_invalid',
  'sso_provider_error',
  'sso_email_unverified',
  'sso_role_unmapped',
  'account_deactivated',
]);

/** A browser's navigation asks for HTML first; fetch and API clients ask for JSON or anything. */
export function wantsHtml(accept: string | undefined): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept ?? '');
}

export function oidcRoutes(app: App, { store, config, services }: AppDeps) {
  const callbackLimiter = new SlidingWindowLimiter(SSO_CALLBACKS_PER_MINUTE, 60_000);
  const relyingParty = (): OidcRelyingParty => {
    if (!services.oidc) throw new AppError('sso_not_configured', 'single sign-on is not configured on this server');
    return services.oidc;
  };

  app.get(
    '/api/v1/auth/oidc/login',
    {
      schema: {
        operationId: 'startSsoSignIn',
        summary: 'Sign in with single sign-on: redirects to the identity provider',
        tags: ['auth'],
        querystring: LoginQuery,
        response: { 302: Redirect, ...errorResponses, 502: ErrorRef, default: ErrorRef },
      },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      const rp = relyingParty();
      const returnTo = req.query.returnTo ?? '/';
      if (!isRelativePath(returnTo)) {
        throw new AppError('validation_failed', 'returnTo: must be a path of this site, starting with a single /', {
          field: 'querystring.returnTo',
        });
      }
      const { url, flow } = await rp.startSignIn(returnTo);
      reply.setCookie(OIDC_FLOW_COOKIE, rp.sealFlow(flow), {
        path: FLOW_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        maxAge: OIDC_FLOW_MINUTES * 60,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    {
      schema: {
        operationId: 'finishSsoSignIn',
        summary: 'Where the identity provider returns: signs the person in and redirects to the web UI',
        description:
          'A refusal (sso_state_invalid, sso_provider_error, sso_email_unverified, sso_role_unmapped, account_deactivated) ' +
          'answers a browser navigation (`Accept: text/html`) with a 303 to `/login?error=<code>`, which the sign-in page ' +
          'explains; any other client gets the JSON error.',
        tags: ['auth'],
        querystring: CallbackQuery,
        response: { 303: Redirect, ...errorResponses, 429: ErrorRef, 502: ErrorRef, default: ErrorRef },
      },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      const rp = relyingParty();
      await enforceRateLimit(callbackLimiter, req, reply, 'sign-in attempts');
      // One use: whatever happens next, the started flow is spent.
      const flow = rp.openFlow(req.cookies[OIDC_FLOW_COOKIE]);
      reply.clearCookie(OIDC_FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
      try {
        if (!flow || req.query.state !== flow.state) {
          throw new AppError('sso_state_invalid', 'this sign-in was not started here, or took too long; start it again', {
            cookie: flow ? 'present' : 'missing or expired',
          });
        }
        const identity = await rp.finishSignIn(new URLSearchParams(req.url.split('?')[1] ?? ''), flow);
        const ctx = { ...systemContext(String(req.id), req.server.policies), sourceAddress: req.ip };
        const oidc = rp.config;
        const result = await store.transact((trx) => signInWithSso(trx, { ctx, identity, oidc, ttlMinutes: config.sessionTtlMinutes }));
        setSessionCookie(reply, config, result);
        return reply.redirect(flow.returnTo, 303);
      } catch (error) {
        // A browser landing here gets the sign-in page with the code, which it explains; an API client keeps the JSON error.
        if (error instanceof AppError && SIGN_IN_PAGE_CODES.has(error.code) && wantsHtml(req.headers.accept)) {
          req.log.info({ code: error.code, message: error.message }, 'single sign-on refused; back to the sign-in page');
          return reply.redirect(`/login?error=${encodeURIComponent(error.code)}`, 303);
        }
        throw error;
      }
    },
  );
}
