import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';

for (const dialect of DIALECTS) {
  describe(`sign-in [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('a password sign-in sets an HttpOnly SameSite session cookie and is a ledger event', async () => {
      const user = await t.user(['reviewer'], { password: 'a long enough password' });
      const res = await t.call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: 'a long enough password' });
      assert.equal(res.statusCode, 200, res.body);
      const cookie = String(res.headers['set-cookie']);
      assert.match(cookie, /pl_session=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      const events = await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', user.id).execute();
      assert.ok(events.some((e) => e.type === 'auth.login'));
    });

    test('wrong passwords lock the account after five tries, each failure recorded', async () => {
      const user = await t.user(['reviewer'], { password: 'a long enough password' });
      for (let i = 0; i < 5; i++) {
        const res = await t.call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: 'wrong' });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().error.code, 'invalid_credentials');
      }
      const locked = await t.call(null, 'POST', '/api/v1/auth/login', { email: user.email, password: 'a long enough password' });
      assert.equal(locked.statusCode, 423);
      assert.equal(locked.json().error.code, 'account_locked');
      const failures = await t.store.db
        .selectFrom('ledger_events')
        .select('type')
        .where('subject_id', '=', user.id)
        .where('type', 'in', ['auth.login_failed', 'auth.locked_out'])
        .execute();
      assert.equal(failures.length, 7);
    });

    test('unknown fields are refused with 400 naming the field, and nothing is written', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(null, 'POST', '/api/v1/auth/login', { email: 'a@b.c', password: 'x', admin: true });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.equal(res.json().error.details.field, 'body.admin');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('the OpenAPI document is served and describes the routes', async () => {
      const res = await t.call(null, 'GET', '/api/v1/openapi.json');
      assert.equal(res.statusCode, 200);
      const doc = res.json();
      assert.equal(doc.openapi, '3.1.0');
      assert.ok(doc.paths['/api/v1/auth/login']);
    });
  });
}
