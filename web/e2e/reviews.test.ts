// Scheduled reviews in a real browser against the real server: the preparer attaches findings and
// sees the snapshot's metrics and digest; the first signatory signs the digest shown in the dialog;
// the same person cannot sign twice (no button, and the server refuses); the second signatory's
// signature completes the review. axe-core on each page; screenshots kept.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('reviews with double sign-off (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser;
  let preparer: TestUser;
  let reviewer: TestUser;
  let second: TestUser;
  let reviewId: string;
  let systemId: string;
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
    preparer = await h.person(['contributor'], 'Pia Preparer');
    reviewer = await h.person(['contributor'], 'Rui Reviewer');
    second = await h.person(['governance_lead'], 'Sam Second');
    const created = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Credit limit recommender',
      purpose: 'Recommends credit limits',
      intendedUse: 'Decision support for credit officers',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
      euRiskTier: 'high',
      accountableOwnerId: preparer.id,
    });
    assert.equal(created.statusCode, 201, created.body);
    systemId = created.json().id;
    const review = await h.server.call(lead, 'POST', '/api/v1/reviews', {
      systemId: created.json().id,
      kind: 'fairness',
      periodFrom: '2026-07-01T00:00:00.000Z',
      periodTo: '2026-10-01T00:00:00.000Z',
      dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
      preparerId: preparer.id,
      reviewerId: reviewer.id,
      secondSignatoryId: second.id,
    });
    assert.equal(review.statusCode, 201, review.body);
    reviewId = review.json().id;
  });
  after(async () => {
    await h?.close();
  });

  it('the preparer attaches findings and sees the snapshot with its SHA-256 digest', async () => {
    const { page } = await h.signedIn(preparer);
    await page.getByRole('link', { name: 'Reviews', exact: true }).click();
    const row = page.getByRole('table', { name: 'Reviews' }).getByRole('row').filter({ hasText: 'fairness review' });
    await row.waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on my reviews');
    await screenshot(page, 'reviews-mine');
    await row.getByRole('link', { name: 'fairness review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fairness review' }).waitFor();
    await page.getByRole('textbox', { name: 'Findings' }).fill('Selection rates stayed within 0.8 of the reference group');
    await page.getByRole('button', { name: 'Attach findings' }).click();
    const digest = page.getByTestId('snapshot-digest');
    await digest.waitFor();
    const stored = (await h.server.call(preparer, 'GET', `/api/v1/reviews/${reviewId}`)).json();
    assert.equal(await digest.innerText(), stored.snapshotDigest);
    await page.getByRole('table', { name: 'Metrics of the period' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a review with its snapshot');
    assert.equal(await page.getByRole('button', { name: 'Sign' }).count(), 0, 'the preparer is offered no signature');
    await screenshot(page, 'review-findings');
  });

  it('a signatory signs the digest shown; cannot sign twice; the second signature completes the review', async () => {
    const { snapshotDigest } = (await h.server.call(reviewer, 'GET', `/api/v1/reviews/${reviewId}`)).json();
    const first = await h.signedIn(reviewer);
    await first.page.goto(`/reviews/${reviewId}`);
    await first.page.getByRole('button', { name: 'Sign' }).click();
    const dialog = first.page.getByRole('dialog', { name: 'Sign the review' });
    assert.equal(await dialog.getByTestId('signing-digest').innerText(), snapshotDigest, 'the dialog shows the digest being signed');
    assert.deepEqual(await seriousViolations(first.page), [], 'axe-core on the sign-off dialog');
    await screenshot(first.page, 'review-sign-dialog');
    await dialog.getByRole('textbox', { name: 'Rationale' }).fill('Checked the rates against the thresholds');
    await dialog.getByRole('button', { name: 'Sign' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await first.page.getByText(/\(reviewer\), .*Checked the rates against the thresholds/).waitFor();
    assert.equal(await first.page.getByRole('button', { name: 'Sign' }).count(), 0, 'no second signature offered');
    const twice = await h.server.call(reviewer, 'POST', `/api/v1/reviews/${reviewId}/signatures`, {
      snapshotDigest,
      rationale: 'Signing once more to see what happens',
    });
    assert.deepEqual([twice.statusCode, twice.json().error.code], [403, 'duplicate_approver']);

    const other = await h.signedIn(second);
    await other.page.goto(`/reviews/${reviewId}`);
    await other.page.getByRole('button', { name: 'Sign' }).click();
    const secondDialog = other.page.getByRole('dialog', { name: 'Sign the review' });
    await secondDialog.getByRole('textbox', { name: 'Rationale' }).fill('Independent check of the same figures');
    await secondDialog.getByRole('button', { name: 'Sign' }).click();
    await secondDialog.waitFor({ state: 'hidden' });
    await other.page.getByTestId('review-status').getByText('Signed').waitFor();
    assert.deepEqual(await seriousViolations(other.page), [], 'axe-core on a completed review');
    await screenshot(other.page, 'review-signed');
    assert.equal((await h.server.call(lead, 'GET', `/api/v1/reviews/${reviewId}`)).json().status, 'signed');
  });

  it("a lead changes a system's cadence with a rationale; a contributor sees the cadences but no Change", async () => {
    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${systemId}?tab=reviews`);
    const table = page.getByRole('table', { name: 'Review cadences' });
    await table.getByRole('row').filter({ hasText: 'Fairness' }).getByText('Every 3 months').waitFor();
    await page.getByRole('button', { name: 'Change the fairness cadence' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change cadence' });
    await dialog.getByRole('textbox', { name: 'Months between reviews' }).fill('2');
    await dialog.getByRole('textbox', { name: 'Rationale' }).fill('Complaints from older applicants');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the cadence dialog');
    await dialog.getByRole('button', { name: 'Change cadence' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = table.getByRole('row').filter({ hasText: 'Fairness' });
    await row.getByText('Every 2 months').waitFor();
    await row.getByText("This system's own").waitFor();
    const stored = (await h.server.call(lead, 'GET', `/api/v1/systems/${systemId}/review-cadences`)).json();
    assert.deepEqual(stored.cadences.find((c: { kind: string }) => c.kind === 'fairness').months, 2);
    assert.ok(await page.getByRole('button', { name: 'Schedule a review now' }).isVisible());
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the reviews tab');
    await screenshot(page, 'system-review-cadences');

    const other = await h.signedIn(preparer);
    await other.page.goto(`/systems/${systemId}?tab=reviews`);
    await other.page.getByRole('table', { name: 'Review cadences' }).getByText('Every 2 months').waitFor();
    assert.equal(await other.page.getByRole('button', { name: /Change/ }).count(), 0, 'no Change for a contributor');
    assert.equal(await other.page.getByRole('button', { name: 'Schedule a review now' }).count(), 0);
  });

  it("a lead schedules a review in the dialog: a refused choice shows the server's code; the review is listed and in the ledger", async () => {
    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${systemId}?tab=reviews`);
    await page.getByRole('button', { name: 'Schedule a review now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedule a review now' });
    const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pick = async (label: string, person: TestUser) => {
      const input = dialog.getByRole('combobox', { name: new RegExp(`^${literal(label)}`) });
      await input.click();
      await input.fill(person.email);
      await page.getByRole('option', { name: new RegExp(literal(person.email)) }).click();
    };
    await dialog.getByRole('combobox', { name: /^Kind of review/ }).click();
    await page.getByRole('option', { name: 'Performance', exact: true }).click();
    await dialog.getByLabel(/^Period from/).fill('2026-06-01');
    await dialog.getByLabel(/^Period to/).fill('2026-09-01');
    const due = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
    await dialog.getByLabel(/^Due/).fill(due);
    // The preparer is the accountable owner, filled in already.
    assert.match(await dialog.getByRole('combobox', { name: /^Preparer/ }).inputValue(), new RegExp(literal(preparer.email)));

    // The same person as both signatories: the form says so before anything is sent.
    await pick('Reviewer (first signature)', reviewer);
    await pick('Second signatory', reviewer);
    await dialog.getByRole('button', { name: 'Schedule the review' }).click();
    await dialog.getByText('Two different people sign').waitFor();
    // The preparer as the reviewer: the server refuses with its stable code, shown in the dialog.
    const before = (await h.server.call(lead, 'GET', `/api/v1/reviews?systemId=${systemId}`)).json().total;
    await pick('Reviewer (first signature)', preparer);
    await pick('Second signatory', second);
    await dialog.getByRole('button', { name: 'Schedule the review' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /self_approval_forbidden/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the schedule dialog with a refusal');
    await screenshot(page, 'schedule-review-refused');
    assert.equal((await h.server.call(lead, 'GET', `/api/v1/reviews?systemId=${systemId}`)).json().total, before, 'nothing scheduled');

    // A valid choice schedules it, and the page of the new review opens.
    await pick('Reviewer (first signature)', reviewer);
    await dialog.getByRole('button', { name: 'Schedule the review' }).click();
    await page.waitForURL(/\/reviews\/[^/?]+$/);
    const scheduledId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await page.getByRole('heading', { level: 1, name: 'Performance review' }).waitFor();
    const stored = (await h.server.call(lead, 'GET', `/api/v1/reviews/${scheduledId}`)).json();
    assert.equal(stored.kind, 'performance');
    assert.equal(stored.systemId, systemId);
    assert.equal(stored.dueAt, `${due}T00:00:00.000Z`);
    assert.equal(stored.periodFrom, '2026-06-01T00:00:00.000Z');
    assert.equal(stored.periodTo, '2026-09-01T00:00:00.000Z');
    assert.deepEqual([stored.preparerId, stored.reviewerId, stored.secondSignatoryId], [preparer.id, reviewer.id, second.id]);

    // In the system's list of reviews…
    await page.goto(`/systems/${systemId}?tab=reviews`);
    const row = page.getByRole('table', { name: 'Reviews of this system' }).getByRole('row').filter({ hasText: 'performance review' });
    await row.getByText('2026-06-01 to 2026-09-01').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the reviews tab with the new review');
    await screenshot(page, 'system-review-scheduled');
    // …and in the ledger, by the lead who scheduled it.
    const ledger = await h.server.call(lead, 'GET', `/api/v1/ledger/events?subjectId=${scheduledId}&type=review.created`);
    assert.equal(ledger.statusCode, 200, ledger.body);
    const events = ledger.json().items;
    assert.equal(events.length, 1, 'one review.created event');
    assert.equal(events[0].event.actor.id, lead.id);
    assert.equal(events[0].event.subject.id, scheduledId);
  });

  it("My calendar shows the feed address once, on the browser's origin, and the address reads the feed", async () => {
    const { page } = await h.signedIn(reviewer);
    await page.goto('/reviews');
    await page.getByRole('button', { name: 'My calendar' }).click();
    const dialog = page.getByRole('dialog', { name: 'My calendar' });
    await dialog.getByRole('button', { name: 'Create my feed address' }).click();
    const url = await dialog.getByTestId('calendar-url').inputValue();
    await dialog.getByText('Shown only once').waitFor();
    assert.match(url, /\/api\/v1\/reviews\/calendar\.ics\?token=plcal_/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on My calendar');
    await screenshot(page, 'reviews-my-calendar');
    // No public URL is configured here: the address is on the origin this browser reached, and it reads the feed.
    const origin = new URL(page.url()).origin;
    assert.equal(new URL(url).origin, origin, `the feed address ${url} is on the page's origin ${origin}`);
    const feed = await page.evaluate(async (address) => {
      const res = await fetch(address, { credentials: 'omit' });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    }, url);
    assert.equal(feed.status, 200, feed.body);
    assert.match(String(feed.type), /^text\/calendar/);
    assert.match(feed.body, /^BEGIN:VCALENDAR/);
  });

  it('the inventory filters on Review overdue (in the URL, on the server) and flags the row', async () => {
    const overdueSystem = (
      await h.server.call(lead, 'POST', '/api/v1/systems', {
        name: 'Overdue fraud screen',
        purpose: 'Screens payments',
        intendedUse: 'Flags payments for analysts',
        aiType: 'machine_learning',
        deploymentKind: 'internal',
        euRiskTier: 'high',
        accountableOwnerId: preparer.id,
      })
    ).json().id;
    const late = await h.server.call(lead, 'POST', '/api/v1/reviews', {
      systemId: overdueSystem,
      kind: 'risk',
      periodFrom: '2026-01-01T00:00:00.000Z',
      periodTo: '2026-04-01T00:00:00.000Z',
      dueAt: new Date(Date.now() - 86_400_000).toISOString(),
      preparerId: preparer.id,
      reviewerId: reviewer.id,
      secondSignatoryId: second.id,
    });
    assert.equal(late.statusCode, 201, late.body);
    const { page } = await h.signedIn(lead);
    await page.goto('/systems');
    await page.getByRole('checkbox', { name: 'Review overdue' }).check();
    await page.waitForURL(/reviewOverdue=true/);
    const table = page.getByTestId('systems-table');
    const row = table.getByRole('row').filter({ hasText: 'Overdue fraud screen' });
    await row.getByText('review overdue').waitFor();
    assert.equal(await table.getByRole('row').filter({ hasText: 'Credit limit recommender' }).count(), 0, 'the filter is applied');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the filtered inventory');
    await screenshot(page, 'inventory-review-overdue');
  });
});
