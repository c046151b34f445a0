// A real OpenID provider on loopback (oidc-provider), for single sign-on tests: one confidential
// client that must use PKCE, accounts whose claims a test sets and changes, and a login step that
// signs in whichever account the test names next (no login form: the interaction is finished at once).
import http from 'node:http';
import Provider, { type ProviderContext } from 'oidc-provider';
import { freePort } from './pg.js';

export const OIDC_CLIENT_ID = 'proofline-test';
export const OIDC_CLIENT_SECRET = 'a client secret for the test provider';

export interface TestOidcProvider {
  issuer: string;
  /** account id -> the claims the provider asserts for it (email, email_verified, groups, ...). */
  accounts: Map<string, Record<string, unknown>>;
  /** The account the next login interaction signs in. */
  signInAs(accountId: string): void;
  close(): Promise<void>;
}

/** Starts the provider; `redirectUri` is the Proofline callback the client may return to. */
export async function startOidcProvider(redirectUri: string): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, Record<string, unknown>>();
  let next = '';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    cookies: { keys: ['a cookie key for the test provider'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // Consent is not what these tests are about: every sign-in is granted the scopes asked for.
    async loadExistingGrant(ctx: ProviderContext) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx: unknown, id: string) {
      const claims = accounts.get(id);
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
    },
  });
  const handle = provider.callback();
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return handle(req, res);
    void (async () => {
      await provider.interactionDetails(req, res);
      await provider.interactionFinished(req, res, { login: { accountId: next } }, { mergeWithLastSubmission: false });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    accounts,
    signInAs(accountId) {
      next = accountId;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
