// The Proofline client for AI services (`import { ProoflineClient } from '@proofline/client'`).
// It asks, before the service acts, whether its AI system may run (active, restricted with
// conditions, or paused), caching the answer briefly, and reports decision records in batches.
// It fails safe: when Proofline cannot be reached, answers 5xx or times out, the system's
// fail-safe default applies (given to the constructor, or learnt from Proofline's last answer,
// or else `paused`). It needs nothing but the platform's fetch.

import type { components } from './api.js';

export type RuntimeState = 'active' | 'restricted' | 'paused';
export type FailSafeDefault = 'active' | 'paused';

export interface RuntimeStatus {
  state: RuntimeState;
  conditions: Record<string, unknown>;
  version: number;
  checkedAt: string;
  /** Where the answer came from: Proofline now, the cache, or the fail-safe default. */
  source: 'proofline' | 'cache' | 'fail-safe';
}

/** A decision record as Proofline's API takes it: the `DecisionRecord` component of the OpenAPI
 * document (generated into api.ts from src/modules/decisions/decisions.schema.ts), so it cannot
 * drift from the server; proofline-client.test.ts holds it to the schema as well. */
export type DecisionRecordWire = components['schemas']['DecisionRecord'];

/** What a service reports: the client adds its system id, and the time when none is given. */
export type DecisionRecord = Omit<DecisionRecordWire, 'systemId' | 'decidedAt'> & { decidedAt?: string };

export interface ProoflineClientOptions {
  /** e.g. https://proofline.example.com */
  baseUrl: string;
  /** An API token with the `ingest` scope, made by an account that holds a role other than
   * `auditor` (e.g. a service account with `contributor`); decision reports refuse any other. */
  token: string;
  systemId: string;
  /** What applies when Proofline cannot be reached. Unset: learnt from Proofline, else `paused`. */
  failSafeDefault?: FailSafeDefault;
  /** How long an answer is reused (default 1 s). */
  cacheTtlMs?: number;
  /** Per request (default 2 s). */
  timeoutMs?: number;
  /** Records per batch (default 500; the server takes up to 5,000). */
  batchSize?: number;
  /** Send queued records at least this often (default 1 s; 0: only on flush()). */
  flushIntervalMs?: number;
  /** Records kept while Proofline is unreachable; beyond it the oldest are dropped (default 100,000). */
  maxQueued?: number;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch (default Date.now); lets tests move time without sleeping. */
  clock?: () => number;
}

export class ProoflineClient {
  private readonly options: Required<Omit<ProoflineClientOptions, 'failSafeDefault' | 'fetch' | 'clock'>>;
  private readonly doFetch: typeof fetch;
  private readonly clock: () => number;
  private failSafe: FailSafeDefault | undefined;
  private cached: { status: RuntimeStatus; etag: string | null; until: number } | null = null;
  private inFlight: Promise<RuntimeStatus> | null = null;
  private queue: DecisionRecordWire[] = [];
  private flushing: Promise<number> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The last failure talking to Proofline (null after a success). */
  lastError: Error | null = null;
  /** Records dropped because the queue was full. */
  dropped = 0;

  constructor(options: ProoflineClientOptions) {
    this.options = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: options.token,
      systemId: options.systemId,
      cacheTtlMs: options.cacheTtlMs ?? 1_000,
      timeoutMs: options.timeoutMs ?? 2_000,
      batchSize: options.batchSize ?? 500,
      flushIntervalMs: options.flushIntervalMs ?? 1_000,
      maxQueued: options.maxQueued ?? 100_000,
    };
    this.failSafe = options.failSafeDefault;
    this.doFetch = options.fetch ?? fetch;
    this.clock = options.clock ?? Date.now;
    if (this.options.flushIntervalMs > 0) {
      this.timer = setInterval(() => void this.flush().catch(() => {}), this.options.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  /** The fail-safe default in force now. */
  get failSafeDefault(): FailSafeDefault {
    return this.failSafe ?? 'paused';
  }

  /** The system's runtime status, from the cache when fresh. Never throws. */
  async status(): Promise<RuntimeStatus> {
    const now = this.clock();
    if (this.cached && this.cached.until > now) return { ...this.cached.status, source: 'cache' };
    this.inFlight ??= this.fetchStatus().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** True unless the system is paused (restricted: may act, under `conditions`). */
  async mayAct(): Promise<boolean> {
    return (await this.status()).state !== 'paused';
  }

  private async fetchStatus(): Promise<RuntimeStatus> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
    if (this.cached?.etag) headers['if-none-match'] = this.cached.etag;
    try {
      const res = await this.doFetch(`${this.options.baseUrl}/api/v1/systems/${encodeURIComponent(this.options.systemId)}/runtime`, {
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (res.status === 304 && this.cached) {
        this.remember(this.cached.status, this.cached.etag);
        return { ...this.cached.status, source: 'proofline' };
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`Proofline answered HTTP ${res.status}`);
      }
      const body = (await res.json()) as Omit<RuntimeStatus, 'source'> & { failSafeDefault?: FailSafeDefault };
      if (body.failSafeDefault) this.failSafe = body.failSafeDefault;
      const status: RuntimeStatus = {
        state: body.state,
        conditions: body.conditions ?? {},
        version: body.version,
        checkedAt: body.checkedAt,
        source: 'proofline',
      };
      this.remember(status, res.headers.get('etag'));
      this.lastError = null;
      return status;
    } catch (error) {
      this.lastError = error instanceof Error ? error : new Error(String(error));
      const status: RuntimeStatus = {
        state: this.failSafeDefault,
        conditions: {},
        version: -1,
        checkedAt: new Date().toISOString(),
        source: 'fail-safe',
      };
      // Keep the ETag of the last real answer, but do not keep serving that answer.
      this.cached = { status, etag: null, until: this.clock() + this.options.cacheTtlMs };
      return status;
    }
  }

  private remember(status: RuntimeStatus, etag: string | null): void {
    this.cached = { status, etag, until: this.clock() + this.options.cacheTtlMs };
  }

  /** Queues a decision record; sent with the next batch. */
  record(decision: DecisionRecord): void {
    this.queue.push({ ...decision, systemId: this.options.systemId, decidedAt: decision.decidedAt ?? new Date().toISOString() });
    if (this.queue.length > this.options.maxQueued) {
      const excess = this.queue.length - this.options.maxQueued;
      this.queue.splice(0, excess);
      this.dropped += excess;
    }
    if (this.queue.length >= this.options.batchSize && !this.flushing) void this.flush().catch(() => {});
  }

  /** Records waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** Sends every queued record; resolves with how many were acknowledged. Records of a failed
   * batch go back to the front of the queue; the error is rethrown. */
  async flush(): Promise<number> {
    // One flush at a time, so batches leave in order.
    while (this.flushing) await this.flushing.catch(() => {});
    this.flushing = this.sendAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async sendAll(): Promise<number> {
    let sent = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.batchSize);
      let res: Response;
      try {
        res = await this.doFetch(`${this.options.baseUrl}/api/v1/decisions/batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ records: batch }),
          signal: AbortSignal.timeout(this.options.timeoutMs * 5),
        });
      } catch (error) {
        this.queue.unshift(...batch);
        throw this.failed(error);
      }
      if (!res.ok) {
        // Retry what may pass later; a malformed batch (other 4xx) would be refused forever.
        if (res.status >= 500 || res.status === 429) this.queue.unshift(...batch);
        throw this.failed(new Error(`Proofline refused the batch (HTTP ${res.status}): ${(await res.text()).slice(0, 500)}`));
      }
      await res.arrayBuffer();
      sent += batch.length;
      this.lastError = null;
    }
    return sent;
  }

  private failed(error: unknown): Error {
    this.lastError = error instanceof Error ? error : new Error(String(error));
    return this.lastError;
  }

  /** Stops the flush timer and sends what is queued. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.queue.length > 0) await this.flush();
  }
}
