import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { createUser } from '../accounts/users.service.js';
import { systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createPostgresStore, createSqliteStore, type Store } from '../db/store.js';
import { openException } from '../modules/exceptions/exceptions.service.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`proofline exceptions CLI [${dialect}]`, () => {
    let store: Store;
    let url: string;
    let overdueId: string;
    let ownerEmail: string;

    /** A command that must succeed (exit code 0). */
    const cli = async (...args: string[]) => {
      const result = await runCli(url, args);
      assert.equal(result.code, 0, result.stderr);
      return result;
    };

    before(async () => {
      url = await freshDatabaseUrl(dialect);
      store = dialect === 'sqlite' ? createSqliteStore(url.slice('sqlite:'.length)) : createPostgresStore(url);
      await migrateToLatest(store.writer);
      const ctx = systemContext('test');
      ownerEmail = `owner-${Date.now()}@example.test`;
      const owner = await store.transact((trx) => createUser(trx, { ctx, user: { email: ownerEmail, displayName: 'Owner' } }));
      const system = await buildSystem(store, { accountableOwnerId: owner.id });
      const base = {
        systemId: system.id,
        kind: 'deviation' as const,
        description: 'd happened today',
        raisedBy: { type: 'person' as const, ref: ownerEmail },
        ownerId: owner.id,
        resolverId: owner.id,
      };
      const overdue = await store.transact((trx) =>
        openException(trx, {
          ctx,
          input: { ...base, title: 'Late one', severity: 'critical', detectedAt: new Date(Date.now() - 3 * DAY).toISOString() },
        }),
      );
      overdueId = overdue.id;
      await store.transact((trx) => openException(trx, { ctx, input: { ...base, title: 'Fresh one', severity: 'low' } }));
    });
    after(() => store.close());

    test('list --json --overdue prints only the overdue exception', async () => {
      const { stdout } = await cli('exceptions', 'list', '--json', '--overdue');
      const page = JSON.parse(stdout);
      assert.equal(page.total, 1);
      assert.equal(page.items[0].id, overdueId);
      assert.equal(page.items[0].overdue, true);
      const all = await cli('exceptions', 'list');
      assert.match(all.stdout, /Late one/);
      assert.match(all.stdout, /Fresh one/);
    });

    test('show prints one exception; an unknown id fails with a one-line error and a non-zero exit', async () => {
      const { stdout } = await cli('exceptions', 'show', overdueId);
      assert.match(stdout, /Late one/);
      assert.match(stdout, /OVERDUE/);
      const unknown = await runCli(url, ['exceptions', 'show', 'nope']);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr.trim(), 'proofline: not_found: exception nope does not exist');
    });

    test('transition acts as the named user and is a ledger event; an invalid one fails', async () => {
      const { stdout } = await cli(
        'exceptions',
        'transition',
        overdueId,
        '--to',
        'triaged',
        '--reason',
        'seen it, triaging',
        '--as',
        ownerEmail,
      );
      assert.match(stdout, /now triaged/);
      const event = await store.db
        .selectFrom('ledger_events')
        .select(['actor_id', 'leaf'])
        .where('subject_id', '=', overdueId)
        .where('type', '=', 'exception.triaged')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.leaf).actor.email, ownerEmail);
      const invalid = await runCli(url, [
        'exceptions',
        'transition',
        overdueId,
        '--to',
        'closed',
        '--reason',
        'closing it now',
        '--as',
        ownerEmail,
      ]);
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /invalid_transition/);
    });
  });
}
