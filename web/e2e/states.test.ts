// What every page does besides its happy path, in a real browser against the real server: the empty
// state of each list on a fresh database, the loading state while the server answers, the error
// state (with the server's code) of a record that does not exist, times in the viewer's zone with
// UTC on hover, and a whole errand done with the keyboard alone. axe-core on each state.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { TestUser } from '../../test/app.js';
import { type Harness, PASSWORD, screenshot, seriousViolations, startHarness } from './harness.js';

/** Presses Tab until `target` has the focus (at most `limit` presses), as a keyboard user would. */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`${limit} presses of Tab never reached ${target}`);
}

describe('empty, loading and error states; times; the keyboard (Chromium, SQLite)', () => {
  let h: Harness;
  let admin: TestUser;
  before(async () => {
    h = await startHarness();
    admin = await h.person(['admin'], 'Esme Empty');
  });
  after(async () => {
    await h?.close();
  });

  it('every list shows its empty state on a fresh database, and passes axe-core', async () => {
    const { page } = await h.signedIn(admin);
    const lists: Array<[string, string]> = [
      ['/systems', 'No systems yet'],
      ['/approvals', 'Nothing waits for you'],
      ['/approvals?tab=mine', 'You have filed no request'],
      ['/approvals?tab=emergency', 'No emergency change was made'],
      ['/incidents', 'No incidents'],
      ['/decisions', 'No decision waits for review'],
      ['/appeals', 'No appeal matches'],
      ['/reviews', 'No review matches'],
      ['/feedback', 'No feedback matches'],
      ['/monitoring/alerts', 'No alerts'],
      ['/oversight', 'Choose an AI system'],
    ];
    for (const [url, title] of lists) {
      await page.goto(url);
      await page.getByText(title, { exact: true }).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0, `no error on ${url}`);
      assert.deepEqual(await seriousViolations(page), [], `axe-core on the empty ${url}`);
    }
    await page.goto('/systems');
    await page.getByText('No systems yet', { exact: true }).waitFor();
    await screenshot(page, 'inventory-empty');

    // The board: every lifecycle column is there, and each is empty.
    await page.goto('/exceptions');
    await page.getByRole('heading', { level: 1, name: 'Exceptions' }).waitFor();
    const none = page.getByText('None', { exact: true });
    await none.first().waitFor();
    assert.ok((await none.count()) >= 4, `each column of the board says it is empty (${await none.count()})`);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the empty board');

    const visitor = await h.anonymous();
    await visitor.page.goto('/public');
    await visitor.page.getByText('No AI system is published yet', { exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(visitor.page), [], 'axe-core on the empty public list');
  });

  it('a record that does not exist shows an error with the server’s code, on every kind of record page', async () => {
    const { page } = await h.signedIn(admin);
    const missing = randomUUID();
    const pages: Array<[string, string]> = [
      [`/systems/${missing}`, 'This system could not be loaded'],
      [`/approvals/${missing}`, 'This request cannot be shown'],
      [`/exceptions/${missing}`, 'This exception could not be loaded'],
      [`/incidents/${missing}`, 'This incident could not be loaded'],
      [`/appeals/${missing}`, 'The appeal could not be loaded'],
      [`/reviews/${missing}`, 'The review could not be loaded'],
    ];
    for (const [url, title] of pages) {
      await page.goto(url);
      const alert = page.getByRole('alert').filter({ hasText: title });
      await alert.waitFor();
      assert.match(await alert.innerText(), /code: not_found/, `the server's code on ${url}`);
      assert.deepEqual(await seriousViolations(page), [], `axe-core on the error of ${url}`);
    }
  });

  it('a page says it is loading while the server answers, then shows the answer', async () => {
    const { page } = await h.signedIn(admin);
    // Hold the inventory's answer (the real server's, unchanged) until the loading state was seen.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(
      (url) => url.pathname === '/api/v1/systems',
      async (route) => {
        await held;
        await route.continue();
      },
    );
    await page.goto('/systems?q=anything');
    const loading = page.getByRole('status').filter({ hasText: /^Loading/ });
    try {
      await loading.waitFor();
      // (No axe-core here: seriousViolations waits for every animation to end, and a spinner's never does.)
      assert.equal(await loading.getAttribute('aria-live'), 'polite', 'a screen reader hears that it is loading');
    } finally {
      release();
    }
    await page.getByText('No system matches these filters', { exact: true }).waitFor();
    assert.equal(await loading.count(), 0, 'the loading state is gone once the answer is drawn');
    await page.unrouteAll();
  });

  it('shows times in the viewer’s time zone, with the UTC time on hover', async () => {
    const made = await h.server.call(admin, 'POST', '/api/v1/ledger/checkpoints');
    assert.equal(made.statusCode, 200, made.body);
    const signedAt = made.json().checkpoint.createdAt as string;
    const { page } = await h.signedIn(admin); // the harness's browser reads Europe/Berlin, en-GB
    await page.goto('/ledger');
    const time = page.locator(`time[datetime="${signedAt}"]`).first();
    await time.waitFor();
    const berlin = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Berlin' });
    assert.equal((await time.innerText()).trim(), berlin.format(new Date(signedAt)), 'the local time, in Berlin');
    const utc = `${signedAt.slice(0, 10)} ${signedAt.slice(11, 19)} UTC`;
    assert.notEqual((await time.innerText()).trim().slice(-5), utc.slice(11, 16), 'Berlin is never UTC, so the two differ');
    assert.equal(await page.getByText(utc, { exact: true }).count(), 0, 'UTC is not shown before the hover');
    await time.hover();
    await page.getByText(utc, { exact: true }).waitFor();
  });

  it('a whole errand with the keyboard alone: sign in, go to the inventory, open a system', async () => {
    const created = await h.server.call(admin, 'POST', '/api/v1/systems', {
      name: 'Keyboard reachable scorer',
      purpose: 'Scores applications',
      intendedUse: 'Orders the queue of credit officers',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
    });
    assert.equal(created.statusCode, 201, created.body);
    const { page } = await h.anonymous();
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in to Proofline' }).waitFor();
    await tabTo(page, page.getByLabel('Email'));
    await page.keyboard.type(admin.email);
    await tabTo(page, page.getByLabel(/^Password/));
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();

    const inventory = nav.getByRole('link', { name: 'Inventory', exact: true });
    await tabTo(page, inventory);
    // The focused control is visibly marked (a keyboard user sees where they are).
    const outline = await inventory.evaluate((el) => {
      const style = el.ownerDocument.defaultView?.getComputedStyle(el);
      return `${style?.outlineStyle} ${style?.outlineWidth}`;
    });
    assert.doesNotMatch(outline, /^none|\s0px$/, `a visible focus ring on the link (${outline})`);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/systems');
    const row = page.getByRole('link', { name: 'Keyboard reachable scorer' });
    await row.waitFor();
    // On a page loaded afresh, the first Tab reaches the skip link, shown once focused; Enter moves
    // past the header and the navigation to the page's content.
    await page.reload();
    await row.waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: "Skip to the page's content" });
    assert.equal(await skip.evaluate((el) => el === el.ownerDocument.activeElement), true, 'the first Tab reaches the skip link');
    const box = await skip.boundingBox();
    assert.ok(box && box.x >= 0 && box.width > 0, 'the focused skip link is on screen');
    await page.keyboard.press('Enter');
    assert.equal(await skip.evaluate((el) => el.ownerDocument.activeElement?.id), 'main-content');
    await tabTo(page, row, 20);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Keyboard reachable scorer' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/systems/${created.json().id}`);
  });
});
