// Test stores on both dialects: a fresh SQLite file or a fresh PostgreSQL database per call,
// migrated. Every repository and service test loops over DIALECTS. Migrating takes longer than
// copying: each process migrates one SQLite file and copies it per store; PostgreSQL keeps one
// migrated database per state of the migrations and creates each test database from it (TEMPLATE).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
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
  return (await ownServer).socketUrl;
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `work` on a PostgreSQL connection of its own (no pool, no store), closed afterwards. */
export async function onOwnConnection<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database, empty or (`migrated`) a copy of the migrated template; returns its URL. */
export async function createPgDatabase({ migrated = false } = {}): Promise<string> {
  const adminUrl = await pgAdminUrl();
  const template = migrated ? await migratedPgTemplate(adminUrl) : null;
  const name = `t_${randomBytes(6).toString('hex')}`;
  await onOwnConnection(adminUrl, (client) =>
    client.query(template ? `create database ${name} template ${template}` : `create database ${name}`),
  );
  return databaseUrl(adminUrl, name);
}

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '..', 'src', 'db', 'migrations');
/** Serialises the template's creation across the test files running at once on one server. */
const TEMPLATE_LOCK = 0x70726f66;
const pgTemplates = new Map<string, Promise<string>>();

/** Names the migrations as they are now: a changed or added migration makes a new template. */
function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(MIGRATIONS_DIR).sort())
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The migrated template database on this server, made once (under an advisory lock) and never connected to again. */
function migratedPgTemplate(adminUrl: string): Promise<string> {
  let template = pgTemplates.get(adminUrl);
  if (!template) {
    template = onOwnConnection(adminUrl, async (client) => {
      const name = `tpl_${migrationsHash()}`;
      await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
      try {
        const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) {
          // Migrated under another name and renamed when complete: a crash leaves no half template.
          const building = `${name}_${randomBytes(4).toString('hex')}`;
          await client.query(`create database ${building}`);
          const store = createPostgresStore(databaseUrl(adminUrl, building));
          try {
            await migrateToLatest(store.writer);
          } finally {
            await store.close();
          }
          await client.query(`alter database ${building} rename to ${name}`);
        }
      } finally {
        await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
      }
      return name;
    });
    pgTemplates.set(adminUrl, template);
  }
  return template;
}

export function tempSqliteFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-test-'));
  return path.join(dir, 'proofline.db');
}

let sqliteTemplate: Promise<string> | null = null;

/** This process's migrated SQLite file, closed (its WAL checkpointed into it), only ever copied. */
function migratedSqliteTemplate(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const file = tempSqliteFile();
    const store = createSqliteStore(file);
    try {
      await migrateToLatest(store.writer);
    } finally {
      await store.close();
    }
    return file;
  })();
  return sqliteTemplate;
}

/** A fresh SQLite file holding the migrated schema. */
async function migratedSqliteFile(): Promise<string> {
  const template = await migratedSqliteTemplate();
  const file = tempSqliteFile();
  fs.copyFileSync(template, file);
  if (fs.existsSync(`${template}-wal`)) fs.copyFileSync(`${template}-wal`, `${file}-wal`);
  return file;
}

/** The database URL a server process would be given (sqlite:FILE or postgres://...): empty, or `migrated`. */
export async function freshDatabaseUrl(dialect: Dialect, { migrated = false } = {}): Promise<string> {
  if (dialect === 'postgres') return createPgDatabase({ migrated });
  return `sqlite:${migrated ? await migratedSqliteFile() : tempSqliteFile()}`;
}

export async function createTestStore(dialect: Dialect, { migrate = true } = {}): Promise<Store> {
  if (dialect === 'sqlite') return createSqliteStore(migrate ? await migratedSqliteFile() : tempSqliteFile());
  return createPostgresStore(await createPgDatabase({ migrated: migrate }));
}

/** How many ledger events a store holds: tests compare it before and after a refused request. */
export async function ledgerSize(store: Store): Promise<number> {
  return rowCount(store, 'ledger_events');
}

/** How many rows a table holds: what a refusal must leave unchanged. */
export async function rowCount(store: Store, table: keyof Database & string): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
