// The inventory and a system's page in a real browser against the real server: registering a system
// and naming its owners, filters and saved views as URLs, the import's dry run with its errors in
// place, a history entry's proof checked in the browser (and a tampered checkpoint refused), the
// version comparison, what each role is offered, and axe-core on both pages.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

const system = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  purpose: `Purpose of ${name}`,
  intendedUse: `Intended use of ${name}`,
  aiType: 'machine_learning',
  deploymentKind: 'internal',
  ...extra,
});

/** Picks an option of a Mantine Select (typing part of it first when the select is searchable). */
async function choose(page: Page, label: string, option: RegExp | string, scope: Page | ReturnType<Page['locator']> = page) {
  const input = scope.getByRole('combobox', { name: label, exact: true });
  await input.click();
  if (typeof option === 'string' && (await input.isEditable())) await input.fill(option);
  await page.getByRole('option', { name: option }).first().click();
}

/** The names in the inventory table, in order. */
async function rowNames(page: Page): Promise<string[]> {
  // The rows of the filters now in the URL: while their page loads, the table shows the previous
  // rows and says it is busy.
  await page.locator('[data-testid="systems-table"]:not([aria-busy="true"])').waitFor();
  return (await page.getByTestId('systems-table').locator('tbody tr td:first-child a').allInnerTexts()).map((t) => t.trim());
}

/** Downloads the inventory export through the Export menu item named `item`; its rows by CSV header. */
async function exportedRows(page: Page, item: string): Promise<Array<Record<string, string>>> {
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: item, exact: true }).click()]);
  return parse(fs.readFileSync(await download.path(), 'utf8'), { columns: true }) as Array<Record<string, string>>;
}

const exportedNames = async (page: Page, item: string) => (await exportedRows(page, item)).map((row) => row.name);

describe('inventory and system page (Chromium, SQLite)', () => {
  let h: Harness;
  let lead: TestUser & { displayName: string };
  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
  });
  after(async () => {
    await h?.close();
  });

  const create = async (body: Record<string, unknown>, as: TestUser = lead) => {
    const res = await h.server.call(as, 'POST', '/api/v1/systems', body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; version: number };
  };

  it('registers a system and names its accountable owner and a phase owner, each with a rationale, then changes the owner', async () => {
    const owner = await h.person(['contributor'], 'Olga Owner');
    const validator = await h.person(['contributor'], 'Vera Validator');
    const { page } = await h.signedIn(lead);
    await page.goto('/systems');
    await page.getByRole('button', { name: 'Register a system' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register an AI system' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Loan triage assistant');
    await dialog.getByRole('textbox', { name: 'Purpose', exact: true }).fill('Sorts loan applications by urgency');
    await dialog.getByRole('textbox', { name: 'Intended use', exact: true }).fill('Helps credit officers order their queue; never decides');
    await choose(page, 'EU risk tier', 'High', dialog);
    await choose(page, 'Accountable owner', owner.email, dialog);
    await dialog.getByRole('button', { name: 'Add a phase owner' }).click();
    await choose(page, 'Phase 1', 'Validation', dialog);
    await choose(page, 'Owner of phase 1', validator.email, dialog);
    await dialog.getByRole('textbox', { name: 'Why this person owns phase 1' }).fill('too short');
    await dialog.getByRole('button', { name: 'Register system' }).click();
    await dialog.getByText(/at least 10 visible characters/).waitFor();
    await dialog.getByRole('textbox', { name: 'Why this person owns phase 1' }).fill('Vera leads model validation for credit');
    await dialog.getByRole('button', { name: 'Register system' }).click();

    await page.getByRole('heading', { level: 1, name: 'Loan triage assistant' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    // What the page shows is what the server holds.
    const stored = (await h.server.call(lead, 'GET', `/api/v1/systems/${id}`)).json();
    const phases = page.getByRole('table', { name: 'Owners per lifecycle phase' });
    const validationRow = phases.getByRole('row').filter({ hasText: 'Validation' });
    assert.match(await validationRow.innerText(), new RegExp(`Validation\\s+${stored.phaseOwners[0].userName}`));
    assert.equal(stored.accountableOwnerId, owner.id);
    assert.equal(stored.euRiskTier, 'high');
    assert.deepEqual(
      stored.phaseOwners.map((o: { phase: string; userId: string }) => [o.phase, o.userId]),
      [['validation', validator.id]],
    );
    assert.match(await page.getByText(/^Accountable owner:/).innerText(), new RegExp(stored.accountableOwnerName));
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the system page');
    await screenshot(page, 'system-page-overview');

    // Changing the accountable owner sends the version read (If-Match) and a rationale.
    await page.getByRole('button', { name: 'Change the accountable owner' }).click();
    const change = page.getByRole('dialog', { name: 'Change the accountable owner' });
    await choose(page, 'Person', validator.email, change);
    await change.getByRole('textbox', { name: 'Why' }).fill('Olga moved to another department');
    await change.getByRole('button', { name: 'Change owner' }).click();
    await change.waitFor({ state: 'hidden' });
    const changed = (await h.server.call(lead, 'GET', `/api/v1/systems/${id}`)).json();
    assert.equal(changed.accountableOwnerId, validator.id);
    assert.equal(changed.version, stored.version + 1);
    await page.getByText(`Accountable owner: ${changed.accountableOwnerName}`).waitFor();
  });

  it('filters the inventory by URL, sorts on the server, and keeps saved views as links', async () => {
    for (const [name, extra] of [
      ['Filter alpha', { euRiskTier: 'high', tags: ['credit'] }],
      ['Filter bravo', { euRiskTier: 'high', status: 'in_development' }],
      ['Filter charlie', { euRiskTier: 'minimal', deploymentKind: 'shadow' }],
    ] as const) {
      await create(system(name, { accountableOwnerId: lead.id, ...extra }));
    }
    const { page } = await h.signedIn(lead);
    await page.goto('/systems?tier=high&q=Filter');
    assert.deepEqual(await rowNames(page), ['Filter alpha', 'Filter bravo']);
    assert.equal(await page.getByRole('combobox', { name: 'EU risk tier', exact: true }).inputValue(), 'High');
    assert.equal(await page.getByRole('textbox', { name: 'Name', exact: true }).inputValue(), 'Filter');

    // Sorting is the server's: descending by name, in the URL.
    await page.getByRole('button', { name: /^Name/ }).click();
    await page.waitForURL((url) => url.searchParams.get('sort') === '-name');
    assert.deepEqual(await rowNames(page), ['Filter bravo', 'Filter alpha']);

    // A filter chosen on the page lands in the URL.
    await choose(page, 'Status', 'In development');
    await page.waitForURL((url) => url.searchParams.get('status') === 'in_development' && url.searchParams.get('tier') === 'high');
    assert.deepEqual(await rowNames(page), ['Filter bravo']);

    await page.getByRole('button', { name: 'Save this view' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Name of the view' }).fill('High risk in development');
    await page.getByRole('dialog').getByRole('button', { name: 'Save view' }).click();
    await page.goto('/systems?tag=credit');
    assert.deepEqual(await rowNames(page), ['Filter alpha']);
    await page.getByRole('link', { name: 'High risk in development' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'in_development' && url.searchParams.get('sort') === '-name');
    assert.deepEqual(await rowNames(page), ['Filter bravo']);

    // The deployment kind and the accountable owner filter too; the export is a download of the
    // systems the filters on screen hold (not the page or the order), and its menu says how many.
    await page.goto('/systems?kind=shadow&q=Filter');
    assert.deepEqual(await rowNames(page), ['Filter charlie']);
    await page.goto(`/systems?owner=${lead.id}&q=Filter&sort=-name`);
    assert.deepEqual(await rowNames(page), ['Filter charlie', 'Filter bravo', 'Filter alpha']);
    assert.deepEqual(await exportedNames(page, 'Export these 3 systems as CSV'), ['Filter alpha', 'Filter bravo', 'Filter charlie']);
    await page.goto('/systems?tier=high');
    const high = await rowNames(page);
    assert.ok(high.includes('Filter alpha') && high.includes('Filter bravo') && !high.includes('Filter charlie'), high.join(', '));
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.getByRole('menuitem', { name: `Export these ${high.length} systems as JSON`, exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the open Export menu');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'hidden' });
    const exported = await exportedRows(page, `Export these ${high.length} systems as CSV`);
    assert.deepEqual(
      exported.map((row) => row.name),
      high,
    );
    assert.deepEqual(new Set(exported.map((row) => row.euRiskTier)), new Set(['high']));

    await page.goto('/systems?q=no-such-system-anywhere');
    await page.getByText('No system matches these filters').waitFor();
    await page.goto('/systems?q=Filter');
    await rowNames(page);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the inventory');
    await screenshot(page, 'inventory');
    await page.getByRole('button', { name: 'Switch to the dark theme' }).click();
    assert.equal(await page.locator('html').getAttribute('data-mantine-color-scheme'), 'dark');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the inventory, dark theme');
  });

  it('shows the dry run errors of an import beside their lines, and imports the file once it is valid', async () => {
    const { page } = await h.signedIn(lead);
    await page.goto('/systems');
    await page.getByRole('button', { name: 'Import' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import systems' });
    const header = 'name,purpose,intendedUse,aiType,deploymentKind,euRiskTier,tags';
    const good = 'Imported one,Ranks tickets,Support desk triage,machine_learning,internal,limited,support;nlp';
    const badType = 'Imported two,Drafts replies,Support desk drafts,telepathy,internal,minimal,';
    const noPurpose = 'Imported three,,Nothing,generative,third_party,minimal,';
    await dialog.getByRole('textbox', { name: "Or paste the file's content" }).fill([header, good, badType, noPurpose].join('\n'));
    await dialog.getByRole('button', { name: 'Check (dry run)' }).click();
    await dialog.getByText('2 with errors').waitFor();
    const line = (n: number) => dialog.locator(`tr[data-line="${n}"]`);
    assert.equal(await line(2).getAttribute('data-invalid'), null);
    assert.equal(await line(3).getAttribute('data-invalid'), 'true');
    assert.match(await line(3).innerText(), /Imported two[\s\S]*⚠[\s\S]*aiType/);
    assert.match(await line(4).innerText(), /Imported three[\s\S]*⚠[\s\S]*purpose/);
    assert.equal(await dialog.getByRole('button', { name: /^Import/ }).isDisabled(), true);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the import dialog');

    await dialog.getByRole('textbox', { name: "Or paste the file's content" }).fill([header, good].join('\n'));
    await dialog.getByRole('button', { name: 'Check (dry run)' }).click();
    await dialog.getByText(/^Every line is valid/).waitFor();
    await dialog.getByRole('button', { name: 'Import 1 systems' }).click();
    await page.getByText('1 systems were added to the inventory').waitFor();
    const listed = (await h.server.call(lead, 'GET', '/api/v1/systems?q=Imported')).json();
    assert.deepEqual(
      listed.items.map((s: { name: string }) => s.name),
      ['Imported one'],
    );
  });

  it("checks a history entry's proof in the browser against the signed checkpoint, refuses a tampered one, and compares versions", async () => {
    const auditor = await h.person(['auditor'], 'Audrey Auditor');
    const created = await create(system('Proof subject', { tags: ['before'] }));
    const patched = await h.server.call(
      lead,
      'PATCH',
      `/api/v1/systems/${created.id}`,
      { tags: ['after'], rationale: 'Retagged after review' },
      {
        'if-match': `"${created.version}"`,
      },
    );
    assert.equal(patched.statusCode, 200, patched.body);
    const made = await h.server.call(lead, 'POST', '/api/v1/ledger/checkpoints');
    assert.equal(made.statusCode, 200, made.body);
    const note = made.json().checkpoint.note as string;

    const { page } = await h.signedIn(auditor);
    await page.goto(`/systems/${created.id}?tab=history&order=asc`);
    const entries = page.getByTestId('history-scroller').locator('li');
    await entries.first().waitFor();
    const first = entries.first();
    assert.match(await first.innerText(), /system\.created/);
    // Keyboard only: focus the entry's action and press Enter.
    await first.getByRole('button', { name: /^Check proof/ }).focus();
    await page.keyboard.press('Enter');
    await first.locator('[data-proof="verified"]').waitFor();
    assert.match(
      await first.locator('[data-proof]').innerText(),
      /Verified in this browser: included in the signed checkpoint of \d+ entries/,
    );
    await screenshot(page, 'system-page');

    // The same entry against a checkpoint whose root was altered: the signature no longer holds.
    const lines = note.split('\n');
    lines[2] = lines[2].startsWith('A') ? `B${lines[2].slice(1)}` : `A${lines[2].slice(1)}`;
    await first.getByRole('button', { name: 'against a checkpoint I hold' }).click();
    const dialog = page.getByRole('dialog', { name: 'Check against a checkpoint you hold' });
    await dialog.getByRole('textbox', { name: 'Signed checkpoint note' }).fill(lines.join('\n'));
    await dialog.getByRole('button', { name: 'Check against this checkpoint' }).click();
    await first.locator('[data-proof="failed"]').waitFor();
    assert.match(await first.locator('[data-proof]').innerText(), /Proof failed: the signature by .+ does not verify/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the history');
    await screenshot(page, 'system-page-proof-failed');

    // Two versions side by side, from the URL.
    await page.goto(`/systems/${created.id}?tab=changes&from=1&to=2`);
    const table = page.getByRole('table', { name: 'Version 1 and version 2 side by side' });
    await table.waitFor();
    const tagsRow = table.locator('tr[data-changed]').filter({ hasText: 'tags' });
    assert.match(await tagsRow.innerText(), /tags[\s\S]*changed[\s\S]*before[\s\S]*after/);
    await page.getByText('Why: Retagged after review').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the changes');

    // An entry newer than the latest checkpoint is not yet provable, which is not a failure.
    const later = await h.server.call(
      lead,
      'PATCH',
      `/api/v1/systems/${created.id}`,
      { tags: ['later'], rationale: 'Retagged once more' },
      {
        'if-match': '"2"',
      },
    );
    assert.equal(later.statusCode, 200, later.body);
    await page.goto(`/systems/${created.id}?tab=history`);
    const newest = page.getByTestId('history-scroller').locator('li').first();
    await newest.getByText('Why: Retagged once more').waitFor();
    await newest.getByRole('button', { name: /^Check proof/ }).click();
    await newest.locator('[data-proof="pending"]').waitFor();
    assert.match(await newest.locator('[data-proof]').innerText(), /newer than the latest signed checkpoint/);
  });

  it("registers a model version and records a data source from the system's page; a contributor is offered neither", async () => {
    const created = await create(system('Records subject'));
    const { page } = await h.signedIn(lead);
    await page.goto(`/systems/${created.id}`);
    await page.getByText('No model version registered').waitFor();
    await page.getByText('No data source recorded').waitFor();

    await page.getByRole('button', { name: 'Register a model version' }).click();
    const version = page.getByRole('dialog', { name: 'Register a model version' });
    await version.getByRole('textbox', { name: 'Version label' }).fill('2.4.0');
    await version.getByRole('textbox', { name: 'Artifact SHA-256' }).fill('not a digest');
    await version.getByRole('button', { name: 'Register the version' }).click();
    await version.getByText(/64 hexadecimal digits/).waitFor();
    const digest = 'ab'.repeat(32);
    await version.getByRole('textbox', { name: 'Artifact SHA-256' }).fill(digest.toUpperCase());
    await version.getByRole('textbox', { name: /^Training data/ }).fill('s3://credit/2025-q4\ns3://credit/2026-q1');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the model version dialog');
    await version.getByRole('button', { name: 'Register the version' }).click();
    await version.waitFor({ state: 'detached' });
    const versionRow = page.getByRole('table', { name: 'Model versions' }).getByRole('row').filter({ hasText: '2.4.0' });
    assert.match(await versionRow.innerText(), new RegExp(`2\\.4\\.0[\\s\\S]*${digest.slice(0, 12)}…[\\s\\S]*by ${lead.displayName}`));

    await page.getByRole('button', { name: 'Record a data source' }).click();
    const source = page.getByRole('dialog', { name: 'Record a data source' });
    await source.getByRole('textbox', { name: 'Name', exact: true }).fill('Loan applications 2026');
    await source.getByRole('textbox', { name: 'Kind', exact: true }).fill('database');
    await source.getByRole('checkbox', { name: 'Contains personal data' }).check();
    await source.getByRole('textbox', { name: /^Why/ }).fill('The scorer now reads the 2026 applications');
    await source.getByRole('button', { name: 'Record the data source' }).click();
    await source.waitFor({ state: 'detached' });
    const sourceRow = page.getByRole('table', { name: 'Data sources' }).getByRole('row').filter({ hasText: 'Loan applications 2026' });
    assert.match(await sourceRow.innerText(), /Loan applications 2026\s+database\s+Yes/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the system page with its records');

    // What the page shows is what the server holds, and each is in the system's history.
    const versions = (await h.server.call(lead, 'GET', `/api/v1/systems/${created.id}/model-versions`)).json();
    assert.deepEqual(
      versions.map((v: { label: string; artifactSha256: string; trainingDataRefs: string[] }) => [
        v.label,
        v.artifactSha256,
        v.trainingDataRefs,
      ]),
      [['2.4.0', digest, ['s3://credit/2025-q4', 's3://credit/2026-q1']]],
    );
    const history = (await h.server.call(lead, 'GET', `/api/v1/systems/${created.id}/history?kind=model_version,data_source`)).json();
    assert.equal(history.items.length, 2, JSON.stringify(history.items.map((i: { type: string }) => i.type)));

    const contributor = await h.person(['contributor'], 'Cora Contributor');
    const other = await h.signedIn(contributor);
    await other.page.goto(`/systems/${created.id}`);
    await other.page.getByRole('table', { name: 'Model versions' }).waitFor();
    assert.equal(await other.page.getByRole('button', { name: 'Register a model version' }).count(), 0);
    assert.equal(await other.page.getByRole('button', { name: 'Record a data source' }).count(), 0);
    const refused = await h.server.call(contributor, 'POST', `/api/v1/systems/${created.id}/data-sources`, {
      name: 'Forced',
      kind: 'file',
      containsPersonalData: false,
    });
    assert.equal(refused.statusCode, 403);
  });

  it('offers each person only what they may do', async () => {
    const contributor = await h.person(['contributor'], 'Carl Contributor');
    await create(system('Role check'));
    const { page } = await h.signedIn(contributor);
    await page.goto('/systems?q=Role%20check');
    assert.deepEqual(await rowNames(page), ['Role check']);
    assert.equal(await page.getByRole('button', { name: 'Register a system' }).isVisible(), true);
    assert.equal(await page.getByRole('button', { name: 'Import' }).count(), 0);
    await page.getByRole('link', { name: 'Role check' }).click();
    await page.getByRole('heading', { level: 1, name: 'Role check' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Change the accountable owner/ }).count(), 0);
    assert.equal(await page.getByRole('table', { name: 'Owners per lifecycle phase' }).getByRole('button').count(), 0);
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByTestId('history-scroller').locator('li').first().waitFor();
    assert.equal(await page.getByRole('button', { name: /^Check proof/ }).count(), 0);
    // The server refuses what the page hides.
    const refused = await h.server.call(contributor, 'GET', '/api/v1/ledger/proofs/inclusion?seq=0');
    assert.equal(refused.statusCode, 403);
    await page.goto('/systems/00000000-0000-4000-8000-000000000000');
    await page.getByText('This system could not be loaded').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /not_found/);
  });
});
