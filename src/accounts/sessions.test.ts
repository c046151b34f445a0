import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { signIn } from '../../test/sessions.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { LOGIN_ATTEMPTS_PER_MINUTE } from './auth.routes.js';
import { setUserRoles } from './users.service.js';

const PASSWORD = 'correct horse battery';

for (const dialect of DIALECTS) {
  describe(`sessions and CSRF [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('who-am-I answers the user, global and per-system roles, and the CSRF token for a cookie session', async () => {
      const user = await t.user(['reviewer'], { password: PASSWORD });
      const system = await buildSystem(t.store);
      await t.store.transact((trx) =>
        setUserRoles(trx, {
          ctx: systemContext('test'),
          userId: user.id,
          roles: { roles: ['reviewer'], systemRoles: { [system.id]: ['approver'] } },
        }),
      );
      const session = await signIn(t, user.email, PASSWORD);
      const res = await session.call('GET', '/api/v1/auth/session');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.user.id, user.id);
      assert.deepEqual(body.roles, ['reviewer']);
      assert.deepEqual(body.systemRoles, { [system.id]: ['approver'] });
      assert.equal(body.authenticatedBy, 'session');
      assert.equal(body.csrfToken, session.csrfToken);
      const byToken = (await t.call(user, 'GET', '/api/v1/auth/session')).json();
      assert.equal(byToken.authenticatedBy, 'token');
      assert.equal(byToken.csrfToken, undefined);
      assert.deepEqual(byToken.scopes, ['read', 'write']);
      assert.equal((await t.call(null, 'GET', '/api/v1/auth/session')).statusCode, 401);
    });

    test('a cookie-authenticated write needs the right X-CSRF-Token', async () => {
      const user = await t.user(['reviewer'], { password: PASSWORD });
      const session = await signIn(t, user.email, PASSWORD);
      const body = { name: 'ci', scopes: ['read'] };
      const without = await session.call('POST', '/api/v1/tokens', body, null);
      assert.equal(without.statusCode, 403);
      assert.equal(without.json().error.code, 'csrf_failed');
      const wrong = await session.call('POST', '/api/v1/tokens', body, 'not-the-token');
      assert.equal(wrong.statusCode, 403);
      assert.equal(wrong.json().error.code, 'csrf_failed');
      const count = await t.store.db.selectFrom('api_tokens').select('id').where('user_id', '=', user.id).execute();
      assert.equal(count.length, 1, 'the refused writes wrote nothing');
      const right = await session.call('POST', '/api/v1/tokens', body);
      assert.equal(right.statusCode, 201, right.body);
    });

    test('a revoked (signed-out) or expired session is refused with 401', async () => {
      const user = await t.user(['reviewer'], { password: PASSWORD });
      const first = await signIn(t, user.email, PASSWORD);
      const out = await first.call('POST', '/api/v1/auth/logout');
      assert.equal(out.statusCode, 204, out.body);
      const revoked = await first.call('GET', '/api/v1/auth/session');
      assert.equal(revoked.statusCode, 401);
      assert.equal(revoked.json().error.code, 'unauthenticated');

      const second = await signIn(t, user.email, PASSWORD);
      assert.equal((await second.call('GET', '/api/v1/auth/session')).statusCode, 200);
      await t.store.writer
        .updateTable('sessions')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .execute();
      const expired = await second.call('GET', '/api/v1/auth/session');
      assert.equal(expired.statusCode, 401);
    });

    test(`sign-in is limited to ${LOGIN_ATTEMPTS_PER_MINUTE} attempts a minute per source address`, async () => {
      const user = await t.user(['reviewer'], { password: PASSWORD });
      const attempt = (remoteAddress: string, password = 'wrong') =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: `nobody-${remoteAddress}@example.test`, password },
          remoteAddress,
        });
      for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) assert.equal((await attempt('10.1.2.3')).statusCode, 401);
      const limited = await attempt('10.1.2.3');
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      // Even the right password waits; another address is unaffected.
      const right = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: PASSWORD },
        remoteAddress: '10.1.2.3',
      });
      assert.equal(right.statusCode, 429);
      await signIn(t, user.email, PASSWORD, '10.1.2.4');
    });
  });
}
