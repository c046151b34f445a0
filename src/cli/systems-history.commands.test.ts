import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';

for (const dialect of DIALECTS) {
  describe(`proofline systems history [${dialect}]`, () => {
    let url: string;
    let store: Store;

    before(async () => {
      url = await freshDatabaseUrl(dialect);
      store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: url }).database);
      await migrateToLatest(store.writer);
    });
    after(() => store.close());

    test('prints the history as JSON and as a table; an unknown system or kind is a one-line error', async () => {
      const system = await buildSystem(store);
      const json = await runCli(url, ['systems', 'history', system.id, '--json']);
      assert.equal(json.code, 0, json.stderr);
      const page = JSON.parse(json.stdout);
      assert.deepEqual(
        page.items.map((e: { type: string; kind: string }) => [e.type, e.kind]),
        [['system.created', 'system']],
      );
      const table = await runCli(url, ['systems', 'history', system.id]);
      assert.match(table.stdout, /SEQ\s+RECORDED AT\s+KIND/);
      assert.match(table.stdout, /registered the system/);
      const missing = await runCli(url, ['systems', 'history', 'no-such-system']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^proofline: not_found: /);
      const badKind = await runCli(url, ['systems', 'history', system.id, '--kind', 'gossip']);
      assert.equal(badKind.code, 1);
      assert.match(badKind.stderr, /^proofline: validation_failed: /);
    });
  });
}
