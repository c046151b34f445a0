// Reading a SQLite ledger for verification: one read transaction (a WAL snapshot) covers the head,
// the checkpoints and every row, so verification sees one consistent ledger however long it takes.
// Used on a worker thread (verify-reader.worker.ts) for files, and in-process for :memory:.
import type SQLite from 'better-sqlite3';
import { COLUMN_STRIDE, INDEX_COLUMN_COUNT, INDEX_COLUMNS, type LeafBatch } from './leaf-batch.js';

export interface SnapshotHead {
  headSize: number;
  /** The stored frontier, as JSON text of base64 hashes. */
  headFrontier: string;
  checkpoints: Array<{ treeSize: number; rootHash: Uint8Array; note: string }>;
}

export const BATCH_ROWS = 4_000;

/** Begins the read transaction on `handle` and reads the head and the checkpoints in it. */
export function beginSqliteSnapshot(handle: SQLite.Database): SnapshotHead {
  handle.exec('begin');
  const head = handle.prepare('select size, frontier from ledger_head where id = 1').get() as { size: number; frontier: string };
  const checkpoints = (
    handle.prepare('select tree_size, root_hash, note from ledger_checkpoints order by tree_size').all() as Array<{
      tree_size: number;
      root_hash: Uint8Array;
      note: string;
    }>
  ).map((c) => ({ treeSize: Number(c.tree_size), rootHash: c.root_hash, note: c.note }));
  return { headSize: Number(head.size), headFrontier: head.frontier, checkpoints };
}

// A chunk of rows comes back as ONE blob built by SQLite, per row
// `seq,leafBytes,hashBytes,col1Bytes,...,col7Bytes,hash col1...col7:leaf` (the leaf hash and the
// index columns raw, one after another; -1 bytes for NULL; concat() keeps every byte of a blob,
// zero bytes included), instead of one JS array and several Buffers per row:
// reading then costs about a third less, and reading is half of verification's work. Lengths come
// first, so leaf and column bytes may hold anything (a tampered row included); the ':' before each
// leaf becomes its 0x00 prefix in place. Each row is one concat() (one allocation; a chain of `||`
// copies the row so far at every step) with the leaf, the largest part, last.
// The aggregate takes the rows in the order the subquery yields them, by seq: an ORDER BY inside
// group_concat would sort every chunk's row strings again (a third of the query's time). SQLite does
// not promise that order, so the parsed seqs are checked, and a chunk out of order is read again
// with the ORDER BY (`group_concat(... order by ...)` needs SQLite 3.44, octet_length 3.43;
// better-sqlite3 12 bundles a later one).
const columnLengths = INDEX_COLUMNS.map((c) => `coalesce(octet_length(${c}), -1), ','`).join(', ');
const chunkSql = (aggregateOrder: string) => `select cast(group_concat(
    concat(seq, ',', octet_length(leaf), ',', octet_length(leaf_hash), ',', ${columnLengths},
      leaf_hash, ${INDEX_COLUMNS.join(', ')}, ':', leaf),
    ''${aggregateOrder}) as blob), count(*), max(seq)
  from (select seq, leaf, leaf_hash, ${INDEX_COLUMNS.join(', ')} from ledger_events where seq > ? order by seq limit ${BATCH_ROWS})`;
/** Rows as the subquery yields them (by seq). */
export const CHUNK_SQL = chunkSql('');
/** The same rows with the order promised: read when CHUNK_SQL's come back out of order. */
export const ORDERED_CHUNK_SQL = chunkSql(' order by seq');

/** Where a batch's leaf bytes go: by default fresh memory; the worker passes recycled buffers. */
export type BufferSource = (bytes: number) => Uint8Array;

/** Every row of the snapshot begun on `handle`, by seq, in batches. `chunkSql` is CHUNK_SQL but
 * for a test that hands it rows out of order. */
export function* sqliteLeafBatches(
  handle: SQLite.Database,
  leafBuffer: BufferSource = (bytes) => new Uint8Array(bytes),
  chunkSql = CHUNK_SQL,
): Generator<LeafBatch> {
  const chunk = handle.prepare(chunkSql).raw(true).safeIntegers(true);
  let ordered: SQLite.Statement | null = null;
  // Below any seq: a tampered row may hold a negative one.
  let after = -(2n ** 63n);
  for (;;) {
    const [blob, count, last] = chunk.get(after) as [Buffer | null, bigint, bigint | null];
    if (count === 0n || blob === null || last === null) return;
    let batch = parseChunk(blob, Number(count), leafBuffer);
    if (!inSeqOrder(batch.seqs)) {
      ordered ??= handle.prepare(ORDERED_CHUNK_SQL).raw(true).safeIntegers(true);
      const [orderedBlob] = ordered.get(after) as [Buffer];
      batch = parseChunk(orderedBlob, Number(count), leafBuffer);
    }
    yield batch;
    after = last;
  }
}

/** Whether seqs strictly increase (seq is the primary key: no two rows share one). */
function inSeqOrder(seqs: Float64Array): boolean {
  for (let i = 1; i < seqs.length; i++) if (!(seqs[i] > seqs[i - 1])) return false;
  return true;
}

const COMMA = 0x2c;
const MINUS = 0x2d;

function parseChunk(blob: Buffer, count: number, leafBuffer: BufferSource): LeafBatch {
  const seqs = new Float64Array(count);
  const leafStarts = new Uint32Array(count);
  const leafEnds = new Uint32Array(count);
  const hashOffsets = new Uint32Array(count + 1);
  const columnOffsets = new Uint32Array(count * COLUMN_STRIDE);
  const columnNulls = new Uint8Array(count * INDEX_COLUMN_COUNT);
  const columnBytes = new Int32Array(INDEX_COLUMN_COUNT);
  let hashes = new Uint8Array(count * 32);
  let p = 0;
  const readInt = () => {
    const negative = blob[p] === MINUS;
    if (negative) p += 1;
    let value = 0;
    for (; blob[p] !== COMMA; p++) value = value * 10 + (blob[p] - 0x30);
    p += 1;
    return negative ? -value : value;
  };
  for (let i = 0; i < count; i++) {
    seqs[i] = readInt();
    const leafBytes = readInt();
    const hashBytes = readInt();
    for (let j = 0; j < INDEX_COLUMN_COUNT; j++) columnBytes[j] = readInt();
    let h = hashOffsets[i];
    if (h + hashBytes > hashes.length) {
      const bigger = new Uint8Array(Math.max(hashes.length * 2, h + hashBytes));
      bigger.set(hashes);
      hashes = bigger;
    }
    blob.copy(hashes, h, p, p + hashBytes);
    h += hashBytes;
    p += hashBytes;
    hashOffsets[i + 1] = h;
    for (let j = 0; j < INDEX_COLUMN_COUNT; j++) {
      columnOffsets[i * COLUMN_STRIDE + j] = p;
      if (columnBytes[j] < 0) columnNulls[i * INDEX_COLUMN_COUNT + j] = 1;
      else p += columnBytes[j];
    }
    columnOffsets[i * COLUMN_STRIDE + INDEX_COLUMN_COUNT] = p;
    blob[p] = 0x00; // the ':' before the leaf becomes the leaf prefix
    leafStarts[i] = p;
    p += 1 + leafBytes;
    leafEnds[i] = p;
  }
  // A copy into memory of our own: better-sqlite3's buffer cannot be reused, and recycled
  // buffers keep verification's memory flat (fresh ones pile up between garbage collections).
  const leaves = leafBuffer(blob.length);
  leaves.set(blob);
  return {
    count,
    seqs,
    leaves,
    leafStarts,
    leafEnds,
    hashes,
    hashOffsets,
    columnOffsets,
    columnNulls,
    leafHashes: new Uint8Array(0),
    hashedRows: 0,
    rowsConfirmed: new Uint8Array(0),
    checkedRows: 0,
  };
}
