// The dashboard and the public pages in a real browser: every number links to its list; a published
// system's transparency page shows only what was published; a member of the public files an appeal
// with the public reference, follows it with the link they were given, and sees the outcome.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSystem } from '../../test/factories.js';
import { pauseOfficerAndService } from '../../test/runtime-pause.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

const PAGE = {
  publicName: 'Loan pre-screening assistant',
  whatItDoes: 'Sorts loan applications by the documents they still need.',
  whatItDoesNot: 'It never refuses a loan: a credit officer decides.',
  humanReview: 'A credit officer reviews every suggestion before it is used.',
  overseenBy: 'Head of Credit Risk',
  howToChallenge: 'Use the form below with the reference of the decision you received.',
};

describe('dashboard and public pages (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('shows the key figures, each number a link to the filtered list behind it', async () => {
    const admin = await h.person(['admin'], 'Dana Dashboard');
    await buildSystem(h.server.store, { name: 'High-risk scorer', euRiskTier: 'high' });
    await buildSystem(h.server.store, { name: 'Shadow chatbot', deploymentKind: 'shadow' });
    const known = await buildSystem(h.server.store, { name: 'Triaged shadow summariser', deploymentKind: 'shadow' });
    const triaged = await h.server.call(admin, 'POST', `/api/v1/systems/${known.id}/triage`, {
      rationale: 'Known to the governance lead; kept under review',
      version: known.version,
    });
    assert.equal(triaged.statusCode, 200, triaged.body);
    const { page } = await h.signedIn(admin);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const all = page.getByRole('link', { name: /AI systems: show them/ });
    await all.waitFor();
    const expected = (await h.server.call(admin, 'GET', '/api/v1/systems?limit=1')).json().total as number;
    assert.equal((await all.innerText()).trim(), expected.toLocaleString('en-GB'));
    await page.getByText('Trends, week by week').waitFor();
    // The trends chart (uPlot, its own chunk): a canvas, and a legend naming each series.
    const chart = page.getByRole('figure', { name: /Weekly counts over the last weeks/ });
    await chart.locator('canvas').first().waitFor();
    for (const series of ['approvals_decided', 'exceptions_opened', 'exceptions_closed', 'incidents', 'appeals']) {
      await chart.locator('.u-legend').getByText(series, { exact: true }).waitFor();
    }
    // Oversight actions are named as the console names them, not by their event types.
    const oversight = page.locator('.mantine-Card-root', { has: page.getByRole('heading', { name: 'Human oversight' }) });
    for (const action of ['Paused', 'Restricted', 'Resume requested', 'Resumed']) {
      await oversight.getByText(action, { exact: true }).waitFor();
    }
    assert.equal(await oversight.getByText(/oversight\./).count(), 0);
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'dashboard');

    await page.getByRole('link', { name: /systems of risk tier high: show them/ }).click();
    await page.waitForURL((url) => url.pathname === '/systems' && url.searchParams.get('tier') === 'high');
    await page.getByRole('link', { name: 'High-risk scorer' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Shadow chatbot' }).count(), 0);

    // Shadow AI awaiting triage: exactly the list the dashboard counts, not every shadow system.
    await page.goBack();
    await page.getByRole('link', { name: /shadow AI systems awaiting triage: show them/ }).click();
    await page.waitForURL((url) => url.pathname === '/systems' && url.searchParams.get('untriaged') === 'true');
    await page.getByRole('link', { name: 'Shadow chatbot' }).waitFor();
    await page.locator('[data-testid="systems-table"]:not([aria-busy="true"])').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Triaged shadow summariser' }).count(), 0);
    assert.ok(await page.getByRole('checkbox', { name: 'Shadow AI awaiting triage' }).isChecked());
  });

  it('a published system has a public page; the public files an appeal by its reference and follows it to the outcome', async () => {
    const admin = await h.person(['admin'], 'Paula Publisher');
    const system = await buildSystem(h.server.store, { name: 'Internal name never published' });
    const published = await h.server.call(admin, 'PUT', `/api/v1/systems/${system.id}/publication`, {
      published: true,
      ...PAGE,
      rationale: 'Published for the people our credit decisions affect',
    });
    assert.equal(published.statusCode, 201, published.body);
    const ref = published.json().publicRef as string;

    const { page } = await h.anonymous();
    await page.goto('/public');
    await page.getByRole('link', { name: PAGE.publicName }).click();
    await page.waitForURL(`**/public/systems/${ref}`);
    await page.getByRole('heading', { name: PAGE.publicName, level: 1 }).waitFor();
    for (const text of [PAGE.whatItDoes, PAGE.whatItDoesNot, PAGE.humanReview, PAGE.overseenBy, PAGE.howToChallenge]) {
      await page.getByText(text).waitFor();
    }
    await page.getByText('In use', { exact: true }).waitFor(); // the runtime state now
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /Internal name never published/);
    assert.doesNotMatch(body, new RegExp(system.id));
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'public-transparency');

    await page.getByLabel(/^Decision reference/).fill('decision-4711');
    await page.getByLabel(/^Why you challenge it/).fill('The decision ignored my updated income statement.');
    await page.getByRole('button', { name: 'File my appeal' }).click();
    const caseNumber = (await page.getByTestId('case-number').innerText()).trim();
    assert.ok(caseNumber.length > 0);
    assert.deepEqual(await seriousViolations(page), []);

    await page.getByRole('link', { name: 'Follow my case' }).click();
    await page.waitForURL(`**/public/cases/${encodeURIComponent(caseNumber)}#secret=*`);
    await page.getByTestId('case-status').waitFor();
    assert.match(await page.getByTestId('case-status').innerText(), /Received/);
    assert.deepEqual(await seriousViolations(page), []);

    // Staff resolve it (their appeals page is tested elsewhere); the appellant sees the outcome.
    const appeals = (await h.server.call(admin, 'GET', `/api/v1/appeals?limit=50`)).json().items as Array<{
      id: string;
      caseNumber: string;
      version: number;
    }>;
    const appeal = appeals.find((a) => a.caseNumber === caseNumber);
    assert.ok(appeal, 'the appeal reached the staff list');
    const resolved = await h.server.call(admin, 'POST', `/api/v1/appeals/${appeal.id}/resolve`, {
      outcome: 'rejected',
      explanation: 'Your updated income statement was considered; it does not change the assessment.',
      version: appeal.version,
    });
    assert.equal(resolved.statusCode, 200, resolved.body);
    await page.reload();
    await page.getByText('Outcome: rejected').waitFor();
    await page.getByText('Your updated income statement was considered').waitFor();

    // Its overseers pause it: the public page says so at once.
    const { officerToken } = await pauseOfficerAndService(h.server.store, system.id);
    const paused = await fetch(`${h.baseUrl}/api/v1/systems/${system.id}/runtime/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'A serious incident is being examined' }),
    });
    assert.equal(paused.status, 200, await paused.text());
    await page.goto(`/public/systems/${ref}`);
    await page.getByText('Paused by its overseers', { exact: true }).waitFor();
    assert.equal(await page.getByText('In use', { exact: true }).count(), 0);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a paused system’s public page');
  });

  it("a system's owner publishes its public page from the system's page, with a rationale", async () => {
    const admin = await h.person(['admin'], 'Omar Owner');
    const system = await buildSystem(h.server.store, { name: 'Claims triage' });
    const { page } = await h.signedIn(admin);
    await page.goto(`/systems/${system.id}`);
    await page.getByText('Not published.').waitFor();
    await page.getByRole('button', { name: 'Publish a public page' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name the public knows it by').fill('Claims triage helper');
    await dialog.getByLabel('What it does', { exact: true }).fill('Orders incoming claims by urgency.');
    await dialog.getByLabel('What it does not do').fill('It never rejects a claim.');
    await dialog.getByLabel('Does a person review its outputs?').fill('Yes, a claims handler reviews each order.');
    await dialog.getByLabel(/^Who oversees it/).fill('Head of Claims');
    await dialog.getByLabel('How to challenge a decision').fill('Use the appeal form on this page.');
    await dialog.getByLabel(/^Why this change/).fill('Customers asked how claims are ordered');
    await dialog.getByRole('button', { name: 'Save the public page' }).click();
    await page.getByRole('link', { name: 'open the public page' }).waitFor();
    const view = (await h.server.call(admin, 'GET', `/api/v1/systems/${system.id}/publication`)).json();
    assert.equal(view.published, true);
    assert.equal(view.publicName, 'Claims triage helper');
    const publicPage = await fetch(`${h.baseUrl}/api/v1/public/systems/${view.publicRef}`);
    assert.equal(publicPage.status, 200);
    assert.deepEqual(await seriousViolations(page), []);
  });

  it('an unpublished or unknown reference shows no page, and a wrong secret shows no case', async () => {
    const { page } = await h.anonymous();
    await page.goto('/public/systems/PL-NOPE00');
    await page.getByText('No published AI system has this reference').first().waitFor();
    await page.goto('/public/cases/NO-SUCH-CASE#secret=wrong');
    await page.getByText('No case matches this number and secret').first().waitFor();
  });
});
