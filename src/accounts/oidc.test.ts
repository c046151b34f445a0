// Single sign-on against a real OpenID provider (oidc-provider on loopback): the whole browser
// flow, driven by hand (redirects followed, cookies carried), on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startOidcProvider, type TestOidcProvider } from '../../test/oidc-provider.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { ConfigError, loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { deactivateUser } from './users.service.js';

const PUBLIC_URL = 'http://localhost:8080';
const CALLBACK = `${PUBLIC_URL}/api/v1/auth/oidc/callback`;
const ROLE_MAP = JSON.stringify({ 'ai-governance': 'governance_lead', 'ai-approvers': 'approver' });

function oidcEnv(issuer: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PROOFLINE_PUBLIC_URL: PUBLIC_URL,
    PROOFLINE_OIDC_ISSUER: issuer,
    PROOFLINE_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
    PROOFLINE_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
    PROOFLINE_OIDC_SCOPES: 'openid email profile groups',
    ...extra,
  };
}

const cookieValue = (setCookie: string | string[] | undefined, name: string): string | null => {
  for (const line of [setCookie ?? []].flat()) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (match) return match[1];
  }
  return null;
};

interface StartedSignIn {
  /** The sealed flow cookie Proofline set. */
  flowCookie: string;
  /** The provider's redirect back: the callback's path and query. */
  callbackPath: string;
}

/** Asks Proofline to start a sign-in, then follows the provider's redirects (carrying its cookies)
 * until it sends the browser back to Proofline's callback. */
async function startAndAuthenticate(t: TestApp, returnTo = '/systems'): Promise<StartedSignIn> {
  const login = await t.call(null, 'GET', `/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`);
  assert.equal(login.statusCode, 302, login.body);
  const flowCookie = cookieValue(login.headers['set-cookie'], 'pl_oidc');
  assert.ok(flowCookie, 'the login sets the flow cookie');
  let location = String(login.headers.location);
  const authorization = new URL(location);
  assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorization.searchParams.get('code_challenge'));
  assert.ok(authorization.searchParams.get('state'));
  assert.ok(authorization.searchParams.get('nonce'));
  const jar = new Map<string, string>();
  for (let hops = 0; hops < 10 && !location.startsWith(CALLBACK); hops++) {
    const res = await fetch(location, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    assert.ok(res.status >= 300 && res.status < 400, `the provider answered ${res.status}: ${await res.text()}`);
    location = new URL(String(res.headers.get('location')), location).href;
  }
  assert.ok(location.startsWith(CALLBACK), `the provider sent the browser back to ${location}`);
  const back = new URL(location);
  return { flowCookie, callbackPath: `${back.pathname}${back.search}` };
}

async function callback(t: TestApp, started: StartedSignIn, flowCookie = started.flowCookie) {
  return t.app.inject({ method: 'GET', url: started.callbackPath, headers: { cookie: `pl_oidc=${flowCookie}` } });
}

/** A whole sign-in as `accountId`; returns the callback's answer. */
async function signIn(t: TestApp, provider: TestOidcProvider, accountId: string) {
  provider.signInAs(accountId);
  return callback(t, await startAndAuthenticate(t));
}

async function sessionOf(t: TestApp, res: { headers: Record<string, unknown> }) {
  const session = cookieValue(res.headers['set-cookie'] as string[], 'pl_session');
  assert.ok(session, 'the callback sets the session cookie');
  const who = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: `pl_session=${session}` } });
  assert.equal(who.statusCode, 200, who.body);
  return who.json();
}

const eventsOf = (t: TestApp, userId: string, type: string) =>
  t.store.db
    .selectFrom('ledger_events')
    .select(['actor_id', 'leaf'])
    .where('subject_id', '=', userId)
    .where('type', '=', type)
    .orderBy('seq')
    .execute();

const userCount = async (t: TestApp) =>
  Number(
    (
      await t.store.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

for (const dialect of DIALECTS) {
  describe(`single sign-on [${dialect}]`, () => {
    let provider: TestOidcProvider;
    let t: TestApp;
    before(async () => {
      provider = await startOidcProvider(CALLBACK);
      t = await createTestApp(
        dialect,
        oidcEnv(provider.issuer, { PROOFLINE_OIDC_ROLE_CLAIM: 'groups', PROOFLINE_OIDC_ROLE_MAP: ROLE_MAP }),
      );
    });
    after(async () => {
      await t.close();
      await provider.close();
    });

    test('the first sign-in provisions the user with the mapped role; the second matches the same account', async () => {
      provider.accounts.set('alice', {
        email: 'Alice.SSO@Example.test',
        email_verified: true,
        name: 'Alice',
        groups: ['ai-governance', 'staff'],
      });
      const first = await signIn(t, provider, 'alice');
      assert.equal(first.statusCode, 303, first.body);
      assert.equal(first.headers.location, '/systems');
      const session = String(first.headers['set-cookie']);
      assert.match(session, /pl_session=[^;]+;.*HttpOnly/);
      assert.match(session, /SameSite=Strict/);
      const who = await sessionOf(t, first);
      assert.equal(who.user.email, 'alice.sso@example.test');
      assert.equal(who.user.displayName, 'Alice');
      assert.deepEqual(who.roles, ['governance_lead']);
      assert.equal(who.authenticatedBy, 'session');
      assert.ok(who.csrfToken);
      const created = await eventsOf(t, who.user.id, 'user.created');
      assert.equal(created.length, 1);
      assert.equal(created[0].actor_id, null, 'provisioning is Proofline acting on the provider’s word');
      assert.match(JSON.parse(created[0].leaf).reason, /single sign-on through http:\/\/127\.0\.0\.1/);
      const logins = await eventsOf(t, who.user.id, 'auth.login');
      assert.equal(logins.length, 1);
      assert.equal(logins[0].actor_id, who.user.id);
      assert.equal(JSON.parse(logins[0].leaf).data.method, 'oidc');

      const users = await userCount(t);
      const second = await signIn(t, provider, 'alice');
      assert.equal(second.statusCode, 303, second.body);
      assert.equal((await sessionOf(t, second)).user.id, who.user.id);
      assert.equal(await userCount(t), users, 'no second account');
      assert.equal((await eventsOf(t, who.user.id, 'auth.login')).length, 2);
      assert.equal((await eventsOf(t, who.user.id, 'user.roles_changed')).length, 0, 'the same roles write no change');
    });

    test('an existing account is matched by email whatever its case, its global roles taken from the claim', async () => {
      const bob = await t.user(['reviewer'], { email: 'bob.sso@example.test' });
      provider.accounts.set('bob', { email: 'BOB.SSO@example.TEST', email_verified: true, groups: ['ai-approvers'] });
      const res = await signIn(t, provider, 'bob');
      assert.equal(res.statusCode, 303, res.body);
      const who = await sessionOf(t, res);
      assert.equal(who.user.id, bob.id);
      assert.deepEqual(who.roles, ['approver']);
    });

    test('a changed claim changes the role, a ledger event by Proofline naming the claim and the provider', async () => {
      provider.accounts.set('carol', { email: 'carol.sso@example.test', email_verified: true, groups: ['ai-approvers'] });
      const first = await sessionOf(t, await signIn(t, provider, 'carol'));
      assert.deepEqual(first.roles, ['approver']);
      provider.accounts.set('carol', { email: 'carol.sso@example.test', email_verified: true, groups: ['ai-governance'] });
      const second = await sessionOf(t, await signIn(t, provider, 'carol'));
      assert.deepEqual(second.roles, ['governance_lead']);
      const changes = await eventsOf(t, first.user.id, 'user.roles_changed');
      assert.equal(changes.length, 1);
      assert.equal(changes[0].actor_id, null);
      const event = JSON.parse(changes[0].leaf);
      assert.deepEqual(event.before.roles, ['approver']);
      assert.deepEqual(event.after.roles, ['governance_lead']);
      assert.match(event.reason, /groups claim, single sign-on through/);
    });

    test('an email the provider does not vouch for is refused, and nothing is written', async () => {
      provider.accounts.set('dave', { email: 'dave.sso@example.test', email_verified: false, groups: ['ai-governance'] });
      provider.signInAs('dave');
      const started = await startAndAuthenticate(t);
      const [size, users] = [await ledgerSize(t.store), await userCount(t)];
      const res = await callback(t, started);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'sso_email_unverified');
      assert.equal(cookieValue(res.headers['set-cookie'], 'pl_session'), null);
      assert.equal(await ledgerSize(t.store), size);
      assert.equal(await userCount(t), users);
    });

    test('a claim that maps to no role is refused, and nothing is written', async () => {
      provider.accounts.set('erin', { email: 'erin.sso@example.test', email_verified: true, groups: ['staff'] });
      provider.signInAs('erin');
      const started = await startAndAuthenticate(t);
      const [size, users] = [await ledgerSize(t.store), await userCount(t)];
      const res = await callback(t, started);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'sso_role_unmapped');
      assert.deepEqual(res.json().error.details.values, ['staff']);
      assert.equal(await ledgerSize(t.store), size);
      assert.equal(await userCount(t), users);
    });

    test('a tampered, missing or foreign state is refused, and nothing is written', async () => {
      provider.accounts.set('frank', { email: 'frank.sso@example.test', email_verified: true, groups: ['ai-governance'] });
      provider.signInAs('frank');
      const started = await startAndAuthenticate(t);
      const size = await ledgerSize(t.store);
      const [payload, signature] = started.flowCookie.split('.');
      const tampered = `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      const other = await startAndAuthenticate(t);
      const answers = [
        await callback(t, started, tampered),
        await callback(t, started, ''),
        // A flow of this server, but another sign-in's: its state is not the one returned.
        await callback(t, started, other.flowCookie),
      ];
      for (const res of answers) {
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, 'sso_state_invalid');
      }
      assert.equal(await ledgerSize(t.store), size);
      assert.equal(
        await t.store.db.selectFrom('users').select('id').where('email', '=', 'frank.sso@example.test').executeTakeFirst(),
        undefined,
      );
    });

    test('a browser refused at the callback is sent to the sign-in page with the code; an API client keeps the JSON', async () => {
      const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
      provider.accounts.set('gail', { email: 'gail.sso@example.test', email_verified: true, groups: ['staff'] });
      provider.signInAs('gail');
      const started = await startAndAuthenticate(t);
      const size = await ledgerSize(t.store);
      const asBrowser = (cookie: string) =>
        t.app.inject({ method: 'GET', url: started.callbackPath, headers: { cookie: `pl_oidc=${cookie}`, accept: html } });
      const noFlow = await asBrowser('');
      assert.equal(noFlow.statusCode, 303, noFlow.body);
      assert.equal(noFlow.headers.location, '/login?error=sso_state_invalid');
      const unmapped = await asBrowser(started.flowCookie);
      assert.equal(unmapped.statusCode, 303, unmapped.body);
      assert.equal(unmapped.headers.location, '/login?error=sso_role_unmapped');
      assert.equal(cookieValue(unmapped.headers['set-cookie'], 'pl_session'), null, 'no session');
      const api = await t.app.inject({ method: 'GET', url: started.callbackPath, headers: { accept: 'application/json' } });
      assert.deepEqual([api.statusCode, api.json().error.code], [400, 'sso_state_invalid']);
      assert.equal(await ledgerSize(t.store), size);
    });

    test('a provider’s error answer is refused with sso_provider_error, and nothing is written', async () => {
      const login = await t.call(null, 'GET', '/api/v1/auth/oidc/login');
      const flowCookie = String(cookieValue(login.headers['set-cookie'], 'pl_oidc'));
      const state = String(new URL(String(login.headers.location)).searchParams.get('state'));
      const size = await ledgerSize(t.store);
      const query = new URLSearchParams({ error: 'access_denied', state, iss: provider.issuer });
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/auth/oidc/callback?${query}`,
        headers: { cookie: `pl_oidc=${flowCookie}` },
      });
      assert.equal(res.statusCode, 502, res.body);
      assert.equal(res.json().error.code, 'sso_provider_error');
      assert.equal(res.json().error.details.providerError, 'access_denied');
      assert.equal(await ledgerSize(t.store), size);
    });

    test('a deactivated account is refused, and nothing is written', async () => {
      const gina = await t.user(['reviewer'], { email: 'gina.sso@example.test' });
      await t.store.transact((trx) => deactivateUser(trx, { ctx: systemContext('test'), userId: gina.id }));
      provider.accounts.set('gina', { email: 'gina.sso@example.test', email_verified: true, groups: ['ai-governance'] });
      provider.signInAs('gina');
      const started = await startAndAuthenticate(t);
      const size = await ledgerSize(t.store);
      const res = await callback(t, started);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'account_deactivated');
      assert.equal(await ledgerSize(t.store), size);
      assert.equal((await t.store.db.selectFrom('sessions').select('id_hash').where('user_id', '=', gina.id).execute()).length, 0);
    });

    test('the return path must be a path of this site', async () => {
      const size = await ledgerSize(t.store);
      for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
        const res = await t.call(null, 'GET', `/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`);
        assert.equal(res.statusCode, 400, `${returnTo}: ${res.body}`);
        assert.equal(res.json().error.code, 'validation_failed');
        assert.equal(res.headers['set-cookie'], undefined);
      }
      assert.equal(await ledgerSize(t.store), size);
    });

    test('the sign-in methods say both are on', async () => {
      const res = await t.call(null, 'GET', '/api/v1/auth/methods');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { password: true, sso: { loginUrl: '/api/v1/auth/oidc/login' } });
    });
  });

  describe(`single sign-on with password sign-in off and roles kept in Proofline [${dialect}]`, () => {
    let provider: TestOidcProvider;
    let t: TestApp;
    before(async () => {
      provider = await startOidcProvider(CALLBACK);
      t = await createTestApp(dialect, oidcEnv(provider.issuer, { PROOFLINE_PASSWORD_SIGNIN: 'off' }));
    });
    after(async () => {
      await t.close();
      await provider.close();
    });

    test('the password route refuses with password_sign_in_disabled, writing nothing, while single sign-on works', async () => {
      const user = await t.user(['reviewer'], { email: 'hal.sso@example.test', password: 'a long enough password' });
      const size = await ledgerSize(t.store);
      const refused = await t.call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: 'a long enough password' });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().error.code, 'password_sign_in_disabled');
      assert.equal(cookieValue(refused.headers['set-cookie'], 'pl_session'), null);
      assert.equal(await ledgerSize(t.store), size);

      const methods = await t.call(null, 'GET', '/api/v1/auth/methods');
      assert.deepEqual(methods.json(), { password: false, sso: { loginUrl: '/api/v1/auth/oidc/login' } });

      // No role claim configured: the roles an admin gave are kept, whatever the provider says.
      provider.accounts.set('hal', { email: 'hal.sso@example.test', email_verified: true, groups: ['ai-governance'] });
      const res = await signIn(t, provider, 'hal');
      assert.equal(res.statusCode, 303, res.body);
      const who = await sessionOf(t, res);
      assert.equal(who.user.id, user.id);
      assert.deepEqual(who.roles, ['reviewer']);
      assert.equal((await eventsOf(t, user.id, 'user.roles_changed')).length, 0);
    });

    test('a first sign-in provisions an account without roles when roles are kept in Proofline', async () => {
      provider.accounts.set('ivy', { email: 'ivy.sso@example.test', email_verified: 'true', groups: ['ai-governance'] });
      const who = await sessionOf(t, await signIn(t, provider, 'ivy'));
      assert.equal(who.user.email, 'ivy.sso@example.test');
      assert.deepEqual(who.roles, []);
    });
  });
}

describe('single sign-on configuration', () => {
  const base = {
    PROOFLINE_OIDC_ISSUER: 'https://id.example.test',
    PROOFLINE_OIDC_CLIENT_ID: 'proofline',
    PROOFLINE_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
  };
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.variable;
    }
    return null;
  };

  test('is checked at start: each mistake names its variable', () => {
    assert.equal(refusal({ PROOFLINE_PASSWORD_SIGNIN: 'off' }), 'PROOFLINE_PASSWORD_SIGNIN');
    assert.equal(refusal({ ...base, PROOFLINE_PASSWORD_SIGNIN: 'maybe' }), 'PROOFLINE_PASSWORD_SIGNIN');
    assert.equal(refusal({ PROOFLINE_OIDC_CLIENT_ID: 'proofline' }), 'PROOFLINE_OIDC_CLIENT_ID');
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_ISSUER: 'http://id.example.test' }), 'PROOFLINE_OIDC_ISSUER');
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_CLIENT_ID: '' }), 'PROOFLINE_OIDC_CLIENT_ID');
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_CLIENT_SECRET: 'short' }), 'PROOFLINE_OIDC_CLIENT_SECRET');
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_SCOPES: 'openid profile' }), 'PROOFLINE_OIDC_SCOPES');
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_ROLE_CLAIM: 'groups' }), 'PROOFLINE_OIDC_ROLE_MAP');
    assert.equal(
      refusal({ ...base, PROOFLINE_OIDC_ROLE_CLAIM: 'groups', PROOFLINE_OIDC_ROLE_MAP: '{"a":"superuser"}' }),
      'PROOFLINE_OIDC_ROLE_MAP',
    );
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_ROLE_MAP: '{"a":"admin"}' }), 'PROOFLINE_OIDC_ROLE_MAP');
    assert.equal(refusal({ ...base, PROOFLINE_OIDC_ROLE_CLAIM: 'groups', PROOFLINE_OIDC_ROLE_MAP: '{"a":"admin"}' }), null);
  });

  test('derives the redirect URL from the public URL', () => {
    const config = loadConfig({ ...base, PROOFLINE_PUBLIC_URL: 'https://proofline.example.test/' });
    assert.equal(config.oidc?.redirectUrl, 'https://proofline.example.test/api/v1/auth/oidc/callback');
    assert.equal(config.oidc?.roleClaim, null);
    assert.equal(config.passwordSignIn, true);
    assert.equal(loadConfig({}).oidc, null);
  });
});
