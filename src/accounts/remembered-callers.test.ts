// Resolved callers are remembered per process while the auth epoch stands still: every change to
// users, roles, tokens or sessions, by any code in any process, must take effect on the next request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { signIn } from '../../test/sessions.js';
import { createPgDatabase, DIALECTS, tempSqliteFile } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createPostgresStore, createSqliteStore, type Dialect, type Store } from '../db/store.js';
import { rememberedActorFromToken } from './actors.js';
import { createApiToken } from './auth.service.js';
import { createUser } from './users.service.js';

/** Two stores on one database: two server processes, each with its own memory of callers. */
async function twoInstances(dialect: Dialect): Promise<[Store, Store]> {
  if (dialect === 'sqlite') {
    const file = tempSqliteFile();
    const a = createSqliteStore(file);
    await migrateToLatest(a.writer);
    return [a, createSqliteStore(file)];
  }
  const url = await createPgDatabase();
  const a = createPostgresStore(url, 2);
  await migrateToLatest(a.writer);
  return [a, createPostgresStore(url, 2)];
}

async function userWithToken(store: Store, roles: Array<'reviewer' | 'admin'>) {
  const ctx = systemContext('test');
  const user = await store.transact((trx) =>
    createUser(trx, {
      ctx,
      user: { email: `u${Math.random()}@example.test`, displayName: 'Remembered Caller', password: 'correct horse battery', roles },
    }),
  );
  const token = await store.transact((trx) =>
    createApiToken(trx, { ctx, token: { userId: user.id, name: 'remembered', scopes: ['read', 'write'], expiresInDays: 1 } }),
  );
  return { id: user.id, token: token.token, tokenId: token.id };
}

const epochOf = async (store: Store) => Number((await store.db.selectFrom('auth_epoch').select('n').executeTakeFirstOrThrow()).n);

for (const dialect of DIALECTS) {
  describe(`remembered callers across instances [${dialect}]`, () => {
    let a: Store;
    let b: Store;
    before(async () => {
      [a, b] = await twoInstances(dialect);
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    test('a token revoked by another instance stops working on the next request here', async () => {
      const user = await userWithToken(a, ['reviewer']);
      assert.equal((await rememberedActorFromToken(a.db, user.token))?.userId, user.id, 'remembered by instance a');
      await b.transact((trx) =>
        trx.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('id', '=', user.tokenId).execute(),
      );
      assert.equal(await rememberedActorFromToken(a.db, user.token), null);
    });

    test('roles granted or taken by another instance, and a deactivation, are seen on the next request', async () => {
      const user = await userWithToken(a, ['reviewer']);
      assert.deepEqual((await rememberedActorFromToken(a.db, user.token))?.roles, ['reviewer']);
      await b.transact((trx) =>
        trx
          .insertInto('user_roles')
          .values({ user_id: user.id, role: 'auditor', scope: '', granted_at: new Date().toISOString(), granted_by: null })
          .execute(),
      );
      assert.deepEqual((await rememberedActorFromToken(a.db, user.token))?.roles, ['auditor', 'reviewer']);
      await b.transact((trx) => trx.deleteFrom('user_roles').where('user_id', '=', user.id).where('role', '=', 'reviewer').execute());
      assert.deepEqual((await rememberedActorFromToken(a.db, user.token))?.roles, ['auditor']);
      await b.transact((trx) => trx.updateTable('users').set({ status: 'deactivated' }).where('id', '=', user.id).execute());
      assert.equal(await rememberedActorFromToken(a.db, user.token), null);
    });

    test('a remembered caller is frozen: no request can change what the next one sees', async () => {
      const user = await userWithToken(a, ['reviewer']);
      const first = await rememberedActorFromToken(a.db, user.token);
      assert.ok(first);
      assert.throws(() => (first.roles as string[]).push('admin'), TypeError);
      assert.deepEqual((await rememberedActorFromToken(a.db, user.token))?.roles, ['reviewer']);
    });
  });

  describe(`remembered callers through the API [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('revoking a token through the API refuses its very next request', async () => {
      const user = await t.user(['reviewer']);
      assert.equal((await t.call(user, 'GET', '/api/v1/auth/session')).statusCode, 200);
      const tokens = (await t.call(user, 'GET', '/api/v1/tokens')).json().items as Array<{ id: string }>;
      const revoked = await t.call(user, 'DELETE', `/api/v1/tokens/${tokens[0].id}`);
      assert.ok(revoked.statusCode < 300, revoked.body);
      const after = await t.call(user, 'GET', '/api/v1/auth/session');
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().error.code, 'unauthenticated');
    });

    test('a deactivated user’s session and a signed-out session are refused at once', async () => {
      const admin = await t.user(['admin']);
      const user = await t.user(['reviewer'], { password: 'a long enough password' });
      const session = await signIn(t, user.email, 'a long enough password');
      assert.equal((await session.call('GET', '/api/v1/systems?limit=1')).statusCode, 200);
      const current = (await t.call(admin, 'GET', `/api/v1/users/${user.id}`)).json();
      const off = await t.call(admin, 'POST', `/api/v1/users/${user.id}/deactivate`, {
        reason: 'Left the organisation today',
        version: current.version,
      });
      assert.ok(off.statusCode < 300, off.body);
      assert.equal((await session.call('GET', '/api/v1/systems?limit=1')).statusCode, 401);

      const other = await t.user(['reviewer'], { password: 'a long enough password' });
      const second = await signIn(t, other.email, 'a long enough password');
      assert.equal((await second.call('GET', '/api/v1/systems?limit=1')).statusCode, 200);
      assert.ok((await second.call('POST', '/api/v1/auth/logout', {})).statusCode < 300);
      assert.equal((await second.call('GET', '/api/v1/systems?limit=1')).statusCode, 401);
    });

    // On PostgreSQL a write request takes its remembered caller without reading the epoch; its
    // write checks the epoch in its first message (server/caller-check.ts). These fail without it.
    const systemBody = (name: string) => ({
      name,
      purpose: 'Ranks support tickets',
      intendedUse: 'Triage assistance for the support desk',
      aiType: 'machine_learning',
      deploymentKind: 'internal',
    });
    const systemsNamed = async (name: string) =>
      (await t.store.db.selectFrom('ai_systems').select('id').where('name', '=', name).execute()).length;

    test('a write whose caller was revoked or lost the role since their last request is refused and writes nothing', async () => {
      const user = await t.user(['contributor']);
      const first = await t.call(user, 'POST', '/api/v1/systems', systemBody(`Remembered first ${user.id}`));
      assert.equal(first.statusCode, 201, first.body);
      await t.store.transact((trx) => trx.deleteFrom('user_roles').where('user_id', '=', user.id).execute());
      const demoted = await t.call(user, 'POST', '/api/v1/systems', systemBody(`Remembered demoted ${user.id}`));
      assert.equal(demoted.statusCode, 403, demoted.body);
      assert.equal(await systemsNamed(`Remembered demoted ${user.id}`), 0);

      const other = await t.user(['contributor']);
      assert.equal((await t.call(other, 'POST', '/api/v1/systems', systemBody(`Remembered other ${other.id}`))).statusCode, 201);
      await t.store.transact((trx) =>
        trx.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', other.id).execute(),
      );
      const invalid = await t.call(other, 'POST', '/api/v1/systems', { name: '' });
      assert.equal(invalid.statusCode, 401, `refused before its bad input is judged: ${invalid.body}`);
      const revoked = await t.call(other, 'POST', '/api/v1/systems', systemBody(`Remembered revoked ${other.id}`));
      assert.equal(revoked.statusCode, 401, revoked.body);
      assert.equal(await systemsNamed(`Remembered revoked ${other.id}`), 0);
    });

    test('a write after the epoch moved for someone else goes through, once', async () => {
      const user = await t.user(['contributor']);
      assert.equal((await t.call(user, 'POST', '/api/v1/systems', systemBody(`Epoch before ${user.id}`))).statusCode, 201);
      const epoch = await epochOf(t.store);
      await t.user(['reviewer']); // a new user and token: the epoch moves, this caller does not change
      assert.ok((await epochOf(t.store)) > epoch);
      const after = await t.call(user, 'POST', '/api/v1/systems', systemBody(`Epoch after ${user.id}`));
      assert.equal(after.statusCode, 201, after.body);
      assert.equal(await systemsNamed(`Epoch after ${user.id}`), 1);
      const invalid = await t.call(user, 'POST', '/api/v1/systems', { name: '' });
      assert.equal(invalid.statusCode, 400, invalid.body);
    });

    test('bad input stays a 400 after the epoch moved, for someone else or for the caller, who still may write', async () => {
      const user = await t.user(['contributor']);
      assert.equal((await t.call(user, 'POST', '/api/v1/systems', systemBody(`Bad input first ${user.id}`))).statusCode, 201);
      await t.user(['reviewer']); // someone else's change moves the epoch
      const invalid = await t.call(user, 'POST', '/api/v1/systems', { name: '' });
      assert.equal(invalid.statusCode, 400, invalid.body);
      assert.equal(invalid.json().error.code, 'validation_failed');
      // The caller's own details change (a role more): the input is still what is refused.
      await t.store.transact((trx) =>
        trx
          .insertInto('user_roles')
          .values({ user_id: user.id, role: 'reviewer', scope: '', granted_at: new Date().toISOString(), granted_by: null })
          .execute(),
      );
      const again = await t.call(user, 'POST', '/api/v1/systems', { name: '' });
      assert.equal(again.statusCode, 400, again.body);
    });

    test('a new owner holds the system_owner role on their next request; a create without an owner leaves the epoch alone', async () => {
      const admin = await t.user(['admin']);
      const owner = await t.user(['contributor']);
      const system = await buildSystem(t.store, { name: 'Remembered roles system' });
      const before = (await t.call(owner, 'GET', '/api/v1/auth/session')).json();
      assert.deepEqual(before.user.systemRoles ?? before.systemRoles ?? {}, {});
      const etag = (await t.call(admin, 'GET', `/api/v1/systems/${system.id}`)).headers.etag;
      const changed = await t.call(
        admin,
        'POST',
        `/api/v1/systems/${system.id}/owner`,
        { ownerId: owner.id, rationale: 'Named the accountable owner for the pilot' },
        { 'if-match': String(etag) },
      );
      assert.ok(changed.statusCode < 300, changed.body);
      const now = (await t.call(owner, 'GET', '/api/v1/auth/session')).json();
      assert.deepEqual(now.user.systemRoles ?? now.systemRoles, { [system.id]: ['system_owner'] });

      const epoch = await epochOf(t.store);
      const created = await t.call(admin, 'POST', '/api/v1/systems', {
        name: 'No owner yet',
        purpose: 'Ranks support tickets',
        intendedUse: 'Triage assistance for the support desk',
        aiType: 'machine_learning',
        deploymentKind: 'internal',
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(await epochOf(t.store), epoch, 'creating a system without an owner changes no caller');
    });
  });
}
