import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { DIALECTS } from '../../test/stores.js';

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

    test('users list their own tokens; admins and auditors list everyone’s and filter by user; auditors create none', async () => {
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
      const refused = await t.call(auditor, 'POST', '/api/v1/tokens', { name: 'nope', scopes: ['read'] });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'forbidden');
      const ownTokenId = ofB.items[0].id;
      assert.equal((await t.call(auditor, 'DELETE', `/api/v1/tokens/${ownTokenId}`)).statusCode, 403);
    });
  });
}
