// The Statement of Applicability in a real browser: a governance lead proposes an exclusion from the
// page, a second governance lead (API) and an admin (approvals page) approve it, and the page shows
// the new version; someone who may not propose is offered no button and is refused when forcing
// the call; axe-core on every view.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Role } from '../../src/context.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

const WHY = 'We supply no AI system to customers or third parties';

describe('Statement of Applicability page (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  async function named(roles: Role[], name: string) {
    const user = await h.person(roles, name);
    const renamed = await h.server.call(user, 'PATCH', `/api/v1/users/${user.id}`, { displayName: name }, { 'if-match': '"1"' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    return { ...user, displayName: name };
  }

  const axeClean = async (page: Page, where: string) => assert.deepEqual(await seriousViolations(page), [], `axe-core on ${where}`);

  it('a proposed exclusion applies when a second governance lead and an admin approve it; the page shows version 1', async () => {
    const lead = await named(['governance_lead'], 'Lena Lead');
    const second = await named(['governance_lead'], 'Gus Second');
    const admin = await named(['admin'], 'Ada Admin');

    let page = (await h.signedIn(lead)).page;
    await page.goto('/frameworks/soa');
    const table = page.getByRole('table', { name: 'Statement of Applicability' });
    await table.getByRole('row', { name: /A\.10\.3/ }).waitFor();
    assert.match(await page.getByLabel('Version shown').innerText(), /Version 0: the default, not yet reviewed or approved/);
    assert.match(
      await table.getByRole('row', { name: /A\.10\.3/ }).innerText(),
      /Applicable\s+default: not yet reviewed\s+0\s+Not yet approved/i,
    );
    await axeClean(page, 'the SoA (version 0)');

    await page.getByRole('button', { name: 'Propose a change' }).click();
    const dialog = page.getByRole('dialog', { name: 'Propose a change of the Statement of Applicability' });
    await dialog.getByLabel(/^Annex A control/).fill('A.10.3');
    await page.getByRole('option', { name: /^A\.10\.3 / }).click();
    await dialog.getByText('Now: applicable (default: not yet reviewed)').waitFor();
    await dialog.getByLabel(/^Justification/).fill(WHY);
    await dialog.getByLabel(/^Why the Statement of Applicability changes/).fill('   short ');
    const submit = dialog.getByRole('button', { name: 'File the proposal' });
    assert.equal(await submit.isDisabled(), true, 'a rationale under 10 visible characters is not sent');
    await dialog.getByLabel(/^Why the Statement of Applicability changes/).fill('Scope reviewed at the management review');
    await axeClean(page, 'the proposal dialog');
    await screenshot(page, 'soa-propose');
    await submit.click();
    await page.waitForURL(/\/approvals\/[0-9a-f-]{36}$/);
    const requestId = new URL(page.url()).pathname.split('/').pop() as string;
    await page.getByText('You filed this request').waitFor();

    // Nothing changed yet; the page shows the change waiting, with its link.
    await page.goto('/frameworks/soa');
    await page.getByText('A change waits for approval').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Propose a change' }).isDisabled(), true, 'one SoA change at a time');
    assert.match(await page.getByLabel('Version shown').innerText(), /Version 0/);

    // The second governance lead signs through the API, the admin on the approvals page.
    const digest = (await h.server.call(second, 'GET', `/api/v1/approvals/requests/${requestId}`)).json().contentDigest as string;
    const first = await h.server.call(second, 'POST', `/api/v1/approvals/requests/${requestId}/decisions`, {
      decision: 'approve',
      rationale: 'The exclusion matches our scope statement',
      contentDigest: digest,
    });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().status, 'pending');

    page = (await h.signedIn(admin)).page;
    await page.goto(`/approvals/${requestId}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    const decide = page.getByRole('dialog', { name: 'Approve this request' });
    await decide.getByLabel(/^Rationale/).fill('Top management agrees with the exclusion');
    await decide.getByRole('button', { name: 'Approve' }).click();
    await decide.waitFor({ state: 'detached' });
    await page.getByText('Approved', { exact: true }).first().waitFor();

    await page.goto('/frameworks/soa');
    await page
      .getByLabel('Version shown')
      .getByText(/Version 1, approved by Gus Second, Ada Admin/)
      .waitFor();
    const row = page.getByRole('table', { name: 'Statement of Applicability' }).getByRole('row', { name: /A\.10\.3/ });
    const text = await row.innerText();
    assert.match(text, /Excluded/i);
    assert.ok(text.includes(WHY), text);
    assert.match(text, /Gus Second, Ada Admin/);
    assert.equal(await row.locator('time').count(), 1, 'when it was approved, as a time');
    assert.equal(await page.getByText('A change waits for approval').count(), 0);
    await axeClean(page, 'the SoA (version 1)');
    await screenshot(page, 'soa-version-1');

    // Version 0 stays readable as a shareable URL.
    await page.goto('/frameworks/soa?version=0');
    await page
      .getByLabel('Version shown')
      .getByText(/Version 0: the default/)
      .waitFor();
    assert.match(
      await page
        .getByRole('table', { name: 'Statement of Applicability' })
        .getByRole('row', { name: /A\.10\.3/ })
        .innerText(),
      /Applicable/i,
    );
    assert.equal(await page.getByRole('button', { name: 'Propose a change' }).count(), 0, 'a past version is not edited');

    const soa = (await h.server.call(admin, 'GET', '/api/v1/controls/soa')).json();
    assert.equal(soa.version, 1);
  });

  it('offers no proposal to someone who may not make one, and the server refuses them when forced', async () => {
    const owner = await named(['system_owner', 'approver'], 'Otto Owner');
    const { page } = await h.signedIn(owner);
    await page.goto('/frameworks/soa');
    await page.getByRole('table', { name: 'Statement of Applicability' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Propose a change' }).count(), 0);
    await axeClean(page, 'the SoA (no proposal offered)');
    const before = (await h.server.call(owner, 'GET', '/api/v1/controls/soa')).json();
    const forced = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/v1/controls/soa/change-requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({
          entries: [{ controlId: 'iso42001:A.2.2', applicable: false, justification: 'We want no AI policy at all' }],
          rationale: 'Forcing the call from the page',
        }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    });
    assert.equal(forced.status, 403);
    assert.equal(forced.body.error.code, 'forbidden');
    assert.deepEqual((await h.server.call(owner, 'GET', '/api/v1/controls/soa')).json(), before);
  });
});
