import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { signIn } from '../../test/sessions.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { deactivateUser } from './users.service.js';

const PASSWORD = 'correct horse battery';

for (const dialect of DIALECTS) {
  describe(`users and roles [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    const eventsOf = (subjectId: string, type: string) =>
      t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'leaf'])
        .where('subject_id', '=', subjectId)
        .where('type', '=', type)
        .execute();

    test('an admin creates a user without a password; others, auditors included, are refused', async () => {
      const admin = await t.user(['admin']);
      const res = await t.call(admin, 'POST', '/api/v1/users', {
        email: 'New.Person@Example.test',
        displayName: 'New Person',
        roles: ['reviewer'],
      });
      assert.equal(res.statusCode, 201, res.body);
      const view = res.json();
      assert.equal(view.email, 'new.person@example.test');
      assert.deepEqual(view.roles, ['reviewer']);
      assert.equal(view.hasPassword, false);
      assert.equal(res.headers.etag, '"1"');
      const events = await eventsOf(view.id, 'user.created');
      assert.equal(events.length, 1);
      assert.equal(JSON.parse(events[0].leaf).actor.id, admin.id);

      for (const roles of [['auditor'], ['governance_lead']] as const) {
        const other = await t.user([...roles]);
        const refused = await t.call(other, 'POST', '/api/v1/users', { email: `x-${roles[0]}@example.test`, displayName: 'X' });
        assert.equal(refused.statusCode, 403);
        assert.equal(refused.json().error.code, 'forbidden');
      }
      const dup = await t.call(admin, 'POST', '/api/v1/users', { email: 'new.person@example.test', displayName: 'Again' });
      assert.equal(dup.statusCode, 409);
      const short = await t.call(admin, 'POST', '/api/v1/users', { email: 'p@example.test', displayName: 'P', password: 'short' });
      assert.equal(short.statusCode, 400);
    });

    test('the list paginates with a total and filters by status, role and email substring', async () => {
      const admin = await t.user(['admin']);
      const tag = `list${Date.now()}`;
      for (let i = 0; i < 3; i++) await t.user(['approver'], { email: `${tag}-${i}@example.test` });
      const contributor = await t.user(['contributor'], { email: `${tag}-c@example.test` });
      await t.user(['contributor'], { email: `other-${tag}_x@example.test` });

      const page = await t.call(admin, 'GET', `/api/v1/users?email=${tag.toUpperCase()}-&limit=2`);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().total, 4);
      assert.equal(page.json().items.length, 2);
      const approvers = await t.call(admin, 'GET', `/api/v1/users?email=${tag}-&role=approver`);
      assert.deepEqual(
        approvers.json().items.map((u: { email: string }) => u.email),
        [0, 1, 2].map((i) => `${tag}-${i}@example.test`),
      );
      // '_' is not a wildcard: only the address that really contains "_x" matches.
      const literal = await t.call(admin, 'GET', `/api/v1/users?email=${tag}_x`);
      assert.equal(literal.json().total, 1);

      await t.store.transact((trx) => deactivateUser(trx, { ctx: systemContext('test'), userId: contributor.id }));
      const deactivated = await t.call(admin, 'GET', `/api/v1/users?email=${tag}&status=deactivated`);
      assert.deepEqual(
        deactivated.json().items.map((u: { id: string }) => u.id),
        [contributor.id],
      );
      const auditor = await t.user(['auditor']);
      assert.equal((await t.call(auditor, 'GET', '/api/v1/users')).statusCode, 200);
      const reviewer = await t.user(['reviewer']);
      assert.equal((await t.call(reviewer, 'GET', '/api/v1/users')).statusCode, 403);
    });

    test('renaming needs the version read: stale is 409, missing is 428, and the change is a ledger event', async () => {
      const admin = await t.user(['admin']);
      const user = await t.user(['reviewer']);
      const read = await t.call(admin, 'GET', `/api/v1/users/${user.id}`);
      assert.equal(read.headers.etag, '"1"');
      const missing = await t.call(admin, 'PATCH', `/api/v1/users/${user.id}`, { displayName: 'Renamed' });
      assert.equal(missing.statusCode, 428);
      const ok = await t.call(user, 'PATCH', `/api/v1/users/${user.id}`, { displayName: 'Renamed' }, { 'if-match': '"1"' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().displayName, 'Renamed');
      assert.equal(ok.headers.etag, '"2"');
      const stale = await t.call(admin, 'PATCH', `/api/v1/users/${user.id}`, { displayName: 'Stale', version: 1 });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().error.code, 'version_conflict');
      const events = await eventsOf(user.id, 'user.updated');
      assert.equal(events.length, 1);
      assert.deepEqual(JSON.parse(events[0].leaf).after, { displayName: 'Renamed' });
      // Someone else's name is the admin's business only.
      const other = await t.user(['reviewer']);
      const refused = await t.call(other, 'PATCH', `/api/v1/users/${user.id}`, { displayName: 'Nope', version: 2 });
      assert.equal(refused.statusCode, 403);
    });

    test('setting roles replaces the full set, writes only the difference, and records before/after with the reason', async () => {
      const admin = await t.user(['admin']);
      const user = await t.user(['reviewer', 'contributor']);
      const system = await buildSystem(t.store);
      const res = await t.call(admin, 'PUT', `/api/v1/users/${user.id}/roles`, {
        roles: ['approver', 'reviewer'],
        systemRoles: { [system.id]: ['system_owner'] },
        reason: 'joins the credit model board',
        version: 1,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().roles, ['approver', 'reviewer']);
      assert.deepEqual(res.json().systemRoles, { [system.id]: ['system_owner'] });
      const rows = await t.store.db
        .selectFrom('user_roles')
        .select(['role', 'scope'])
        .where('user_id', '=', user.id)
        .orderBy('role')
        .execute();
      assert.deepEqual(rows, [
        { role: 'approver', scope: '' },
        { role: 'reviewer', scope: '' },
        { role: 'system_owner', scope: system.id },
      ]);
      const [event] = await eventsOf(user.id, 'user.roles_changed');
      const leaf = JSON.parse(event.leaf);
      assert.deepEqual(leaf.before, { roles: ['contributor', 'reviewer'], systemRoles: {} });
      assert.deepEqual(leaf.after.roles, ['approver', 'reviewer']);
      assert.equal(leaf.reason, 'joins the credit model board');
      assert.deepEqual(leaf.data.removed, ['contributor@']);

      // The same set again changes nothing and records nothing.
      const again = await t.call(admin, 'PUT', `/api/v1/users/${user.id}/roles`, {
        roles: ['reviewer', 'approver'],
        systemRoles: { [system.id]: ['system_owner'] },
        version: 2,
      });
      assert.equal(again.statusCode, 200);
      assert.equal((await eventsOf(user.id, 'user.roles_changed')).length, 1);

      const unknown = await t.call(admin, 'PUT', `/api/v1/users/${user.id}/roles`, {
        roles: [],
        systemRoles: { nope: ['reviewer'] },
        version: 2,
      });
      assert.equal(unknown.statusCode, 400);
      const stale = await t.call(admin, 'PUT', `/api/v1/users/${user.id}/roles`, { roles: [], version: 1 });
      assert.equal(stale.statusCode, 409);
      const auditor = await t.user(['auditor']);
      const refused = await t.call(auditor, 'PUT', `/api/v1/users/${user.id}/roles`, { roles: ['admin'], version: 2 });
      assert.equal(refused.statusCode, 403);
      // The role the access hook sees changes at once.
      const session = await t.call(user, 'GET', '/api/v1/auth/session');
      assert.deepEqual(session.json().systemRoles, { [system.id]: ['system_owner'] });
    });

    test('a deactivated user cannot sign in and their sessions and tokens stop working', async () => {
      const admin = await t.user(['admin']);
      const user = await t.user(['reviewer'], { password: PASSWORD });
      const session = await signIn(t, user.email, PASSWORD);
      assert.equal((await session.call('GET', '/api/v1/auth/session')).statusCode, 200);
      const res = await t.call(admin, 'POST', `/api/v1/users/${user.id}/deactivate`, { reason: 'left the company' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'deactivated');
      assert.equal((await session.call('GET', '/api/v1/auth/session')).statusCode, 401);
      assert.equal((await t.call(user, 'GET', '/api/v1/auth/session')).statusCode, 401);
      const login = await t.call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD });
      assert.equal(login.statusCode, 401);
      const [event] = await eventsOf(user.id, 'user.deactivated');
      const leaf = JSON.parse(event.leaf);
      assert.equal(leaf.reason, 'left the company');
      assert.deepEqual(leaf.data, { sessionsRevoked: 1, tokensRevoked: 1 });
      assert.ok(await t.store.db.selectFrom('users').select('id').where('id', '=', user.id).executeTakeFirst(), 'never deleted');
      const twice = await t.call(admin, 'POST', `/api/v1/users/${user.id}/deactivate`, {});
      assert.equal(twice.statusCode, 409);
    });

    test('the last active admin can neither deactivate themselves nor drop the admin role', async () => {
      const solo = await createTestApp(dialect);
      try {
        const admin = await solo.user(['admin']);
        const self = await solo.call(admin, 'POST', `/api/v1/users/${admin.id}/deactivate`, {});
        assert.equal(self.statusCode, 409);
        assert.equal(self.json().error.code, 'conflict');
        const drop = await solo.call(admin, 'PUT', `/api/v1/users/${admin.id}/roles`, { roles: ['reviewer'], version: 1 });
        assert.equal(drop.statusCode, 409);
        assert.equal(drop.json().error.code, 'conflict');
        const second = await solo.user(['admin']);
        const now = await solo.call(second, 'POST', `/api/v1/users/${admin.id}/deactivate`, {});
        assert.equal(now.statusCode, 200, now.body);
      } finally {
        await solo.close();
      }
    });

    test('changing one’s own password needs the current one and ends the other sessions', async () => {
      const user = await t.user(['contributor'], { password: PASSWORD });
      const other = await signIn(t, user.email, PASSWORD);
      const current = await signIn(t, user.email, PASSWORD);
      const wrong = await current.call('POST', '/api/v1/users/me/password', {
        currentPassword: 'not it at all',
        newPassword: 'a brand new passphrase',
      });
      assert.equal(wrong.statusCode, 400);
      assert.equal(wrong.json().error.details.field, 'currentPassword');
      const ok = await current.call('POST', '/api/v1/users/me/password', {
        currentPassword: PASSWORD,
        newPassword: 'a brand new passphrase',
      });
      assert.equal(ok.statusCode, 204, ok.body);
      assert.equal((await current.call('GET', '/api/v1/auth/session')).statusCode, 200);
      assert.equal((await other.call('GET', '/api/v1/auth/session')).statusCode, 401);
      const old = await t.call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: PASSWORD });
      assert.equal(old.statusCode, 401);
      await signIn(t, user.email, 'a brand new passphrase');
      const events = await eventsOf(user.id, 'user.password_changed');
      assert.equal(events.length, 1);
      assert.ok(!events[0].leaf.includes('brand new'), 'no secret in the ledger');

      const auditor = await t.user(['auditor'], { password: PASSWORD });
      const own = await t.call(auditor, 'POST', '/api/v1/users/me/password', {
        currentPassword: PASSWORD,
        newPassword: 'another long passphrase',
      });
      assert.equal(own.statusCode, 204, 'an auditor changes nothing but keeps their own password');
    });
  });
}
