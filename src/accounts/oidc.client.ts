// The relying party of single sign-on (OpenID Connect, authorization code flow with PKCE), through
// openid-client: the provider's metadata (discovered once, on first use), the authorization URL,
// and the callback's code exchange and ID token validation. What the person may then do is the use
// case's (oidc.service.ts); this file only establishes who the provider says they are.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as OpenIdClient from 'openid-client';
import type { OidcConfig } from '../config.js';
import { AppError } from '../errors.js';

/** How long a started sign-in may take at the provider before its cookie expires. */
export const OIDC_FLOW_MINUTES = 10;
export const OIDC_FLOW_COOKIE = 'pl_oidc';

/** What the browser carries between the login redirect and the callback (signed, HttpOnly). */
export interface OidcFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

/** Who the provider says signed in, from the validated ID token (and the userinfo endpoint). */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

export interface OidcRelyingParty {
  readonly config: OidcConfig;
  /** Starts a sign-in: the provider's authorization URL, and the flow to keep in the cookie. */
  startSignIn(returnTo: string, now?: Date): Promise<{ url: string; flow: OidcFlow }>;
  /** Completes a sign-in from the callback's query string and the flow the cookie carried. */
  finishSignIn(query: URLSearchParams, flow: OidcFlow): Promise<OidcIdentity>;
  /** The flow as a cookie value, signed; and back (null: missing, forged or expired). */
  sealFlow(flow: OidcFlow): string;
  openFlow(value: string | undefined, now?: Date): OidcFlow | null;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** openid-client is loaded with the first sign-in: a server without single sign-on never loads it. */
let library: Promise<typeof OpenIdClient> | null = null;
const openIdClient = () => {
  library ??= import('openid-client');
  return library;
};

/** Builds the relying party; nothing is fetched until the first sign-in (a provider that is down
 * at start-up must not keep Proofline down). A failed discovery is retried on the next sign-in. */
export function createOidcRelyingParty(config: OidcConfig): OidcRelyingParty {
  // The cookie's key, derived from the client secret so that every instance of a cluster shares it.
  const cookieKey = createHmac('sha256', 'proofline oidc sign-in cookie').update(config.clientSecret).digest();
  let discovered: Promise<OpenIdClient.Configuration> | null = null;

  const providerConfig = () => {
    if (!discovered) {
      const issuer = new URL(config.issuer);
      discovered = openIdClient()
        .then((client) => {
          const execute = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? [client.allowInsecureRequests] : [];
          return client.discovery(
            issuer,
            config.clientId,
            { redirect_uris: [config.redirectUrl] },
            client.ClientSecretBasic(config.clientSecret),
            { execute },
          );
        })
        .catch((error: unknown) => {
          discovered = null;
          throw providerError('the identity provider could not be reached or described itself wrongly', error);
        });
    }
    return discovered;
  };

  const sign = (payload: string) => createHmac('sha256', cookieKey).update(payload).digest('base64url');

  return {
    config,
    async startSignIn(returnTo, now = new Date()) {
      const provider = await providerConfig();
      const client = await openIdClient();
      const flow: OidcFlow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo,
        expiresAt: now.getTime() + OIDC_FLOW_MINUTES * 60_000,
      };
      const url = client.buildAuthorizationUrl(provider, {
        redirect_uri: config.redirectUrl,
        scope: config.scopes,
        response_type: 'code',
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, flow };
    },

    async finishSignIn(query, flow) {
      const provider = await providerConfig();
      const client = await openIdClient();
      const currentUrl = new URL(config.redirectUrl);
      currentUrl.search = query.toString();
      try {
        const tokens = await client.authorizationCodeGrant(provider, currentUrl, {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (!idClaims) throw new AppError('sso_provider_error', 'the identity provider sent no ID token');
        // Some providers put the profile claims in the ID token, others only behind userinfo.
        const userinfo = provider.serverMetadata().userinfo_endpoint
          ? await client.fetchUserInfo(provider, tokens.access_token, idClaims.sub)
          : {};
        return { issuer: idClaims.iss, subject: idClaims.sub, claims: { ...userinfo, ...idClaims } };
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw providerError('the identity provider refused the sign-in, or its answer did not validate', error);
      }
    },

    sealFlow(flow) {
      const payload = Buffer.from(JSON.stringify(flow)).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },

    openFlow(value, now = new Date()) {
      const [payload, signature, ...rest] = (value ?? '').split('.');
      if (!payload || !signature || rest.length > 0) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const flow = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as OidcFlow;
        return typeof flow.expiresAt === 'number' && flow.expiresAt > now.getTime() ? flow : null;
      } catch {
        return null;
      }
    },
  };
}

/** The provider's own words (an `error` parameter, an error body) are kept; a stack is not. */
function providerError(message: string, error: unknown): AppError {
  const details: Record<string, unknown> = {};
  // openid-client's AuthorizationResponseError and ResponseBodyError carry the provider's
  // `error` and `error_description` (matched by shape: the library itself loads on first use).
  const fromProvider = error as { error?: unknown; error_description?: unknown } | null;
  if (error instanceof Error && typeof fromProvider?.error === 'string') {
    details.providerError = fromProvider.error;
    if (typeof fromProvider.error_description === 'string' && fromProvider.error_description)
      details.providerDescription = fromProvider.error_description;
  } else if (error instanceof Error) {
    details.cause = error.message;
  }
  return new AppError('sso_provider_error', message, details);
}
