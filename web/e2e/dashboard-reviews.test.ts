// The dashboard's overdue-reviews figure in a real browser: a review made overdue in set-up (due
// yesterday) beside one due later; the tile counts only the overdue one, links to the overdue list,
// and the list links to the review itself. axe-core on the dashboard and the list.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

const DAY = 86_400_000;

describe('dashboard: overdue reviews (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser;
  let overdueId: string;

  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
    const preparer = await h.person(['contributor'], 'Pia Preparer');
    const reviewer = await h.person(['contributor'], 'Rui Reviewer');
    const second = await h.person(['governance_lead'], 'Sam Second');
    const system = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Credit limit recommender',
      purpose: 'Recommends credit limits',
      intendedUse: 'Decision support for credit officers',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
      euRiskTier: 'high',
      accountableOwnerId: preparer.id,
    });
    assert.equal(system.statusCode, 201, system.body);
    const review = async (kind: string, dueAt: number) => {
      const res = await h.server.call(lead, 'POST', '/api/v1/reviews', {
        systemId: system.json().id,
        kind,
        periodFrom: '2026-07-01T00:00:00.000Z',
        periodTo: '2026-10-01T00:00:00.000Z',
        dueAt: new Date(dueAt).toISOString(),
        preparerId: preparer.id,
        reviewerId: reviewer.id,
        secondSignatoryId: second.id,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    overdueId = await review('fairness', Date.now() - DAY);
    await review('performance', Date.now() + 14 * DAY);
  });
  after(async () => {
    await h?.close();
  });

  it('the tile counts the overdue review and links to it through the overdue list', async () => {
    const { page } = await h.signedIn(lead);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const tile = page.getByRole('link', { name: '1 overdue reviews: show them' });
    await tile.waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the dashboard');
    await screenshot(page, 'dashboard-overdue-reviews');
    const href = (await tile.getAttribute('href')) ?? '';
    assert.ok(href.startsWith('/reviews?'), href);
    assert.equal(new URLSearchParams(href.slice('/reviews?'.length)).get('overdue'), 'true', href);

    await tile.click();
    const list = page.getByRole('table', { name: 'Reviews' });
    const row = list.getByRole('row').filter({ hasText: 'fairness review' });
    await row.waitFor();
    assert.equal(await list.getByRole('row').count(), 2, 'a header and the one overdue review, not the one due later');
    await row.getByText('overdue').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the overdue list');

    await row.getByRole('link', { name: 'fairness review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fairness review' }).waitFor();
    assert.ok(page.url().endsWith(`/reviews/${overdueId}`), page.url());
  });
});
