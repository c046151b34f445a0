// `proofline grants add|list|revoke` on both databases: the same use cases as the API; each grant
// and revocation a ledger event; a refused one exits 1 with its code and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

for (const dialect of DIALECTS) {
  describe(`proofline grants [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let admin: { email: string };
    let systemId: string;

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      admin = await cliUser(store, ['admin']);
      systemId = (await buildSystem(store)).id;
    });
    after(() => store.close());

    test('grants add creates the auditor and the grant, list shows it, revoke ends it; each a ledger event', async () => {
      const email = `ext-${Date.now()}@audit.example`;
      const before = await ledgerSize(store);
      const added = await runCli(url, [
        'grants',
        'add',
        email,
        '--name',
        'Eve External',
        '--system',
        systemId,
        '--expires',
        inDays(30),
        '--rationale',
        'External audit of the scoring system',
        '--as',
        admin.email,
        '--json',
      ]);
      assert.equal(added.code, 0, added.stderr);
      const grant = JSON.parse(added.stdout);
      assert.equal(grant.status, 'live');
      assert.equal(grant.systemId, systemId);
      assert.equal(await ledgerSize(store), before + 2, 'user.created and auditor_grant.created');

      const listed = await runCli(url, ['grants', 'list', '--status', 'live']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(grant.id));

      const revoked = await runCli(url, ['grants', 'revoke', grant.id, '--rationale', 'The engagement ended early', '--as', admin.email]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const row = await store.db.selectFrom('auditor_grants').select('revoked_at').where('id', '=', grant.id).executeTakeFirstOrThrow();
      assert.ok(row.revoked_at);
      const event = await store.db.selectFrom('ledger_events').select('type').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(event.type, 'auditor_grant.revoked');
    });

    test('a grant beyond 180 days, without a rationale or by a non-admin is refused, nothing written', async () => {
      const before = await ledgerSize(store);
      const far = await runCli(url, [
        'grants',
        'add',
        `far-${Date.now()}@audit.example`,
        '--name',
        'Far',
        '--expires',
        inDays(200),
        '--rationale',
        'External audit of everything',
      ]);
      assert.equal(far.code, 1);
      assert.match(far.stderr, /validation_failed: expiresAt: at most 180 days ahead/);
      const terse = await runCli(url, [
        'grants',
        'add',
        `terse-${Date.now()}@audit.example`,
        '--name',
        'Terse',
        '--expires',
        inDays(2),
        '--rationale',
        'audit',
      ]);
      assert.equal(terse.code, 1);
      assert.match(terse.stderr, /validation_failed/);
      assert.equal(await ledgerSize(store), before);
      const notAdmin = await cliUser(store, ['governance_lead']);
      const existing = await cliUser(store, ['external_auditor']);
      const afterUser = await ledgerSize(store);
      const refused = await runCli(url, [
        'grants',
        'add',
        existing.email,
        '--expires',
        inDays(2),
        '--rationale',
        'External audit of the scoring system',
        '--as',
        notAdmin.email,
      ]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /forbidden/, 'only an admin grants, also from the CLI');
      assert.equal(await ledgerSize(store), afterUser);
    });
  });
}
