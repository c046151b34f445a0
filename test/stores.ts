// Test stores on both dialects: a fresh SQLite file or a fresh PostgreSQL database per call,
// migrated. Every repository and service test loops over DIALECTS.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate.js';
import { createPostgresStore, createSqliteStore, type Dialect, type Store } from '../src/db/store.js';
import { type PgServer, startPostgres } from './pg.js';

/** Both by default; `PROOFLINE_TEST_DIALECTS=sqlite` narrows a run (the mutation check runs on SQLite only). */
export const DIALECTS: Dialect[] = dialectsToTest(process.env.PROOFLINE_TEST_DIALECTS);

function dialectsToTest(list: string | undefined): Dialect[] {
  const all: Dialect[] = ['sqlite', 'postgres'];
  if (!list) return all;
  const chosen = list.split(',').map((d) => d.trim());
  const unknown = chosen.filter((d) => !all.includes(d as Dialect));
  if (unknown.length > 0) throw new Error(`PROOFLINE_TEST_DIALECTS: unknown dialect ${unknown.join(', ')}; use sqlite, postgres or both`);
  return all.filter((d) => chosen.includes(d));
}

let ownServer: Promise<PgServer> | null = null;

/** URL of a PostgreSQL maintenance database: the run-wide one, or one this process starts. */
export async function pgAdminUrl(): Promise<string> {
  const shared = process.env.PROOFLINE_TEST_PG_URL;
  if (shared) return shared;
  if (!ownServer) {
    ownServer = startPostgres();
    const server = await ownServer;
    process.once('exit', () => server.stop());
  }
  return (await ownServer).url;
}

/** A fresh, empty PostgreSQL database; returns its URL. */
export async function createPgDatabase(): Promise<string> {
  const adminUrl = await pgAdminUrl();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function tempSqliteFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-test-'));
  return path.join(dir, 'proofline.db');
}

/** The database URL a server process would be given (sqlite:FILE or postgres://...). */
export async function freshDatabaseUrl(dialect: Dialect): Promise<string> {
  return dialect === 'sqlite' ? `sqlite:${tempSqliteFile()}` : createPgDatabase();
}

export async function createTestStore(dialect: Dialect, { migrate = true } = {}): Promise<Store> {
  const store = dialect === 'sqlite' ? createSqliteStore(tempSqliteFile()) : createPostgresStore(await createPgDatabase());
  if (migrate) await migrateToLatest(store.writer);
  return store;
}

/** How many ledger events a store holds: tests compare it before and after a refused request. */
export async function ledgerSize(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('ledger_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
