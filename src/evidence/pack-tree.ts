// The Merkle tree of a pack's events (a whole-ledger pack: every event up to its checkpoint),
// recomputed from their leaf hashes in order. The interior nodes cost as many hash calls as the
// leaves, so for a large pack a worker thread (pack-tree.worker.ts) computes them while this
// thread reads, inflates and hashes the leaves; a small pack does it here, without a thread to start.
import type { Worker } from 'node:worker_threads';
import { HASH_SIZE, MerkleFrontier } from '../ledger/merkle.js';
import { startWorker, workerUrl } from '../worker-thread.js';

export interface PackTree {
  /** The next leaf's hash (copied). */
  add(leafHash: Uint8Array): void;
  /** While more leaves wait for the worker than it should hold, a promise of room; otherwise null. */
  room(): Promise<void> | null;
  /** The size and root of the tree of every leaf added. */
  finish(): Promise<{ size: number; root: Uint8Array }>;
  close(): Promise<void>;
}

/** Size of events.jsonl (inflated) from which the tree is computed in a worker thread: some 40,000
 * events. Below it, starting the thread costs more than it saves. */
export const TREE_WORKER_FROM_BYTES = 16 * 2 ** 20;
/** Leaf hashes per message to the worker (128 KiB). */
const BATCH = 4096;
/** Batches sent and not yet done, at most: memory stays flat when the worker falls behind. */
const MAX_IN_FLIGHT = 8;

export function packTree(eventsBytes: number, workerFromBytes = TREE_WORKER_FROM_BYTES): PackTree {
  return eventsBytes >= workerFromBytes ? new TreeInWorker() : new TreeHere();
}

class TreeHere implements PackTree {
  readonly #frontier = new MerkleFrontier();
  add(leafHash: Uint8Array): void {
    this.#frontier.add(leafHash);
  }
  room(): null {
    return null;
  }
  async finish() {
    return { size: this.#frontier.size, root: this.#frontier.root() };
  }
  async close(): Promise<void> {}
}

const treeWorkerUrl = workerUrl(import.meta.url, 'pack-tree.worker');

class TreeInWorker implements PackTree {
  readonly #worker: Worker;
  #batch = new Uint8Array(BATCH * HASH_SIZE);
  #count = 0;
  #inFlight = 0;
  #roomWaiters: Array<() => void> = [];
  #failure: Error | null = null;
  readonly #result: Promise<{ size: number; root: Uint8Array }>;

  constructor() {
    this.#worker = startWorker(treeWorkerUrl, {});
    this.#result = new Promise((resolve, reject) => {
      this.#worker.on('message', (message: { kind: 'done' } | { kind: 'root'; size: number; root: Uint8Array }) => {
        if (message.kind === 'root') return resolve({ size: message.size, root: message.root });
        this.#inFlight -= 1;
        this.#wake();
      });
      const fail = (error: Error) => {
        this.#failure ??= error;
        reject(error);
        this.#wake();
      };
      this.#worker.on('error', fail);
      this.#worker.on('exit', (code) => fail(new Error(`the tree's worker thread exited (${code})`)));
    });
    this.#result.catch(() => {}); // surfaced by finish()
  }

  add(leafHash: Uint8Array): void {
    this.#batch.set(leafHash, this.#count * HASH_SIZE);
    this.#count += 1;
    if (this.#count === BATCH) this.#send();
  }

  room(): Promise<void> | null {
    if (this.#inFlight < MAX_IN_FLIGHT || this.#failure) return null;
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  async finish(): Promise<{ size: number; root: Uint8Array }> {
    if (this.#count > 0) this.#send();
    this.#worker.postMessage({ kind: 'end' });
    return this.#result;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #send(): void {
    const { buffer } = this.#batch;
    this.#worker.postMessage({ kind: 'leaves', buffer, count: this.#count }, [buffer as ArrayBuffer]);
    this.#inFlight += 1;
    this.#batch = new Uint8Array(BATCH * HASH_SIZE);
    this.#count = 0;
  }

  #wake(): void {
    if (this.#inFlight >= MAX_IN_FLIGHT && !this.#failure) return;
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }
}
