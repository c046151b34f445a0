// Auditor access in a real browser: an admin grants a new external auditor read-only access to one
// AI system; the auditor signs in, sees their grant and that system, and is refused another system
// (grant_scope, nothing of it shown); the admin sees the auditor's reads. axe-clean throughout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildSystem } from '../../test/factories.js';
import { type Harness, PASSWORD, screenshot, seriousViolations, startHarness } from './harness.js';

describe('auditor access (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('an admin grants one system; the auditor sees it and not another; the admin sees the reads', async () => {
    const admin = await h.person(['admin'], 'Ada Admin');
    const scoped = await buildSystem(h.server.store, { name: 'Scoped credit scorer' });
    const other = await buildSystem(h.server.store, { name: 'Other hiring screener' });
    const auditorEmail = `eve.external.${Date.now()}@audit.example`;

    const { page } = await h.signedIn(admin);
    await page.goto('/admin/grants');
    await page.getByText('No auditor grant').waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('button', { name: 'Grant access' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Email').fill(auditorEmail);
    await dialog.getByLabel('Display name').fill('Eve External');
    await dialog.getByLabel(/^Initial password/).fill(PASSWORD);
    const picker = dialog.getByRole('combobox', { name: 'AI system', exact: true });
    await picker.click();
    await picker.fill('Scoped');
    await page.getByRole('option', { name: 'Scoped credit scorer' }).click();
    await dialog.getByLabel(/^Rationale/).fill('External audit of the credit scorer, 2026 engagement');
    assert.deepEqual(await seriousViolations(page), []);
    await dialog.getByRole('button', { name: 'Grant access' }).click();
    await page.getByRole('button', { name: `Revoke ${auditorEmail}` }).waitFor();
    await screenshot(page, 'auditor-grants-admin');

    const auditor = { id: '', email: auditorEmail, token: '', roles: [] };
    const { page: auditorPage } = await h.signedIn(auditor);
    await auditorPage.goto('/admin/grants');
    await auditorPage.getByRole('heading', { name: 'My auditor access' }).waitFor();
    await auditorPage.getByRole('link', { name: /^System / }).click();
    await auditorPage.getByRole('heading', { name: 'Scoped credit scorer' }).waitFor();
    assert.deepEqual(await seriousViolations(auditorPage), []);
    await screenshot(auditorPage, 'auditor-grants-in-scope');

    await auditorPage.goto(`/systems/${other.id}`);
    await auditorPage.getByText('grant_scope').first().waitFor();
    assert.equal(await auditorPage.getByText('Other hiring screener').count(), 0, 'nothing of the other system is shown');
    assert.deepEqual(await seriousViolations(auditorPage), []);

    await page.getByRole('button', { name: `Reads by ${auditorEmail}` }).click();
    const reads = page.getByRole('table', { name: 'Reads under this grant' });
    await reads.getByText(`GET /api/v1/systems/${scoped.id}`, { exact: true }).waitFor();
    await reads.getByText(`GET /api/v1/systems/${other.id}`, { exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'auditor-grants-reads');
  });
});
