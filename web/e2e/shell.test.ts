// The web UI's frame in a real browser: the app shell at / and at deep links, sign-in and sign-out,
// role-aware navigation, light and dark themes, and axe-core on every page of the navigation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('web UI shell (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('sends a visitor to sign-in, and back to the deep link they asked for', async () => {
    const admin = await h.person(['admin'], 'Ada Admin');
    const { page } = await h.anonymous();
    await page.goto('/systems?tier=high');
    await page.waitForURL(/\/login\?next=/);
    assert.equal(await page.getByRole('heading', { name: 'Sign in to Proofline' }).isVisible(), true);
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel(/^Password/).fill('wrong password entirely');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /invalid_credentials|unauthenticated|password/i);
    await page.getByLabel(/^Password/).fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/systems' && url.searchParams.get('tier') === 'high');
  });

  it('offers administration to admins only, and every page of the navigation passes axe-core', async () => {
    const admin = await h.person(['admin'], 'Ada Admin');
    const auditor = await h.person(['auditor'], 'Audrey Auditor');
    const asAuditor = await h.signedIn(auditor);
    const auditorNav = await asAuditor.page.getByRole('navigation', { name: 'Main' }).innerText();
    assert.doesNotMatch(auditorNav, /Administration/);
    assert.match(auditorNav, /Inventory/);

    const { page } = await h.signedIn(admin);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const labels = (await nav.getByRole('link').allInnerTexts()).map((t) => t.trim());
    assert.ok(labels.includes('Administration'));
    for (const label of labels) {
      await nav.getByRole('link', { name: label, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      const current = (await nav.locator('a[aria-current="page"]').allInnerTexts()).map((t) => t.trim());
      assert.deepEqual(current, [label], `the one current entry on ${label}`);
      assert.deepEqual(await seriousViolations(page), [], `axe-core on ${label}`);
    }
  });

  it('switches between the light and the dark theme and keeps the choice', async () => {
    const admin = await h.person(['admin']);
    const { page } = await h.signedIn(admin);
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
    const before = await scheme();
    await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
    const afterToggle = await scheme();
    assert.notEqual(afterToggle, before);
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    assert.equal(await scheme(), afterToggle);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core in the other theme');
    await screenshot(page, 'shell-theme');
  });

  it('signs out: the session ends on the server and the pages send to sign-in again', async () => {
    const admin = await h.person(['admin']);
    const { page } = await h.signedIn(admin);
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    const status = await page.evaluate(async () => (await fetch('/api/v1/auth/session')).status);
    assert.equal(status, 401);
    await page.goto('/approvals');
    await page.waitForURL(/\/login\?next=/);
  });

  it('answers an unknown page with the app shell and a not-found page, and an unknown API path with JSON', async () => {
    const admin = await h.person(['admin']);
    const { page } = await h.signedIn(admin);
    const answer = await page.goto('/no/such/page');
    assert.equal(answer?.status(), 200);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    const api = await page.request.get('/api/v1/no-such-thing');
    assert.equal(api.status(), 404);
    assert.equal((await api.json()).error.code, 'not_found');
  });
});
