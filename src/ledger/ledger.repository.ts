// Typed reads of the ledger.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { PageOf } from '../server/http.js';

export interface EventFilter {
  subjectType?: string;
  subjectId?: string;
  actorId?: string;
  type?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export interface EventRecord {
  seq: number;
  eventId: string;
  type: string;
  recordedAt: string;
  event: Record<string, unknown>;
}

export async function listEvents(db: Kysely<Database>, filter: EventFilter): Promise<PageOf<EventRecord>> {
  let query = db.selectFrom('ledger_events');
  if (filter.subjectType) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.from) query = query.where('recorded_at', '>=', new Date(filter.from).toISOString());
  if (filter.to) query = query.where('recorded_at', '<', new Date(filter.to).toISOString());
  const [rows, count] = await Promise.all([
    query
      .select(['seq', 'event_id', 'type', 'recorded_at', 'leaf'])
      .orderBy('seq', 'asc')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      seq: Number(r.seq),
      eventId: r.event_id,
      type: r.type,
      recordedAt: r.recorded_at,
      event: JSON.parse(r.leaf),
    })),
    total: Number(count.n),
    limit: filter.limit,
    offset: filter.offset,
  };
}
