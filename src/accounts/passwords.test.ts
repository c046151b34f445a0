// Password hashes: scrypt at production's cost unless configured (the test helpers configure less to
// keep the suite fast); a hash carries its own cost, so it verifies whatever the setting is now.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../test/app.js';
import { DIALECTS } from '../../test/stores.js';
import { ConfigError, DEFAULT_POLICIES, loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createUser } from './users.service.js';

const PASSWORD = 'a long enough password';

describe('password hashing cost', () => {
  test('production hashes at scrypt N=2^14 unless configured, and the setting is held to 2^10..2^20', async () => {
    assert.equal(loadConfig({}).passwordHashCost, 14);
    assert.equal(DEFAULT_POLICIES.passwordHashCost, 14);
    const hash = await hashPassword(PASSWORD);
    assert.match(hash, /^scrypt\$16384\$8\$1\$/);
    assert.equal(await verifyPassword(PASSWORD, hash), true);
    assert.equal(await verifyPassword('another password', hash), false);
    assert.equal(loadConfig({ PROOFLINE_PASSWORD_HASH_COST: '12' }).passwordHashCost, 12);
    for (const weak of ['9', '4', '0', '21', 'low']) {
      assert.throws(() => loadConfig({ PROOFLINE_PASSWORD_HASH_COST: weak }), ConfigError, weak);
    }
  });
});

for (const dialect of DIALECTS) {
  describe(`password hashing cost [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { PROOFLINE_PASSWORD_HASH_COST: '11' });
    });
    after(() => t.close());

    const storedHash = async (id: string) =>
      (await t.store.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;

    test("a new user's hash has the configured cost, and one made at another cost still signs in", async () => {
      const configured = await t.user(['reviewer'], { password: PASSWORD });
      assert.match(String(await storedHash(configured.id)), /^scrypt\$2048\$8\$1\$/);

      // Made with the default policies (as the first-admin bootstrap does): production's cost.
      const email = `default-cost-${Date.now()}@example.test`;
      const created = await t.store.transact((trx) =>
        createUser(trx, {
          ctx: systemContext('test'),
          user: { email, displayName: 'Default Cost', password: PASSWORD, roles: ['reviewer'] },
        }),
      );
      assert.match(String(await storedHash(created.id)), /^scrypt\$16384\$8\$1\$/);
      for (const who of [configured.email, email]) {
        const res = await t.call(null, 'POST', '/api/v1/auth/login', { email: who, password: PASSWORD });
        assert.equal(res.statusCode, 200, res.body);
      }
    });
  });
}
