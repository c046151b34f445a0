// The approvals area in a real browser: a two-person approval asked for and given (the requester is
// offered no approve button and the server refuses them when the call is forced), a rejection with
// its rationale, a delegation made and revoked, and axe-core on every approvals page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Role } from '../../src/context.js';
import { buildSystem } from '../../test/factories.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('approvals pages (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  /** A person with a real name (renamed through the API, as they would rename themselves). */
  async function named(roles: Role[], name: string) {
    const user = await h.person(roles, name);
    const renamed = await h.server.call(user, 'PATCH', `/api/v1/users/${user.id}`, { displayName: name }, { 'if-match': '"1"' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    return { ...user, displayName: name };
  }

  const system = (ownerId: string, name: string) => buildSystem(h.server.store, { name, accountableOwnerId: ownerId, euRiskTier: 'high' });

  async function fileRiskTierChange(requester: { token: string } & Awaited<ReturnType<typeof h.person>>, systemId: string, title: string) {
    const res = await h.server.call(requester, 'POST', '/api/v1/approvals/requests', {
      kind: 'risk_tier_change',
      subjectId: systemId,
      title,
      justification: 'The assessment found no high-risk use case',
      change: { euRiskTier: 'limited' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; contentDigest: string };
  }

  const axeClean = async (page: Page, where: string) => assert.deepEqual(await seriousViolations(page), [], `axe-core on ${where}`);

  it('asks for and gives a two-person approval: the requester cannot approve, a second person approves with a rationale', async () => {
    const requester = await named(['system_owner'], 'Rosa Requester');
    const lead = await named(['governance_lead'], 'Gil Governance');
    const scorer = await system(requester.id, 'Loan scorer');

    // The requester files the request from the UI.
    const asRequester = await h.signedIn(requester);
    let page = asRequester.page;
    await page.goto('/approvals');
    await page.getByRole('tab', { name: 'My queue' }).waitFor();
    await page.getByRole('button', { name: 'File a request' }).click();
    const dialog = page.getByRole('dialog', { name: 'File an approval request' });
    await dialog.getByLabel(/^Kind of request/).click();
    await page.getByRole('option', { name: 'Change the EU risk tier' }).click();
    await dialog.getByLabel(/^AI system/).fill('Loan');
    await page.getByRole('option', { name: /Loan scorer/ }).click();
    await dialog.getByLabel('Title').fill('Lower the loan scorer to limited risk');
    await dialog.getByLabel(/^Justification/).fill('The assessment found no high-risk use case');
    await axeClean(page, 'the filing dialog');
    await screenshot(page, 'approval-file-request');
    await dialog.getByRole('button', { name: 'File the request' }).click();
    await page.waitForURL(/\/approvals\/[0-9a-f-]{36}$/);
    const requestId = new URL(page.url()).pathname.split('/').pop() as string;
    await page.getByRole('heading', { name: 'Lower the loan scorer to limited risk' }).waitFor();
    await page.getByText('You filed this request').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'the requester is offered no approve button');
    assert.equal(await page.getByRole('button', { name: 'Reject' }).count(), 0);
    assert.match(await page.getByLabel('Content digest').innerText(), /^[0-9a-f]{64}$/);
    // "From" is the value when the request was filed; the subject now is the next table's.
    assert.match(
      await page.getByRole('table', { name: 'The change asked for' }).innerText(),
      /Field\s+From \(when filed\)\s+To\s+euRiskTier\s+high\s+limited/,
    );
    await axeClean(page, 'a pending request (requester)');

    // Forcing the call from the page (cookie + CSRF token) is refused by the server.
    const forced = await page.evaluate(async (id) => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrfToken: string };
      const request = (await (await fetch(`/api/v1/approvals/requests/${id}`)).json()) as { contentDigest: string };
      const res = await fetch(`/api/v1/approvals/requests/${id}/decisions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ decision: 'approve', rationale: 'I approve my own request', contentDigest: request.contentDigest }),
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    }, requestId);
    assert.equal(forced.status, 403);
    assert.equal(forced.body.error.code, 'self_approval_forbidden');

    // The second person finds it in their queue and approves with a rationale.
    page = (await h.signedIn(lead)).page;
    await page.goto('/approvals');
    const queue = page.getByRole('table', { name: 'My queue' });
    await queue.getByRole('link', { name: 'Lower the loan scorer to limited risk' }).waitFor();
    await axeClean(page, 'my queue');
    await queue.getByRole('link', { name: 'Lower the loan scorer to limited risk' }).click();
    await page.waitForURL(`**/approvals/${requestId}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    const decide = page.getByRole('dialog', { name: 'Approve this request' });
    const submit = decide.getByRole('button', { name: 'Approve' });
    await decide.getByLabel(/^Rationale/).fill('   short  ');
    assert.equal(await submit.isDisabled(), true, 'a rationale under 10 visible characters is not sent');
    assert.match(await decide.getByLabel('Digest you sign').innerText(), /^[0-9a-f]{64}$/);
    await axeClean(page, 'the approve dialog');
    await decide.getByLabel(/^Rationale/).fill('Assessment read; limited risk is right for this use');
    await submit.click();
    await decide.waitFor({ state: 'detached' });

    // Approved, with both names and times.
    await page.getByText('Approved', { exact: true }).first().waitFor();
    const signatures = page.getByRole('table', { name: 'Signatures' });
    const rows = await signatures.getByRole('row').allInnerTexts();
    const filed = rows.find((r) => r.includes('Rosa Requester'));
    const signed = rows.find((r) => r.includes('Gil Governance'));
    assert.ok(filed && /Filed/i.test(filed) && /\d{4}/.test(filed), `the requester's row with its time: ${filed}`);
    assert.ok(
      signed && /Approved/i.test(signed) && /Assessment read/.test(signed) && /\d{4}/.test(signed),
      `the approver's row: ${signed}`,
    );
    assert.equal(await signatures.locator('time').count(), 2, 'both moments are shown as times');
    assert.match(await page.getByRole('table', { name: 'Approval chain' }).innerText(), /Governance lead\s+1 of 1\s+Complete/i);
    assert.equal(await page.getByRole('link', { name: 'Loan scorer' }).count(), 1, 'the subject by its name');
    await axeClean(page, 'an approved request');
    await page.getByRole('button', { name: 'Close the notification' }).click();
    await page.getByText(/your decision is recorded/).waitFor({ state: 'detached' });
    await screenshot(page, 'approval-request');

    const view = (await h.server.call(lead, 'GET', `/api/v1/approvals/requests/${requestId}`)).json();
    assert.equal(view.status, 'approved');
    assert.deepEqual(
      view.decisions.map((d: { approver: { id: string }; decision: string }) => [d.approver.id, d.decision]),
      [[lead.id, 'approve']],
    );
    const after = await h.server.call(lead, 'GET', `/api/v1/systems/${scorer.id}`);
    assert.equal(after.json().euRiskTier, 'limited', 'the approved change was applied');

    // The requester sees it among the requests they filed.
    await asRequester.page.goto('/approvals?tab=mine');
    await asRequester.page
      .getByRole('table', { name: 'Requests I filed' })
      .getByRole('link', { name: /Lower the loan scorer/ })
      .waitFor();
  });

  it('rejects a request with a rationale', async () => {
    const requester = await named(['system_owner'], 'Ruth Requester');
    const lead = await named(['governance_lead'], 'Gwen Governance');
    const s = await system(requester.id, 'Fraud detector');
    const request = await fileRiskTierChange(requester, s.id, 'Lower the fraud detector to limited risk');
    const { page } = await h.signedIn(lead);
    await page.goto(`/approvals/${request.id}`);
    // Keyboard only: the dialog opens with focus in the rationale, Tab reaches the button, Enter sends.
    await page.getByRole('button', { name: 'Reject' }).focus();
    await page.keyboard.press('Enter');
    const decide = page.getByRole('dialog', { name: 'Reject this request' });
    await decide.waitFor();
    await decide.locator('textarea:focus').waitFor();
    await page.keyboard.type('It screens people for benefits: high risk stays');
    await page.keyboard.press('Tab');
    assert.equal(await decide.locator('button:focus', { hasText: 'Reject' }).count(), 1, 'Tab leads to the button');
    await page.keyboard.press('Enter');
    await decide.waitFor({ state: 'detached' });
    const signatures = page.getByRole('table', { name: 'Signatures' });
    await signatures.getByText('It screens people for benefits: high risk stays').waitFor();
    assert.match(await signatures.innerText(), /Gwen Governance[\s\S]*Rejected/i);
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'nothing left to decide');
    const view = (await h.server.call(lead, 'GET', `/api/v1/approvals/requests/${request.id}`)).json();
    assert.equal(view.status, 'rejected');
    assert.equal(view.decisions[0].rationale, 'It screens people for benefits: high risk stays');
    await page.goto('/approvals?tab=all&status=rejected');
    await page
      .getByRole('table', { name: 'All requests' })
      .getByRole('link', { name: 'Lower the fraud detector to limited risk' })
      .waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Status' }).inputValue(), 'Rejected', 'the filter comes from the URL');
    await axeClean(page, 'all requests, filtered');
  });

  it('asks for changes; the requester revises (If-Match) and the chain starts again on a new digest', async () => {
    const requester = await named(['system_owner'], 'Rick Requester');
    const lead = await named(['governance_lead'], 'Gail Governance');
    const s = await system(requester.id, 'Chat assistant');
    const request = await fileRiskTierChange(requester, s.id, 'Chat assistant: limited risk');
    const asLead = (await h.signedIn(lead)).page;
    await asLead.goto(`/approvals/${request.id}`);
    await asLead.getByRole('button', { name: 'Request changes' }).click();
    const decide = asLead.getByRole('dialog', { name: 'Request changes to this request' });
    await decide.getByLabel(/^Rationale/).fill('Attach the updated assessment first');
    await decide.getByRole('button', { name: 'Request changes' }).click();
    await decide.waitFor({ state: 'detached' });
    await asLead.getByText('Changes requested', { exact: true }).first().waitFor();

    const { page } = await h.signedIn(requester);
    await page.goto(`/approvals/${request.id}`);
    await page.getByRole('button', { name: 'Revise' }).click();
    const revise = page.getByRole('dialog', { name: 'Revise this request' });
    await revise.getByLabel(/^Reason/).fill('Assessment updated and attached to the system');
    await axeClean(page, 'the revise dialog');
    await revise.getByRole('button', { name: 'Revise' }).click();
    await revise.waitFor({ state: 'detached' });
    await page.getByText('Content digest (SHA-256 of the canonical JSON, revision 2)').waitFor();
    const view = (await h.server.call(lead, 'GET', `/api/v1/approvals/requests/${request.id}`)).json();
    assert.equal(view.revision, 2);
    assert.equal(view.status, 'pending');
    assert.equal(view.decisions[0].decision, 'request_changes');
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'still no approve button for the requester');
  });

  it('makes a delegation and revokes it', async () => {
    const delegator = await named(['approver'], 'Dana Delegator');
    const delegate = await named(['reviewer'], 'Dev Delegate');
    const { page } = await h.signedIn(delegator);
    await page.goto('/approvals?tab=delegations');
    await page.getByText('No delegations').waitFor();
    await axeClean(page, 'delegations (empty)');
    await page.getByRole('button', { name: 'New delegation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New delegation' });
    await dialog.getByLabel(/^Delegate/).fill(delegate.id);
    await dialog.getByLabel(/^Why/).fill('On leave for two weeks; Dev covers my approvals');
    await axeClean(page, 'the delegation dialog');
    await dialog.getByRole('button', { name: 'Delegate' }).click();
    await dialog.waitFor({ state: 'detached' });
    const table = page.getByRole('table', { name: 'Delegations' });
    const row = table.getByRole('row', { name: /Dev Delegate/ });
    await row.getByText('Active').waitFor();
    assert.match(await row.innerText(), /On leave for two weeks/);
    await axeClean(page, 'delegations');
    await screenshot(page, 'approvals-delegations');

    const listed = (await h.server.call(delegate, 'GET', '/api/v1/approvals/delegations')).json();
    assert.equal(listed.items.length, 1, 'the delegate sees it too');
    assert.equal(listed.items[0].delegatorId, delegator.id);
    assert.equal(listed.items[0].revokedAt, null);

    await row.getByRole('button', { name: 'Revoke the delegation to Dev Delegate' }).click();
    await row.getByText('Revoked').waitFor();
    assert.equal(await row.getByRole('button', { name: /Revoke/ }).count(), 0);
    const revoked = (await h.server.call(delegate, 'GET', '/api/v1/approvals/delegations')).json();
    assert.ok(revoked.items[0].revokedAt, 'revoked on the server');
  });

  it('renders a long queue in its own scrolling region, only the rows in view', async () => {
    const owner = await named(['system_owner'], 'Quinn Owner');
    const lead = await named(['governance_lead'], 'Quentin Queue');
    const count = 120;
    for (let i = 0; i < count; i += 1) {
      const s = await system(owner.id, `Queue system ${i}`);
      await fileRiskTierChange(owner, s.id, `Queued request ${String(i).padStart(3, '0')}`);
    }
    const waiting = (await h.server.call(lead, 'GET', '/api/v1/approvals/queue')).json().counts.total as number;
    assert.ok(waiting >= count);
    const { page } = await h.signedIn(lead);
    await page.goto('/approvals');
    await page.getByText(`${waiting} waiting for you`).waitFor({ timeout: 60_000 });
    const region = page.getByRole('region', { name: 'My queue, scrollable' });
    await region.getByRole('link', { name: 'Queued request 000' }).waitFor();
    const rendered = await region.getByRole('link', { name: /^Queued request/ }).count();
    assert.ok(rendered < waiting / 2, `only the rows in view are rendered (${rendered} of ${waiting})`);
    assert.equal(await region.getByRole('link', { name: `Queued request ${count - 1}` }).count(), 0);
    await region.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await region.getByRole('link', { name: `Queued request ${count - 1}` }).waitFor();
    assert.equal(await region.getByRole('link', { name: 'Queued request 000' }).count(), 0, 'the first rows left the page');
    await axeClean(page, 'a long queue');
  });

  it('an auditor reads the approvals and is offered nothing to change; the server refuses the change anyway', async () => {
    const auditor = await h.person(['auditor'], 'Audra Auditor');
    const { page } = await h.signedIn(auditor);
    await page.goto('/approvals?tab=all');
    await page.getByRole('tab', { name: 'All requests', selected: true }).waitFor();
    await page.locator('[role="status"]').first().waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'File a request' }).count(), 0);
    await page.getByRole('tab', { name: 'Delegations' }).click();
    await page.getByText('No delegations').waitFor();
    assert.equal(await page.getByRole('button', { name: 'New delegation' }).count(), 0);
    const status = await page.evaluate(async () => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/v1/approvals/delegations', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ delegateId: 'someone', endsAt: '2099-01-01T00:00:00Z', reason: 'Away for a while' }),
      });
      return res.status;
    });
    assert.equal(status, 403);
  });

  it('lists emergency changes with their retrospective deadline, and every approvals page passes axe-core', async () => {
    const owner = await named(['system_owner'], 'Omar Owner');
    const lead = await named(['governance_lead'], 'Greta Governance');
    const s = await system(owner.id, 'Triage assistant');
    const request = await fileRiskTierChange(owner, s.id, 'Triage assistant: limited risk now');
    const emergency = await h.server.call(lead, 'POST', `/api/v1/approvals/requests/${request.id}/emergency`, {
      reason: 'The regulator asked for the reclassification today',
    });
    assert.equal(emergency.statusCode, 200, emergency.body);

    const { page } = await h.signedIn(lead);
    await page.goto('/approvals?tab=emergency');
    const table = page.getByRole('table', { name: 'Emergency changes' });
    const row = table.getByRole('row', { name: /Triage assistant: limited risk now/ });
    await row.waitFor();
    assert.equal(await row.locator('time').count(), 2, 'when it was made, and when its retrospective approval is due');
    await axeClean(page, 'emergency changes');
    await screenshot(page, 'approvals-emergency');

    for (const [tab, label] of [
      ['queue', 'My queue'],
      ['mine', 'Requests I filed'],
      ['all', 'All requests'],
      ['delegations', 'Delegations'],
    ] as const) {
      await page.getByRole('tab', { name: label }).click();
      await page.waitForURL((url) => (tab === 'queue' ? !url.searchParams.has('tab') : url.searchParams.get('tab') === tab));
      await page.getByRole('tabpanel').waitFor();
      await page.locator('[role="status"]').first().waitFor({ state: 'detached' });
      await axeClean(page, `the ${label} tab`);
    }

    await page.goto(`/approvals/${request.id}`);
    await page.getByText('Made as an emergency change, before its approval').waitFor();
    assert.match(await page.getByText('Retrospective approval due:').innerText(), /Retrospective approval due/);
    // The change is applied already: the subject now differs from the snapshot that is signed.
    assert.match(await page.getByRole('table', { name: 'Changes since the snapshot' }).innerText(), /euRiskTier\s+high\s+limited/);
    await axeClean(page, 'a request made as an emergency');

    // The other theme passes too (the choice is kept for the next page).
    await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor({ state: 'attached' });
    await axeClean(page, 'a request made as an emergency, dark theme');
    await screenshot(page, 'approval-emergency-dark');
    await page.goto('/approvals?tab=emergency');
    await table.getByRole('row', { name: /Triage assistant: limited risk now/ }).waitFor();
    await axeClean(page, 'emergency changes, dark theme');
  });
});
