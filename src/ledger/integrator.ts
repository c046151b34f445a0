// The ledger's integrator on PostgreSQL (issue 13; the design of Tessera and Trillian before it).
// A write transaction no longer serialises on the ledger: it records its events in ledger_queue,
// without sequence numbers, and commits beside every other writer (SERIALIZABLE, so the use cases
// still behave as if they ran one at a time). The integrator then moves what is queued into
// ledger_events, in one call of a database function (proofline_integrate, migration 20261201_0900)
// that holds the ledger lock for its own transaction only: it assigns the next sequence numbers in
// queue order, makes each leaf (leaf_head + seq + leaf_tail) and its hash, extends the Merkle tree
// and the head, and deletes the rows from the queue. Many transactions' events go in one round,
// so the ledger's serialising point costs one round trip per batch, not the whole use case per
// write, and the events never travel to this process and back.
//
// Each process runs one integrator. A write that read something is answered only after a round
// that began after its commit has ended, so at acknowledgement its event has its sequence number
// and an inclusion proof, as on SQLite. A blind write (db/store.ts: a create) is answered at its
// commit, durable and queued; the round it asked for follows within about 20 ms (on a process
// that leaves those rounds to the cluster's leader, db/store.ts roundsLedBy, the leader's round or
// its own 50 ms later), and every read of the process that answered it waits for that round first.
// Any process integrates whatever is queued, its own or another's: a process killed between a
// commit and its round leaves queued events that the next round of any process integrates (the
// sweep below runs every SWEEP_MS whatever happens).
import pg from 'pg';

/** The one lock that orders the ledger: held by the integrator's round and by sequenced writes. */
export const LEDGER_LOCK_KEY = 4242001;
/** Queued events one round integrates at most (a longer queue takes several rounds). */
const ROUND_LIMIT = 2000;
const SWEEP_MS = 500;
/** A round that nobody's answer waits for (blind writes, answered at their commit) starts at least
 * this long after the previous round ended, so that it takes in more commits: a round costs a
 * transaction, the head read and written, the ledger lock and a WAL flush whatever its size. A
 * caller whose answer waits ends the spacing; a read of this process that waits for the round
 * (db/store.ts caughtUp) shortens it to READ_SPACING_MS. 16 clients creating, alternated three
 * times against 5 ms: one instance 1,955-2,246 against 1,737-1,959 creates/s, PostgreSQL CPU
 * 0.18-0.22 against 0.22-0.26 ms per create; two instances 1,580-1,980 against 1,448-1,851/s
 * (issue 13). Unspaced, two instances cost 0.46-0.47 ms of PostgreSQL CPU per create against
 * 0.36-0.44 with 5 ms. */
const ROUND_SPACING_MS = 20;
/** The spacing when a read of this process waits for the round (see ROUND_SPACING_MS). */
const READ_SPACING_MS = 5;
const RETRY_DELAYS_MS = [20, 100, 500, 1000];
/** How long a round waits at most for the commits on their way (see #rounds). */
const COMMIT_WAIT_MS = 50;

export interface IntegratorOptions {
  /** This process's write transactions whose commit is on its way to the database, settled when
   * they all are (null when there are none). A round waits for them, so that one round integrates
   * them all instead of the next round each. */
  commitsInFlight?: () => Promise<unknown> | null;
  /** The longest a round waits for them (a stalled connection delays the others no more). */
  commitWaitMs?: number;
  /** ROUND_SPACING_MS, READ_SPACING_MS and SWEEP_MS, for tests. */
  roundSpacingMs?: number;
  readSpacingMs?: number;
  sweepMs?: number;
}
/** A round, in a transaction of its own (autocommit): one round trip, lock and commit included. */
const ROUND_QUERY = { name: 'proofline_integrate', text: `select proofline_integrate(${ROUND_LIMIT}) as integrated` };
/** A lone write's own round, the statement before its commit (migration 20261202_0700): the events
 * it integrated, or -1 when the head it read was stale and everything stays queued. */
export const INLINE_ROUND_STATEMENT = `select proofline_integrate_inline(${ROUND_LIMIT}) as integrated`;
/** Whether a lone write's own round (INLINE_ROUND_STATEMENT) integrated all that its transaction saw
 * queued, its own events included: it did, and it stopped short of its limit. */
export function inlineRoundDrained(integrated: number): boolean {
  return integrated >= 1 && integrated < ROUND_LIMIT;
}

export interface IntegrationRound {
  events: number;
  /** Seconds from the earliest waiting commit to the end of the round. */
  lagSeconds: number;
}

interface Waiter {
  since: number;
  /** A caller's answer waits for this round (integrated()), not only reads (integrateSoon()). */
  answerWaits: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class LedgerIntegrator {
  readonly #onRound: (round: IntegrationRound) => void;
  readonly #commitsInFlight: () => Promise<unknown> | null;
  readonly #commitWaitMs: number;
  /** One connection, its own (a pool of one that lets the process exit while it is idle). */
  readonly #pool: pg.Pool;
  #running: Promise<void> | null = null;
  /** Callers waiting for a round that has not started yet. */
  #waiting: Waiter[] = [];
  #sweep: NodeJS.Timeout;
  #closed = false;
  /** When the last round ended (performance.now()); none yet: no spacing before the first. */
  #lastEnd = Number.NEGATIVE_INFINITY;
  /** Wakes the round waiting out its spacing (see #spaced): a caller's answer, or a read, waits. */
  #endSpacing: (() => void) | null = null;
  readonly #roundSpacingMs: number;
  readonly #readSpacingMs: number;
  /** The spacing of the next round: ROUND_SPACING_MS, or READ_SPACING_MS once a read waits. */
  #spacingMs: number;

  constructor(url: string, onRound: (round: IntegrationRound) => void, options: IntegratorOptions = {}) {
    this.#pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    this.#pool.on('error', () => {}); // an idle connection that breaks is replaced at the next round
    this.#onRound = onRound;
    this.#commitsInFlight = options.commitsInFlight ?? (() => null);
    this.#commitWaitMs = options.commitWaitMs ?? COMMIT_WAIT_MS;
    this.#roundSpacingMs = options.roundSpacingMs ?? ROUND_SPACING_MS;
    this.#readSpacingMs = options.readSpacingMs ?? READ_SPACING_MS;
    this.#spacingMs = this.#roundSpacingMs;
    this.#sweep = setInterval(() => void this.#sweepQueue(), options.sweepMs ?? SWEEP_MS);
    this.#sweep.unref();
  }

  /** No round running and nobody waiting for one: a lone write may integrate its own events. */
  idle(): boolean {
    return this.#running === null && this.#waiting.length === 0;
  }

  /** Resolves when every event committed before this call is in ledger_events. */
  integrated(): Promise<void> {
    return this.#wait(true);
  }
  /** The same, for events whose writers were answered already (blind writes): only this process's
   * reads wait for it, so its round may wait a little for more commits to take in. `since`: when
   * the earliest of them committed, if before this call (the round's lag counts from it). */
  integrateSoon(since?: number): Promise<void> {
    return this.#wait(false, since);
  }
  /** A read of this process waits for the round asked for last: it starts within READ_SPACING_MS
   * of the previous one's end rather than ROUND_SPACING_MS. */
  readWaits(): void {
    if (this.#spacingMs <= this.#readSpacingMs) return;
    this.#spacingMs = this.#readSpacingMs;
    this.#endSpacing?.();
  }
  #wait(answerWaits: boolean, since = performance.now()): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ since, answerWaits, resolve, reject });
      if (answerWaits) this.#endSpacing?.();
      this.#start();
    });
  }

  /** Stops sweeping, lets the round in progress and those waiting finish, and disconnects. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#endSpacing?.(); // a round waiting out its spacing runs now
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
      // Group commit: writes whose commits are on their way join this round rather than each
      // starting the next. One round costs a transaction, a head read and write and a WAL flush,
      // whatever its size, so fewer, larger rounds cost less per event.
      const committing = this.#commitsInFlight();
      if (committing) await settledWithin(committing, this.#commitWaitMs);
      await this.#spaced();
      this.#spacingMs = this.#roundSpacingMs;
      // Those waiting now committed before this round begins: it reads what they queued.
      const waiters = this.#waiting;
      this.#waiting = [];
      try {
        const events = await this.#withRetries(() => this.#integrateAll());
        const lagSeconds = (performance.now() - Math.min(...waiters.map((w) => w.since))) / 1000;
        this.#lastEnd = performance.now();
        this.#onRound({ events, lagSeconds });
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
  }

  /** Waits out the spacing since the previous round ended, unless or until a caller's answer waits;
   * a read that comes to wait shortens it (readWaits). */
  async #spaced(): Promise<void> {
    for (;;) {
      if (this.#closed || this.#waiting.some((w) => w.answerWaits)) return;
      const spacing = this.#spacingMs - (performance.now() - this.#lastEnd);
      if (spacing <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, spacing);
        this.#endSpacing = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#endSpacing = null;
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

  /** One round trip: proofline_integrate (migration 20261201_0900) takes the ledger lock, moves
   * what is queued into the tree in queue order, and commits; the events never leave PostgreSQL. */
  async #round(): Promise<number> {
    const { rows } = await this.#pool.query<{ integrated: number }>(ROUND_QUERY);
    return rows[0].integrated;
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
      if (rows[0]?.queued) await this.integrateSoon();
    } catch {
      // Not migrated yet, or the database is away: the next sweep tries again.
    }
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}
