import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, freshDatabaseUrl, ledgerSize } from '../../test/stores.js';
import { createApiToken } from '../accounts/auth.service.js';
import { createUser } from '../accounts/users.service.js';
import { loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { addRosterOfficer } from '../modules/oversight/oversight.service.js';

for (const dialect of DIALECTS) {
  describe(`proofline oversight / appeals CLI [${dialect}]`, () => {
    let url: string;
    let store: Store;
    /** A command that must succeed (exit code 0). */
    const cli = async (...args: string[]) => {
      const result = await runCli(url, args);
      assert.equal(result.code, 0, result.stderr);
      return result;
    };

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
      const refused = await runCli(url, ['oversight', 'pause', system.id, '--as', 'admin@example.test', '--reason', 'testing the pause']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^proofline: not_on_roster: /);
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
      // An operator action from the command line says so: the account named, the OS user and host.
      const pausedEvent = await store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'oversight.paused')
        .where('subject_id', '=', system.id)
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(pausedEvent.leaf);
      assert.equal(leaf.actor.email, 'officer@example.test');
      assert.deepEqual(leaf.via, { channel: 'cli', credential: 'none', host: os.hostname(), osUser: os.userInfo().username });
      const listed = JSON.parse((await cli('appeals', 'list', '--json')).stdout);
      assert.equal(listed.total, 0);
    });

    test("resuming a high-risk system takes each officer's own credentials: --as alone writes nothing", async () => {
      const ctx = systemContext('test');
      const system = await buildSystem(store, { euRiskTier: 'high' });
      const secondToken = await store.transact(async (trx) => {
        const first = await createUser(trx, {
          ctx,
          user: { email: 'first@example.test', displayName: 'First', password: 'first password 1' },
        });
        const second = await createUser(trx, { ctx, user: { email: 'second@example.test', displayName: 'Second' } });
        for (const officer of [first, second]) {
          await addRosterOfficer(trx, {
            ctx,
            systemId: system.id,
            input: { userId: officer.id, authorities: ['pause', 'resume'], competence: 'ok', training: '' },
          });
        }
        return (await createApiToken(trx, { ctx, token: { userId: second.id, name: 'cli', scopes: ['write'], expiresInDays: 1 } })).token;
      });
      await cli('oversight', 'pause', system.id, '--as', 'first@example.test', '--reason', 'incident INC-2 open');
      const resume = (email: string, ...more: string[]) => [
        'oversight',
        'resume',
        system.id,
        '--as',
        email,
        '--reason',
        'fixed and verified by the on-call team',
        ...more,
      ];
      const before = await ledgerSize(store);
      for (const email of ['first@example.test', 'second@example.test']) {
        const refused = await runCli(url, resume(email));
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /^proofline: personal_signature_required: /);
      }
      assert.equal(await ledgerSize(store), before, 'nothing recorded');
      const requested = await runCli(url, resume('first@example.test', '--password-stdin'), 'first password 1\n');
      assert.equal(requested.code, 0, requested.stderr);
      assert.match(requested.stdout, /second oversight officer/);
      const confirmed = await runCli(url, resume('second@example.test', '--token-stdin'), secondToken);
      assert.equal(confirmed.code, 0, confirmed.stderr);
      const row = await store.db.selectFrom('system_runtime').select('state').where('system_id', '=', system.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'active');
      const events = await store.db
        .selectFrom('ledger_events')
        .select(['type', 'leaf'])
        .where('subject_id', '=', system.id)
        .where('type', 'in', ['oversight.resume_requested', 'oversight.resumed'])
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => [e.type, JSON.parse(e.leaf).actor.email, JSON.parse(e.leaf).via.credential]),
        [
          ['oversight.resume_requested', 'first@example.test', 'password'],
          ['oversight.resumed', 'second@example.test', 'api_token'],
        ],
      );
    });
  });
}
