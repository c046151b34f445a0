// The monitoring pages in a real browser against the real server: a monitor set (then changed) through its dialog,
// metric points sent with an ingest token that breach it, the metric charted with its threshold
// (and the same numbers as a table), the alert on the dashboard and in the alert list, acknowledged
// with a reason that the ledger keeps; fairness per group with its counts and a group too small to
// estimate (its reason shown, not 0); drift of the score against the window before; a data source's
// representativeness report, shown stale once the data source changes. axe-core on
// every page; an auditor reads everything and is offered no action.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

async function choose(page: Page, scope: Page | Locator, label: string, option: string) {
  const input = scope.getByRole('combobox', { name: label, exact: true });
  await input.click();
  if (await input.isEditable()) await input.fill(option);
  await page.getByRole('option', { name: option, exact: true }).first().click();
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('monitoring pages (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser & { displayName: string };
  let auditor: TestUser;
  let ingest: TestUser;
  let systemId: string;
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Lena Lead');
    auditor = await h.person(['auditor'], 'Ada Auditor');
    ingest = await h.server.user(['contributor'], { scopes: ['ingest'] });
    const res = await h.server.call(lead, 'POST', '/api/v1/systems', {
      name: 'Loan pre-screening',
      purpose: 'Ranks loan applications for a first review',
      intendedUse: 'Helps credit officers order their queue',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
    });
    assert.equal(res.statusCode, 201, res.body);
    systemId = res.json().id;

    // Decisions and their outcomes: 60 + 60 this week in groups F and M, 5 in group X (too few to
    // estimate a rate), and 60 the week before with lower scores (the drift reference).
    const records: Array<{ decisionAt: string; group: string; actual: 0 | 1; predicted: 0 | 1; score: number }> = [];
    for (let i = 0; i < 60; i += 1) {
      records.push({
        decisionAt: ago(DAY + i * 60_000),
        group: 'F',
        actual: i % 2 ? 1 : 0,
        predicted: i % 3 ? 1 : 0,
        score: 0.5 + (i % 50) / 100,
      });
      records.push({
        decisionAt: ago(DAY + i * 60_000),
        group: 'M',
        actual: i % 2 ? 1 : 0,
        predicted: i % 4 ? 0 : 1,
        score: 0.45 + (i % 50) / 100,
      });
      records.push({ decisionAt: ago(9 * DAY + i * 60_000), group: 'F', actual: 1, predicted: 1, score: (i % 40) / 100 });
    }
    for (let i = 0; i < 5; i += 1) records.push({ decisionAt: ago(DAY), group: 'X', actual: 1, predicted: 1, score: 0.7 });
    const withIds = records.map((r) => ({ ...r, decisionId: randomUUID() }));
    // Declared features: the channel of each application (categorical) moves from the branch (the
    // week before) to the web (this week), so its drift is large.
    const features = await h.server.call(lead, 'PUT', `/api/v1/systems/${systemId}/features`, {
      features: [
        { name: 'channel', kind: 'categorical', categories: ['web', 'branch'] },
        { name: 'amount', kind: 'numeric' },
      ],
      rationale: 'Watch the application channel and amount for drift',
    });
    assert.equal(features.statusCode, 200, features.body);
    const decisions = await h.server.call(ingest, 'POST', '/api/v1/decisions/batch', {
      records: withIds.map((r, i) => ({
        decisionId: r.decisionId,
        systemId,
        decidedAt: r.decisionAt,
        inputDigest: 'a'.repeat(64),
        output: { approved: r.predicted === 1 },
        features: { channel: r.score < 0.4 ? (i % 5 === 0 ? 'web' : 'branch') : i % 5 === 0 ? 'branch' : 'web', amount: 1000 + i },
      })),
    });
    assert.equal(decisions.statusCode, 200, decisions.body);
    const declared = await h.server.call(lead, 'PUT', `/api/v1/systems/${systemId}/fairness-attributes`, {
      attributes: [{ name: 'sex', values: ['F', 'M', 'X'], fairnessOnly: true }],
      rationale: 'Bias monitoring under our fairness policy',
    });
    assert.equal(declared.statusCode, 200, declared.body);
    const outcomes = await h.server.call(ingest, 'POST', '/api/v1/outcomes/batch', {
      records: withIds.map((r) => ({
        systemId,
        decisionId: r.decisionId,
        actual: r.actual,
        predicted: r.predicted,
        score: r.score,
        knownAt: ago(HOUR),
        groups: { sex: r.group },
      })),
    });
    assert.equal(outcomes.statusCode, 201, outcomes.body);
  });
  after(async () => {
    await h?.close();
  });

  it('sets a monitor, charts the metric with its threshold, and lists the alert its breach raised', async () => {
    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${systemId}`);
    await page.getByRole('link', { name: 'Monitoring' }).first().waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Monitoring', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Monitoring: Loan pre-screening' }).waitFor();
    await page.getByText('No monitors on this system').waitFor();
    // The sidebar follows the section: a system's monitoring page is Monitoring, not Inventory.
    const current = page.getByRole('navigation', { name: 'Main' }).locator('a[aria-current="page"]');
    assert.deepEqual(await current.allInnerTexts(), ['Monitoring']);
    assert.equal(await current.getAttribute('data-active'), 'true');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a system without monitors');

    await page.getByRole('button', { name: 'Set a monitor' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set a monitor' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('p99 latency');
    await dialog.getByRole('textbox', { name: 'Metric', exact: true }).fill('latency_ms');
    await choose(page, dialog, 'Aggregation', 'max');
    await dialog.getByRole('textbox', { name: 'Threshold', exact: true }).fill('500');
    await choose(page, dialog, 'Severity', 'high');
    await dialog.getByRole('textbox', { name: 'Why this threshold', exact: true }).fill('too short');
    await dialog.getByRole('button', { name: 'Set the monitor' }).click();
    await dialog.getByText(/at least 10 visible characters/).waitFor();
    await dialog.getByRole('textbox', { name: 'Why this threshold', exact: true }).fill('The service level objective: p99 under 500 ms');
    await dialog.getByRole('button', { name: 'Set the monitor' }).click();
    await dialog.waitFor({ state: 'detached' });
    const monitors = page.getByRole('table', { name: 'Monitors' });
    await monitors.getByRole('cell', { name: 'max over 1 h > 500' }).waitFor();
    assert.match((await monitors.textContent()) ?? '', new RegExp(lead.displayName), 'the owner by name');

    // Points over the last hours, the newest breaching the threshold: the ingest raises an alert.
    const points = Array.from({ length: 12 }, (_, i) => ({
      systemId,
      metric: 'latency_ms',
      value: 200 + i * 10,
      at: ago((12 - i) * 20 * 60_000),
    }));
    points.push({ systemId, metric: 'latency_ms', value: 950, at: ago(60_000) });
    const sent = await h.server.call(ingest, 'POST', '/api/v1/metrics/points', { points });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.equal(sent.json().alertsFired.length, 1);

    await page.reload();
    const chart = page.getByRole('img', { name: /^latency_ms, max per hour, 13 points; thresholds: p99 latency max over 1 h > 500/ });
    await chart.waitFor();
    await chart.locator('.recharts-reference-line line').first().waitFor({ state: 'attached' });
    assert.equal(await chart.locator('.recharts-reference-line line').count(), 1, 'one threshold drawn');
    await chart.getByText('p99 latency: > 500').waitFor();
    await page.getByRole('button', { name: 'Show as a table' }).click();
    // A week's window is drawn per hour (at most 200 buckets): one row per UTC hour holding points.
    const table = page.getByRole('table', { name: 'latency_ms per hour' });
    await table.waitFor();
    const hours = new Set(points.map((p) => p.at.slice(0, 13))).size;
    assert.equal(await table.getByRole('row').count(), 1 + hours, 'a header and one row per hour');
    assert.match((await table.textContent()) ?? '', /950/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the monitors and their chart');
    await screenshot(page, 'monitoring-system-chart');
    await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor({ state: 'attached' });
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the chart, dark theme');
    await screenshot(page, 'monitoring-system-chart-dark');
    await page.getByRole('button', { name: /Switch to the (dark|light) theme/ }).click();
    await page.locator('html[data-mantine-color-scheme="light"]').waitFor({ state: 'attached' });

    // Changing the rule: the form opens on the monitor's values; the threshold drawn follows.
    await page.getByRole('button', { name: 'Change “p99 latency”' }).click();
    const edit = page.getByRole('dialog', { name: 'Change “p99 latency”' });
    const threshold = edit.getByRole('textbox', { name: 'Threshold', exact: true });
    assert.equal(await threshold.inputValue(), '500');
    assert.equal(await edit.getByRole('textbox', { name: 'Metric', exact: true }).getAttribute('readonly'), '');
    await threshold.fill('600');
    await edit.getByRole('textbox', { name: 'Why the change', exact: true }).fill('The SLO moved to 600 ms for the peak season');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the change dialog');
    await edit.getByRole('button', { name: 'Save the change' }).click();
    await edit.waitFor({ state: 'detached' });
    await monitors.getByRole('cell', { name: 'max over 1 h > 600' }).waitFor();
    await page.getByText('p99 latency: > 600').waitFor();
    const updated = await h.server.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', 'monitor.updated').execute();
    assert.equal(updated.length, 1);
    assert.equal(JSON.parse(updated[0].leaf).data.rationale, 'The SLO moved to 600 ms for the peak season');

    // The dashboard counts it and links the filtered list.
    await page.goto('/');
    const tile = page.getByRole('link', { name: '1 firing alerts: show them' });
    await tile.waitFor();
    assert.equal(await tile.getAttribute('href'), '/monitoring/alerts?status=firing');
    await tile.click();
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const alerts = page.getByRole('table', { name: 'Alerts' });
    await alerts.getByText('Loan pre-screening').waitFor();
    assert.equal(await alerts.getByRole('row').count(), 2, 'a header and the one firing alert');
    assert.match(page.url(), /status=firing/);
  });

  it('acknowledges the alert with a reason that the ledger keeps', async () => {
    const { page } = await h.signedIn(lead);
    await page.goto(`/monitoring/alerts?status=firing&system=${systemId}`);
    const alerts = page.getByRole('table', { name: 'Alerts' });
    await alerts.getByText('Loan pre-screening').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the alert list');
    await screenshot(page, 'monitoring-alerts-firing');
    await alerts.getByRole('button', { name: /^Acknowledge/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Acknowledge/ });
    const reason = dialog.getByRole('textbox', { name: 'Reason' });
    await reason.fill('on it');
    assert.equal(await dialog.getByRole('button', { name: 'Acknowledge', exact: true }).isDisabled(), true, 'too short a reason');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the acknowledge dialog');
    const why = 'Nightly batch spike; the on-call engineer is scaling the pool';
    await reason.fill(why);
    await dialog.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('No alert matches these filters').waitFor();

    await page.getByRole('combobox', { name: 'Status', exact: true }).click();
    await page.getByRole('option', { name: 'Acknowledged' }).click();
    await page.waitForURL(/status=acknowledged/);
    const row = page.getByRole('table', { name: 'Alerts' }).getByRole('row').nth(1);
    await row.getByText(`Acknowledged by ${lead.displayName}`).waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(why));
    await screenshot(page, 'monitoring-alerts-acknowledged');

    const events = await h.server.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', 'alert.acknowledged').execute();
    const leaves = events.map((e) => JSON.parse(e.leaf));
    assert.equal(leaves.length, 1);
    assert.equal(leaves[0].data.rationale, why);
    assert.equal(leaves[0].data.systemId, systemId);
  });

  it('shows fairness per group with counts, a group too small to estimate, the gaps and their conventions', async () => {
    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${systemId}/monitoring?tab=fairness`);
    await page.getByText('Name the group attributes to compare').waitFor();
    await page.getByRole('textbox', { name: 'Group attributes' }).fill('sex');
    await page.getByRole('button', { name: 'Compare the groups' }).click();
    await page.waitForURL(/groupBy=sex/);
    const table = page.getByRole('table', { name: 'Fairness per group' });
    await table.waitFor();
    const rowOf = async (group: string) =>
      (await table
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: group, exact: true }) })
        .textContent()) ?? '';
    const f = await rowOf('sex=F');
    assert.match(f, /^sex=F60/, 'group F counts 60 decisions this week (the week before is outside the window)');
    const xRow = table.getByRole('row').filter({ has: page.getByRole('cell', { name: 'sex=X', exact: true }) });
    const xCells = await xRow.getByRole('cell').allTextContents();
    assert.equal(xCells[1], '5', 'group X counts its 5 decisions');
    assert.equal(xCells[2], '5 / 0 / 0 / 0');
    // Selection rate, TPR, FPR, FNR and impact ratio: each reads as its reason, never as 0.
    for (const cell of xCells.slice(3)) assert.match(cell, /^n\/a: (below min count|no actual negatives)$/, cell);

    await page.getByText('Demographic parity difference').waitFor();
    await page.getByText(/max − min of the groups’ selection rates; convention: between groups; 2 groups compared/).waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on fairness');
    await screenshot(page, 'monitoring-fairness');
  });

  it("shows a data source's representativeness, and once the data source changes that the report is stale, naming the change", async () => {
    const source = await h.server.call(lead, 'POST', `/api/v1/systems/${systemId}/data-sources`, {
      name: 'Loan applications 2025',
      kind: 'database',
      containsPersonalData: true,
    });
    assert.equal(source.statusCode, 201, source.body);
    const dataSourceId: string = source.json().id;
    const reported = await h.server.call(lead, 'PUT', `/api/v1/data-sources/${dataSourceId}/population`, {
      attribute: 'age_band',
      reference: { '18-29': 0.2, '30-49': 0.4, '50+': 0.4 },
      counts: { '18-29': 20, '30-49': 40, '50+': 40 },
    });
    assert.equal(reported.statusCode, 200, reported.body);

    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${systemId}`);
    const row = page.getByRole('table', { name: 'Data sources' }).getByRole('row').filter({ hasText: 'Loan applications 2025' });
    const cell = row.getByRole('cell').last();
    await cell.getByText('age_band: n 100, p = 1.00').waitFor();
    assert.equal(await cell.getByText('stale', { exact: true }).count(), 0, 'a report of the data source as it is');

    // Another extract of the dataset: the counts reported are of the old one.
    const why = 'Monthly refresh of the applications extract';
    const changed = await h.server.call(
      lead,
      'PATCH',
      `/api/v1/data-sources/${dataSourceId}`,
      { provenance: 'extract of 2026-11-30', rationale: why },
      { 'if-match': '"1"' },
    );
    assert.equal(changed.statusCode, 200, changed.body);
    await page.reload();
    await cell.getByText('stale', { exact: true }).waitFor();
    const notice = (await cell.textContent()) ?? '';
    assert.match(notice, /^age_band: n 100, p = 1\.00/, 'the old report is still shown');
    assert.match(
      notice,
      new RegExp(`The data source changed after this report \\(version 2, .+: ${why}\\); report its population again\\.`),
    );
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the system page with a stale representativeness report');
  });

  it('picks a declared feature for drift: a categorical one shows chi-square, PSI and its category counts', async () => {
    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${systemId}/monitoring?tab=drift`);
    await page.getByRole('table', { name: 'Drift of the decision score' }).waitFor();
    await choose(page, page, 'Feature', 'channel (categorical)');
    const table = page.getByRole('table', { name: 'Drift of channel' });
    await table.waitFor();
    assert.match(page.url(), /feature=channel/, 'the feature is in the URL');
    assert.match(
      (await table.getByRole('row').nth(1).textContent()) ?? '',
      /^Chi-square statistic\d+(\.\d+)?test of homogeneity, 1 degree of freedom/,
    );
    assert.match((await table.getByRole('row').nth(2).textContent()) ?? '', /^Chi-square p-value(< )?[\d.]+small/);
    assert.match((await table.getByRole('row').nth(3).textContent()) ?? '', /^PSI \(population stability index\)\d+(\.\d+)?shifted/);
    const counts = page.getByRole('table', { name: 'Categories of channel' });
    const rows = await counts.getByRole('row').allTextContents();
    assert.equal(rows.length, 3, rows.join(' | '));
    assert.match(rows[1], /^branch\d+\d+$/);
    await page.getByText(/\(125 values\) against the window of the same length before it \(60 values\)/).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on categorical drift');
    await screenshot(page, 'monitoring-drift-categorical');

    // Frozen as a baseline, the same counts read against it.
    await page.getByRole('button', { name: 'Freeze the window before as a baseline' }).click();
    await page.getByRole('textbox', { name: 'Baseline id' }).waitFor();
    await page.getByText(/against baseline [0-9a-f-]{36} \(60 values\)/).waitFor();
    await choose(page, page, 'Feature', 'amount (numeric)');
    await page.getByRole('table', { name: 'Drift of amount' }).getByText('Kolmogorov–Smirnov p-value').waitFor();
  });

  it('shows drift of the score against the window before, and an auditor is offered no action', async () => {
    const { page } = await h.signedIn(auditor);
    await page.goto(`/systems/${systemId}/monitoring?tab=drift`);
    const table = page.getByRole('table', { name: 'Drift of the decision score' });
    await table.waitFor();
    const psi = (await table.getByRole('row').nth(1).textContent()) ?? '';
    assert.match(psi, /^PSI \(population stability index\)\d+(\.\d+)?shifted/, 'scores moved up a lot this week');
    assert.match((await table.getByRole('row').nth(3).textContent()) ?? '', /p-value(< )?\d/);
    assert.match((await table.getByRole('row').nth(4).textContent()) ?? '', /Jensen–Shannon distance0\.\d+/);
    await page.getByText(/\(125 scores\) against the window of the same length before it \(60 scores\)/).waitFor();
    assert.equal(await page.getByRole('button', { name: /Freeze/ }).count(), 0, 'an auditor freezes no baseline');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on drift');
    await screenshot(page, 'monitoring-drift');

    await page.getByRole('tab', { name: 'Monitors and metrics' }).click();
    await page.getByRole('table', { name: 'Monitors' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Set a monitor' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Disable/ }).count(), 0);
    await page.goto('/monitoring/alerts');
    await page.getByRole('table', { name: 'Alerts' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Acknowledge|Resolve)/ }).count(), 0, 'an auditor handles no alert');
  });
});
