// Rate limits that hold across every server process on one PostgreSQL: each hit is a row of
// `rate_limit_hits`, counted over the sliding window under a per-(bucket, key) advisory lock, so
// two instances cannot both let the last allowed hit through. Outside the ledger's write lock: a
// sign-in attempt never waits for a ledger write. SQLite (one process) keeps the in-memory limiter.
import { sql } from 'kysely';
import type { Store } from './store.js';

/** Advisory locks with two int4 keys never collide with the one-bigint write lock. */
const RATE_LIMIT_LOCK_CLASS = 4242002;

export interface SharedRateLimits {
  /** Records a hit of `key` in `bucket` unless `limit` hits fell within the last `windowMs`; returns 0
   * when allowed, else the milliseconds until the next hit would be. A refused hit is not recorded. */
  hit(input: { bucket: string; key: string; limit: number; windowMs: number }): Promise<number>;
  /** Deletes the hits that no window can count any more (a periodic job). */
  sweep(): Promise<number>;
}

const NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The shared limits of this store: on PostgreSQL; null on SQLite, whose limits stay in memory. */
export function sharedRateLimits(store: Store): SharedRateLimits | null {
  if (store.dialect !== 'postgres') return null;
  return {
    hit: ({ bucket, key, limit, windowMs }) =>
      store.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${RATE_LIMIT_LOCK_CLASS}, hashtext(${bucket} || ' ' || ${key}))`.execute(trx);
        const now = Number((await sql<{ now: number }>`select ${NOW_MS} as now`.execute(trx)).rows[0].now);
        const recent = await trx
          .selectFrom('rate_limit_hits')
          .select((eb) => [eb.fn.countAll<number>().as('hits'), eb.fn.min('at').as('oldest')])
          .where('bucket', '=', bucket)
          .where('key', '=', key)
          .where('at', '>', now - windowMs)
          .executeTakeFirstOrThrow();
        if (Number(recent.hits) >= limit) return Number(recent.oldest) + windowMs - now;
        await trx
          .insertInto('rate_limit_hits')
          .values({ bucket, key, at: now, expires_at: now + windowMs })
          .execute();
        return 0;
      }),
    async sweep() {
      const result = await sql`delete from rate_limit_hits where expires_at < ${NOW_MS}`.execute(store.db);
      return Number(result.numAffectedRows ?? 0);
    },
  };
}
