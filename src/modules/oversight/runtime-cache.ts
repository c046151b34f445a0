// The runtime states every production AI system polls, served from memory so a check costs no
// database query. The cache follows changes made by any process: where the store delivers notices
// it listens on RUNTIME_CHANNEL (the use case notifies inside the changing transaction, so the
// notice arrives on commit); otherwise, where several processes may share the file, a cheap change
// counter (sum of row versions, which only grows) is polled every 200 ms. Either way a pause
// reaches every server instance well within a second.
import { sql } from 'kysely';
import type { Listening, Store } from '../../db/store.js';
import { presentRuntime, RUNTIME_CHANNEL, type RuntimeView } from './oversight.service.js';

export interface CachedRuntime extends RuntimeView {
  runtimeDefault: 'paused' | 'active';
}

export interface RuntimeCache {
  /** The cached state, loading a system not seen yet; null when the system does not exist. */
  get(systemId: string): Promise<CachedRuntime | null>;
  /** Re-reads one system now (after a change made by this process). */
  refresh(systemId: string): Promise<void>;
  stop(): Promise<void>;
}

const POLL_MS = 200;
/** A full reload now and then, in case a notification was lost with a dropped connection. */
const FULL_RELOAD_MS = 30_000;

export async function startRuntimeCache(store: Store, onError: (error: unknown) => void = () => {}): Promise<RuntimeCache> {
  const states = new Map<string, CachedRuntime>();
  let stopped = false;

  async function load(systemId?: string): Promise<void> {
    let query = store.db
      .selectFrom('ai_systems')
      .leftJoin('system_runtime', 'system_runtime.system_id', 'ai_systems.id')
      .select([
        'ai_systems.id',
        'ai_systems.runtime_default',
        'system_runtime.state',
        'system_runtime.conditions',
        'system_runtime.reason',
        'system_runtime.pending_resume_by',
        'system_runtime.pending_resume_reason',
        'system_runtime.pending_resume_at',
        'system_runtime.updated_by',
        'system_runtime.updated_at',
        'system_runtime.version',
      ]);
    if (systemId) query = query.where('ai_systems.id', '=', systemId);
    const rows = await query.execute();
    for (const row of rows) {
      const view = presentRuntime(
        row.id,
        row.state
          ? {
              system_id: row.id,
              state: row.state,
              conditions: row.conditions ?? '{}',
              reason: row.reason ?? '',
              pending_resume_by: row.pending_resume_by,
              pending_resume_reason: row.pending_resume_reason,
              pending_resume_at: row.pending_resume_at,
              updated_by: row.updated_by,
              updated_at: row.updated_at ?? '',
              version: row.version ?? 0,
            }
          : undefined,
      );
      states.set(row.id, { ...view, runtimeDefault: row.runtime_default });
    }
  }

  await load();
  const timers: NodeJS.Timeout[] = [];
  let listener: Listening | null = null;

  function every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      fn()
        .catch(onError)
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  }

  listener = await store.listen(RUNTIME_CHANNEL, (systemId) => load(systemId).catch(onError), onError);
  if (!listener) {
    // This database delivers no notices (SQLite): poll the change counter.
    let seen = await changeCounter(store);
    every(POLL_MS, async () => {
      const now = await changeCounter(store);
      if (now !== seen) {
        seen = now;
        await load();
      }
    });
  }
  every(FULL_RELOAD_MS, () => load());

  return {
    async get(systemId) {
      const cached = states.get(systemId);
      if (cached) return cached;
      await load(systemId);
      return states.get(systemId) ?? null;
    },
    refresh: (systemId) => load(systemId),
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await listener?.stop();
      listener = null;
    },
  };
}

/** Grows with every runtime change (versions only increase, rows are never deleted). */
async function changeCounter(store: Store): Promise<string> {
  const row = await sql<{ n: number; v: number }>`select count(*) as n, coalesce(sum(version), 0) as v from system_runtime`.execute(
    store.db,
  );
  return `${row.rows[0]?.n}:${row.rows[0]?.v}`;
}
