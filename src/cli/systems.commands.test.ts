import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

for (const dialect of DIALECTS) {
  describe(`proofline systems add|list|show [${dialect}]`, () => {
    let url: string;
    let store: Store;

    before(async () => ({ url, store } = await cliDatabase(dialect)));
    after(() => store.close());

    test('add registers a system through createSystem, as the named contributor; list and show find it', async () => {
      const contributor = await cliUser(store, ['contributor']);
      const owner = await cliUser(store, []);
      const added = await runCli(url, [
        'systems',
        'add',
        ...['--name', 'Loan scorer', '--purpose', 'Scores loans', '--intended-use', 'Decision support'],
        ...['--owner', owner.email, '--risk-tier', 'high', '--ai-type', 'machine_learning', '--as', contributor.email, '--json'],
      ]);
      assert.equal(added.code, 0, added.stderr);
      const system = JSON.parse(added.stdout);
      assert.equal(system.status, 'proposed');
      assert.equal(system.euRiskTier, 'high');
      assert.equal(system.accountableOwnerId, owner.id);
      const event = await store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', system.id)
        .where('type', '=', 'system.created')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.leaf).actor.email, contributor.email);

      const listed = await runCli(url, ['systems', 'list', '--tier', 'high', '--owner', owner.email, '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        JSON.parse(listed.stdout).items.map((s: { id: string }) => s.id),
        [system.id],
      );
      const none = JSON.parse((await runCli(url, ['systems', 'list', '--tier', 'minimal', '--json'])).stdout);
      assert.equal(none.total, 0);
      const table = await runCli(url, ['systems', 'list', '--q', 'Loan']);
      assert.match(table.stdout, /ID\s+NAME\s+STATUS/);
      assert.match(table.stdout, /Loan scorer\s+proposed\s+high/);

      const shown = await runCli(url, ['systems', 'show', system.id, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual(JSON.parse(shown.stdout).phaseOwners, []);
      assert.equal(JSON.parse(shown.stdout).name, 'Loan scorer');
      const missing = await runCli(url, ['systems', 'show', 'no-such-system']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'proofline: not_found: AI system no-such-system does not exist\n');
    });

    test('list and export take every filter of the API: kind of AI, without owner, untriaged shadow, review overdue, tag', async () => {
      const owner = await cliUser(store, []);
      const tag = `cli-filters-${Date.now()}`;
      const orphan = await buildSystem(store, { name: 'Ownerless agent', aiType: 'agentic', accountableOwnerId: undefined, tags: [tag] });
      const shadow = await buildSystem(store, {
        name: 'Shadow notes bot',
        deploymentKind: 'shadow',
        accountableOwnerId: owner.id,
        tags: [tag],
      });
      const owned = await buildSystem(store, {
        name: 'Owned rules engine',
        aiType: 'rules_based',
        accountableOwnerId: owner.id,
        tags: [tag],
      });
      const ids = async (...filters: string[]) => {
        const res = await runCli(url, ['systems', 'list', '--tag', tag, ...filters, '--json']);
        assert.equal(res.code, 0, res.stderr);
        return (JSON.parse(res.stdout).items as Array<{ id: string }>).map((s) => s.id).sort();
      };
      assert.deepEqual(await ids(), [orphan.id, shadow.id, owned.id].sort(), 'the tag alone');
      assert.deepEqual(await ids('--without-owner'), [orphan.id]);
      assert.deepEqual(await ids('--shadow'), [shadow.id]);
      assert.deepEqual(await ids('--ai-type', 'rules_based'), [owned.id]);
      assert.deepEqual(await ids('--review-overdue'), [], 'no mandatory review is due yet');
      const exported = await runCli(url, ['systems', 'export', '--tag', tag, '--without-owner', '--format', 'json']);
      assert.equal(exported.code, 0, exported.stderr);
      assert.deepEqual(
        JSON.parse(exported.stdout).map((s: { name: string }) => s.name),
        ['Ownerless agent'],
      );
      const badType = await runCli(url, ['systems', 'list', '--ai-type', 'telepathic']);
      assert.equal(badType.code, 1);
      assert.match(badType.stderr, /--ai-type/);
    });

    test('add is refused with one line and writes nothing: a role that may not create, a field the API schema refuses', async () => {
      const auditor = await cliUser(store, ['auditor']);
      const contributor = await cliUser(store, ['contributor']);
      const before = await ledgerSize(store);
      const base = ['systems', 'add', '--purpose', 'Scores loans', '--intended-use', 'Decision support'];
      const forbidden = await runCli(url, [...base, '--name', 'Nope', '--as', auditor.email]);
      assert.equal(forbidden.code, 1);
      assert.match(forbidden.stderr, /^proofline: forbidden: creating a system needs/);
      assert.equal(forbidden.stderr.split('\n').length, 2, 'one line');
      const tooLong = await runCli(url, [...base, '--name', 'x'.repeat(201), '--as', contributor.email]);
      assert.equal(tooLong.code, 1);
      assert.equal(tooLong.stderr, 'proofline: validation_failed: name must NOT have more than 200 characters\n');
      const badLimit = await runCli(url, ['systems', 'list', '--limit', '501']);
      assert.equal(badLimit.code, 1);
      assert.equal(badLimit.stderr, 'proofline: validation_failed: limit must be <= 500\n');
      assert.equal(await ledgerSize(store), before);
    });
  });
}
