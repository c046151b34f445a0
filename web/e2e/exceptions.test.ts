// The exceptions area in a real browser against the real server: an exception driven from raised
// to closed through its page (triage, root cause, a corrective action completed with evidence,
// verification by a second person while the resolver is told they may not, a lesson learned with
// its follow-up, close), an incident reported with every applicable deadline counting down and a
// report filed against one, and axe-core on the board, an exception's page and the incident pages.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

/** Picks an option of a Mantine Select, typing part of it first when it is searchable. */
async function choose(page: Page, scope: Page | Locator, label: string, option: string) {
  const input = scope.getByRole('combobox', { name: label, exact: true });
  await input.click();
  if (await input.isEditable()) await input.fill(option);
  await page.getByRole('option', { name: option }).first().click();
}

/** Opens a step's dialog with its button, fills its fields and submits; waits for it to close. */
async function step(page: Page, button: string, dialogName: string, fields: Record<string, string>, submit: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  for (const [label, value] of Object.entries(fields)) await dialog.getByRole('textbox', { name: label, exact: true }).fill(value);
  await dialog.getByRole('button', { name: submit, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

const status = (page: Page) => page.getByTestId('exception-status');

describe('exceptions and incidents (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser;
  let resolver: TestUser;
  let systemId: string;
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
    resolver = await h.person(['contributor'], 'Rita Resolver');
    const res = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Claims triage model',
      purpose: 'Orders insurance claims by urgency',
      intendedUse: 'Helps claim handlers order their queue',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
    });
    assert.equal(res.statusCode, 201, res.body);
    systemId = res.json().id;
  });
  after(async () => {
    await h?.close();
  });

  it('drives an exception from raised to closed through its page, verified by a second person', async () => {
    const reviewer = await h.person(['reviewer'], 'Vera Reviewer');
    const { page } = await h.signedIn(lead);
    await page.goto('/exceptions');
    await page.getByRole('heading', { level: 1, name: 'Exceptions' }).waitFor();
    await page.getByRole('button', { name: 'Raise an exception' }).click();
    const raise = page.getByRole('dialog', { name: 'Raise an exception' });
    await choose(page, raise, 'AI system', 'Claims triage model');
    await raise.getByRole('textbox', { name: 'Title', exact: true }).fill('Threshold lowered without approval');
    await raise.getByRole('textbox', { name: 'What happened', exact: true }).fill('short');
    await raise.getByRole('button', { name: 'Raise exception' }).click();
    await raise
      .getByText(/at least 10 visible characters/)
      .first()
      .waitFor();
    await raise
      .getByRole('textbox', { name: 'What happened', exact: true })
      .fill('The urgency threshold was lowered in production without a change request');
    await choose(page, raise, 'Severity', 'High');
    await choose(page, raise, 'Resolver', resolver.email);
    await raise.getByRole('button', { name: 'Raise exception' }).click();

    await page.getByRole('heading', { level: 1, name: 'Threshold lowered without approval' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    assert.equal(await status(page).textContent(), 'Open');
    assert.match(
      await page
        .getByText(/left\)$/)
        .first()
        .innerText(),
      /left/,
      'the due date counts down',
    );

    await step(page, 'Triage', 'Triage', { Why: 'High severity: production behaviour changed' }, 'Triage');
    await status(page).getByText('Triaged').waitFor();
    await step(
      page,
      'Start the investigation',
      'Start the investigation',
      { Why: 'Owner assigned, logs collected' },
      'Start the investigation',
    );
    await status(page).getByText('Investigating').waitFor();
    await step(
      page,
      'Record the root cause',
      'Record the root cause',
      { Category: 'process', 'Root cause': 'Config changes bypass the change-request gate' },
      'Record root cause',
    );
    await page.getByTestId('root-cause').getByText('Config changes bypass the change-request gate').waitFor();
    await step(page, 'Start remediation', 'Start remediation', { Why: 'Root cause known, fixing the gate' }, 'Start remediation');
    await status(page).getByText('Remediating').waitFor();
    await step(
      page,
      'Add a corrective action',
      'Add a corrective action',
      { Action: 'Route config changes through approvals' },
      'Add action',
    );
    const actions = page.getByRole('table', { name: 'Corrective actions' });
    await actions.getByRole('cell', { name: 'Route config changes through approvals', exact: true }).waitFor();
    await step(
      page,
      'Complete Route config changes through approvals',
      'Complete the corrective action',
      { Evidence: 'Change CR-1042 merged; gate test passes' },
      'Complete',
    );
    await actions.getByText('Change CR-1042 merged; gate test passes').waitFor();
    await step(page, 'Send to verification', 'Send to verification', { Why: 'Fix deployed; please verify' }, 'Send to verification');
    await status(page).getByText('Verifying').waitFor();
    assert.equal(
      await page.getByRole('button', { name: 'Close the exception', exact: true }).isDisabled(),
      true,
      'closing waits for the evidence',
    );
    await page.getByText(/Closing needs an independent verification, a lesson learned/).waitFor();

    // The resolver is not offered the verification, and the server refuses it anyway.
    const asResolver = await h.signedIn(resolver);
    await asResolver.page.goto(`/exceptions/${id}`);
    await asResolver.page.getByText('You resolved this exception, so someone else must verify the fix.').waitFor();
    assert.equal(await asResolver.page.getByRole('button', { name: 'Verify the fix' }).count(), 0);
    const refused = await h.server.call(resolver, 'POST', `/api/v1/exceptions/${id}/verify`, {
      note: 'I checked it myself',
      version: (await h.server.call(lead, 'GET', `/api/v1/exceptions/${id}`)).json().version,
    });
    assert.equal(refused.json().error.code, 'verifier_is_resolver');

    // A second person verifies.
    const asReviewer = await h.signedIn(reviewer);
    await asReviewer.page.goto(`/exceptions/${id}`);
    await step(
      asReviewer.page,
      'Verify the fix',
      'Verify the fix',
      { 'What you checked': 'Replayed a config change: it now needs approval' },
      'Verify',
    );
    await asReviewer.page
      .getByTestId('verification')
      .getByText(/Replayed a config change/)
      .waitFor();

    await page.reload();
    await page.getByTestId('verification').waitFor();
    await page.getByRole('button', { name: 'Record a lesson learned' }).click();
    const lesson = page.getByRole('dialog', { name: 'Record a lesson learned' });
    await lesson.getByRole('textbox', { name: 'Lesson', exact: true }).fill('Configuration is part of the model: govern it like one');
    await choose(page, lesson, 'Follow-up', 'Training need');
    await lesson.getByRole('textbox', { name: 'Follow-up description', exact: true }).fill('Train operators on governed config');
    await lesson.getByRole('button', { name: 'Record lesson' }).click();
    await lesson.waitFor({ state: 'detached' });
    await page.getByTestId('lesson').getByText('Configuration is part of the model').waitFor();
    await page.getByTestId('follow-up').getByText('Training need: Train operators on governed config', { exact: false }).waitFor();

    await step(
      page,
      'Close the exception',
      'Close the exception',
      { Why: 'Verified fix, lesson and follow-up recorded' },
      'Close exception',
    );
    await status(page).getByText('Closed').waitFor();

    // What the page shows is what the server holds.
    const stored = (await h.server.call(lead, 'GET', `/api/v1/exceptions/${id}`)).json();
    assert.equal(stored.status, 'closed');
    assert.equal(stored.verification.by, reviewer.id);
    assert.equal(stored.resolverId, resolver.id);
    assert.equal(stored.correctiveActions[0].evidence, 'Change CR-1042 merged; gate test passes');
    assert.equal(stored.followUps[0].kind, 'training_need');
    assert.equal(await page.getByRole('button', { name: 'Triage' }).count(), 0, 'a closed exception offers no step');
    // Who triaged and closed it, and why, as the ledger holds it.
    const triaged = stored.statusMoves.find((m: { to: string }) => m.to === 'triaged');
    assert.match(
      await page.getByTestId('moved-triaged').innerText(),
      new RegExp(`^by ${triaged.byName} · .+: High severity: production behaviour changed$`),
    );
    assert.match(await page.getByTestId('moved-closed').innerText(), /: Verified fix, lesson and follow-up recorded$/);

    assert.deepEqual(await seriousViolations(page), [], "axe-core on an exception's page");
    await page.waitForFunction("!document.querySelector('.mantine-Notification-root')", null, { timeout: 15_000 });
    await screenshot(page, 'exception');

    await page.goto('/exceptions');
    await page.getByTestId('column-closed').getByRole('link', { name: 'Threshold lowered without approval' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the board');
    // Filters are in the URL: a severity that does not match empties the closed column.
    await page.goto('/exceptions?severity=low');
    await page.getByTestId('column-closed').getByText('None').waitFor();
  });

  it('reports an incident with every applicable deadline counting down and files a report against one', async () => {
    const { page } = await h.signedIn(lead);
    await page.goto('/incidents');
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    await page.getByRole('button', { name: 'Report an incident' }).click();
    const report = page.getByRole('dialog', { name: 'Report an incident' });
    await choose(page, report, 'AI system', 'Claims triage model');
    await report.getByRole('textbox', { name: 'Title', exact: true }).fill('Claim notes exposed to other customers');
    await report
      .getByRole('textbox', { name: 'What happened', exact: true })
      .fill('A summarisation bug showed claim notes of one customer to another');
    await choose(page, report, 'Severity', 'Critical');
    // Aware four days ago: the 72-hour GDPR deadline has passed; the AI Act's 2 days too.
    const aware = new Date(Date.now() - 4 * 86_400_000);
    const local = new Date(aware.getTime() - aware.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await report.getByLabel('Aware since').fill(local);
    await report.getByRole('checkbox', { name: 'Personal data breach (GDPR Art. 33)' }).check();
    await report.getByRole('checkbox', { name: 'Major ICT-related incident (DORA)' }).check();
    await report.getByRole('checkbox', { name: 'Widespread infringement (AI Act Art. 73(3))' }).check();
    await report.getByRole('button', { name: 'Report incident' }).click();

    await page.getByRole('heading', { level: 1, name: 'Claims notes exposed to other customers'.replace('Claims', 'Claim') }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    const deadlines = page.getByRole('table', { name: 'Reporting deadlines' });
    const stored = (await h.server.call(lead, 'GET', `/api/v1/incidents/${id}/deadlines`)).json();
    assert.deepEqual(stored.items.map((d: { key: string }) => d.key).sort(), [
      'ai_act_art73',
      'dora_final',
      'dora_initial',
      'dora_intermediate',
      'gdpr_art33',
    ]);
    assert.equal(await deadlines.locator('tbody tr').count(), 5, 'every applicable deadline is shown');
    const gdpr = page.getByTestId('deadline-gdpr_art33');
    assert.match(await gdpr.innerText(), /Personal data breach notification/);
    assert.match(await gdpr.innerText(), /\d+ h \d+ min overdue|\d+ day.* overdue/);
    assert.match(await gdpr.innerText(), /overdue\)[\s\S]*OVERDUE/, 'the deadline is marked overdue');
    const overdueColour = await gdpr
      .getByText(/overdue\)$/)
      .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
    assert.equal(overdueColour, 'rgb(201, 42, 42)', 'time overdue is red');
    assert.match(await page.getByTestId('deadline-dora_final').innerText(), /days left/);

    await gdpr.getByRole('button', { name: /File a report/ }).click();
    const file = page.getByRole('dialog', { name: /File a report: Personal data breach/ });
    await file.getByRole('textbox', { name: 'Reference', exact: true }).fill('DPA-2026-0042');
    await file.getByRole('button', { name: 'File report' }).click();
    await file.waitFor({ state: 'detached' });
    await gdpr.getByText(/DPA-2026-0042 · filed .* · late/).waitFor();
    await gdpr.getByText('Filed late').waitFor();
    const after = (await h.server.call(lead, 'GET', `/api/v1/incidents/${id}/deadlines`)).json();
    const filed = after.items.find((d: { key: string }) => d.key === 'gdpr_art33');
    assert.equal(filed.status, 'filed_late');
    assert.equal(filed.reports[0].reference, 'DPA-2026-0042');

    assert.deepEqual(await seriousViolations(page), [], "axe-core on an incident's page");
    await page.waitForFunction("!document.querySelector('.mantine-Notification-root')", null, { timeout: 15_000 });
    await screenshot(page, 'incident');

    await page.goto('/incidents');
    await page.getByRole('table', { name: 'Incidents' }).getByRole('link', { name: 'Claim notes exposed to other customers' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the incidents list');
    await page.goto('/incidents?status=closed');
    await page.getByText('No incident matches these filters').waitFor();
  });

  it('offers an auditor no step, and shows a missing exception as an error with its code', async () => {
    const auditor = await h.person(['auditor'], 'Ada Auditor');
    const { page } = await h.signedIn(auditor);
    await page.goto('/exceptions');
    await page.getByRole('heading', { level: 1, name: 'Exceptions' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Raise an exception' }).count(), 0);
    await page.goto(`/exceptions/${randomUUID()}`);
    await page.getByRole('alert').getByText('not_found', { exact: true }).waitFor();
    assert.ok(systemId);
  });
});
