// The SQLite reader of verification packs each chunk of rows into one blob built by SQLite and
// parses it back: every row must come out byte for byte, tampered rows included (any hash length,
// zero bytes in a hash, negative seq, leaf bytes that look like the packing). SQLite only:
// PostgreSQL reads rows plainly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestStore } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { COLUMN_STRIDE, hashLeavesAhead, INDEX_COLUMN_COUNT, INDEX_COLUMNS, type LeafBatch } from './leaf-batch.js';
import { appendEvents } from './ledger.service.js';
import { leafHash } from './merkle.js';
import { checkRowsAhead } from './verify-index.js';
import { beginSqliteSnapshot, CHUNK_SQL, sqliteLeafBatches } from './verify-sqlite-reader.js';

interface Row {
  seq: number;
  leaf: Buffer;
  hash: Buffer;
  /** The index columns' bytes in INDEX_COLUMNS order, null for SQL NULL. */
  columns: Array<Buffer | null>;
}

function rowsOf(batch: LeafBatch): Row[] {
  return Array.from({ length: batch.count }, (_, i) => {
    assert.equal(batch.leaves[batch.leafStarts[i]], 0x00, 'each leaf sits behind its 0x00 prefix');
    return {
      seq: batch.seqs[i],
      leaf: Buffer.from(batch.leaves.subarray(batch.leafStarts[i] + 1, batch.leafEnds[i])),
      hash: Buffer.from(batch.hashes.subarray(batch.hashOffsets[i], batch.hashOffsets[i + 1])),
      columns: INDEX_COLUMNS.map((_, j) => {
        const k = i * COLUMN_STRIDE + j;
        return batch.columnNulls[i * INDEX_COLUMN_COUNT + j] === 1
          ? null
          : Buffer.from(batch.leaves.subarray(batch.columnOffsets[k], batch.columnOffsets[k + 1]));
      }),
    };
  });
}

/** The rows as SQLite holds them, read plainly, by seq. */
function storedRows(handle: NonNullable<Store['sqlite']>): Row[] {
  const columns = INDEX_COLUMNS.map((c) => `cast(${c} as blob)`).join(', ');
  return (
    handle.prepare(`select seq, cast(leaf as blob), leaf_hash, ${columns} from ledger_events order by seq`).raw(true).all() as Array<
      [number, Uint8Array, Uint8Array, ...Array<Uint8Array | null>]
    >
  ).map(([seq, leaf, hash, ...cells]) => ({
    seq,
    leaf: Buffer.from(leaf),
    hash: Buffer.from(hash),
    columns: cells.map((c) => (c === null ? null : Buffer.from(c))),
  }));
}

describe('verify reads SQLite rows in packed chunks [sqlite]', () => {
  let store: Store;
  before(async () => {
    store = await createTestStore('sqlite');
    const inputs = Array.from({ length: 6 }, (_, i) => ({
      type: 'test.packed',
      subject: { type: 'thing', id: `t${i}` },
      reason: i === 2 ? 'commas, colons: 12,34,ABCD: and émoji 🙂' : undefined,
    }));
    await store.transact((trx) => appendEvents(trx, systemContext('t'), inputs));
    for (const trigger of ['ledger_events_no_update', 'ledger_events_no_delete'])
      await sql.raw(`drop trigger ${trigger}`).execute(store.writer);
    await sql.raw(`update ledger_events set leaf_hash = x'0a0B', leaf = leaf || ',9,9,:' where seq = 3`).execute(store.writer);
    await sql.raw('update ledger_events set seq = -7 where seq = 5').execute(store.writer);
    // A hash that holds zero bytes and bytes of the packing (',', ':', '-'): it travels raw.
    await sql.raw(`update ledger_events set leaf_hash = x'00002c3a2dff00' where seq = 4`).execute(store.writer);
    // Column bytes that look like the packing, an empty one, a non-ASCII one and a NULL.
    await sql.raw(`update ledger_events set subject_id = '1,2,:', actor_id = null, system_id = '' where seq = 1`).execute(store.writer);
    await sql.raw(`update ledger_events set type = 'tÿpe 🙂', system_id = 'ab' where seq = 2`).execute(store.writer);
  });
  after(() => store.close());

  test('every row comes back byte for byte, index columns included, in seq order', async () => {
    const handle = store.sqlite as NonNullable<Store['sqlite']>;
    const expected = storedRows(handle);
    assert.deepEqual(expected[2].columns[INDEX_COLUMNS.indexOf('actor_id')], null);
    assert.deepEqual(expected[2].columns[INDEX_COLUMNS.indexOf('system_id')], Buffer.alloc(0));
    beginSqliteSnapshot(handle);
    try {
      const batches = [...sqliteLeafBatches(handle)];
      assert.equal(batches.length, 1);
      assert.deepEqual(rowsOf(batches[0]), expected);
      assert.deepEqual(
        expected.map((r) => r.seq),
        [-7, 0, 1, 2, 3, 4],
      );
      assert.deepEqual([...expected[4].hash], [0x0a, 0x0b]);
      assert.deepEqual([...expected[5].hash], [0x00, 0x00, 0x2c, 0x3a, 0x2d, 0xff, 0x00]);

      const batch = batches[0];
      hashLeavesAhead(batch, 4);
      assert.equal(batch.hashedRows, 4);
      for (let i = 0; i < 4; i++) {
        assert.deepEqual(Buffer.from(batch.leafHashes.subarray(i * 32, (i + 1) * 32)), Buffer.from(leafHash(expected[i].leaf)));
      }
      hashLeavesAhead(batch, 100);
      assert.equal(batch.hashedRows, 6);
    } finally {
      handle.exec('commit');
    }
  });

  test('a chunk that comes back out of seq order is read again in order', async () => {
    const handle = store.sqlite as NonNullable<Store['sqlite']>;
    const expected = storedRows(handle);
    // The same rows, newest first (the table holds fewer than a chunk): what the aggregate might
    // hand back if SQLite ever stopped taking rows in the order its subquery yields them.
    const reversed = CHUNK_SQL.replace('order by seq limit', 'order by seq desc limit');
    assert.notEqual(reversed, CHUNK_SQL);
    beginSqliteSnapshot(handle);
    try {
      const batches = [...sqliteLeafBatches(handle, undefined, reversed)];
      assert.equal(batches.length, 1);
      assert.deepEqual(rowsOf(batches[0]), expected);
    } finally {
      handle.exec('commit');
    }
  });

  test('rows checked ahead by the reader: only a row whose own seq and index columns match its leaf is confirmed', async () => {
    const handle = store.sqlite as NonNullable<Store['sqlite']>;
    beginSqliteSnapshot(handle);
    try {
      const [batch] = [...sqliteLeafBatches(handle)];
      checkRowsAhead(batch, 3);
      assert.equal(batch.checkedRows, 3);
      checkRowsAhead(batch, 100);
      assert.equal(batch.checkedRows, 6);
      const verdicts = new Map(Array.from(batch.seqs, (seq, i) => [seq, batch.rowsConfirmed[i]]));
      // -7 holds the event recorded as 5 (a reorder); 1 and 2 have rewritten index columns.
      assert.deepEqual([verdicts.get(-7), verdicts.get(1), verdicts.get(2)], [0, 0, 0]);
      // Untouched rows are confirmed, so the hashing thread skips their checks.
      assert.deepEqual([verdicts.get(0), verdicts.get(4)], [1, 1]);
    } finally {
      handle.exec('commit');
    }
  });
});
