// Reading a SQLite ledger for verification: one read transaction (a WAL snapshot) covers the head,
// the checkpoints and every row, so verification sees one consistent ledger however long it takes.
// Used on a worker thread (verify-reader.worker.ts) for files, and in-process for :memory:.
import type SQLite from 'better-sqlite3';
import { type LeafBatch, LeafBatchBuilder } from './leaf-batch.js';

export interface SnapshotHead {
  headSize: number;
  /** The stored frontier, as JSON text of base64 hashes. */
  headFrontier: string;
  checkpoints: Array<{ treeSize: number; rootHash: Uint8Array; note: string }>;
}

export const BATCH_ROWS = 10_000;
export const BATCH_BYTES = 8 * 1024 * 1024;

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

/** Every row of the snapshot begun on `handle`, by seq, in batches. */
export function* sqliteLeafBatches(handle: SQLite.Database): Generator<LeafBatch> {
  // Raw mode: an array per row instead of an object with named properties.
  const rows = handle.prepare('select seq, cast(leaf as blob), leaf_hash from ledger_events order by seq').raw(true);
  const builder = new LeafBatchBuilder(BATCH_ROWS, BATCH_BYTES);
  for (const [seq, leaf, hash] of rows.iterate() as IterableIterator<[number, Uint8Array, Uint8Array]>) {
    builder.add(seq, leaf, hash);
    if (builder.full) yield builder.take();
  }
  if (builder.count > 0) yield builder.take();
}
