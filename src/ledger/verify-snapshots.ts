// Where verification reads the ledger from: one consistent snapshot of head, checkpoints and rows,
// the rows streamed in batches (LeafBatch) so memory stays flat on a ledger of any size.
import { on } from 'node:events';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { Store } from '../db/store.js';
import { startWorker, workerUrl } from '../worker-thread.js';
import { INDEX_COLUMNS, type LeafBatch, LeafBatchBuilder } from './leaf-batch.js';
import { BATCH_ROWS, beginSqliteSnapshot, type SnapshotHead, sqliteLeafBatches } from './verify-sqlite-reader.js';

export interface Snapshot {
  headSize: number;
  headFrontier: Uint8Array[];
  checkpoints: Array<{ treeSize: number; rootHash: Uint8Array; note: string }>;
  batches(): AsyncIterable<LeafBatch>;
  close(): Promise<void>;
}

function parseFrontier(text: string): Uint8Array[] {
  return (JSON.parse(text) as string[]).map((h) => Buffer.from(h, 'base64'));
}

export async function openSnapshot(store: Store): Promise<Snapshot> {
  if (store.dialect === 'postgres') return openPostgresSnapshot(store);
  const writer = store.sqlite as SQLite.Database;
  // An in-memory database exists only on the writer's connection: read it there, in-process.
  return writer.memory ? openInProcessSnapshot(writer) : openWorkerSnapshot(writer.name);
}

const readerUrl = workerUrl(import.meta.url, 'verify-reader.worker');

function startReader(workerData: { file: string; control: Int32Array; recycled: MessagePort }): Worker {
  return startWorker(readerUrl, { workerData, transferList: [workerData.recycled] });
}

/**
 * SQLite file: a worker thread reads on its own read-only connection (so a long verification
 * neither blocks the writer nor sees half of a later commit) while this thread hashes.
 */
async function openWorkerSnapshot(file: string): Promise<Snapshot> {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const { port1: recycle, port2: recycled } = new MessageChannel();
  const worker = startReader({ file, control, recycled });
  const messages = on(worker, 'message') as AsyncIterableIterator<[WorkerMessage]>;
  const stop = async () => {
    Atomics.store(control, 1, 1);
    Atomics.notify(control, 0);
    await worker.terminate();
    recycle.close();
  };
  try {
    const first = await messages.next();
    if (first.done || first.value[0].kind !== 'head') throw new Error('the verify reader sent no snapshot head');
    const { head } = first.value[0];
    return {
      headSize: head.headSize,
      headFrontier: parseFrontier(head.headFrontier),
      checkpoints: head.checkpoints,
      async *batches() {
        for await (const [message] of messages) {
          if (message.kind === 'end') return;
          if (message.kind !== 'batch') continue;
          yield message.batch;
          // This batch is done with: its leaf buffer goes back for reuse, the reader may post another.
          const leaves = message.batch.leaves.buffer as ArrayBuffer;
          recycle.postMessage(leaves, [leaves]);
          Atomics.sub(control, 0, 1);
          Atomics.notify(control, 0);
        }
      },
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type WorkerMessage = { kind: 'head'; head: SnapshotHead } | { kind: 'batch'; batch: LeafBatch } | { kind: 'end' };

/** SQLite in memory: the writer's own connection, in one read transaction. */
function openInProcessSnapshot(handle: SQLite.Database): Snapshot {
  const head = beginSqliteSnapshot(handle);
  return {
    headSize: head.headSize,
    headFrontier: parseFrontier(head.headFrontier),
    checkpoints: head.checkpoints,
    async *batches() {
      yield* sqliteLeafBatches(handle);
    },
    async close() {
      if (handle.inTransaction) handle.exec('commit');
    },
  };
}

/** PostgreSQL: one REPEATABLE READ transaction, rows read by seq in keyset batches. */
async function openPostgresSnapshot(store: Store): Promise<Snapshot> {
  const client = await (store.pgPool as NonNullable<Store['pgPool']>).connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const head = (await client.query('select size, frontier from ledger_head where id = 1')).rows[0] as { size: number; frontier: string };
    const checkpoints = (await client.query('select tree_size, root_hash, note from ledger_checkpoints order by tree_size')).rows.map(
      (c: { tree_size: number; root_hash: Uint8Array; note: string }) => ({
        treeSize: Number(c.tree_size),
        rootHash: c.root_hash,
        note: c.note,
      }),
    );
    return {
      headSize: Number(head.size),
      headFrontier: parseFrontier(head.frontier),
      checkpoints,
      async *batches() {
        let after = -1;
        for (;;) {
          const result = await client.query<[number | string, Uint8Array, Uint8Array, ...Array<Uint8Array | null>]>({
            text: `select seq, convert_to(leaf, 'UTF8'), leaf_hash, ${INDEX_COLUMNS.map((c) => `convert_to(${c}, 'UTF8')`).join(', ')}
              from ledger_events where seq > $1 order by seq limit $2`,
            values: [after, BATCH_ROWS],
            rowMode: 'array',
          });
          if (result.rows.length === 0) return;
          const builder = new LeafBatchBuilder(result.rows.length, 8 * 1024 * 1024);
          for (const [seq, leaf, hash, ...columns] of result.rows) builder.add(Number(seq), leaf, hash, columns);
          yield builder.take();
          after = Number(result.rows[result.rows.length - 1][0]);
        }
      },
      async close() {
        await client.query('rollback');
        client.release();
      },
    };
  } catch (error) {
    client.release();
    throw error;
  }
}
