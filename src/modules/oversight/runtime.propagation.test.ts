// Two real server processes on one database: a pause made through one must show on the other's
// runtime endpoint within a second (PostgreSQL: LISTEN/NOTIFY; SQLite: the polled change counter).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildSystem } from '../../../test/factories.js';
import { pauseAndFollow, pauseOfficerAndService, runtimeState } from '../../../test/runtime-pause.js';
import { type ServerProcess, serverEnv, startServerPair } from '../../../test/server-process.js';
import { DIALECTS, freshDatabaseUrl } from '../../../test/stores.js';
import { loadConfig } from '../../config.js';
import { createStore, type Store } from '../../db/store.js';

for (const dialect of DIALECTS) {
  describe(`pause propagation across two server processes [${dialect}]`, () => {
    let one: ServerProcess;
    let two: ServerProcess;
    let store: Store;

    before(async () => {
      const databaseUrl = await freshDatabaseUrl(dialect);
      [one, two] = await startServerPair(
        serverEnv(databaseUrl, { PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '0' }),
      );
      store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: databaseUrl }).database);
    });
    after(async () => {
      await Promise.all([one?.stop(), two?.stop()]);
      await store?.close();
    });

    test('a pause through one server shows on the other within one second', async (tc) => {
      const system = await buildSystem(store, { euRiskTier: 'high' });
      const tokens = await pauseOfficerAndService(store, system.id);
      assert.equal(await runtimeState(two.url, system.id, tokens.ingestToken), 'active'); // server two now holds the system in its cache

      const { state, elapsed } = await pauseAndFollow({ from: one.url, to: two.url }, system.id, tokens);
      assert.equal(state, 'paused');
      assert.ok(elapsed < 1_000, `took ${elapsed} ms`);
      tc.diagnostic(`pause seen by the other process after ${elapsed} ms`);
    });
  });
}
