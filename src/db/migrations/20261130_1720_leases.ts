// Coordination between server processes sharing one database: a named lease (the job leader) and
// the hits of the rate limits that must hold across instances (PostgreSQL; SQLite limits in
// memory). Neither is evidence: rows are taken, renewed, swept. Frozen once merged.
import type { Kysely } from 'kysely';
import { bigInt } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // expires_at: milliseconds since the epoch by the database's clock, so instances never compare
  // their own clocks with each other's.
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', bigInt(db), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('rate_limit_hits')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', bigInt(db), (c) => c.notNull())
    .addColumn('expires_at', bigInt(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('rate_limit_hits_by_key').on('rate_limit_hits').columns(['bucket', 'key', 'at']).execute();
  await db.schema.createIndex('rate_limit_hits_by_expiry').on('rate_limit_hits').column('expires_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
