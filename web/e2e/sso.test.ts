// Single sign-on in a real browser against a real OpenID provider (oidc-provider on loopback), with
// password sign-in off: the sign-in page offers only single sign-on; a whole sign-in lands signed in;
// a refused callback brings the browser back to the sign-in page, which explains the code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, startOidcProvider, type TestOidcProvider } from '../../test/oidc-provider.js';
import { freePort } from '../../test/pg.js';
import { SSO_ERROR_MESSAGES } from '../src/features/auth/ssoErrors.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('single sign-on (Chromium, SQLite, password sign-in off)', () => {
  let h: Harness;
  let provider: TestOidcProvider;
  before(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider(`${publicUrl}/api/v1/auth/oidc/callback`);
    h = await startHarness({
      port,
      env: {
        PROOFLINE_PUBLIC_URL: publicUrl,
        PROOFLINE_OIDC_ISSUER: provider.issuer,
        PROOFLINE_OIDC_CLIENT_ID: OIDC_CLIENT_ID,
        PROOFLINE_OIDC_CLIENT_SECRET: OIDC_CLIENT_SECRET,
        PROOFLINE_OIDC_SCOPES: 'openid email profile groups',
        PROOFLINE_OIDC_ROLE_CLAIM: 'groups',
        PROOFLINE_OIDC_ROLE_MAP: JSON.stringify({ 'ai-governance': 'governance_lead' }),
        PROOFLINE_PASSWORD_SIGNIN: 'off',
      },
    });
  });
  after(async () => {
    await h?.close();
    await provider?.close();
  });

  it('the sign-in page offers single sign-on and no password form', async () => {
    const { page } = await h.anonymous();
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in to Proofline' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor();
    assert.equal(await page.getByLabel('Email').count(), 0, 'no email field');
    assert.equal(await page.getByLabel(/^Password/).count(), 0, 'no password field');
    assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0, 'no password sign-in button');
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'sso-sign-in');
  });

  it('a whole sign-in through the provider lands signed in, on the page asked for', async () => {
    provider.accounts.set('gina', { email: 'gina.sso@example.test', email_verified: true, name: 'Gina Sso', groups: ['ai-governance'] });
    provider.signInAs('gina');
    const { page } = await h.anonymous();
    await page.goto('/systems');
    await page.waitForURL(/\/login\?next=/);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.waitForURL((url) => url.pathname === '/systems');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    const session = await page.evaluate(async () => {
      const res = await fetch('/api/v1/auth/session');
      return { status: res.status, body: (await res.json()) as { user: { email: string }; roles: string[] } };
    });
    assert.equal(session.status, 200);
    assert.equal(session.body.user.email, 'gina.sso@example.test');
    assert.deepEqual(session.body.roles, ['governance_lead']);
    await page.getByRole('button', { name: /^Account:/ }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
  });

  it('a refused callback brings the browser back to sign-in, which explains the code', async () => {
    const cases: Array<{ account: string; claims: Record<string, unknown>; code: string }> = [
      { account: 'una', claims: { email: 'una.sso@example.test', email_verified: true, groups: ['staff'] }, code: 'sso_role_unmapped' },
      {
        account: 'vic',
        claims: { email: 'vic.sso@example.test', email_verified: false, groups: ['ai-governance'] },
        code: 'sso_email_unverified',
      },
    ];
    for (const { account, claims, code } of cases) {
      provider.accounts.set(account, claims);
      provider.signInAs(account);
      const { page } = await h.anonymous();
      await page.goto('/login');
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
      await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('error') === code);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      assert.ok(text.includes(SSO_ERROR_MESSAGES[code]), `the message for ${code}: ${text}`);
      assert.match(text, new RegExp(code));
      // Still offered: try again.
      await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor();
      assert.deepEqual(await seriousViolations(page), [], `axe-core with ${code}`);
      if (code === 'sso_role_unmapped') await screenshot(page, 'sso-refused-role-unmapped');
      const status = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);
      assert.equal(status, 401, 'nobody is signed in');
    }
    // A callback this browser did not start (no sign-in cookie): sso_state_invalid, explained the same way.
    const { page } = await h.anonymous();
    await page.goto('/api/v1/auth/oidc/callback?code=forged&state=forged');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('error') === 'sso_state_invalid');
    assert.ok((await page.getByRole('alert').innerText()).includes(SSO_ERROR_MESSAGES.sso_state_invalid));
    // An API client still gets the JSON error.
    const api = await fetch(`${h.baseUrl}/api/v1/auth/oidc/callback?code=forged&state=forged`, { headers: { accept: 'application/json' } });
    assert.equal(api.status, 400);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, 'sso_state_invalid');
  });
});
