import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { submitAppeal } from '../modules/appeals/appeals.service.js';

for (const dialect of DIALECTS) {
  describe(`proofline appeals list|show|resolve [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let owner: { id: string; email: string };
    let systemId: string;

    const fileAppeal = () =>
      store.transact((trx) =>
        submitAppeal(trx, {
          ctx: systemContext('test'),
          input: {
            systemRef: systemId,
            decisionRef: 'loan-42',
            appellantName: 'A. Person',
            appellantContact: 'a.person@example.test',
            statement: 'My loan was refused without any reason being given.',
            channel: 'staff',
            ownerId: owner.id,
          },
        }),
      );

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      owner = await cliUser(store, ['reviewer']);
      systemId = (await buildSystem(store)).id;
    });
    after(() => store.close());

    test('list and show find an appeal; resolve closes it as its owner, as a ledger event', async () => {
      const { appeal } = await fileAppeal();
      const listed = await runCli(url, ['appeals', 'list', '--system', systemId, '--status', 'received', '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        JSON.parse(listed.stdout).items.map((a: { id: string }) => a.id),
        [appeal.id],
      );
      assert.equal(JSON.parse((await runCli(url, ['appeals', 'list', '--system', 'elsewhere', '--json'])).stdout).total, 0);
      const shown = await runCli(url, ['appeals', 'show', appeal.caseNumber, '--json']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(JSON.parse(shown.stdout).id, appeal.id);

      const explanation = 'The refusal followed the published affordability rule; the reasons are attached.';
      const resolved = await runCli(url, [
        ...['appeals', 'resolve', appeal.id, '--outcome', 'rejected', '--explanation', explanation, '--as', owner.email, '--json'],
      ]);
      assert.equal(resolved.code, 0, resolved.stderr);
      assert.equal(JSON.parse(resolved.stdout).status, 'resolved');
      const event = await store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', appeal.id)
        .where('type', '=', 'appeal.resolved')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.leaf).actor.email, owner.email);
      assert.equal(JSON.parse(event.leaf).reason, explanation);
    });

    test("resolve is refused with its stable code and writes nothing: not the appeal's handler, an upheld appeal without its override, a stale version", async () => {
      const { appeal } = await fileAppeal();
      const bystander = await cliUser(store, ['reviewer']);
      const before = await ledgerSize(store);
      const resolve = (...more: string[]) =>
        runCli(url, ['appeals', 'resolve', appeal.id, '--explanation', 'The decision was reviewed in full by the team.', ...more]);
      const forbidden = await resolve('--outcome', 'rejected', '--as', bystander.email);
      assert.equal(forbidden.code, 1);
      assert.equal(forbidden.stderr, "proofline: forbidden: only the appeal's owner, a governance lead or an admin handles it\n");
      const upheld = await resolve('--outcome', 'upheld', '--as', owner.email);
      assert.equal(upheld.stderr, 'proofline: validation_failed: links: an upheld appeal links to the override (exception) it caused\n');
      const stale = await resolve('--outcome', 'rejected', '--version', '7', '--as', owner.email);
      assert.match(stale.stderr, /^proofline: version_conflict: /);
      const badLink = await resolve('--outcome', 'rejected', '--link', 'ticket:9', '--as', owner.email);
      assert.match(badLink.stderr, /^proofline: validation_failed: --link\.0\.type /);
      assert.equal(await ledgerSize(store), before);
    });
  });
}
