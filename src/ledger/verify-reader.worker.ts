// Worker thread of `proofline verify` on SQLite: reads the ledger on its own read-only connection
// while the main thread hashes the previous batch. Reading a row costs about as much as hashing
// it, so on two cores the two halves overlap. At most MAX_IN_FLIGHT batches wait for the main
// thread at any time, which keeps memory flat however large the ledger is. While the queue is
// full the worker hashes the leaves of the batch in hand, so whichever thread is ahead helps.
//
// Messages: { kind: 'head', head } first, then { kind: 'batch', batch } per batch, then
// { kind: 'end' }. workerData: { file, control } where control is an Int32Array on shared memory:
// [0] batches posted and not yet done by the main thread, [1] set to 1 to stop early.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { batchBuffers, hashLeavesAhead, type LeafBatch } from './leaf-batch.js';
import { beginSqliteSnapshot, sqliteLeafBatches } from './verify-sqlite-reader.js';

const MAX_IN_FLIGHT = 2;
/** Rows hashed ahead between looks at the queue: small, so a free slot is taken up quickly. */
const HASH_AHEAD_ROWS = 500;

const { file, control } = workerData as { file: string; control: Int32Array };
const port = parentPort;
if (!port) throw new Error('verify-reader.worker runs as a worker thread');

/**
 * Waits until the main thread has room for `batch`; false when it asked us to stop. Rather than
 * sit idle while the main thread is behind, hashes the batch's leaves ahead for it.
 */
function waitForRoom(batch: LeafBatch): boolean {
  for (;;) {
    if (Atomics.load(control, 1) === 1) return false;
    const inFlight = Atomics.load(control, 0);
    if (inFlight < MAX_IN_FLIGHT) return true;
    if (batch.hashedRows < batch.count) hashLeavesAhead(batch, batch.hashedRows + HASH_AHEAD_ROWS);
    else Atomics.wait(control, 0, inFlight);
  }
}

const handle = new SQLite(file, { readonly: true, fileMustExist: true });
try {
  port.postMessage({ kind: 'head', head: beginSqliteSnapshot(handle) });
  for (const batch of sqliteLeafBatches(handle)) {
    if (!waitForRoom(batch)) break;
    Atomics.add(control, 0, 1);
    port.postMessage({ kind: 'batch', batch }, batchBuffers(batch));
  }
  port.postMessage({ kind: 'end' });
} finally {
  if (handle.inTransaction) handle.exec('commit');
  handle.close();
}
