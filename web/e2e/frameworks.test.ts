// The frameworks area and evidence packs in a real browser against the real server: framework ->
// control -> evidence on a seeded database (down to the record an event is about), the gap list's
// link to where a fix starts, "Export evidence" downloading a zip the server's own verifier accepts,
// and the public /verify-pack page verifying that very pack in the browser and refusing a tampered
// copy or another key. axe-core on every page, screenshots of each.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import type { Locator, Page } from 'playwright-core';
import { verifyEvidencePack } from '../../src/evidence/pack-verify.js';
import { loadSigningKey } from '../../src/ledger/signing-key.js';
import type { TestUser } from '../../test/app.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

const CONTROL = 'iso42001:A.9.4';
const SYSTEM = 'Loan scoring model';

/** Picks an option of a Mantine Select. */
async function choose(page: Page, scope: Page | Locator, label: string, option: string) {
  const input = scope.getByRole('combobox', { name: label, exact: true });
  await input.click();
  await page.getByRole('option', { name: option, exact: true }).first().click();
}

describe('frameworks, gaps and evidence packs (Chromium, SQLite)', () => {
  let h: Harness;
  let auditor: TestUser;
  let lead: TestUser;
  let systemId: string;
  let verifierKey: string;
  let downloaded: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-e2e-packs-'));

  before(async () => {
    h = await startHarness();
    lead = await h.person(['governance_lead'], 'Gina Lead');
    auditor = await h.person(['auditor'], 'Audrey Auditor');
    for (const name of [SYSTEM, 'Claims triage model']) {
      const res = await h.server.call(lead, 'POST', '/api/v1/systems', {
        name,
        purpose: 'Scores applications for the credit officers',
        intendedUse: 'Decision support for people who decide',
        aiType: 'machine_learning',
        deploymentKind: 'internal',
      });
      assert.equal(res.statusCode, 201, res.body);
      if (name === SYSTEM) systemId = res.json().id;
    }
    const key = await h.server.call(auditor, 'GET', '/api/v1/ledger/public-key');
    assert.equal(key.statusCode, 200, key.body);
    verifierKey = key.json().verifierKey;
  });
  after(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('goes from the frameworks to a framework, a control, its evidence and the record an event is about', async () => {
    const frameworks = (await h.server.call(auditor, 'GET', '/api/v1/frameworks')).json().items as Array<{ id: string; title: string }>;
    const iso = frameworks.find((f) => f.id === 'iso42001');
    assert.ok(iso);
    const { page } = await h.signedIn(auditor);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Frameworks', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Frameworks' }).waitFor();
    const table = page.getByRole('table', { name: 'Frameworks and their status' });
    for (const f of frameworks) await table.getByRole('link', { name: f.title }).waitFor();
    // Every framework's counts are in (no row still evaluating), and ISO's add up to its assessed controls.
    await page.getByText('Evaluating…').first().waitFor({ state: 'detached' });
    const isoRow = table.getByRole('row').filter({ has: page.getByRole('link', { name: iso.title }) });
    const counts = (await isoRow.getByRole('cell').allInnerTexts()).slice(2).map(Number);
    const summary = (await h.server.call(auditor, 'GET', '/api/v1/controls/status?framework=iso42001')).json().summary;
    assert.deepEqual(counts, [summary.satisfied, summary.partly, summary.not_satisfied, summary.not_applicable]);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the frameworks');
    await screenshot(page, 'frameworks-list');

    await table.getByRole('link', { name: iso.title }).click();
    await page.getByRole('heading', { level: 1, name: iso.title }).waitFor();
    await choose(page, page, 'Status', 'Not satisfied');
    await page.waitForURL((url) => url.pathname === '/frameworks/iso42001' && url.searchParams.get('status') === 'not_satisfied');
    const controls = page.getByRole('table', { name: /^Controls of/ });
    await controls.getByRole('link', { name: 'A.9.4', exact: true }).waitFor();
    const badges = await controls.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.children[1]?.textContent ?? ''));
    assert.ok(badges.length > 0 && badges.every((b) => b.startsWith('Not satisfied')), badges.join(' | '));
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a framework');
    await screenshot(page, 'frameworks-framework-not-satisfied');

    await controls.getByRole('link', { name: 'A.9.4', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: /^A\.9\.4 / }).waitFor();
    const perSystem = page.getByRole('table', { name: 'Status per AI system' });
    const systemRow = perSystem.getByRole('row').filter({ hasText: SYSTEM });
    await systemRow.getByText('Not satisfied').waitFor();
    // The crosswalk shows the catalog's links, each to the other control's page.
    const catalog = (await h.server.call(auditor, 'GET', '/api/v1/frameworks/iso42001/controls?limit=500')).json().items as Array<{
      controlId: string;
      crosswalk: Array<{ controlId: string }>;
    }>;
    const links = catalog.find((c) => c.controlId === CONTROL)?.crosswalk ?? [];
    assert.ok(links.length > 0, `${CONTROL} has crosswalk links in the catalog`);
    const crosswalk = page.getByRole('table', { name: 'Crosswalk to other frameworks' });
    for (const link of links) await crosswalk.getByRole('link', { name: link.controlId }).first().waitFor();
    // The evidence: the two systems' creation events (one server page), each linked to its record.
    const evidence = page.getByRole('table', { name: 'Ledger events evidencing this control' });
    await evidence.getByText('system.created').first().waitFor();
    assert.equal(await evidence.getByText('system.created').count(), 2);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a control');
    await screenshot(page, 'frameworks-control-evidence');
    await page.getByRole('button', { name: 'Switch to the dark theme' }).click();
    assert.equal(await page.locator('html').getAttribute('data-mantine-color-scheme'), 'dark');
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a control in the dark theme');
    await screenshot(page, 'frameworks-control-evidence-dark');

    const created = (await h.server.call(auditor, 'GET', `/api/v1/ledger/events?control=${CONTROL}`)).json().items as Array<{
      seq: number;
      event: { subject: { id: string } };
    }>;
    const ours = created.find((e) => e.event.subject.id === systemId);
    assert.ok(ours);
    await evidence
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `#${ours.seq}`, exact: true }) })
      .getByRole('link', { name: 'AI system' })
      .click();
    await page.waitForURL((url) => url.pathname === `/systems/${systemId}`);
    await page.getByRole('heading', { level: 1, name: SYSTEM }).waitFor();
  });

  it('lists the gaps per system and per framework, each with who owns fixing it and a link to where the fix starts', async () => {
    const { page } = await h.signedIn(auditor);
    await page.goto(`/frameworks/gaps`);
    await page.getByRole('heading', { level: 1, name: 'Gap list' }).waitFor();
    const gaps = page.getByRole('table', { name: `Gaps of ${SYSTEM}` });
    // A new system has no accountable owner (A.3.2) and no approved use (A.9.4).
    const owner = gaps
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'iso42001:A.3.2', exact: true }) })
      .first();
    await owner.getByText('no accountable owner', { exact: true }).waitFor();
    const approval = gaps
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: CONTROL, exact: true }) })
      .first();
    await approval.getByRole('link', { name: 'Go to the approvals' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the gap list');
    await screenshot(page, 'frameworks-gaps-by-system');

    // The EU AI Act's controls take their gaps from the ISO controls they are crosswalked to.
    await choose(page, page, 'Framework', 'EU AI Act');
    await page.waitForURL((url) => url.searchParams.get('framework') === 'eu-ai-act');
    await page
      .getByText(/ · through iso42001:/)
      .first()
      .waitFor();
    await page.locator('label.mantine-SegmentedControl-label', { hasText: 'Control' }).click();
    await page.waitForURL((url) => url.searchParams.get('group') === 'control');
    await page
      .getByRole('heading', { level: 2, name: /^eu-ai-act:/ })
      .first()
      .waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the gap list by control');
    await screenshot(page, 'frameworks-gaps-eu-ai-act-by-control');

    await page.goto(`/frameworks/gaps?system=${systemId}`);
    await page
      .getByRole('table', { name: `Gaps of ${SYSTEM}` })
      .getByRole('row')
      .filter({ hasText: 'the system has no accountable owner' })
      .first()
      .getByRole('link', { name: 'Open the AI system' })
      .click();
    await page.waitForURL((url) => url.pathname === `/systems/${systemId}`);
    await page.getByRole('heading', { level: 1, name: SYSTEM }).waitFor();
  });

  it('exports a control’s evidence pack with one click: a zip the server’s verifier accepts; offered only to who may', async () => {
    const { page } = await h.signedIn(auditor);
    await page.goto(`/frameworks/iso42001/controls/A.9.4`);
    await page.getByRole('heading', { level: 1, name: /^A\.9\.4 / }).waitFor();
    await page.getByRole('button', { name: 'Export evidence' }).click();
    const dialog = page.getByRole('dialog', { name: `Export evidence: ${CONTROL}` });
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the export dialog');
    await screenshot(page, 'frameworks-export-dialog');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download the pack' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.zip$/);
    downloaded = path.join(dir, download.suggestedFilename());
    await download.saveAs(downloaded);
    await dialog.waitFor({ state: 'detached' });
    const result = await verifyEvidencePack(downloaded, { verifierKey });
    assert.equal(result.ok, true, JSON.stringify(result.problem));
    const manifest = JSON.parse(strFromU8(unzipSync(new Uint8Array(fs.readFileSync(downloaded)))['manifest.json']));
    assert.deepEqual(manifest.scope, { kind: 'control', id: CONTROL });

    // The system page and the framework page offer it too; a contributor is not offered it anywhere.
    await page.goto(`/systems/${systemId}`);
    await page.getByRole('button', { name: 'Export evidence' }).waitFor();
    await page.goto('/frameworks/gdpr');
    await page.getByRole('button', { name: 'Export evidence' }).waitFor();
    const contributor = await h.person(['contributor']);
    const other = await h.signedIn(contributor);
    await other.page.goto(`/frameworks/iso42001/controls/A.9.4`);
    await other.page.getByRole('heading', { level: 1, name: /^A\.9\.4 / }).waitFor();
    await other.page.getByText("The ledger's events are shown to auditors").waitFor();
    assert.equal(await other.page.getByRole('button', { name: 'Export evidence' }).count(), 0);
  });

  it('verifies the downloaded pack in the browser on the public page, and refuses a tampered copy or another key', async () => {
    assert.ok(downloaded, 'the export test ran first and saved a pack');
    const { page } = await h.anonymous();
    await page.goto('/verify-pack');
    await page.getByRole('heading', { level: 1, name: 'Verify an evidence pack' }).waitFor();
    await page.getByText('Where trust comes from').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the empty verify page');
    const packInput = page.locator('input[type="file"]').first();
    const keyBox = page.getByRole('textbox', { name: "The ledger's public key you trust" });
    // No key is filled in for the person: trust is theirs to give.
    assert.equal(await keyBox.inputValue(), '');

    await packInput.setInputFiles(downloaded);
    await keyBox.fill(verifierKey);
    await page.getByRole('button', { name: 'Verify the pack' }).click();
    await page.getByText('The pack verifies').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a verified pack');
    await screenshot(page, 'verify-pack-ok');

    // One byte of the events changed: named by its file.
    const files = unzipSync(new Uint8Array(fs.readFileSync(downloaded)));
    const events = new Uint8Array(files['ledger/events.jsonl']);
    const at = events.indexOf(0x22, Math.floor(events.length / 2)) + 1;
    events[at] = events[at] === 0x61 ? 0x62 : 0x61;
    const tampered = zipSync({ ...files, 'ledger/events.jsonl': events });
    await packInput.setInputFiles({ name: 'tampered.zip', mimeType: 'application/zip', buffer: Buffer.from(tampered) });
    await page.getByRole('button', { name: 'Verify the pack' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The pack does not verify' });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /ledger\/events\.jsonl: SHA-256 [0-9a-f]{64} differs from manifest\.json/);
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on a refused pack');
    await screenshot(page, 'verify-pack-tampered');

    // The genuine pack with another key: the checkpoint's signature fails.
    const other = loadSigningKey({
      signingKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      signingKeyFile: '',
      ledgerOrigin: verifierKey.split('+')[0],
    });
    await packInput.setInputFiles(downloaded);
    await keyBox.fill(other.verifierKey);
    await page.getByRole('button', { name: 'Verify the pack' }).click();
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /manifest\.json: checkpoint: the checkpoint is not signed by/);
  });
});
