// Runs the real CLI as a child process against a fresh database on each dialect.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../../test/cli.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { actorFromToken } from '../accounts/actors.js';
import { loadConfig } from '../config.js';
import { createStore } from '../db/store.js';

for (const dialect of DIALECTS) {
  describe(`proofline user / token commands [${dialect}]`, () => {
    test('add, list --json, set-role, token create/revoke and deactivate, each a ledger event', async () => {
      const url = await freshDatabaseUrl(dialect);
      const cli = (args: string[], stdin?: string) => runCli(url, args, stdin);
      assert.equal((await cli(['migrate'])).code, 0);

      const add = await cli(
        ['user', 'add', 'Ada@Example.test', '--name', 'Ada', '--role', 'admin', '--password-stdin'],
        'a long enough password\n',
      );
      assert.equal(add.code, 0, add.stderr);
      const second = await cli([
        'user',
        'add',
        'bob@example.test',
        '--name',
        'Bob',
        '--role',
        'reviewer,contributor',
        '--as',
        'ada@example.test',
      ]);
      assert.equal(second.code, 0, second.stderr);

      const setRole = await cli(['user', 'set-role', 'bob@example.test', 'approver', 'reviewer', '--reason', 'joins the board']);
      assert.equal(setRole.code, 0, setRole.stderr);
      const list = await cli(['user', 'list', '--json']);
      assert.equal(list.code, 0, list.stderr);
      const users = JSON.parse(list.stdout) as Array<{ email: string; roles: string[]; hasPassword: boolean; status: string }>;
      assert.deepEqual(
        users.map((u) => [u.email, u.roles, u.hasPassword]),
        [
          ['ada@example.test', ['admin'], true],
          ['bob@example.test', ['approver', 'reviewer'], false],
        ],
      );

      const created = await cli(['token', 'create', '--user', 'bob@example.test', '--name', 'ci', '--scope', 'read,write', '--days', '30']);
      assert.equal(created.code, 0, created.stderr);
      const raw = created.stdout.trim();
      assert.match(raw, /^plt_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/, 'stdout is the token alone');
      const tokens = JSON.parse((await cli(['token', 'list', '--json'])).stdout) as Array<{ id: string; status: string; scopes: string[] }>;
      assert.equal(tokens.length, 1);
      assert.deepEqual(tokens[0].scopes, ['read', 'write']);
      assert.ok(!JSON.stringify(tokens).includes(raw.split('_').slice(2).join('_')), 'the listing never shows the secret');

      const store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: url }).database);
      try {
        assert.ok(await actorFromToken(store.db, raw), 'the printed token works');
        const revoke = await cli(['token', 'revoke', tokens[0].id]);
        assert.equal(revoke.code, 0, revoke.stderr);
        assert.equal(await actorFromToken(store.db, raw), null, 'a revoked token stops working');

        const deactivate = await cli(['user', 'deactivate', 'bob@example.test', '--as', 'ada@example.test', '--reason', 'left']);
        assert.equal(deactivate.code, 0, deactivate.stderr);
        const bob = await store.db
          .selectFrom('users')
          .select(['id', 'status'])
          .where('email', '=', 'bob@example.test')
          .executeTakeFirstOrThrow();
        assert.equal(bob.status, 'deactivated');

        const events = await store.db.selectFrom('ledger_events').select(['type', 'leaf']).orderBy('seq').execute();
        assert.deepEqual(
          events.map((e) => e.type),
          ['user.created', 'user.created', 'user.roles_changed', 'token.created', 'token.revoked', 'user.deactivated'],
        );
        const actors = events.map((e) => JSON.parse(e.leaf).actor);
        assert.equal(actors[0].kind, 'system');
        assert.equal(actors[1].email, 'ada@example.test', '--as names the acting admin');
        assert.equal(actors[5].email, 'ada@example.test');
        assert.equal(JSON.parse(events[2].leaf).reason, 'joins the board');
      } finally {
        await store.close();
      }

      // Bad input: non-zero exit and one line on stderr; nothing written.
      const bad = await cli(['user', 'set-role', 'ada@example.test', 'overlord']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^proofline: validation_failed: unknown role overlord[^\n]*\n$/);
      const lastAdmin = await cli(['user', 'deactivate', 'ada@example.test']);
      assert.equal(lastAdmin.code, 1);
      assert.match(lastAdmin.stderr, /^proofline: conflict: [^\n]+\n$/);
      const unknownUser = await cli(['token', 'create', '--user', 'nobody@example.test', '--name', 'x', '--scope', 'read']);
      assert.equal(unknownUser.code, 1);
      assert.match(unknownUser.stderr, /^proofline: not_found: no user nobody@example.test\n$/);
      const help = await cli(['user', 'set-role', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--system <id>/);
    });

    if (dialect === 'postgres') {
      test('backup on PostgreSQL explains pg_dump in one line', async () => {
        const url = await freshDatabaseUrl(dialect);
        const res = await runCli(url, ['backup', '/tmp/never-written.db']);
        assert.equal(res.code, 1);
        assert.match(res.stderr, /^proofline: not_supported: [^\n]*pg_dump --format=custom[^\n]*\n$/);
      });
    }
  });
}
