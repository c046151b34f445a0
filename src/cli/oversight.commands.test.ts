import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { createUser } from '../accounts/auth.service.js';
import { loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { addRosterOfficer } from '../modules/oversight/oversight.service.js';

const run = promisify(execFile);

for (const dialect of DIALECTS) {
  describe(`proofline oversight / appeals CLI [${dialect}]`, () => {
    let url: string;
    let store: Store;
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', ...args], {
        env: { ...process.env, PROOFLINE_DATABASE_URL: url, PROOFLINE_LOG_LEVEL: 'silent' },
      });

    before(async () => {
      url = await freshDatabaseUrl(dialect);
      store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: url }).database);
      await migrateToLatest(store.writer);
    });
    after(() => store.close());

    test('pause as a roster officer works; as an admin not on the roster it fails with a one-line error', async () => {
      const ctx = systemContext('test');
      const system = await buildSystem(store);
      await store.transact(async (trx) => {
        const officer = await createUser(trx, { ctx, user: { email: 'officer@example.test', displayName: 'Officer' } });
        await createUser(trx, { ctx, user: { email: 'admin@example.test', displayName: 'Admin', roles: ['admin'] } });
        await addRosterOfficer(trx, {
          ctx,
          systemId: system.id,
          input: { userId: officer.id, authorities: ['pause', 'restrict'], competence: 'ok', training: '' },
        });
      });
      const refused = await cli('oversight', 'pause', system.id, '--as', 'admin@example.test', '--reason', 'testing the pause').catch(
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal((refused as { code: number }).code, 1);
      assert.match((refused as { stderr: string }).stderr, /^proofline: not_on_roster: /);
      const paused = await cli('oversight', 'pause', system.id, '--as', 'officer@example.test', '--reason', 'incident INC-1 open');
      assert.match(paused.stdout, /paused/);
      const restricted = await cli(
        'oversight',
        'restrict',
        system.id,
        '--as',
        'officer@example.test',
        '--reason',
        'partial restriction while we look',
        '--human-review-all',
      );
      assert.match(restricted.stdout, /restricted \{"humanReviewAll":true\}/);
      const row = await store.db.selectFrom('system_runtime').select('state').where('system_id', '=', system.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'restricted');
      const listed = JSON.parse((await cli('appeals', 'list', '--json')).stdout);
      assert.equal(listed.total, 0);
    });
  });
}
