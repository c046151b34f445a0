// The ledger and administration pages in a real browser: the signed checkpoint and its file, the
// public key, a verification run, an event looked up with its proof; users and roles; own tokens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { buildSystem } from '../../test/factories.js';
import { type Harness, screenshot, seriousViolations, startHarness } from './harness.js';

describe('ledger and administration pages (Chromium, SQLite)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('shows the signed checkpoint and the public key, downloads the checkpoint file, verifies, and looks up an event with its proof', async () => {
    const admin = await h.person(['admin'], 'Lea Ledger');
    const { page } = await h.signedIn(admin);
    // Sign-in and the users made are events; a checkpoint signs them.
    const made = await h.server.call(admin, 'POST', '/api/v1/ledger/checkpoints');
    assert.equal(made.statusCode, 200, made.body);
    const treeSize = made.json().checkpoint.treeSize as number;

    await page.goto('/ledger');
    await page.getByText(`Tree size ${treeSize.toLocaleString('en-GB')} events`).waitFor();
    const note = await page.getByLabel('Signed checkpoint note').innerText();
    assert.match(note, new RegExp(`^proofline\\.local/ledger\\n${treeSize}\\n`));
    assert.match(await page.getByLabel('Public key (PEM)').innerText(), /BEGIN PUBLIC KEY/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download checkpoint file' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `checkpoint-${treeSize}.txt`);
    const file = await download.path();
    assert.equal(fs.readFileSync(file, 'utf8').trim(), note.trim());

    // The run streams its progress (events rehashed of the snapshot's) and ends with the report.
    const [streamed] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/ledger/verify/progress'),
      page.getByRole('button', { name: 'Verify the ledger' }).click(),
    ]);
    // (The page reads the body as it streams, so the browser keeps no copy of it to show here; the
    // lines' shape is tested in src/ledger/ledger.test.ts and their reading in verify-progress.test.ts.)
    assert.equal(streamed.status(), 200);
    assert.match(streamed.headers()['content-type'] ?? '', /^application\/x-ndjson/);
    await page.getByText('The ledger verifies').waitFor();
    assert.match(await page.getByText(/events rehashed/).innerText(), new RegExp(`${treeSize}|\\d+ events rehashed`));

    await page.getByLabel('Sequence number').fill('0');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.waitForURL(/\/ledger\?seq=0$/);
    await page.getByLabel('The event as recorded').waitFor();
    assert.match(await page.getByLabel('The event as recorded').innerText(), /"type"/);
    await page.getByLabel('Inclusion proof').waitFor();
    assert.match(
      await page.getByText(/Included in the tree of/).innerText(),
      new RegExp(`tree of ${treeSize.toLocaleString('en-GB')} events`),
    );
    // The browser checks the proof itself: the leaf rehashed, the path to the root, the checkpoint's signature.
    await page.getByRole('button', { name: /Check proof/ }).click();
    await page
      .getByText(/verified/i)
      .first()
      .waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'ledger');

    // A shared link opens the same lookup.
    await page.goto('/ledger?seq=1');
    await page.getByLabel('The event as recorded').waitFor();
  });

  it('an admin creates a user and gives them a role for one AI system, with a reason', async () => {
    const admin = await h.person(['admin'], 'Ada Admin');
    const system = await buildSystem(h.server.store, { name: 'Pilot credit scorer' });
    const { page } = await h.signedIn(admin);
    await page.goto('/admin');
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Email').fill('olga.officer@example.test');
    await dialog.getByLabel('Display name').fill('Olga Officer');
    await dialog.getByLabel(/^Initial password/).fill('a long initial password');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('cell', { name: 'olga.officer@example.test' }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);

    await page.getByRole('button', { name: 'Roles of Olga Officer' }).click();
    const roles = page.getByRole('dialog');
    await roles.getByRole('button', { name: 'Add a system role' }).click();
    await roles.getByLabel('AI system').fill('Pilot credit');
    await page.getByRole('option', { name: 'Pilot credit scorer' }).click();
    await roles.getByLabel('Roles for it').click({ force: true });
    await page.getByRole('option', { name: 'Oversight officer' }).click();
    await roles.getByLabel(/^Reason/).fill('Named oversight officer for the pilot');
    await roles.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText('Roles of Olga Officer saved').waitFor();

    const users = await h.server.call(admin, 'GET', '/api/v1/users?email=olga.officer');
    assert.deepEqual(users.json().items[0].systemRoles, { [system.id]: ['oversight_officer'] });
  });

  it('a user makes their own token, sees the secret once, and it works; the list never shows it again', async () => {
    const owner = await h.person(['system_owner'], 'Sam Owner');
    const { page } = await h.signedIn(owner);
    await page.goto('/admin/tokens');
    // The harness gave this person one token already ("test"); the new one joins it.
    await page.getByRole('cell', { name: 'test', exact: true }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('button', { name: 'New token' }).click();
    await page.getByRole('dialog').getByLabel(/^Name/).fill('notebook');
    await page.getByRole('dialog').getByRole('button', { name: 'Make the token' }).click();
    const secret = await page.getByLabel('The new token').innerText();
    assert.match(secret, /^plt_/);
    const whoami = await fetch(`${h.baseUrl}/api/v1/auth/session`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(whoami.status, 200);
    assert.equal(((await whoami.json()) as { user: { email: string } }).user.email, owner.email);
    await page.reload();
    await page.getByRole('cell', { name: 'notebook', exact: true }).waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
  });

  it('an auditor makes a ledger:stream token and it follows the ledger as NDJSON; a system owner is not offered the scope', async () => {
    const auditor = await h.person(['auditor'], 'Aude Auditor');
    const { page } = await h.signedIn(auditor);
    await page.goto('/admin/tokens');
    await page.getByRole('button', { name: 'New token' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API token' });
    await dialog.getByLabel(/^Name/).fill('SIEM forwarder');
    // The form's defaults show, and each box toggles (read is on until unchecked).
    assert.equal(await dialog.getByRole('checkbox', { name: /^read:/ }).isChecked(), true);
    assert.equal(
      await dialog.getByRole('checkbox', { name: /^write:/ }).count(),
      0,
      "an auditor's token is read-only: no write scope offered",
    );
    await dialog.getByRole('checkbox', { name: /^read:/ }).uncheck();
    await dialog.getByRole('checkbox', { name: /^ledger:stream: follow the ledger/ }).check();
    assert.deepEqual(await seriousViolations(page), [], 'axe-core on the new-token dialog');
    await screenshot(page, 'tokens-ledger-stream-scope');
    await dialog.getByRole('button', { name: 'Make the token' }).click();
    const secret = await page.getByLabel('The new token').innerText();
    assert.match(secret, /^plt_/);
    await page.getByRole('row').filter({ hasText: 'SIEM forwarder' }).getByRole('cell', { name: 'ledger:stream', exact: true }).waitFor();

    // The token follows the ledger: the backlog from sequence 0 arrives as NDJSON, including this token's own creation.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 15_000);
    const events: Array<{ seq: number; type: string; event: { subject: { id: string } } }> = [];
    try {
      const res = await fetch(`${h.baseUrl}/api/v1/ledger/stream?from=0`, {
        headers: { authorization: `Bearer ${secret}`, accept: 'application/x-ndjson' },
        signal: stop.signal,
      });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('content-type')), /^application\/x-ndjson/);
      assert.ok(res.body);
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body) {
        buffered += decoder.decode(chunk, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
        if (events.some((e) => e.type === 'token.created' && secret.startsWith(`plt_${e.event.subject.id}_`))) break;
      }
    } finally {
      clearTimeout(timer);
      stop.abort();
    }
    assert.ok(events.length > 0, 'events arrive');
    assert.equal(events[0].seq, 0, 'from the first event on');
    assert.ok(
      events.some((e) => e.type === 'token.created' && secret.startsWith(`plt_${e.event.subject.id}_`)),
      "the stream reaches this token's own creation",
    );

    // A system owner cannot follow the ledger: no such scope offered (and the server would refuse the stream).
    const owner = await h.person(['system_owner'], 'Olga Owner');
    const asOwner = await h.signedIn(owner);
    await asOwner.page.goto('/admin/tokens');
    await asOwner.page.getByRole('button', { name: 'New token' }).click();
    const ownerDialog = asOwner.page.getByRole('dialog', { name: 'New API token' });
    await ownerDialog.getByRole('checkbox', { name: /^write:/ }).waitFor();
    assert.equal(await ownerDialog.getByRole('checkbox', { name: /^ledger:stream/ }).count(), 0);
  });

  it('a non-admin who opens /admin is told it is for admins, and the server refuses the user list anyway', async () => {
    const reviewer = await h.person(['reviewer'], 'Rita Reviewer');
    const { page } = await h.signedIn(reviewer);
    await page.goto('/admin');
    await page.getByText('Administration is for admins').waitFor();
    assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0);
    const status = await page.evaluate(async () => (await fetch('/api/v1/users', { method: 'POST', body: '{}' })).status);
    assert.equal(status, 403);
  });
});
