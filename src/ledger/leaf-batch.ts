// Ledger rows for verification, in columns: a batch is a few flat buffers, so it crosses from the
// reading thread to the hashing thread by transfer, not copy, and the hashing loop makes no
// object per row. A reader with time to spare hashes leaves ahead (hashLeavesAhead) and checks rows
// ahead (verify-index.ts checkRowsAhead), so the hashing thread has less to do: the same functions,
// only run on the other core.
import { HASH_SIZE, hashPrefixedLeaf } from './merkle.js';

/** The columns of ledger_events that queries filter and sort on: copies of fields inside the leaf,
 * so verification holds each against its leaf (the leaf is what is hashed; these are not). */
export const INDEX_COLUMNS = ['event_id', 'type', 'actor_id', 'subject_type', 'subject_id', 'recorded_at', 'system_id'] as const;
export type IndexColumn = (typeof INDEX_COLUMNS)[number];
export const INDEX_COLUMN_COUNT = INDEX_COLUMNS.length;
/** Offsets per row in LeafBatch.columnOffsets: where each column starts, and where the last ends. */
export const COLUMN_STRIDE = INDEX_COLUMN_COUNT + 1;

/** `count` rows of ledger_events: seq, leaf bytes, stored leaf hash and the index columns. */
export interface LeafBatch {
  count: number;
  seqs: Float64Array;
  /** Each leaf preceded by the 0x00 RFC 9162 leaf prefix, so the leaf hash reads it in place; the
   * index columns' UTF-8 bytes sit in the same buffer (one buffer to transfer and recycle). */
  leaves: Uint8Array;
  /** Row i's prefixed leaf is leaves[leafStarts[i], leafEnds[i]) (the prefix at leafStarts[i]). */
  leafStarts: Uint32Array;
  leafEnds: Uint32Array;
  /** Stored hashes as they are, any length (a tampered row may hold anything). */
  hashes: Uint8Array;
  /** Row i's stored hash is hashes[hashOffsets[i], hashOffsets[i + 1]). */
  hashOffsets: Uint32Array;
  /** Row i's column j (INDEX_COLUMNS order) is leaves[columnOffsets[k], columnOffsets[k + 1]) with
   * k = i * COLUMN_STRIDE + j; columnNulls[i * INDEX_COLUMN_COUNT + j] is 1 when it is SQL NULL. */
  columnOffsets: Uint32Array;
  columnNulls: Uint8Array;
  /** Leaf hashes already computed by the reader, 32 bytes each, for rows [0, hashedRows). */
  leafHashes: Uint8Array;
  hashedRows: number;
  /** For rows [0, checkedRows), checked by the reader ahead (verify-index.ts checkRowsAhead): 1 when
   * the row's own seq and every index column were confirmed against its leaf, else 0 (the hashing
   * thread then checks the row itself and names what is wrong). */
  rowsConfirmed: Uint8Array;
  checkedRows: number;
}

/** The buffers to list as transferables when posting a batch. */
export function batchBuffers(batch: LeafBatch): ArrayBuffer[] {
  const arrays = [
    batch.seqs,
    batch.leaves,
    batch.leafStarts,
    batch.leafEnds,
    batch.hashes,
    batch.hashOffsets,
    batch.columnOffsets,
    batch.columnNulls,
    batch.leafHashes,
    batch.rowsConfirmed,
  ];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** Collects rows into a LeafBatch; take() hands the buffers over and starts afresh. */
export class LeafBatchBuilder {
  #count = 0;
  #seqs: Float64Array;
  #leafStarts: Uint32Array;
  #leafEnds: Uint32Array;
  #hashOffsets: Uint32Array;
  #columnOffsets: Uint32Array;
  #columnNulls: Uint8Array;
  /** Bytes used in #leaves: each row's prefixed leaf, then its index columns. */
  #used = 0;
  #leaves: Uint8Array;
  #hashes: Uint8Array;
  #taken = false;

  constructor(
    readonly maxRows: number,
    readonly maxBytes: number,
  ) {
    this.#seqs = new Float64Array(maxRows);
    this.#leafStarts = new Uint32Array(maxRows);
    this.#leafEnds = new Uint32Array(maxRows);
    this.#hashOffsets = new Uint32Array(maxRows + 1);
    this.#columnOffsets = new Uint32Array(maxRows * COLUMN_STRIDE);
    this.#columnNulls = new Uint8Array(maxRows * INDEX_COLUMN_COUNT);
    this.#leaves = new Uint8Array(maxBytes);
    this.#hashes = new Uint8Array(maxRows * 32);
  }

  /** Fresh buffers after a take(): the taken ones may be transferred (detached) or still in use. */
  #renew(): void {
    this.#seqs = new Float64Array(this.maxRows);
    this.#leafStarts = new Uint32Array(this.maxRows);
    this.#leafEnds = new Uint32Array(this.maxRows);
    this.#hashOffsets = new Uint32Array(this.maxRows + 1);
    this.#columnOffsets = new Uint32Array(this.maxRows * COLUMN_STRIDE);
    this.#columnNulls = new Uint8Array(this.maxRows * INDEX_COLUMN_COUNT);
    this.#used = 0;
    this.#leaves = new Uint8Array(this.maxBytes);
    this.#hashes = new Uint8Array(this.maxRows * 32);
    this.#taken = false;
  }

  get count(): number {
    return this.#count;
  }

  /** Whether the batch is due: full by rows, or by bytes (leaves vary in size). */
  get full(): boolean {
    return this.#count === this.maxRows || this.#used >= (this.maxBytes * 3) / 4;
  }

  /** `columns` in INDEX_COLUMNS order, null for SQL NULL. */
  add(seq: number, leaf: Uint8Array, hash: Uint8Array, columns: ReadonlyArray<Uint8Array | null>): void {
    if (this.#taken) this.#renew();
    const i = this.#count;
    let at = this.#used;
    let needed = at + 1 + leaf.length;
    for (const column of columns) needed += column?.length ?? 0;
    if (needed > this.#leaves.length) this.#leaves = grow(this.#leaves, needed);
    this.#leaves[at] = 0x00;
    this.#leaves.set(leaf, at + 1);
    this.#leafStarts[i] = at;
    at += 1 + leaf.length;
    this.#leafEnds[i] = at;
    for (let j = 0; j < INDEX_COLUMN_COUNT; j++) {
      const column = columns[j];
      this.#columnOffsets[i * COLUMN_STRIDE + j] = at;
      this.#columnNulls[i * INDEX_COLUMN_COUNT + j] = column === null ? 1 : 0;
      if (column !== null) this.#leaves.set(column, at);
      at += column?.length ?? 0;
    }
    this.#columnOffsets[i * COLUMN_STRIDE + INDEX_COLUMN_COUNT] = at;
    this.#used = at;
    const hashAt = this.#hashOffsets[i];
    if (hashAt + hash.length > this.#hashes.length) this.#hashes = grow(this.#hashes, hashAt + hash.length);
    this.#hashes.set(hash, hashAt);
    this.#hashOffsets[i + 1] = hashAt + hash.length;
    this.#seqs[i] = seq;
    this.#count = i + 1;
  }

  take(): LeafBatch {
    const batch: LeafBatch = {
      count: this.#count,
      seqs: this.#seqs,
      leaves: this.#leaves,
      leafStarts: this.#leafStarts,
      leafEnds: this.#leafEnds,
      hashes: this.#hashes,
      hashOffsets: this.#hashOffsets,
      columnOffsets: this.#columnOffsets,
      columnNulls: this.#columnNulls,
      leafHashes: new Uint8Array(0),
      hashedRows: 0,
      rowsConfirmed: new Uint8Array(0),
      checkedRows: 0,
    };
    this.#count = 0;
    this.#used = 0;
    this.#taken = true;
    return batch;
  }
}

function grow(bytes: Uint8Array, needed: number): Uint8Array {
  const bigger = new Uint8Array(Math.max(needed, bytes.length * 2));
  bigger.set(bytes);
  return bigger;
}

/** Computes the leaf hashes of rows [batch.hashedRows, upTo) into batch.leafHashes. */
export function hashLeavesAhead(batch: LeafBatch, upTo: number): void {
  if (batch.leafHashes.length === 0) batch.leafHashes = new Uint8Array(batch.count * HASH_SIZE);
  const end = Math.min(upTo, batch.count);
  const leaves = batch.leaves;
  for (let i = batch.hashedRows; i < end; i++) {
    batch.leafHashes.set(hashPrefixedLeaf(leaves.subarray(batch.leafStarts[i], batch.leafEnds[i])), i * HASH_SIZE);
  }
  batch.hashedRows = Math.max(batch.hashedRows, end);
}
