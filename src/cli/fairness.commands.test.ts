// `proofline systems fairness-attributes [set]` on both databases: the same use case as the API
// (only an admin, the governance lead or the system's owner declares, with a reason; a stale version
// is refused), a ledger event each; each refusal is one line with its code and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { declarationSetup, runCli } from '../../test/cli.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import type { Store } from '../db/store.js';

const WHY = 'Sex is collected only to measure the four-fifths rule';

for (const dialect of DIALECTS) {
  describe(`proofline systems fairness-attributes [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let lead: { id: string; email: string };
    let auditor: { id: string; email: string };
    let systemId: string;
    let file: string;

    before(async () => {
      ({ url, store, lead, auditor, systemId, file } = await declarationSetup(dialect, [
        { name: 'sex', values: ['female', 'male', 'other'], fairnessOnly: true },
      ]));
    });
    after(() => store.close());

    const refused = async (code: string, args: string[]) => {
      const size = await ledgerSize(store);
      const res = await runCli(url, args);
      assert.notEqual(res.code, 0, `${code}: refused`);
      assert.match(res.stderr, new RegExp(`^proofline: ${code}: [^\\n]*\\n$`));
      assert.equal(await ledgerSize(store), size, `${code}: nothing written`);
    };
    const ok = async (args: string[]) => {
      const res = await runCli(url, args);
      assert.equal(res.code, 0, res.stderr);
      return res.stdout;
    };

    test('reads a declaration, sets it from a file with a reason; a non-declarer, a bad file and a stale version are refused', async () => {
      const none = JSON.parse(await ok(['systems', 'fairness-attributes', '--system', systemId, '--json']));
      assert.equal(none.version, 0);
      const set = (...extra: string[]) => ['systems', 'fairness-attributes', 'set', '--system', systemId, ...extra];
      await refused('forbidden', set('--file', file, '--reason', WHY, '--as', auditor.email));
      await refused('validation_failed', set('--file', `${file}.missing`, '--reason', WHY, '--as', lead.email));
      await refused('validation_failed', set('--file', file, '--as', lead.email));
      const declared = JSON.parse(
        await ok([...set('--file', file, '--reason', WHY, '--as', lead.email, '--expect-version', '0'), '--json']),
      );
      assert.equal(declared.version, 1);
      assert.deepEqual(declared.attributes, [{ name: 'sex', values: ['female', 'male', 'other'], fairnessOnly: true }]);
      const event = await store.db.selectFrom('ledger_events').select('type').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.equal(event.type, 'monitoring.fairness_attributes_declared');
      await refused('version_conflict', set('--file', file, '--reason', WHY, '--as', lead.email, '--expect-version', '0'));
      assert.match(await ok(['systems', 'fairness-attributes', '--system', systemId]), /sex\s+female, male, other\s+yes/);
    });
  });
}
