// The oversight console in a real browser against the real server: a high-risk system is paused with
// a reason and its runtime state changes on the page; its resume waits for a second officer (the
// first cannot confirm their own, neither in the UI nor through the API), then it is active again.
// axe-core on the page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('oversight console (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser;
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
  });
  after(async () => {
    await h?.close();
  });

  it('pauses a high-risk system with a reason, then resumes it only with a second officer confirming', async () => {
    const created = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Credit limit advisor',
      purpose: 'Suggests credit limits',
      intendedUse: 'Advises credit officers; never decides',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
      euRiskTier: 'high',
      accountableOwnerId: lead.id,
    });
    assert.equal(created.statusCode, 201, created.body);
    const systemId = (created.json() as { id: string }).id;
    const first = await h.person(['oversight_officer'], 'Olivia Officer');
    const second = await h.person(['oversight_officer'], 'Sam Second');
    const reader = await h.person(['oversight_officer'], 'Rita Reader');
    for (const [officer, authorities] of [
      [first, ['pause', 'restrict', 'resume']],
      [second, ['resume']],
    ] as const) {
      const added = await h.server.call(lead, 'POST', `/api/v1/systems/${systemId}/oversight/roster`, {
        userId: officer.id,
        authorities,
        competence: 'Trained credit risk officer',
      });
      assert.equal(added.statusCode, 201, added.body);
    }

    // The names the server gives the officers are the names the page shows.
    const listed = (await h.server.call(lead, 'GET', `/api/v1/systems/${systemId}/oversight/roster`)).json() as {
      items: Array<{ userId: string; userName: string }>;
    };
    const nameOf = (user: TestUser) => listed.items.find((e) => e.userId === user.id)?.userName as string;

    // Someone not on the roster sees the state but is offered no action.
    const asReader = await h.signedIn(reader);
    await asReader.page.goto(`/oversight?system=${systemId}`);
    await asReader.page.getByTestId('runtime-state').getByText('active').waitFor();
    await asReader.page.getByText(/not on this system's roster/).waitFor();
    assert.equal(await asReader.page.getByRole('button', { name: 'Pause' }).count(), 0);

    // The first officer pauses it with a reason; a too-short reason is refused in place.
    const { page } = await h.signedIn(first);
    await page.goto(`/oversight?system=${systemId}`);
    const roster = page.getByRole('table', { name: 'Oversight roster' });
    await roster
      .getByRole('row')
      .filter({ hasText: nameOf(second) })
      .waitFor();
    assert.match(
      await roster
        .getByRole('row')
        .filter({ hasText: nameOf(first) })
        .innerText(),
      /pause/i,
    );
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const pause = page.getByRole('dialog', { name: 'Pause the system' });
    await pause.getByRole('textbox', { name: 'Reason' }).fill('too short');
    await pause.getByRole('button', { name: 'Pause' }).click();
    await pause.getByText(/at least 10 visible characters/).waitFor();
    await pause.getByRole('textbox', { name: 'Reason' }).fill('Drift alarm on the approval rate for young applicants');
    await pause.getByRole('button', { name: 'Pause' }).click();
    await pause.waitFor({ state: 'hidden' });
    await page.getByTestId('runtime-state').getByText('paused').waitFor();
    const runtime = (await h.server.call(first, 'GET', `/api/v1/systems/${systemId}/runtime`)).json();
    assert.equal(runtime.state, 'paused');
    await page.getByText('Reason: Drift alarm on the approval rate for young applicants').waitFor();

    // The reader's page follows the live state without reloading (refetched every few seconds).
    await asReader.page.getByTestId('runtime-state').getByText('paused').waitFor({ timeout: 15_000 });

    // The first officer asks to resume: the system stays paused, awaiting a second officer.
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    const resume = page.getByRole('dialog', { name: 'Resume the system' });
    await resume.getByRole('textbox', { name: 'Reason' }).fill('Drift explained by a data feed outage, now fixed');
    await resume.getByRole('button', { name: 'Resume' }).click();
    await resume.waitFor({ state: 'hidden' });
    await page
      .getByTestId('pending-resume')
      .getByText(/another officer with resume authority must confirm/)
      .waitFor();
    assert.equal((await h.server.call(first, 'GET', `/api/v1/systems/${systemId}/runtime`)).json().state, 'paused');
    // The first officer is offered no confirmation, and the server refuses it too.
    assert.equal(await page.getByRole('button', { name: /Resume|Confirm the resume/ }).count(), 0);
    const own = await h.server.call(first, 'POST', `/api/v1/systems/${systemId}/runtime/resume`, { reason: 'I confirm my own resume' });
    assert.equal(own.statusCode, 403, own.body);
    assert.equal(own.json().error.code, 'second_person_required');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the oversight console');
    await screenshot(page, 'oversight');

    // The second officer confirms it; the system is active again.
    const other = await h.signedIn(second);
    await other.page.goto(`/oversight?system=${systemId}`);
    await other.page
      .getByTestId('pending-resume')
      .getByText(`${nameOf(first)} asked to resume`, { exact: false })
      .waitFor();
    await other.page.getByRole('button', { name: 'Confirm the resume' }).click();
    const confirm = other.page.getByRole('dialog', { name: 'Resume the system' });
    await confirm.getByRole('textbox', { name: 'Reason' }).fill('Checked the feed fix and the drift report myself');
    await confirm.getByRole('button', { name: 'Resume' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await other.page.getByTestId('runtime-state').getByText('active').waitFor();
    const detail = (await h.server.call(lead, 'GET', `/api/v1/systems/${systemId}/runtime/detail`)).json();
    assert.equal(detail.state, 'active');
    assert.equal(detail.updatedBy, second.id);
    assert.equal(detail.pendingResume, null);
    assert.deepEqual(await seriousViolations(other.page), [], 'axe-core on the console with a confirmation dialog closed');
  });
});
