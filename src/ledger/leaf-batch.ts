// Ledger rows for verification, in columns: a batch is a few flat buffers, so it crosses from the
// reading thread to the hashing thread by transfer, not copy, and the hashing loop makes no
// object per row. A reader with time to spare hashes leaves ahead (hashPrefixedLeaves), so the
// hashing thread has less to do: the same hash function, only run on the other core.
import { HASH_SIZE, hashPrefixedLeaf } from './merkle.js';

/** `count` rows of ledger_events: seq, leaf bytes and stored leaf hash. */
export interface LeafBatch {
  count: number;
  seqs: Float64Array;
  /** Each leaf preceded by the 0x00 RFC 9162 leaf prefix, so the leaf hash reads it in place. */
  leaves: Uint8Array;
  /** Row i's prefixed leaf is leaves[leafStarts[i], leafEnds[i]) (the prefix at leafStarts[i]). */
  leafStarts: Uint32Array;
  leafEnds: Uint32Array;
  /** Stored hashes as they are, any length (a tampered row may hold anything). */
  hashes: Uint8Array;
  /** Row i's stored hash is hashes[hashOffsets[i], hashOffsets[i + 1]). */
  hashOffsets: Uint32Array;
  /** Leaf hashes already computed by the reader, 32 bytes each, for rows [0, hashedRows). */
  leafHashes: Uint8Array;
  hashedRows: number;
}

/** The buffers to list as transferables when posting a batch. */
export function batchBuffers(batch: LeafBatch): ArrayBuffer[] {
  const arrays = [batch.seqs, batch.leaves, batch.leafStarts, batch.leafEnds, batch.hashes, batch.hashOffsets, batch.leafHashes];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}

/** Collects rows into a LeafBatch; take() hands the buffers over and starts afresh. */
export class LeafBatchBuilder {
  #count = 0;
  #seqs: Float64Array;
  #leafOffsets: Uint32Array;
  #hashOffsets: Uint32Array;
  #leaves: Uint8Array;
  #hashes: Uint8Array;
  #taken = false;

  constructor(
    readonly maxRows: number,
    readonly maxBytes: number,
  ) {
    this.#seqs = new Float64Array(maxRows);
    this.#leafOffsets = new Uint32Array(maxRows + 1);
    this.#hashOffsets = new Uint32Array(maxRows + 1);
    this.#leaves = new Uint8Array(maxBytes);
    this.#hashes = new Uint8Array(maxRows * 32);
  }

  /** Fresh buffers after a take(): the taken ones may be transferred (detached) or still in use. */
  #renew(): void {
    this.#seqs = new Float64Array(this.maxRows);
    this.#leafOffsets = new Uint32Array(this.maxRows + 1);
    this.#hashOffsets = new Uint32Array(this.maxRows + 1);
    this.#leaves = new Uint8Array(this.maxBytes);
    this.#hashes = new Uint8Array(this.maxRows * 32);
    this.#taken = false;
  }

  get count(): number {
    return this.#count;
  }

  /** Whether the batch is due: full by rows, or by bytes (leaves vary in size). */
  get full(): boolean {
    return this.#count === this.maxRows || this.#leafOffsets[this.#count] >= (this.maxBytes * 3) / 4;
  }

  add(seq: number, leaf: Uint8Array, hash: Uint8Array): void {
    if (this.#taken) this.#renew();
    const i = this.#count;
    const at = this.#leafOffsets[i];
    if (at + 1 + leaf.length > this.#leaves.length) this.#leaves = grow(this.#leaves, at + 1 + leaf.length);
    this.#leaves[at] = 0x00;
    this.#leaves.set(leaf, at + 1);
    this.#leafOffsets[i + 1] = at + 1 + leaf.length;
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
      leafStarts: this.#leafOffsets.subarray(0, this.#count),
      leafEnds: this.#leafOffsets.subarray(1, this.#count + 1),
      hashes: this.#hashes,
      hashOffsets: this.#hashOffsets,
      leafHashes: new Uint8Array(0),
      hashedRows: 0,
    };
    this.#count = 0;
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
