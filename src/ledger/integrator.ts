// The ledger's integrator on PostgreSQL (issue 13; the design of Tessera and Trillian before it).
// A write transaction no longer serialises on the ledger: it records its events in ledger_queue,
// without sequence numbers, and commits beside every other writer (SERIALIZABLE, so the use cases
// still behave as if they ran one at a time). The integrator then, holding the ledger lock for a few
// round trips only, moves what is queued into ledger_events: it assigns the next sequence numbers
// in queue order, makes each leaf (leaf_head + seq + leaf_tail), extends the Merkle tree and the
// head, and deletes the rows from the queue, all in one transaction. Many transactions' events go
// in one round, so the ledger's serialising point costs a few round trips per batch, not the
// whole use case per write.
//
// Each process runs one integrator. A write's caller is answered only after a round that began
// after its commit has ended, so at acknowledgement the event has its sequence number and an
// inclusion proof, as before. Any process integrates whatever is queued, its own or another's:
// a process killed between a commit and its round leaves queued events that the next round of
// any process integrates (the sweep below runs every SWEEP_MS whatever happens).
import type { Selectable } from 'kysely';
import pg from 'pg';
import { insertStatement, sqlLiteral } from '../db/pg-literal.js';
import { LOWEST_STORED_LEVEL } from './ledger.repository.js';
import type { LedgerQueueTable } from './ledger.tables.js';
import { leafHashOfText, MerkleFrontier } from './merkle.js';

/** The one lock that orders the ledger: held by the integrator's round and by sequenced writes. */
export const LEDGER_LOCK_KEY = 4242001;
/** Queued events one round integrates at most (a longer queue takes several rounds). */
const ROUND_LIMIT = 2000;
const SWEEP_MS = 500;
const RETRY_DELAYS_MS = [20, 100, 500, 1000];

/** A queued event as integration reads it. */
type QueuedRow = Selectable<LedgerQueueTable>;

export interface IntegrationRound {
  events: number;
  /** Seconds from the earliest waiting commit to the end of the round. */
  lagSeconds: number;
}

interface Waiter {
  since: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const EVENT_COLUMNS = [
  'seq',
  'event_id',
  'type',
  'actor_id',
  'subject_type',
  'subject_id',
  'recorded_at',
  'leaf',
  'leaf_hash',
  'system_id',
];

/** Every value integration writes is a plain one (text, number, bytes, null). */
function insert(table: string, columns: readonly string[], rows: Array<Record<string, unknown>>): string {
  const text = insertStatement(table, columns, rows);
  if (text === null) throw new Error(`integration: a value for ${table} is not a plain SQL literal`);
  return text;
}

/** The SQL that integrates `rows` after a tree of `size` with `frontier`: one round trip. */
function integrationSql(rows: QueuedRow[], size: number, frontierHashes: Uint8Array[]) {
  const frontier = MerkleFrontier.fromState(size, frontierHashes);
  const events: Array<Record<string, unknown>> = [];
  const nodes: Array<Record<string, unknown>> = [];
  let seq = size;
  for (const { id: _id, leaf_head, leaf_tail, ...columns } of rows) {
    const leaf = leaf_head + String(seq) + leaf_tail;
    const hash = leafHashOfText(leaf);
    events.push({ ...columns, seq, leaf, leaf_hash: hash });
    frontier.add(hash, (level, idx, nodeHash) => {
      if (level >= LOWEST_STORED_LEVEL) nodes.push({ level, idx, hash: nodeHash });
    });
    seq += 1;
  }
  const state = frontier.state().hashes.map((h) => Buffer.from(h).toString('base64'));
  return [
    `${insert('ledger_events', EVENT_COLUMNS, events)};`,
    nodes.length > 0 ? `${insert('ledger_nodes', ['level', 'idx', 'hash'], nodes)};` : '',
    `update ledger_head set size = ${seq}, frontier = ${sqlLiteral(JSON.stringify(state))} where id = 1;`,
    `delete from ledger_queue where id in (${rows.map((r) => r.id).join(', ')});`,
    'commit',
  ].join('\n');
}

export class LedgerIntegrator {
  readonly #onRound: (round: IntegrationRound) => void;
  /** One connection, its own (a pool of one that lets the process exit while it is idle). */
  readonly #pool: pg.Pool;
  #running: Promise<void> | null = null;
  /** Callers waiting for a round that has not started yet. */
  #waiting: Waiter[] = [];
  #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(url: string, onRound: (round: IntegrationRound) => void) {
    this.#pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    this.#pool.on('error', () => {}); // an idle connection that breaks is replaced at the next round
    this.#onRound = onRound;
    this.#sweep = setInterval(() => void this.#sweepQueue(), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Resolves when every event committed before this call is in ledger_events. */
  integrated(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ since: performance.now(), resolve, reject });
      this.#start();
    });
  }

  /** Stops sweeping, lets the round in progress and those waiting finish, and disconnects. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    while (this.#running) await this.#running;
    await this.#pool.end().catch(() => {});
  }

  #start(): void {
    if (this.#running) return; // the running round ends by starting the next for those waiting
    this.#running = this.#rounds().finally(() => {
      this.#running = null;
    });
  }

  async #rounds(): Promise<void> {
    while (this.#waiting.length > 0) {
      // Those waiting now committed before this round begins: it reads what they queued.
      const waiters = this.#waiting;
      this.#waiting = [];
      try {
        const events = await this.#withRetries(() => this.#integrateAll());
        const lagSeconds = (performance.now() - Math.min(...waiters.map((w) => w.since))) / 1000;
        this.#onRound({ events, lagSeconds });
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
  }

  /** Rounds until the queue is empty of what was committed when each round read it. */
  async #integrateAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const integrated = await this.#round();
      total += integrated;
      if (integrated < ROUND_LIMIT) return total;
    }
  }

  async #round(): Promise<number> {
    const client = await this.#pool.connect();
    try {
      // One round trip: the lock (waited for), then, each statement seeing every commit before it
      // (READ COMMITTED), the queue in order and the head of the tree.
      const results = (await client.query(
        `begin; select pg_advisory_xact_lock(${LEDGER_LOCK_KEY});
         select id, event_id, type, actor_id, subject_type, subject_id, recorded_at, system_id, leaf_head, leaf_tail
           from ledger_queue order by id limit ${ROUND_LIMIT};
         select size, frontier from ledger_head where id = 1`,
      )) as unknown as pg.QueryResult[];
      const rows = results[2].rows as QueuedRow[];
      if (rows.length === 0) {
        await client.query('commit');
        client.release();
        return 0;
      }
      const head = results[3].rows[0] as { size: string | number; frontier: string };
      const frontier = (JSON.parse(head.frontier) as string[]).map((h) => new Uint8Array(Buffer.from(h, 'base64')));
      await client.query(integrationSql(rows, Number(head.size), frontier));
      client.release();
      return rows.length;
    } catch (error) {
      // The connection is dropped, not reused: whatever state it was left in goes with it (an open
      // transaction ends with the connection, and its lock with it).
      client.release(error as Error);
      throw error;
    }
  }

  async #withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
  }

  /** Integrates what others left queued (a process killed after its commit, before its round). */
  async #sweepQueue(): Promise<void> {
    if (this.#closed || this.#running) return;
    try {
      const { rows } = await this.#pool.query('select exists (select 1 from ledger_queue) as queued');
      if (rows[0]?.queued) await this.integrated();
    } catch {
      // Not migrated yet, or the database is away: the next sweep tries again.
    }
  }
}
