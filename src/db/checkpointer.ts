// SQLite's WAL checkpoints, off the writer's thread. By default SQLite checkpoints inside the commit
// that takes the WAL past 1,000 pages: that commit copies every page of the WAL into the database
// file and syncs both before its callers are answered, on the event loop. A batch of 5,000 outcomes
// writes about 1.5 MB of WAL, so every third batch paid for a checkpoint of 4 MB.
//
// Once the WAL has grown to the size of one such checkpoint, a worker thread with a connection of
// its own runs a PASSIVE checkpoint every CHECKPOINT_EVERY_MS: it copies what it can without
// blocking the writer or any reader, and the writer restarts the WAL at its next commit once
// everything is copied. The writer still checkpoints itself if the WAL reaches
// FALLBACK_PAGES (the worker stalled, or a long read held the WAL), so the file stays bounded.
// Checkpoints are crash-safe in SQLite's own design: a write is durable once its WAL frames are
// synced (store.ts), whoever copies them later.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** WAL size from which checkpoints move to the worker: SQLite's default checkpoint point. */
const START_BYTES = 1000 * 4096;
/** The writer's own checkpoint point once the worker runs (40 MB of 4 KiB pages). */
const FALLBACK_PAGES = 10_000;
const CHECKPOINT_EVERY_MS = 200;

// Plain JavaScript, evaluated: the same from the compiled server and from source under tsx.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.postMessage('closed');
});
`;

export interface Checkpointer {
  /** After each commit of the writer: starts the worker once the WAL is large enough. */
  afterCommit(): void;
  close(): Promise<void>;
}

export function checkpointer(file: string, writer: SQLite.Database): Checkpointer {
  if (file === ':memory:') return { afterCommit() {}, close: async () => {} };
  let worker: Worker | null = null;
  let failed = false;
  return {
    afterCommit() {
      if (worker || failed) return;
      // One stat per commit until then: a few microseconds beside the commit's own work.
      const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false });
      if (!wal || wal.size < START_BYTES) return;
      try {
        worker = new Worker(WORKER, {
          eval: true,
          workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), everyMs: CHECKPOINT_EVERY_MS },
        });
      } catch {
        failed = true; // the writer keeps checkpointing itself, as SQLite does by default
        return;
      }
      worker.unref();
      worker.on('error', () => {
        // The worker died: the writer checkpoints itself again at SQLite's default point.
        failed = true;
        worker = null;
        if (writer.open) writer.pragma('wal_autocheckpoint = 1000');
      });
      writer.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
    },
    async close() {
      const running = worker;
      if (!running) return;
      worker = null;
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        running.once('message', done);
        running.once('exit', done);
        running.once('error', done);
        running.postMessage('close');
      });
      await running.terminate();
    },
  };
}
