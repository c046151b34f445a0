// `proofline backup FILE` on SQLite while a server holds the database open and writes to it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../test/cli.js';
import { freePort } from '../../test/pg.js';
import { tempSqliteFile } from '../../test/stores.js';
import { createApiToken } from '../accounts/auth.service.js';
import { createUser } from '../accounts/users.service.js';
import { loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { makeCheckpoint } from '../ledger/checkpoints.service.js';
import { type LedgerSigner, loadSigningKey } from '../ledger/signing-key.js';
import { verifyLedger } from '../ledger/verify.service.js';
import { type RunningServer, startServer } from '../server/serve.js';
import { createSqliteStore, type Store } from './store.js';

interface Snapshot {
  users: string[];
  events: number;
  head: number;
  lastLeafHash: string | null;
}

async function snapshot(store: Store): Promise<Snapshot> {
  const users = await store.db.selectFrom('users').select('id').orderBy('id').execute();
  const events = await store.db.selectFrom('ledger_events').select(['seq', 'leaf_hash']).orderBy('seq', 'desc').execute();
  const head = await store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
  return {
    users: users.map((u) => u.id),
    events: events.length,
    head: Number(head.size),
    lastLeafHash: events[0] ? Buffer.from(events[0].leaf_hash).toString('hex') : null,
  };
}

let n = 0;
const addUser = (store: Store) =>
  store.transact(async (trx) => {
    n += 1;
    const ctx = systemContext('backup-test');
    const user = await createUser(trx, { ctx, user: { email: `backup${n}@example.test`, displayName: `B ${n}`, roles: ['reviewer'] } });
    await createApiToken(trx, { ctx, token: { userId: user.id, name: 'ci', scopes: ['read'], expiresInDays: 5 } });
    return user;
  });

describe('backup [sqlite]', () => {
  let server: RunningServer;
  let dbFile: string;
  let signer: LedgerSigner;
  before(async () => {
    dbFile = tempSqliteFile();
    const config = loadConfig({
      PROOFLINE_DATABASE_URL: `sqlite:${dbFile}`,
      PORT: String(await freePort()),
      PROOFLINE_LOG_LEVEL: 'silent',
      PROOFLINE_DATA_DIR: path.dirname(dbFile),
    });
    server = await startServer(config, () => {});
    signer = loadSigningKey(config);
    for (let i = 0; i < 20; i++) await addUser(server.store);
  });
  after(() => server.stop());

  test('copies every user and ledger event while the server has the database open', async () => {
    // Committed pages are still in the -wal file: a plain copy of the main file would miss them.
    assert.ok(fs.statSync(`${dbFile}-wal`).size > 0);
    await server.store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true });
    const source = await snapshot(server.store);
    const file = path.join(path.dirname(dbFile), 'copy.db');
    const res = await runCli(`sqlite:${dbFile}`, ['backup', file]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`${source.users.length} users, ${source.events} ledger events`));
    const copy = createSqliteStore(file);
    try {
      assert.deepEqual(await snapshot(copy), source);
      // The restored ledger is intact: every leaf, the tree and the signed checkpoint it carries.
      const report = await verifyLedger(copy, { verifier: signer.verifier });
      assert.equal(report.ok, true, JSON.stringify(report));
      assert.equal(report.checkpointsChecked, 1);
    } finally {
      await copy.close();
    }
    const again = await runCli(`sqlite:${dbFile}`, ['backup', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^proofline: conflict: [^\n]*exists[^\n]*\n$/);
  });

  test('with writes in flight, the copy is one consistent moment: a prefix of the ledger, users with their events', async () => {
    let writing = true;
    const writes = (async () => {
      let count = 0;
      while (writing) {
        await addUser(server.store);
        count += 1;
        // SQLite writes resolve through microtasks only; yield so the child's exit can be seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return count;
    })();
    const file = path.join(path.dirname(dbFile), 'busy.db');
    const res = await runCli(`sqlite:${dbFile}`, ['backup', file]);
    writing = false;
    const written = await writes;
    assert.equal(res.code, 0, res.stderr);
    assert.ok(written > 0, 'writes really were in flight');

    const copy = createSqliteStore(file);
    try {
      const got = await snapshot(copy);
      assert.equal(got.events, got.head, 'the Merkle head matches the events it holds');
      const created = await copy.db.selectFrom('ledger_events').select('subject_id').where('type', '=', 'user.created').execute();
      assert.deepEqual(created.map((e) => e.subject_id).sort(), got.users, 'every user in the copy has its creation event, and no more');
      const atSameSeq = await server.store.db
        .selectFrom('ledger_events')
        .select('leaf_hash')
        .where('seq', '=', got.events - 1)
        .executeTakeFirstOrThrow();
      assert.equal(Buffer.from(atSameSeq.leaf_hash).toString('hex'), got.lastLeafHash, 'the copy is a prefix of the live ledger');
      assert.ok(got.users.length >= 20);
    } finally {
      await copy.close();
    }
  });
});
