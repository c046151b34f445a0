// The PostgreSQL write path (issue 13, ledger/integrator.ts): writes run side by side and queue
// their events; an acknowledged write's events are integrated; what a dead process left queued is
// integrated by another; the queue cannot lose an event; verification checks both guards.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { createPgDatabase, createTestStore, DIALECTS, onOwnConnection } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { migrateToLatest } from '../db/migrate.js';
import { createPostgresStore, insertRows, isUniqueViolation, type Store } from '../db/store.js';
import { eventLeafParts } from './event-leaf.js';
import { INLINE_ROUND_STATEMENT, LEDGER_LOCK_KEY, LedgerIntegrator } from './integrator.js';
import { appendEvent } from './ledger.service.js';
import { type LedgerSigner, loadSigningKey } from './signing-key.js';
import { verifyLedger } from './verify.service.js';

const ctx = systemContext('integrator-test');

function testSigner(): LedgerSigner {
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
  return loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: keyFile }));
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

/** A queued event as a process writes it, committed on a raw connection that never integrates it. */
function queuedRow(id: string, subjectId: string) {
  // One time for the leaf and its column: verify compares them.
  const recordedAt = new Date().toISOString();
  const [head, tail] = eventLeafParts({
    v: 1,
    id,
    type: 'test.write',
    recordedAt,
    actor: { kind: 'system', id: null, email: null, name: 'test', roles: [] },
    subject: { type: 'test', id: subjectId },
    requestId: 'raw',
  });
  return {
    text: 'insert into ledger_queue (event_id, type, subject_type, subject_id, recorded_at, leaf_head, leaf_tail) values ($1, $2, $3, $4, $5, $6, $7)',
    values: [id, 'test.write', 'test', subjectId, recordedAt, head, tail],
  };
}

/** `count` blind writes at once on `store` (each a deferred insert and its queued event, nothing
 * read): they reach their commit together. Years from `from` on, subjects `${subject}-i`. */
function blindWrites(store: Store, from: number, count: number, subject: string) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      store.transact(async (trx) => {
        await insertRows(trx, 'appeal_counters', [{ year: from + i, last_number: 0 }]);
        return appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: `${subject}-${i}` } });
      }),
    ),
  );
}

/** A PostgreSQL store on a database of its own, migrated, and that database's address. */
async function migratedPgStore(): Promise<{ url: string; store: Store }> {
  const url = await createPgDatabase();
  const store = createPostgresStore(url);
  await migrateToLatest(store.writer);
  return { url, store };
}

for (const dialect of DIALECTS) {
  describe(`writes side by side stay serializable [${dialect}]`, () => {
    let store: Store;
    before(async () => {
      store = await createTestStore(dialect);
    });
    after(() => store.close());

    test('40 concurrent read-then-write increments of one counter lose none, and the ledger is contiguous', async () => {
      // Each reads the counter and writes it plus one: without serializable writes (or the one
      // writer of SQLite) two would read the same value and one increment would be lost.
      await store.transact((trx) => trx.insertInto('appeal_counters').values({ year: 1999, last_number: 0 }).execute());
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.transact(async (trx) => {
            const row = await trx.selectFrom('appeal_counters').select('last_number').where('year', '=', 1999).executeTakeFirstOrThrow();
            await trx
              .updateTable('appeal_counters')
              .set({ last_number: Number(row.last_number) + 1 })
              .where('year', '=', 1999)
              .execute();
            return appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: `inc-${i}` } });
          }),
        ),
      );
      const counter = await store.db.selectFrom('appeal_counters').select('last_number').where('year', '=', 1999).executeTakeFirstOrThrow();
      assert.equal(Number(counter.last_number), 40);
      const seqs = (await store.db.selectFrom('ledger_events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i),
      );
      assert.equal(seqs.length, 40);
    });
  });
}

describe('the ledger queue [postgres]', () => {
  let url: string;
  let store: Store;
  const signer = testSigner();
  before(async () => {
    ({ url, store } = await migratedPgStore());
  });
  after(() => store.close());

  test('an acknowledged write has its sequence number and an empty queue behind it', async () => {
    const event = await store.transact((trx) => appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: 'ack' } }));
    assert.equal(event.seq, null, 'inside the transaction the event is queued, without a number');
    const row = await store.db.selectFrom('ledger_events').select('seq').where('event_id', '=', event.eventId).executeTakeFirst();
    assert.ok(row, 'integrated when the write is acknowledged');
    const queued = await store.db.selectFrom('ledger_queue').select('event_id').execute();
    assert.deepEqual(queued, []);
  });

  test('a lone write integrates its own events in its own transaction: no round after it, no lag', async () => {
    const rounds: Array<{ events: number; lagSeconds: number }> = [];
    store.onIntegration((round) => rounds.push(round));
    const event = await store.transact((trx) => appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: 'lone' } }));
    const row = await store.db.selectFrom('ledger_events').select('seq').where('event_id', '=', event.eventId).executeTakeFirst();
    assert.ok(row, 'integrated when the write is acknowledged');
    assert.deepEqual(rounds, [{ events: 1, lagSeconds: 0 }], 'integrated by the write itself, before its commit');
    assert.deepEqual(await store.db.selectFrom('ledger_queue').select('event_id').execute(), []);
  });

  test('a lone write whose snapshot of the head went stale integrates nothing itself, commits, and a round integrates it once', async () => {
    const id = randomUUID();
    await onOwnConnection(url, async (client) => {
      // The write's snapshot is taken before another write moves the head (this one alone: inline).
      await client.query('begin isolation level repeatable read');
      const before = await client.query('select size from ledger_head');
      await store.transact((trx) => appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: 'mover' } }));
      await client.query(queuedRow(id, 'stale'));
      const { rows } = await client.query<{ integrated: number }>(INLINE_ROUND_STATEMENT);
      assert.equal(rows[0].integrated, -1, 'the sequence number it would take is taken: nothing integrated');
      const after = await client.query('select size from ledger_head');
      assert.deepEqual(after.rows, before.rows, 'what it began to integrate is undone');
      await client.query('commit');
    });
    const integrated = await until(async () => {
      const found = await store.db.selectFrom('ledger_events').select('seq').where('event_id', '=', id).execute();
      return found.length === 1;
    }, 1500);
    assert.ok(integrated, 'a round integrated the event the write left queued');
    const report = await verifyLedger(store, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  test('events a process committed and never integrated (it died) are integrated by another within a second', async () => {
    const id = randomUUID();
    await onOwnConnection(url, (client) => client.query(queuedRow(id, 'orphan')));
    const integrated = await until(async () => {
      const row = await store.db.selectFrom('ledger_events').select('seq').where('event_id', '=', id).executeTakeFirst();
      return row !== undefined;
    }, 1500);
    assert.ok(integrated, 'the sweep integrated the orphaned event');
    const report = await verifyLedger(store, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  test('the database refuses to delete a queued event that is not in the ledger', async () => {
    const id = randomUUID();
    await onOwnConnection(url, async (client) => {
      await client.query('begin');
      await client.query(queuedRow(id, 'lost'));
      await assert.rejects(client.query('delete from ledger_queue where event_id = $1', [id]), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'P0001');
        assert.match(error.message, /leaves the queue without being integrated/);
        return true;
      });
      await client.query('rollback');
      await assert.rejects(client.query('truncate ledger_queue'), /append-only table ledger_queue/);
    });
  });

  test('verification names a queued event that is already in the ledger, and a disabled guard', async () => {
    const event = await store.transact((trx) => appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: 'twice' } }));
    await onOwnConnection(url, async (client) => {
      await client.query(queuedRow(event.eventId, 'twice'));
      const twice = await verifyLedger(store, { verifier: signer.verifier });
      assert.equal(twice.ok, false);
      assert.equal(twice.problem?.kind, 'integrated_twice');
      assert.match(twice.problem?.message ?? '', new RegExp(event.eventId));
      // Deleting it is allowed: the ledger holds the event.
      await client.query('delete from ledger_queue where event_id = $1', [event.eventId]);
      assert.equal((await verifyLedger(store, { verifier: signer.verifier })).ok, true);

      await client.query('alter table ledger_queue disable trigger ledger_queue_integrated_only');
      const unguarded = await verifyLedger(store, { verifier: signer.verifier });
      assert.equal(unguarded.problem?.kind, 'queue_unguarded');
      await client.query('alter table ledger_queue enable trigger ledger_queue_integrated_only');
      assert.equal((await verifyLedger(store, { verifier: signer.verifier })).ok, true);
    });
  });
});

describe('blind writes commit together [postgres]', () => {
  // A write whose use case sent nothing before its commit (its inserts all deferred) goes in one
  // transaction with the blind writes that reach their commit beside it (db/store.ts), without the
  // ledger lock; its caller is answered at that commit, and the integrator's round follows.
  let url: string;
  let store: Store;
  const signer = testSigner();
  before(async () => {
    ({ url, store } = await migratedPgStore());
  });
  after(() => store.close());

  const blindWrite = (year: number, subjectId: string) =>
    store.transact(async (trx) => {
      await insertRows(trx, 'appeal_counters', [{ year, last_number: 0 }]);
      return appendEvent(trx, ctx, { type: 'test.write', subject: { type: 'test', id: subjectId } });
    });

  /** The transactions that committed these rows: rows written by one transaction share its xmin. */
  const transactionsOf = async (client: pg.Client, from: number, to: number) =>
    (
      await client.query<{ n: number }>('select count(distinct xmin::text)::int as n from appeal_counters where year between $1 and $2', [
        from,
        to,
      ])
    ).rows[0].n;

  test('twenty at once share a few transactions, and this process reads their events in the tree once answered', async () => {
    const rounds: Array<{ events: number; lagSeconds: number }> = [];
    store.onIntegration((round) => rounds.push(round));
    const events = await Promise.all(Array.from({ length: 20 }, (_, i) => blindWrite(3000 + i, `together-${i}`)));
    // A read of this process waits for the round that the commits asked for.
    const integrated = await store.db
      .selectFrom('ledger_events')
      .select(['event_id', 'seq'])
      .where(
        'event_id',
        'in',
        events.map((e) => e.eventId),
      )
      .execute();
    assert.equal(integrated.length, 20, 'every acknowledged write has its event in the tree');
    assert.equal(
      rounds.reduce((sum, r) => sum + r.events, 0),
      20,
      'each event integrated once',
    );
    const transactions = await onOwnConnection(url, (client) => transactionsOf(client, 3000, 3019));
    assert.ok(transactions <= 5, `20 writes went in ${transactions} transactions, not one each`);
    const report = await verifyLedger(store, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  test('one that fails fails alone: the others commit, and nothing of it is written', async () => {
    await blindWrite(4000, 'first');
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => blindWrite(i === 6 ? 4000 : 4001 + i, `alone-${i}`)));
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [[i, o.reason] as const] : []));
    assert.equal(failed.length, 1, 'only the duplicate fails');
    assert.equal(failed[0][0], 6);
    assert.equal(isUniqueViolation(failed[0][1]), true, String(failed[0][1]));
    const written = await store.db
      .selectFrom('appeal_counters')
      .select('year')
      .where('year', '>', 4000)
      .where('year', '<=', 4012)
      .execute();
    assert.equal(written.length, 11, 'the eleven others are written');
    const failedEvent = await store.db.selectFrom('ledger_events').select('seq').where('subject_id', '=', 'alone-6').execute();
    assert.deepEqual(failedEvent, [], 'the failed write left no event');
    const okEvents = await store.db.selectFrom('ledger_events').select('seq').where('subject_id', 'like', 'alone-%').execute();
    assert.equal(okEvents.length, 11);
    await blindWrite(4100, 'after');
    const report = await verifyLedger(store, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  test('while another session holds the ledger lock, they are answered at their commit, and reads of the ledger by this process wait for their round', async () => {
    const rounds: Array<{ events: number; lagSeconds: number }> = [];
    store.onIntegration((round) => rounds.push(round));
    const ids: string[] = [];
    await onOwnConnection(url, async (holder) => {
      await holder.query('select pg_advisory_lock($1)', [LEDGER_LOCK_KEY]);
      // Answered although the lock is held: their commit does not need it.
      const events = await Promise.all(Array.from({ length: 8 }, (_, i) => blindWrite(5000 + i, `waits-${i}`)));
      ids.push(...events.map((e) => e.eventId));
      const committed = await holder.query('select year from appeal_counters where year between 5000 and 5007');
      assert.equal(committed.rowCount, 8, 'all eight are committed');
      const queued = await holder.query('select id from ledger_queue where event_id = any($1)', [ids]);
      assert.equal(queued.rowCount, 8, 'their events are durable in the queue');
      const inTree = await holder.query('select seq from ledger_events where event_id = any($1)', [ids]);
      assert.equal(inTree.rowCount, 0, 'not integrated while the lock is held');
      // A read that names no ledger table does not wait: the rows are committed (it would wait
      // until the lock is given back below, and the race's 10 s would win).
      const rowsRead = await Promise.race([
        store.db.selectFrom('appeal_counters').select('year').where('year', '>=', 5000).where('year', '<=', 5007).execute(),
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 10_000).unref()),
      ]);
      assert.notEqual(rowsRead, 'waited', 'a read of other tables waited for the round');
      assert.equal((rowsRead as unknown[]).length, 8, 'it sees the eight rows');
      // A read of the ledger through the store, and a write that reads, wait for the round.
      let read: number | null = null;
      let written: number | null = null;
      const reading = store.db
        .selectFrom('ledger_events')
        .select('seq')
        .where('event_id', 'in', ids)
        .execute()
        .then((rows) => {
          read = rows.length;
        });
      const writing = store
        .transact(async (trx) => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from ledger_events where subject_id like 'waits-%'`.execute(
            trx,
          );
          await insertRows(trx, 'appeal_counters', [{ year: 5100 + rows[0].n, last_number: 0 }]);
          return rows[0].n;
        })
        .then((n) => {
          written = n;
        });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(read, null, 'the read waits for the round');
      assert.equal(written, null, 'the write that reads waits for the round');
      await holder.query('select pg_advisory_unlock($1)', [LEDGER_LOCK_KEY]);
      await Promise.all([reading, writing]);
      assert.equal(read, 8, 'the read sees the eight in the tree');
      assert.equal(written, 8, 'the write read the eight in the tree');
    });
    assert.equal(
      rounds.reduce((sum, r) => sum + r.events, 0),
      8,
      'each of the eight events integrated once',
    );
    assert.ok(
      rounds.some((r) => r.lagSeconds >= 0.2),
      `the round's lag counts the wait for the lock: ${JSON.stringify(rounds)}`,
    );
    const report = await verifyLedger(store, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  test('under a steady stream of them, a read waits for the round its start asked for, not for the stream to end', async () => {
    // Eight writers keep writing until every read is done, or until CAP writes (a read that waited
    // for each newer round would end only there). No timing: the stream stops at the reads' end.
    const CAP = 4000;
    let answered = 0;
    let done = false;
    const answeredIds: string[] = [];
    const writers = Array.from({ length: 8 }, async (_, w) => {
      while (!done && answered < CAP) {
        const n = answered++;
        const event = await blindWrite(10_000 + n, `stream-${w}`);
        answeredIds.push(event.eventId);
      }
    });
    const reads: Array<{ before: number; seen: number; answeredAtEnd: number }> = [];
    for (let r = 0; r < 5; r++) {
      // Wait for a few more answers, so a combined commit (and its round) precedes each read.
      const target = answeredIds.length + 16;
      while (answeredIds.length < target && answered < CAP) await new Promise((resolve) => setImmediate(resolve));
      const before = [...answeredIds];
      const rows = await store.db.selectFrom('ledger_events').select('event_id').where('event_id', 'in', before).execute();
      reads.push({ before: before.length, seen: rows.length, answeredAtEnd: answeredIds.length });
    }
    done = true;
    await Promise.all(writers);
    for (const read of reads) {
      assert.equal(read.seen, read.before, `a read sees every write answered before it began: ${JSON.stringify(reads)}`);
    }
    assert.ok(answered < CAP, `the reads ended while the stream still ran (${answered} writes of at most ${CAP})`);
    const together = await onOwnConnection(url, (client) => transactionsOf(client, 10_000, 10_000 + answered));
    assert.ok(together < answered, `the stream's writes committed together (${answered} in ${together} transactions)`);
    const report = await verifyLedger(store, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  // A leaked connection would hang the store's close: the timeout turns that into a failure.
  test('queries of one write asked at once share one connection, which is given back, also when the write fails', {
    timeout: 10_000,
  }, async () => {
    const pool = store.pgPool as pg.Pool;
    const values = await store.transact((trx) =>
      Promise.all([1, 2, 3, 4].map(async (n) => (await sql<{ n: number }>`select ${n}::int as n`.execute(trx)).rows[0].n)),
    );
    assert.deepEqual(values, [1, 2, 3, 4]);
    await assert.rejects(
      store.transact(async (trx) => {
        const asked = sql`select 1`.execute(trx);
        throw Object.assign(new Error('the use case refuses'), { asked });
      }),
      /the use case refuses/,
    );
    await until(async () => pool.idleCount === pool.totalCount, 1000);
    assert.equal(pool.waitingCount, 0);
    assert.equal(pool.idleCount, pool.totalCount, 'every connection a write took is back in the pool');
  });

  test('the round reads the queue through its primary key, never a scan of its dead rows', async () => {
    await onOwnConnection(url, async (client) => {
      const { rows } = await client.query<{ config: string[] }>(
        "select proconfig as config from pg_proc where proname = 'proofline_integrate'",
      );
      assert.deepEqual([...rows[0].config].sort(), ['enable_seqscan=off', 'enable_sort=off', 'jit=off']);
      // Under those settings the queue's read in the round is an ordered walk of the index.
      await client.query('begin');
      await client.query('set local enable_seqscan = off');
      await client.query('set local enable_sort = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>('explain select id from ledger_queue q order by q.id limit 2000');
      await client.query('rollback');
      assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index (Only )?Scan using ledger_queue_pkey/);
    });
  });
});

describe('a read of the ledger shortens the spacing of the round it waits for [postgres]', () => {
  // The store's reads (caughtUp in db/store.ts) tell the integrator that a read waits: its round
  // then starts within READ_SPACING_MS, not ROUND_SPACING_MS. Here the round spacing is longer than
  // any test run and the read spacing none: without that word the read below waits out the test's
  // timeout.
  let store: Store;
  before(async () => {
    const url = await createPgDatabase();
    store = createPostgresStore(url, 10, { roundSpacingMs: 600_000, readSpacingMs: 0 });
    await migrateToLatest(store.writer);
  });
  after(() => store.close());

  const inTree = async (ids: string[]) =>
    (await store.db.selectFrom('ledger_events').select('seq').where('event_id', 'in', ids).execute()).length;

  test('blind writes answered, a round waiting out its spacing: a read of the ledger starts it', { timeout: 20_000 }, async () => {
    // The first round has none before it to space from.
    const first = await blindWrites(store, 6000, 8, 'first');
    assert.equal(await inTree(first.map((e) => e.eventId)), 8);
    const rounds: number[] = [];
    store.onIntegration((round) => rounds.push(round.events));
    const events = await blindWrites(store, 6100, 8, 'spaced');
    const ids = events.map((e) => e.eventId);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(rounds, [], 'no round within the spacing, the sweep included');
    const queued = await store.db.selectFrom('appeal_counters').select('year').where('year', '>=', 6100).where('year', '<', 6108).execute();
    assert.equal(queued.length, 8, 'the eight are committed');
    // A read of the ledger through the store waits for the round asked for, which starts at once.
    assert.equal(await inTree(ids), 8, 'the read sees the eight in the tree');
    assert.deepEqual(rounds, [8], 'one round integrated the eight');
  });
});

describe('rounds led by one process of the cluster [postgres]', () => {
  // Two stores on one database, as two instances: the leader runs the rounds of blind writes; the
  // follower (roundsLedBy(() => false)) leaves its own to them, and runs one itself when a read of
  // its own waits, or FOLLOWER_ROUND_MS after its first such commit (here as long as the test needs).
  // The sweep of what dead processes left queued (every 500 ms) is off: it would run rounds too.
  const noSweep = 600_000;
  let url: string;
  let leader: Store;
  const signer = testSigner();
  const stores: Store[] = [];
  before(async () => {
    url = await createPgDatabase();
    leader = createPostgresStore(url, 10, { sweepMs: noSweep });
    await migrateToLatest(leader.writer);
    stores.push(leader);
  });
  after(() => Promise.all(stores.map((s) => s.close())));

  const follower = (followerRoundMs: number) => {
    const store = createPostgresStore(url, 10, { followerRoundMs, sweepMs: noSweep });
    store.roundsLedBy(() => false);
    stores.push(store);
    const rounds: Array<{ events: number; lagSeconds: number }> = [];
    store.onIntegration((round) => rounds.push(round));
    return { store, rounds };
  };
  const counts = (ids: string[]) =>
    onOwnConnection(url, async (client) => ({
      queued: (await client.query('select count(*)::int as n from ledger_queue where event_id = any($1)', [ids])).rows[0].n as number,
      inTree: (await client.query('select count(*)::int as n from ledger_events where event_id = any($1)', [ids])).rows[0].n as number,
    }));

  test("a follower's blind writes go in the leader's round; a read of the follower asks for its own at once", {
    timeout: 20_000,
  }, async () => {
    const { store, rounds } = follower(600_000);
    const left = (await blindWrites(store, 7000, 8, 'left')).map((e) => e.eventId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(await counts(left), { queued: 8, inTree: 0 }, 'answered, queued, and no round of the follower');
    // The leader's next round integrates the whole queue, the follower's events with its own.
    const own = (await blindWrites(leader, 7100, 4, 'leader')).map((e) => e.eventId);
    assert.equal((await leader.db.selectFrom('ledger_events').select('seq').where('event_id', 'in', own).execute()).length, 4);
    assert.deepEqual(await counts(left), { queued: 0, inTree: 8 }, "in the tree by the leader's round");
    assert.deepEqual(rounds, [], 'the follower ran no round');
    // A read of the follower's own writes does not wait for the leader: it asks for its round.
    const mine = (await blindWrites(store, 7200, 8, 'read')).map((e) => e.eventId);
    const read = await store.db.selectFrom('ledger_events').select('seq').where('event_id', 'in', mine).execute();
    assert.equal(read.length, 8, 'the read sees its writes in the tree');
    assert.equal(rounds.length, 1, 'one round of its own, asked for by the read');
    const report = await verifyLedger(leader, { verifier: signer.verifier });
    assert.equal(report.ok, true, report.problem?.message);
    assert.equal(report.queued, 0);
  });

  test("when its delay is up and the leader's round took in what it left, the follower runs none", async () => {
    const { store, rounds } = follower(1000);
    const answeredAt = performance.now();
    const left = (await blindWrites(store, 7400, 8, 'taken')).map((e) => e.eventId);
    const own = (await blindWrites(leader, 7500, 4, 'leader-again')).map((e) => e.eventId);
    assert.equal((await leader.db.selectFrom('ledger_events').select('seq').where('event_id', 'in', own).execute()).length, 4);
    assert.deepEqual(await counts(left), { queued: 0, inTree: 8 }, "in the tree by the leader's round");
    // Past the delay, the follower has looked at the queue and found nothing of its own there.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, answeredAt + 1600 - performance.now())));
    assert.deepEqual(rounds, [], 'no round of the follower');
  });

  test('with nobody reading and the leader idle, the follower runs the round itself, its lag counted from the commit', async () => {
    const { store, rounds } = follower(150);
    const ids = (await blindWrites(store, 7300, 8, 'idle')).map((e) => e.eventId);
    assert.ok(await until(async () => (await counts(ids)).inTree === 8, 5000), 'integrated without a read or the leader');
    assert.equal((await counts(ids)).queued, 0);
    assert.ok(rounds.length >= 1, JSON.stringify(rounds));
    assert.ok(rounds[0].lagSeconds >= 0.15, `lag from the commit, not from the timer: ${JSON.stringify(rounds)}`);
  });
});

describe('the integrator groups rounds [postgres]', () => {
  test('a round waits for the commits on their way, and one round integrates them with those waiting', async () => {
    const url = await createPgDatabase({ migrated: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let commitLanded!: () => void;
    let inFlight: Promise<void> | null = new Promise<void>((resolve) => {
      commitLanded = resolve;
    });
    const rounds: number[] = [];
    const integrator = new LedgerIntegrator(url, (round) => rounds.push(round.events), {
      commitsInFlight: () => inFlight,
      commitWaitMs: 60_000,
    });
    try {
      const waiting = randomUUID();
      await client.query(queuedRow(waiting, 'waiting'));
      const integrated = integrator.integrated();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(rounds, [], 'no round while a commit is on its way');
      const queuedMeanwhile = await client.query('select count(*)::int as n from ledger_queue');
      assert.equal(queuedMeanwhile.rows[0].n, 1);
      // The commit on its way lands: its event is queued, then the round it waited for runs.
      const landing = randomUUID();
      await client.query(queuedRow(landing, 'landing'));
      inFlight = null;
      commitLanded();
      await integrated;
      assert.deepEqual(rounds, [2], 'one round integrated both');
      const inLedger = await client.query('select event_id from ledger_events where event_id = any($1) order by seq', [[waiting, landing]]);
      assert.deepEqual(
        inLedger.rows.map((row) => row.event_id),
        [waiting, landing],
      );
    } finally {
      await integrator.close();
      await client.end();
    }
  });

  // Without the read's or the answer's effect a round would wait out the spacing: the timeout fails it.
  test("a round nobody's answer waits for waits out its spacing; a read that comes to wait shortens it, an answer that waits ends it", {
    timeout: 20_000,
  }, async () => {
    const url = await createPgDatabase({ migrated: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rounds: number[] = [];
    // A spacing no test run outlasts: a round that runs before it ends was started by a waiter.
    const integrator = new LedgerIntegrator(url, (round) => rounds.push(round.events), {
      roundSpacingMs: 600_000,
      readSpacingMs: 0,
    });
    const queued = async () => (await client.query('select count(*)::int as n from ledger_queue')).rows[0].n;
    try {
      await client.query(queuedRow(randomUUID(), 'first'));
      await integrator.integrateSoon();
      assert.deepEqual(rounds, [1], 'the first round has no round before it to space from');
      // A blind write asks for a round: it waits out the spacing.
      await client.query(queuedRow(randomUUID(), 'spaced'));
      const spaced = integrator.integrateSoon();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(rounds, [1], 'no round within the spacing');
      assert.equal(await queued(), 1);
      // A read of the process comes to wait for that round: its spacing shortens (here to none).
      integrator.readWaits();
      await spaced;
      assert.deepEqual(rounds, [1, 1]);
      assert.equal(await queued(), 0);
      // The next round is spaced again; a caller whose answer waits ends the spacing at once.
      await client.query(queuedRow(randomUUID(), 'answered'));
      const again = integrator.integrateSoon();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(rounds, [1, 1], 'spaced again after a read shortened one round');
      await integrator.integrated();
      await again;
      assert.deepEqual(rounds, [1, 1, 1]);
      assert.equal(await queued(), 0);
    } finally {
      await integrator.close();
      await client.end();
    }
  });

  test('a commit that never lands delays a round by the bound only', async () => {
    const url = await createPgDatabase({ migrated: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rounds: number[] = [];
    const integrator = new LedgerIntegrator(url, (round) => rounds.push(round.events), {
      commitsInFlight: () => new Promise(() => {}),
      commitWaitMs: 50,
    });
    try {
      const id = randomUUID();
      await client.query(queuedRow(id, 'stalled'));
      await integrator.integrated();
      assert.deepEqual(rounds, [1]);
      const row = await client.query('select seq from ledger_events where event_id = $1', [id]);
      assert.equal(row.rowCount, 1);
    } finally {
      await integrator.close();
      await client.end();
    }
  });
});
