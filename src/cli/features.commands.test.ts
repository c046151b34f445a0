// `proofline systems features [set]` on both databases: the same use case as the API (only an
// admin, the governance lead or the system's owner declares, with a reason), a ledger event each;
// a refusal is one line with its code and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { declarationSetup, runCli } from '../../test/cli.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

const WHY = 'The application channel and amount drive the model';

for (const dialect of DIALECTS) {
  describe(`proofline systems features [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let lead: { id: string; email: string };
    let auditor: { id: string; email: string };
    let systemId: string;
    let file: string;

    before(async () => {
      ({ url, store, lead, auditor, systemId, file } = await declarationSetup(dialect, [
        { name: 'channel', kind: 'categorical', categories: ['web', 'branch'] },
        { name: 'amount', kind: 'numeric' },
      ]));
    });
    after(() => store.close());

    test('reads the declared features, sets them from a file with a reason; a non-declarer and a missing reason are refused', async () => {
      const run = async (args: string[]) => runCli(url, ['systems', 'features', ...args]);
      const none = await run(['--system', systemId, '--json']);
      assert.equal(none.code, 0, none.stderr);
      assert.equal(JSON.parse(none.stdout).version, 0);
      const size = await ledgerSize(store);
      for (const [code, args] of [
        ['forbidden', ['set', '--system', systemId, '--file', file, '--reason', WHY, '--as', auditor.email]],
        ['validation_failed', ['set', '--system', systemId, '--file', file, '--as', lead.email]],
      ] as const) {
        const res = await run([...args]);
        assert.notEqual(res.code, 0, code);
        assert.match(res.stderr, new RegExp(`^proofline: ${code}: [^\\n]*\\n$`));
      }
      assert.equal(await ledgerSize(store), size);
      const set = await run(['set', '--system', systemId, '--file', file, '--reason', WHY, '--as', lead.email, '--json']);
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(
        JSON.parse(set.stdout).features.map((f: { name: string }) => f.name),
        ['channel', 'amount'],
      );
      assert.equal(await ledgerSize(store), size + 1);
      const shown = await run(['--system', systemId]);
      assert.match(shown.stdout, /channel\s+categorical\s+web, branch/);
    });
  });
}
