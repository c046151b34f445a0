import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createTestStore, DIALECTS, ledgerSize, tempSqliteFile } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { appendEvent, appendEvents } from '../ledger/ledger.service.js';
import { migrateToLatest } from './migrate.js';
import { sqlLiteral, stringLiteral } from './pg-literal.js';
import { combinedInserts, createSqliteStore, insertRows, rowsByKeys, type Store } from './store.js';

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

    test('insertRows: every row of a batch that is not a multiple of the chunk, or none when one is refused', async () => {
      const now = new Date().toISOString();
      const users = (prefix: string, count: number) =>
        Array.from({ length: count }, (_, i) => ({
          id: `${prefix}-${i}`,
          email: `${prefix}-${i}@example.test`,
          display_name: `User ${i}`,
          password_hash: null,
          status: 'active' as const,
          created_at: now,
          updated_at: now,
        }));
      await store.transact((trx) => insertRows(trx, 'users', users('ir', 130)));
      const stored = await store.db.selectFrom('users').select(['id', 'email']).where('id', 'like', 'ir-%').execute();
      assert.equal(stored.length, 130);
      assert.deepEqual(
        stored.map((u) => u.email).sort(),
        users('ir', 130)
          .map((u) => u.email)
          .sort(),
      );
      // The 100th row repeats an id already stored: the batch is refused whole.
      const refused = users('ir2', 140);
      refused[99] = { ...refused[99], id: 'ir-5', email: 'other@example.test' };
      await assert.rejects(store.transact((trx) => insertRows(trx, 'users', refused)));
      const none = await store.db.selectFrom('users').select('id').where('id', 'like', 'ir2-%').execute();
      assert.deepEqual(none, []);
    });

    test('rowsByKeys: the rows of the given keys within the scope, as arrays in column order, missing keys left out', async () => {
      const now = new Date().toISOString();
      const user = (id: string, email: string) => ({
        id,
        email,
        display_name: `Name ${id}`,
        password_hash: null,
        status: 'active' as const,
        created_at: now,
        updated_at: now,
      });
      await store.transact((trx) =>
        trx
          .insertInto('users')
          .values([user('rk-1', 'rk1@example.test'), user('rk-2', 'rk2@example.test'), user('rk-3', 'rk3@example.test')])
          .execute(),
      );
      const lookup = (keys: string[], status = 'active') =>
        store.transact((trx) => rowsByKeys(trx, { table: 'users', columns: ['email', 'id'], scope: ['status', status], key: 'id', keys }));
      const rows = await lookup(['rk-3', 'rk-missing', 'rk-1']);
      assert.deepEqual(
        rows.sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
        [
          ['rk1@example.test', 'rk-1'],
          ['rk3@example.test', 'rk-3'],
        ],
      );
      assert.deepEqual(await lookup(['rk-1'], 'deactivated'), [], 'outside the scope');
      assert.deepEqual(await lookup([]), []);
      // Outside a write transaction (SQLite's reader: no raw handle) the answer is the same.
      assert.deepEqual(
        await rowsByKeys(store.db, { table: 'users', columns: ['id'], scope: ['status', 'active'], key: 'id', keys: ['rk-2'] }),
        [['rk-2']],
      );
    });
  });
}

// Durability on SQLite: `transact()` answers only after the WAL sync. A kill -9 test cannot see a
// missing fsync (the operating system keeps the unsynced pages), so the sync step is injected here
// and held open: a commit is visible to readers while its callers still wait.
describe('store [sqlite]: nothing is acknowledged before the WAL sync completes', () => {
  interface HeldSync {
    release(): void;
    fail(error: Error): void;
  }
  let store: Store;
  let syncs: HeldSync[];

  before(async () => {
    syncs = [];
    store = createSqliteStore(tempSqliteFile(), {
      syncWal: () => new Promise<void>((release, fail) => syncs.push({ release, fail })),
    });
    await migrateToLatest(store.writer);
  });
  after(() => store.close());

  const write = (id: string) =>
    store.transact((trx) => appendEvent(trx, systemContext('t'), { type: 'test.durable', subject: { type: 'test', id } }));

  /** Follows a promise without awaiting it: 'pending' until it settles. */
  function watch<T>(promise: Promise<T>) {
    const seen = { state: 'pending' as 'pending' | 'resolved' | 'rejected' };
    promise.then(
      () => {
        seen.state = 'resolved';
      },
      () => {
        seen.state = 'rejected';
      },
    );
    return seen;
  }

  /** Lets the event loop go round until `done()` holds (or fails the test after ~2 s). */
  async function until(done: () => boolean | Promise<boolean>, what: string) {
    for (let i = 0; i < 400; i++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.fail(`timed out waiting until ${what}`);
  }

  const committed = async (n: number) => (await ledgerSize(store)) === n;

  test('transact() resolves only after the WAL sync it waits on completes', async () => {
    const before = await ledgerSize(store);
    const pending = write('held');
    const seen = watch(pending);
    await until(() => committed(before + 1), 'the commit is visible to readers');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.state, 'pending', 'committed but not yet synced: the caller must still wait');
    assert.equal(syncs.length, 1, 'the sync has started');
    syncs[0].release();
    const event = await pending;
    assert.equal(Number(event.seq), before);
  });

  test('a group committing during a sync waits for the next sync, not the running one', async () => {
    syncs.length = 0;
    const before = await ledgerSize(store);
    const first = watch(write('during-1'));
    await until(() => syncs.length === 1, 'the first sync has started');
    const second = write('during-2');
    const seen = watch(second);
    await until(() => committed(before + 2), 'the second commit is visible');
    assert.equal(syncs.length, 1, 'the second sync queues behind the running one');
    syncs[0].release();
    await until(() => first.state === 'resolved', 'the first caller is answered');
    await until(() => syncs.length === 2, 'the second sync has started');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(seen.state, 'pending', 'the first sync began before this commit, so it cannot vouch for it');
    syncs[1].release();
    await second;
  });

  test('a failing sync rejects every caller of its group with the sync error; none is acknowledged', async () => {
    syncs.length = 0;
    const ioError = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const a = write('fails-a');
    const b = write('fails-b');
    const seenA = watch(a);
    const seenB = watch(b);
    await until(() => syncs.length === 1, 'the group sync has started');
    assert.equal(seenA.state, 'pending');
    syncs[0].fail(ioError);
    await assert.rejects(a, (error) => error === ioError);
    await assert.rejects(b, (error) => error === ioError);
    assert.deepEqual([seenA.state, seenB.state], ['rejected', 'rejected']);
    // The store keeps working: the next write waits on a sync of its own.
    const next = write('after-failure');
    await until(() => syncs.length === 2, 'a fresh sync has started');
    syncs[1].release();
    await next;
  });
});

describe('combined transactions merge the same inserts of blind writes (PostgreSQL, db/store.ts)', () => {
  const write = (name: string, event: string) => [
    `insert into ai_systems (id, name) values ('${name}', 'it''s ${name}')`,
    `insert into ledger_queue (event_id, type) values ('${event}', 'system.created')`,
  ];

  test('writes with the same inserts in the same order: one multi-row INSERT per position, rows in arrival order', () => {
    assert.deepEqual(combinedInserts([write('a', 'e1'), write('b', 'e2'), write('c', 'e3')]), [
      "insert into ai_systems (id, name) values ('a', 'it''s a'), ('b', 'it''s b'), ('c', 'it''s c')",
      "insert into ledger_queue (event_id, type) values ('e1', 'system.created'), ('e2', 'system.created'), ('e3', 'system.created')",
    ]);
  });

  test('writes whose inserts differ in table, columns or order go one after another, unmerged', () => {
    const other = ["insert into ai_systems (id) values ('d')", "insert into ledger_queue (event_id, type) values ('e4', 'x')"];
    assert.deepEqual(combinedInserts([write('a', 'e1'), other]), [...write('a', 'e1'), ...other]);
    const reversed = [...write('b', 'e2')].reverse();
    assert.deepEqual(combinedInserts([write('a', 'e1'), reversed]), [...write('a', 'e1'), ...reversed]);
    const longer = [...write('b', 'e2'), "insert into system_phase_owners (system_id) values ('b')"];
    assert.deepEqual(combinedInserts([write('a', 'e1'), longer]), [...write('a', 'e1'), ...longer]);
  });

  test('one write, or statements that are not inserts, stay as they are', () => {
    assert.deepEqual(combinedInserts([write('a', 'e1')]), write('a', 'e1'));
    const notInserts = [['select 1'], ['select 1']];
    assert.deepEqual(combinedInserts(notInserts), ['select 1', 'select 1']);
    assert.deepEqual(combinedInserts([]), []);
  });
});

describe('string literals of deferred inserts (PostgreSQL, db/pg-literal.ts)', () => {
  const strings = [
    '',
    'plain text',
    '{"type":"system.created","after":{"name":"Bench system 1"}}',
    "it's",
    "''",
    'back\\slash',
    "both ' and \\",
    'a trailing backslash \\',
    'ünïcödé ✓ 𝔘 and a line\nbreak',
  ];

  test("every string's literal is pg.escapeLiteral's text; one without a quote or backslash is only quoted", () => {
    for (const s of strings) assert.equal(stringLiteral(s), pg.escapeLiteral(s), s);
    assert.equal(stringLiteral('plain text'), "'plain text'");
    assert.equal(sqlLiteral('plain text'), "'plain text'");
  });

  test('PostgreSQL reads each literal back as the string it was made from', async () => {
    const store = await createTestStore('postgres');
    try {
      for (const s of strings) {
        const { rows } = await sql<{ v: string }>`select ${sql.raw(stringLiteral(s))}::text as v`.execute(store.db);
        assert.equal(rows[0].v, s);
      }
    } finally {
      await store.close();
    }
  });
});
