// Feedback in a real browser against the real server: a contributor gives feedback through the
// form (no convert button for them), a governance lead filters the list by category and converts
// the feedback into an exception in one click (the row then links the exception). axe-core on
// the list and the form.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('feedback (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser;
  let systemId: string;
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
    const created = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Loan pre-screening assistant',
      purpose: 'Sorts loan applications',
      intendedUse: 'Flags applications for a credit officer',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
      euRiskTier: 'high',
      accountableOwnerId: lead.id,
    });
    assert.equal(created.statusCode, 201, created.body);
    systemId = (created.json() as { id: string }).id;
  });
  after(async () => {
    await h?.close();
  });

  it('a contributor gives feedback through the form; a lead converts it into an exception', async () => {
    const contributor = await h.person(['contributor'], 'Cora Contributor');
    const mine = await h.signedIn(contributor);
    await mine.page.goto(`/feedback?system=${systemId}`);
    await mine.page.getByRole('button', { name: 'Give feedback' }).click();
    const dialog = mine.page.getByRole('dialog', { name: 'Give feedback' });
    await dialog.waitFor();
    assert.deepEqual(await seriousViolations(mine.page), [], 'axe-core on the feedback form');
    await dialog.getByRole('combobox', { name: 'Category', exact: true }).click();
    await mine.page.getByRole('option', { name: 'Bias concern' }).click();
    await dialog.getByRole('textbox', { name: 'Summary' }).fill('Older applicants are ranked lower');
    await dialog.getByRole('textbox', { name: 'What happened' }).fill('Three applicants over 60 were ranked last this week.');
    await dialog.getByRole('button', { name: 'Send feedback' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const stored = (await h.server.call(lead, 'GET', `/api/v1/feedback?systemId=${systemId}`)).json();
    assert.equal(stored.total, 1);
    assert.equal(stored.items[0].category, 'bias_concern');
    assert.equal(stored.items[0].submittedBy, contributor.id);

    const { page } = await h.signedIn(lead);
    await page.goto(`/feedback?system=${systemId}&category=bias_concern&converted=false`);
    const table = page.getByRole('table', { name: 'Feedback' });
    await table.getByText('Older applicants are ranked lower').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the feedback list');
    await screenshot(page, 'feedback-list');
    await page.getByRole('button', { name: 'Convert to exception: Older applicants are ranked lower' }).click();
    // Converted, it leaves the "not converted" view and shows, linked, under "converted".
    await table.getByText('Older applicants are ranked lower').waitFor({ state: 'detached' });
    await page.goto(`/feedback?system=${systemId}&converted=true`);
    const link = page.getByRole('table', { name: 'Feedback' }).getByRole('link', { name: 'Exception' });
    await link.waitFor();
    const converted = (await h.server.call(lead, 'GET', `/api/v1/feedback/${stored.items[0].id}`)).json();
    assert.ok(converted.exceptionId);
    assert.equal(await link.getAttribute('href'), `/exceptions/${converted.exceptionId}`);
  });
});
