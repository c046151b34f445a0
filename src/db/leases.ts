// Named leases in the database, for what must run once per cluster (the job leader): one
// conditional upsert takes a lease that is free or expired, or renews it for its own holder.
// Expiry is read from the database's clock, so instances never compare their clocks. PostgreSQL:
// one autocommitted statement outside the write lock, so a long write cannot starve a renewal;
// SQLite: through the writer's queue (its reader connection is read-only).
import { type RawBuilder, sql } from 'kysely';
import type { Store } from './store.js';

/** Now, in milliseconds since the epoch, by the database's clock. */
function databaseNow(store: Store): RawBuilder<number> {
  return store.dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
}

async function run<T>(store: Store, statement: (db: Store['db']) => Promise<T>): Promise<T> {
  return store.dialect === 'postgres' ? statement(store.db) : store.transact((trx) => statement(trx));
}

/**
 * Takes the lease `name` for `holder` for `ttlMs` when nobody holds it, it has expired, or
 * `holder` already holds it (a renewal). Returns whether `holder` holds it now.
 */
export async function takeLease(store: Store, { name, holder, ttlMs }: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
  const now = databaseNow(store);
  const taken = await run(store, (db) =>
    sql<{ holder: string }>`
      insert into leases (name, holder, expires_at) values (${name}, ${holder}, ${now} + ${ttlMs})
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where leases.expires_at < ${now} or leases.holder = excluded.holder
      returning holder`.execute(db),
  );
  return taken.rows.length === 1 && taken.rows[0].holder === holder;
}

/** Gives the lease up at once (graceful shutdown), so another instance need not wait for expiry. */
export async function releaseLease(store: Store, { name, holder }: { name: string; holder: string }): Promise<void> {
  await run(store, (db) => db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute());
}

/** Who holds the lease now (null when free or expired). */
export async function leaseHolder(store: Store, name: string): Promise<string | null> {
  const row = await sql<{ holder: string }>`select holder from leases where name = ${name} and expires_at >= ${databaseNow(store)}`.execute(
    store.db,
  );
  return row.rows[0]?.holder ?? null;
}
