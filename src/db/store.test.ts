import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestStore, DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { appendEvent, appendEvents } from '../ledger/ledger.service.js';
import { migrateToLatest } from './migrate.js';
import type { Store } from './store.js';

for (const dialect of DIALECTS) {
  describe(`store [${dialect}]`, () => {
    let store: Store;
    before(async () => {
      store = await createTestStore(dialect);
    });
    after(() => store.close());

    test('migrations are idempotent', async () => {
      assert.deepEqual(await migrateToLatest(store.writer), []);
    });

    test('concurrent transactions all commit; a failing one writes nothing and does not harm the others', async () => {
      const ctx = systemContext('t');
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          store.transact(async (trx) => {
            const event = await appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: `w${i}` } });
            if (i % 10 === 3) throw new Error(`job ${i} fails after writing`);
            return event.seq;
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      assert.equal(ok.length, 36);
      assert.equal(results.filter((r) => r.status === 'rejected').length, 4);
      const rows = await store.db
        .selectFrom('ledger_events')
        .select(['seq', 'subject_id'])
        .where('type', '=', 'test.write')
        .orderBy('seq')
        .execute();
      assert.equal(rows.length, 36);
      assert.ok(!rows.some((r) => ['w3', 'w13', 'w23', 'w33'].includes(r.subject_id)), 'failed jobs left nothing');
      const all = await store.db.selectFrom('ledger_events').select('seq').orderBy('seq').execute();
      assert.deepEqual(
        all.map((r) => Number(r.seq)),
        all.map((_, i) => i),
        'sequence is contiguous',
      );
    });

    test('the database refuses UPDATE and DELETE of ledger rows', async () => {
      // 16 events, so the tree has a stored node and ledger_nodes a row the DELETE would remove.
      const guards = Array.from({ length: 16 }, (_, i) => ({ type: 'test.guard', subject: { type: 'test', id: `g${i}` } }));
      await store.transact((trx) => appendEvents(trx, systemContext('t'), guards));
      assert.ok((await store.db.selectFrom('ledger_nodes').select('idx').execute()).length > 0);
      await assert.rejects(
        store.transact((trx) => sql`update ledger_events set type = 'forged'`.execute(trx)),
        /append-only/,
      );
      await assert.rejects(
        store.transact((trx) => sql`delete from ledger_events`.execute(trx)),
        /append-only/,
      );
      await assert.rejects(
        store.transact((trx) => sql`delete from ledger_nodes`.execute(trx)),
        /append-only/,
      );
      const forged = await store.db.selectFrom('ledger_events').select('seq').where('type', '=', 'forged').execute();
      assert.equal(forged.length, 0);
    });
  });
}
