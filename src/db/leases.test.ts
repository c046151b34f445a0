// Leases: one holder at a time, renewals by the holder only, takeover after expiry, release at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestStore, DIALECTS, ledgerSize } from '../../test/stores.js';
import { leaseHolder, releaseLease, takeLease } from './leases.js';
import type { Store } from './store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const dialect of DIALECTS) {
  describe(`leases [${dialect}]`, () => {
    let store: Store;
    before(async () => {
      store = await createTestStore(dialect);
    });
    after(() => store.close());

    test('a held lease is refused to anyone else and renewed by its holder; it writes no ledger event', async () => {
      const events = await ledgerSize(store);
      assert.equal(await takeLease(store, { name: 'one', holder: 'a', ttlMs: 10_000 }), true);
      assert.equal(await takeLease(store, { name: 'one', holder: 'b', ttlMs: 10_000 }), false);
      assert.equal(await leaseHolder(store, 'one'), 'a');
      const before = await store.db.selectFrom('leases').select('expires_at').where('name', '=', 'one').executeTakeFirstOrThrow();
      await sleep(20);
      assert.equal(await takeLease(store, { name: 'one', holder: 'a', ttlMs: 10_000 }), true, 'the holder renews');
      const renewed = await store.db.selectFrom('leases').select('expires_at').where('name', '=', 'one').executeTakeFirstOrThrow();
      assert.ok(Number(renewed.expires_at) > Number(before.expires_at), 'a renewal moves the expiry');
      assert.equal(await takeLease(store, { name: 'other', holder: 'b', ttlMs: 10_000 }), true, 'leases are per name');
      assert.equal(await ledgerSize(store), events);
    });

    test('an expired lease is taken over by another holder', async () => {
      assert.equal(await takeLease(store, { name: 'short', holder: 'a', ttlMs: 150 }), true);
      assert.equal(await takeLease(store, { name: 'short', holder: 'b', ttlMs: 150 }), false);
      await sleep(300);
      assert.equal(await leaseHolder(store, 'short'), null, 'expired');
      assert.equal(await takeLease(store, { name: 'short', holder: 'b', ttlMs: 10_000 }), true);
      assert.equal(await takeLease(store, { name: 'short', holder: 'a', ttlMs: 10_000 }), false, 'the old holder cannot renew it back');
      assert.equal(await leaseHolder(store, 'short'), 'b');
    });

    test('released by its holder, a lease is free at once; nobody else can release it', async () => {
      assert.equal(await takeLease(store, { name: 'rel', holder: 'a', ttlMs: 60_000 }), true);
      await releaseLease(store, { name: 'rel', holder: 'b' });
      assert.equal(await leaseHolder(store, 'rel'), 'a', 'a non-holder releases nothing');
      await releaseLease(store, { name: 'rel', holder: 'a' });
      assert.equal(await leaseHolder(store, 'rel'), null);
      assert.equal(await takeLease(store, { name: 'rel', holder: 'b', ttlMs: 60_000 }), true);
    });
  });
}
