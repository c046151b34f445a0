// The signed-in header at a desktop and a narrow width: its controls (the brand, the theme switch,
// the account menu) sit side by side, inside the header and the window, never on top of each other,
// even for a person with a very long name; the open account menu is clean under axe-core.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;

async function box(locator: Locator, what: string): Promise<Box> {
  const found = await locator.boundingBox();
  assert.ok(found, `${what} is on the page`);
  return found;
}

async function headerBoxes(page: Page) {
  const header = page.locator('header').first();
  return {
    header: await box(header, 'the header'),
    brand: await box(header.getByRole('link', { name: 'Proofline', exact: true }), 'the brand'),
    theme: await box(header.getByRole('button', { name: /Switch to the (dark|light) theme/ }), 'the theme switch'),
    account: await box(header.getByRole('button', { name: /^Account:/ }), 'the account menu'),
  };
}

describe('the header at 1280 and 800 px (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("the header's controls never overlap, and stay in the header, at 1280 and 800 px, even with a long name", async () => {
    const admin = await h.person(['admin'], 'Ada Admin');
    const person = await h.person(['governance_lead'], 'Long Name');
    const longName = 'Maximiliane Wilhelmina von Hohenzollern-Sigmaringen-Oberschwaben';
    const current = await h.server.call(admin, 'GET', `/api/v1/users/${person.id}`);
    const renamed = await h.server.call(
      admin,
      'PATCH',
      `/api/v1/users/${person.id}`,
      { displayName: longName },
      {
        'if-match': String(current.headers.etag),
      },
    );
    assert.equal(renamed.statusCode, 200, renamed.body);
    for (const who of [admin, person]) {
      const { page } = await h.signedIn(who);
      for (const width of [1280, 800]) {
        await page.setViewportSize({ width, height: 800 });
        await page.getByRole('navigation', { name: 'Main' }).waitFor();
        const b = await headerBoxes(page);
        const at = `${width} px, ${who === admin ? 'short' : 'long'} name`;
        assert.equal(overlap(b.theme, b.account), false, `the theme switch and the account menu overlap at ${at}`);
        assert.equal(overlap(b.brand, b.account), false, `the brand and the account menu overlap at ${at}`);
        assert.equal(overlap(b.brand, b.theme), false, `the brand and the theme switch overlap at ${at}`);
        for (const [name, control] of Object.entries({ brand: b.brand, theme: b.theme, account: b.account })) {
          assert.ok(inside(control, b.header), `the ${name} control leaves the header at ${at}`);
          assert.ok(control.x + control.width <= width, `the ${name} control leaves the window at ${at}`);
        }
        if (who === person) {
          // Cut short on screen, whole in the button's name and in the menu.
          await page.getByRole('button', { name: `Account: ${longName}` }).waitFor();
          if (width === 800) await screenshot(page, 'header-800-long-name');
        }
      }
    }
    const { page } = await h.signedIn(person);
    await page.setViewportSize({ width: 800, height: 800 });
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core at 800 px with a long name');
    // The whole name is in the menu, and the menu is reached from the keyboard.
    await page.getByRole('button', { name: /^Account:/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Sign out' }).waitFor();
  });

  it('the open account menu passes axe-core, its first item takes the focus, and it leads to the tokens page ("1 token")', async () => {
    const person = await h.person(['contributor'], 'Menu Reader');
    const { page } = await h.signedIn(person);
    await page.getByRole('button', { name: /^Account:/ }).focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.getByRole('menuitem', { name: 'Sign out' }).waitFor();
    assert.match(await menu.innerText(), new RegExp(person.email.replace(/\./g, '\\.')), 'the menu names the signed-in email');
    // Mantine's focus placeholder (a focusable role="presentation" inside role="menu") was a critical aria-required-children.
    assert.deepEqual(await seriousViolations(page), [], 'axe-core with the account menu open');
    await page.waitForFunction(() => {
      const active = (globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } | null } })
        .document.activeElement;
      return active?.getAttribute('role') === 'menuitem';
    });
    await page.keyboard.press('Enter'); // the first item: My API tokens
    await page.waitForURL(/\/admin\/tokens$/);
    // The person has exactly one token (the harness's API token): one, not "1 tokens".
    await page.getByText('1 token', { exact: true }).waitFor();
    assert.equal(await page.getByText('1 tokens').count(), 0);
  });
});
