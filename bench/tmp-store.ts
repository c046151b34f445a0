import pg from 'pg';
import { createPostgresStore } from '../src/db/store.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { appendEvent } from '../src/ledger/ledger.service.js';
import { systemContext } from '../src/context.js';
const base = process.env.PROOFLINE_TEST_PG_URL as string;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
const name = `tmpstore_${Date.now()}`;
await admin.query(`create database ${name}`);
const store = createPostgresStore(base.replace(/\/postgres$/, `/${name}`));
await migrateToLatest(store.writer);
const ctx = systemContext('bench');
for (const C of [1, 16]) {
  const N = 400;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < N) {
      next++;
      await store.transact(async (trx) => {
        await appendEvent(trx, ctx, { type: 'system.created', subject: { type: 'ai_system', id: 'x' }, after: { a: 1 } });
      });
    }
  }));
  console.log(C, 'per write ms', (performance.now() - t0) / N);
}
await store.close();
await admin.end();
