// Worker thread of `proofline verify` on SQLite: reads the ledger on its own read-only connection
// while the main thread hashes the previous batch. Reading a row costs about as much as hashing
// it, so on two cores the two halves overlap. At most MAX_IN_FLIGHT batches wait for the main
// thread at any time, which keeps memory flat however large the ledger is. While the queue is
// full the worker hashes the leaves of the batch in hand, then checks its rows' seq and index
// columns, so whichever thread is ahead helps.
//
// Messages: { kind: 'head', head } first, then { kind: 'batch', batch } per batch, then
// { kind: 'end' }. workerData: { file, control, recycled } where control is an Int32Array on
// shared memory: [0] batches posted and not yet done by the main thread, [1] set to 1 to stop
// early; and `recycled` a port on which the main thread hands back each batch's leaf buffer.
// Reusing those keeps memory flat: fresh multi-megabyte buffers would pile up between garbage
// collections of the main thread.
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { batchBuffers, hashLeavesAhead, type LeafBatch } from './leaf-batch.js';
import { checkRowsAhead } from './verify-index.js';
import { beginSqliteSnapshot, sqliteLeafBatches } from './verify-sqlite-reader.js';

const MAX_IN_FLIGHT = 2;
/** Rows hashed ahead between looks at the queue: small, so a free slot is taken up quickly. */
const HASH_AHEAD_ROWS = 500;

const { file, control, recycled } = workerData as { file: string; control: Int32Array; recycled: MessagePort };
const pool: ArrayBuffer[] = [];

/** A recycled buffer of at least `bytes`, or a new one a little larger, to be recycled in turn. */
function leafBuffer(bytes: number): Uint8Array {
  for (let message = receiveMessageOnPort(recycled); message; message = receiveMessageOnPort(recycled)) {
    if (pool.length < MAX_IN_FLIGHT + 2) pool.push(message.message as ArrayBuffer);
  }
  const fit = pool.findIndex((buffer) => buffer.byteLength >= bytes);
  if (fit >= 0) return new Uint8Array(pool.splice(fit, 1)[0], 0, bytes);
  return new Uint8Array(new ArrayBuffer(Math.ceil(bytes * 1.25)), 0, bytes);
}
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
    else if (batch.checkedRows < batch.count) checkRowsAhead(batch, batch.checkedRows + HASH_AHEAD_ROWS);
    else Atomics.wait(control, 0, inFlight);
  }
}

const handle = new SQLite(file, { readonly: true, fileMustExist: true });
try {
  port.postMessage({ kind: 'head', head: beginSqliteSnapshot(handle) });
  for (const batch of sqliteLeafBatches(handle, leafBuffer)) {
    if (!waitForRoom(batch)) break;
    Atomics.add(control, 0, 1);
    port.postMessage({ kind: 'batch', batch }, batchBuffers(batch));
  }
  port.postMessage({ kind: 'end' });
} finally {
  if (handle.inTransaction) handle.exec('commit');
  handle.close();
  recycled.close();
}
