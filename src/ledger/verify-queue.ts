// What verification checks of the ledger's queue (PostgreSQL, ledger/integrator.ts): that nothing
// queued can be lost or integrated twice. An event leaves the queue only in the transaction that
// integrates it, which the database enforces with a trigger, and an event id appears once in the
// ledger, which its unique index enforces; verification confirms both guards are in place and that
// no queued event is already in the ledger (it would be integrated a second time). SQLite appends
// in the write transaction itself: its queue is always empty, and only the unique index applies.
import { sql } from 'kysely';
import type { Store } from '../db/store.js';

export interface QueueState {
  /** Events committed and not yet integrated. */
  queued: number;
  oldestQueuedAt: string | null;
}

export type QueueProblem = { kind: 'integrated_twice' | 'queue_unguarded'; message: string };

export async function checkQueue(store: Store): Promise<{ state: QueueState; problem: QueueProblem | null }> {
  const db = store.db;
  const [count, twice] = await Promise.all([
    db
      .selectFrom('ledger_queue')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('recorded_at').as('oldest')])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('ledger_queue')
      .innerJoin('ledger_events', 'ledger_events.event_id', 'ledger_queue.event_id')
      .select(['ledger_queue.event_id', 'ledger_events.seq'])
      .limit(1)
      .executeTakeFirst(),
  ]);
  const state = { queued: Number(count.n), oldestQueuedAt: count.oldest ?? null };
  if (twice) {
    const message = `event ${twice.event_id} is in the ledger at ${twice.seq} and still queued: it would be integrated twice`;
    return { state, problem: { kind: 'integrated_twice', message } };
  }
  const guards = store.dialect === 'postgres' ? await postgresGuards(store) : await sqliteGuards(store);
  return { state, problem: guards };
}

/** The unique index on ledger_events.event_id, and the trigger that keeps queued events. */
async function postgresGuards(store: Store): Promise<QueueProblem | null> {
  const unique = await sql<{ ok: boolean }>`select exists (
      select 1 from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid = 'ledger_events'::regclass and i.indisunique and i.indnatts = 1 and a.attname = 'event_id') as ok`.execute(
    store.db,
  );
  if (!unique.rows[0]?.ok)
    return { kind: 'integrated_twice', message: 'ledger_events.event_id is no longer unique: an event could be integrated twice' };
  const trigger = await sql<{ ok: boolean }>`select exists (
      select 1 from pg_trigger where tgrelid = 'ledger_queue'::regclass
      and tgname = 'ledger_queue_integrated_only' and tgenabled <> 'D') as ok`.execute(store.db);
  if (!trigger.rows[0]?.ok)
    return { kind: 'queue_unguarded', message: 'the trigger that keeps queued events until they are integrated is missing or disabled' };
  return null;
}

async function sqliteGuards(store: Store): Promise<QueueProblem | null> {
  const indexes = await sql<{ name: string; unique: number }>`select name, "unique" from pragma_index_list('ledger_events')`.execute(
    store.db,
  );
  for (const index of indexes.rows) {
    if (!index.unique) continue;
    const columns = await sql<{ name: string }>`select name from pragma_index_info(${index.name})`.execute(store.db);
    if (columns.rows.length === 1 && columns.rows[0].name === 'event_id') return null;
  }
  return { kind: 'integrated_twice', message: 'ledger_events.event_id is no longer unique: an event could be recorded twice' };
}
