// Decisions and appeals in a real browser against the real server: a decision in the review queue
// is overridden and the exception it opens is linked from the queue; an appeal filed through the
// public intake API is started and resolved in the UI with an outcome and the reasons told to the
// appellant (the public status shows them). axe-core on each page.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

/** One decision of the system recorded through the ingest API and queued for human review (the
 * system reviews every decision); its decision id. */
async function queueDecision(
  h: Harness,
  systemId: string,
  record: { decidedAt: string; output: Record<string, unknown>; confidence: number },
): Promise<string> {
  const ingest = await h.server.user(['contributor'], { scopes: ['ingest'] });
  const decisionId = `case-${randomUUID().slice(0, 8)}`;
  const inputDigest = createHash('sha256').update(decisionId).digest('hex');
  const batch = await h.server.call(ingest, 'POST', '/api/v1/decisions/batch', {
    records: [{ decisionId, systemId, inputDigest, ...record }],
  });
  assert.equal(batch.json().queuedForReview, 1, batch.body);
  return decisionId;
}

describe('decisions review queue and appeals (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser;
  let systemId: string;
  /** The exception the override opened (the upheld appeal links it). */
  let overrideException: string;
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
    const created = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Benefit eligibility screener',
      purpose: 'Screens benefit applications',
      intendedUse: 'Flags applications for a caseworker',
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

  it('overrides a decision in the review queue and links the exception it opens', async () => {
    const settings = await h.server.call(lead, 'PUT', `/api/v1/systems/${systemId}/decision-settings`, {
      allowRawInput: false,
      reviewSampleRate: 1,
    });
    assert.equal(settings.statusCode, 200, settings.body);
    const decisionId = await queueDecision(h, systemId, {
      decidedAt: '2026-11-27T10:00:00.000Z',
      output: { eligible: false },
      confidence: 0.55,
    });

    const reviewer = await h.person(['reviewer'], 'Rui Reviewer');
    const { page } = await h.signedIn(reviewer);
    await page.goto(`/decisions?system=${systemId}`);
    const queue = page.getByRole('table', { name: 'Review queue' });
    await queue.getByText(decisionId).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the review queue');
    await page.getByRole('button', { name: `Override ${decisionId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Override decision ${decisionId}` });
    await dialog.getByRole('textbox', { name: 'What the output should have been' }).fill('eligible');
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('The applicant’s income was read from the wrong year');
    await dialog.getByRole('button', { name: 'Override' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The overridden decision leaves the pending queue; the overridden view links its exception.
    await queue.getByText(decisionId).waitFor({ state: 'detached' });
    await page.getByText('overridden', { exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'overridden');
    const link = page.getByRole('link', { name: 'Exception opened by the override' });
    await link.waitFor();
    const stored = (await h.server.call(reviewer, 'GET', `/api/v1/decisions/review-queue?systemId=${systemId}&status=overridden`)).json();
    const exceptionId = stored.items[0].review.exceptionId as string;
    assert.ok(exceptionId);
    overrideException = exceptionId;
    assert.equal(stored.items[0].review.reviewerId, reviewer.id);
    assert.equal(new URL(String(await link.getAttribute('href')), h.baseUrl).pathname, `/exceptions/${exceptionId}`);
    assert.equal((await h.server.call(lead, 'GET', `/api/v1/exceptions/${exceptionId}`)).statusCode, 200);
  });

  it('resolves an appeal filed through the public intake with an outcome and reasons', async () => {
    const filed = await fetch(`${h.baseUrl}/api/v1/public/appeals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        systemId,
        decisionId: 'letter-4711',
        name: 'Ada Appellant',
        statement: 'My benefit was refused but my income is below the threshold',
      }),
    });
    assert.equal(filed.status, 202);
    const receipt = (await filed.json()) as { caseNumber: string; secret: string };
    const listed = (await h.server.call(lead, 'GET', `/api/v1/appeals?systemId=${systemId}`)).json();
    const appeal = listed.items.find((a: { caseNumber: string }) => a.caseNumber === receipt.caseNumber);
    assert.ok(appeal, 'the appeal is listed');

    const { page } = await h.signedIn(lead);
    await page.goto(`/appeals?system=${systemId}&status=received`);
    const row = page.getByRole('table', { name: 'Appeals' }).getByRole('row').filter({ hasText: receipt.caseNumber });
    await row.waitFor();
    assert.match(await row.innerText(), /letter-4711/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the appeals list');
    await row.getByRole('link', { name: receipt.caseNumber }).click();

    await page.getByRole('heading', { level: 1, name: `Appeal ${receipt.caseNumber}` }).waitFor();
    await page.getByRole('button', { name: 'Start the review' }).click();
    await page.getByText('In review', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Resolve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resolve the appeal' });
    await dialog.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'Upheld', exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Reasons told to the appellant' }).fill('short');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await dialog.getByText(/at least 10 visible characters/).waitFor();
    await dialog
      .getByRole('textbox', { name: 'Reasons told to the appellant' })
      .fill('Your income for this year is below the threshold; the refusal is withdrawn');
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    // The server's rule is shown with its code: an upheld appeal links the override it caused.
    await dialog
      .getByRole('alert')
      .getByText(/links: an upheld appeal links to the override.*\(validation_failed\)/)
      .waitFor();
    // The exception is chosen by its title among the system's, not pasted as an id.
    const opened = (await h.server.call(lead, 'GET', `/api/v1/exceptions/${overrideException}`)).json() as { title: string };
    await dialog.getByRole('combobox', { name: /^Exception it led to/ }).click();
    await page.getByRole('option', { name: opened.title }).click();
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const link = page.getByRole('link', { name: `Exception ${overrideException}` });
    await link.waitFor();
    assert.equal(new URL(String(await link.getAttribute('href')), h.baseUrl).pathname, `/exceptions/${overrideException}`);
    await page.getByTestId('appeal-outcome').getByText('Outcome: Upheld').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the appeal page');
    await screenshot(page, 'appeal');

    const status = (await (
      await fetch(`${h.baseUrl}/api/v1/public/appeals/${receipt.caseNumber}?secret=${encodeURIComponent(receipt.secret)}`)
    ).json()) as { status: string; outcome: string; outcomeExplanation: string };
    assert.equal(status.status, 'resolved');
    assert.equal(status.outcome, 'upheld');
    assert.equal(status.outcomeExplanation, 'Your income for this year is below the threshold; the refusal is withdrawn');
  });

  it('confirms a decision in the review queue with a reason: it leaves the queue, opens no exception, and an auditor is offered neither action', async () => {
    const decisionId = await queueDecision(h, systemId, {
      decidedAt: '2026-11-28T10:00:00.000Z',
      output: { eligible: true },
      confidence: 0.9,
    });

    const auditor = await h.person(['auditor'], 'Aude Auditor');
    const asAuditor = await h.signedIn(auditor);
    await asAuditor.page.goto(`/decisions?system=${systemId}`);
    await asAuditor.page.getByRole('table', { name: 'Review queue' }).getByText(decisionId).waitFor();
    assert.equal(await asAuditor.page.getByRole('button', { name: `Confirm ${decisionId}` }).count(), 0);
    assert.equal(await asAuditor.page.getByRole('button', { name: `Override ${decisionId}` }).count(), 0);

    const reviewer = await h.person(['reviewer'], 'Rhea Reviewer');
    const { page } = await h.signedIn(reviewer);
    await page.goto(`/decisions?system=${systemId}`);
    const queue = page.getByRole('table', { name: 'Review queue' });
    await queue.getByText(decisionId).waitFor();
    await page.getByRole('button', { name: `Confirm ${decisionId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Confirm decision ${decisionId}` });
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Income and household size match the documents');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the confirm dialog');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await queue.getByText(decisionId).waitFor({ state: 'detached' });

    const confirmed = (await h.server.call(reviewer, 'GET', `/api/v1/decisions/review-queue?systemId=${systemId}&status=confirmed`)).json();
    const item = confirmed.items.find((i: { decisionId: string }) => i.decisionId === decisionId);
    assert.ok(item, JSON.stringify(confirmed.items));
    assert.equal(item.review.reviewerId, reviewer.id);
    assert.equal(item.review.exceptionId ?? null, null, 'a confirmation opens no exception');
  });
});
