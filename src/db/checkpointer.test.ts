// SQLite's WAL checkpoints run on a worker thread once the WAL has reached SQLite's own checkpoint
// size (db/checkpointer.ts): the pages reach the database file without the writer copying them,
// the writer keeps a fallback checkpoint point, and closing the store stops the worker cleanly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { createSqliteStore, type Store } from './store.js';

const ROW = 'x'.repeat(200_000);

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return condition();
}

describe('WAL checkpoints off the writer [sqlite]', () => {
  let dir: string;
  let file: string;
  let store: Store;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpointer-'));
    file = path.join(dir, 'proofline.db');
    store = createSqliteStore(file);
    await store.transact((trx) => sql`create table blobs (id integer primary key, body text not null)`.execute(trx).then(() => undefined));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const writeMegabytes = async (mb: number, from: number) => {
    for (let i = 0; i < mb * 5; i++) {
      await store.transact((trx) => sql`insert into blobs (id, body) values (${from + i}, ${ROW})`.execute(trx).then(() => undefined));
    }
  };

  test('below SQLite checkpoint size the writer keeps its default; past it, pages reach the database file from the worker', async () => {
    const writer = store.sqlite as SQLite.Database;
    assert.equal(writer.pragma('wal_autocheckpoint', { simple: true }), 1000);
    await writeMegabytes(2, 0);
    assert.equal(writer.pragma('wal_autocheckpoint', { simple: true }), 1000, 'no worker yet: the WAL is under 4 MB');
    await writeMegabytes(4, 1000);
    // The writer now checkpoints only at 10,000 pages (40 MB), far above what was written...
    assert.equal(writer.pragma('wal_autocheckpoint', { simple: true }), 10_000);
    const before = fs.statSync(file).size;
    await writeMegabytes(6, 2000);
    // ...so the database file grows only because the worker copies the WAL into it.
    assert.ok(
      await until(() => fs.statSync(file).size >= before + 5_000_000, 5000),
      `the database file grew from ${before} to ${fs.statSync(file).size} bytes`,
    );
  });

  test('every row is read back, through the store and after it is closed and opened again', async () => {
    const count = async (s: Store) => Number((await sql<{ n: number }>`select count(*) as n from blobs`.execute(s.db)).rows[0].n);
    assert.equal(await count(store), 60);
    await store.close();
    const again = createSqliteStore(file);
    try {
      assert.equal(await count(again), 60);
      const direct = new SQLite(file, { readonly: true });
      try {
        assert.equal(direct.prepare('select count(*) from blobs where length(body) = 200000').pluck().get(), 60);
        assert.equal(direct.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        direct.close();
      }
    } finally {
      await again.close();
    }
  });
});
