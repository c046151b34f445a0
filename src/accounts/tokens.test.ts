import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { signIn } from '../../test/sessions.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';

for (const dialect of DIALECTS) {
  describe(`API tokens [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('a token is shown once, stored hashed, works with its scopes and is a ledger event', async () => {
      const user = await t.user(['contributor'], { scopes: ['read', 'write', 'ingest'] });
      const res = await t.call(user, 'POST', '/api/v1/tokens', { name: 'pipeline', scopes: ['read', 'ingest'], expiresInDays: 30 });
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json();
      assert.match(created.token, /^plt_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/);
      const row = await t.store.db.selectFrom('api_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      const secret = created.token.split('_').slice(2).join('_');
      assert.ok(!JSON.stringify(row).includes(secret), 'the secret is not stored');
      assert.equal(row.scopes, 'ingest,read');
      const days = (Date.parse(row.expires_at) - Date.parse(row.created_at)) / 86_400_000;
      assert.equal(Math.round(days), 30);
      const listed = await t.call(user, 'GET', '/api/v1/tokens');
      assert.ok(!listed.body.includes(secret));
      const events = await t.store.db.selectFrom('ledger_events').select('leaf').where('subject_id', '=', created.id).execute();
      assert.equal(events.length, 1);
      assert.ok(!events[0].leaf.includes(secret));
      const me = await t.call({ ...user, token: created.token }, 'GET', '/api/v1/auth/session');
      assert.equal(me.json().tokenId, created.id);
    });

    test('expiry is 1 to 365 days; a token cannot mint one with more scopes than its own', async () => {
      const user = await t.user(['contributor']);
      assert.equal((await t.call(user, 'POST', '/api/v1/tokens', { name: 'x', scopes: ['read'], expiresInDays: 366 })).statusCode, 400);
      assert.equal((await t.call(user, 'POST', '/api/v1/tokens', { name: 'x', scopes: [] })).statusCode, 400);
      assert.equal((await t.call(user, 'POST', '/api/v1/tokens', { name: 'x', scopes: ['admin'] })).statusCode, 400);
      const broader = await t.call(user, 'POST', '/api/v1/tokens', { name: 'x', scopes: ['ingest'] });
      assert.equal(broader.statusCode, 403);
      assert.equal(broader.json().error.code, 'insufficient_scope');
      const defaulted = await t.call(user, 'POST', '/api/v1/tokens', { name: 'default', scopes: ['write'] });
      assert.equal(defaulted.statusCode, 201);
      const days = (Date.parse(defaulted.json().expiresAt) - Date.now()) / 86_400_000;
      assert.equal(Math.round(days), 90);
    });

    test('a read-scoped token on a write route gets 403 insufficient_scope', async () => {
      const user = await t.user(['contributor'], { scopes: ['read'] });
      assert.equal((await t.call(user, 'GET', '/api/v1/tokens')).statusCode, 200);
      const res = await t.call(user, 'POST', '/api/v1/tokens', { name: 'more', scopes: ['read'] });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'insufficient_scope');
    });

    test('revoked and expired tokens get 401; revoking is the owner’s or an admin’s, and a ledger event', async () => {
      const owner = await t.user(['contributor']);
      const stranger = await t.user(['reviewer']);
      const admin = await t.user(['admin']);
      const extra = (await t.call(owner, 'POST', '/api/v1/tokens', { name: 'extra', scopes: ['read'] })).json();
      const byStranger = await t.call(stranger, 'DELETE', `/api/v1/tokens/${extra.id}`);
      assert.equal(byStranger.statusCode, 403);
      const revoked = await t.call(owner, 'DELETE', `/api/v1/tokens/${extra.id}`);
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal(revoked.json().status, 'revoked');
      assert.equal((await t.call({ ...owner, token: extra.token }, 'GET', '/api/v1/auth/session')).statusCode, 401);
      assert.equal((await t.call(owner, 'DELETE', `/api/v1/tokens/${extra.id}`)).statusCode, 409);
      const [event] = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'token.revoked')
        .where('subject_id', '=', extra.id)
        .execute();
      assert.equal(JSON.parse(event.leaf).actor.id, owner.id);

      const ownersMain = await t.store.db
        .selectFrom('api_tokens')
        .select('id')
        .where('user_id', '=', owner.id)
        .where('name', '=', 'test')
        .executeTakeFirstOrThrow();
      assert.equal((await t.call(admin, 'DELETE', `/api/v1/tokens/${ownersMain.id}`)).statusCode, 200);
      assert.equal((await t.call(owner, 'GET', '/api/v1/tokens')).statusCode, 401);

      const later = await t.user(['contributor']);
      await t.store.writer
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', later.id)
        .execute();
      const expired = await t.call(later, 'GET', '/api/v1/tokens');
      assert.equal(expired.statusCode, 401);
      assert.equal(expired.json().error.code, 'unauthenticated');
    });

    test('users list their own tokens; admins and auditors list everyone’s and filter by user', async () => {
      const a = await t.user(['contributor']);
      const b = await t.user(['contributor']);
      const admin = await t.user(['admin']);
      const auditor = await t.user(['auditor']);
      const own = (await t.call(a, 'GET', '/api/v1/tokens')).json();
      assert.ok(own.items.length >= 1 && own.items.every((tk: { userId: string }) => tk.userId === a.id));
      assert.equal((await t.call(a, 'GET', `/api/v1/tokens?userId=${b.id}`)).statusCode, 403);
      const all = (await t.call(admin, 'GET', '/api/v1/tokens?limit=500')).json();
      assert.ok(all.items.some((tk: { userId: string }) => tk.userId === b.id));
      assert.ok(all.total >= 4);
      const ofB = (await t.call(auditor, 'GET', `/api/v1/tokens?userId=${b.id}&status=active`)).json();
      assert.deepEqual(
        ofB.items.map((tk: { userId: string }) => tk.userId),
        [b.id],
      );
      const tokenOfB = ofB.items[0].id;
      assert.equal((await t.call(auditor, 'DELETE', `/api/v1/tokens/${tokenOfB}`)).statusCode, 403);
    });

    test('an auditor creates their own read-only token, and it cannot write; nothing more, and an account without a role none', async () => {
      const auditor = await t.user(['auditor'], { password: 'auditor password 1' });
      // Signed in with a browser session, as the web UI's "API tokens" page is.
      const session = await signIn(t, auditor.email, 'auditor password 1', '10.9.0.1');
      const before = await ledgerSize(t.store);
      for (const scopes of [['write'], ['read', 'write'], ['ingest']]) {
        const refused = await session.call('POST', '/api/v1/tokens', { name: 'more', scopes });
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().error.code, 'forbidden');
      }
      const own = await session.call('POST', '/api/v1/tokens', { name: 'audit reader', scopes: ['read'] });
      assert.equal(own.statusCode, 201, own.body);
      assert.equal(await ledgerSize(t.store), before + 1, 'the refusals wrote nothing');
      const created = own.json();
      assert.deepEqual(created.scopes, ['read']);
      const row = await t.store.db
        .selectFrom('api_tokens')
        .select(['user_id', 'scopes'])
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { user_id: auditor.id, scopes: 'read' });
      const event = await t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'actor_id'])
        .where('subject_id', '=', created.id)
        .execute();
      assert.deepEqual(event, [{ type: 'token.created', actor_id: auditor.id }]);

      const withToken = { ...auditor, token: created.token };
      assert.equal((await t.call(withToken, 'GET', '/api/v1/ledger/events?limit=1')).statusCode, 200, 'it reads');
      const afterCreate = await ledgerSize(t.store);
      for (const [method, url, body] of [
        ['POST', '/api/v1/tokens', { name: 'again', scopes: ['read'] }],
        ['POST', '/api/v1/systems', { name: 'Shadow', purpose: 'p', status: 'proposed' }],
        ['POST', '/api/v1/ledger/notes', { text: 'a note', references: [] }],
      ] as const) {
        const res = await t.call(withToken, method, url, body);
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.ok(['insufficient_scope', 'forbidden'].includes(res.json().error.code), res.body);
      }
      const write = await t.call(withToken, 'POST', '/api/v1/tokens', { name: 'again', scopes: ['read'] });
      assert.equal(write.json().error.code, 'insufficient_scope');
      assert.equal(await ledgerSize(t.store), afterCreate, 'the read-only token wrote nothing');

      // The auditor revokes their own token (and only their own).
      const revoked = await session.call('DELETE', `/api/v1/tokens/${created.id}`);
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal((await t.call(withToken, 'GET', '/api/v1/ledger/events?limit=1')).statusCode, 401);

      const roleless = await t.user([], { password: 'roleless password 1' });
      const rolelessSession = await signIn(t, roleless.email, 'roleless password 1', '10.9.0.2');
      const noRole = await rolelessSession.call('POST', '/api/v1/tokens', { name: 'x', scopes: ['read'] });
      assert.equal(noRole.statusCode, 403);
      assert.equal(noRole.json().error.code, 'forbidden');
    });
  });
}
