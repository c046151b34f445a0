// The store: one Kysely instance for reads and a write path that runs a use case in a transaction.
// SQLite: one writer connection with group commit (concurrent writes share one synced commit,
// each isolated by a savepoint), plus a separate reader connection (WAL lets readers run beside
// the writer); events are appended to the tree inside the write transaction. PostgreSQL: a pool;
// write transactions run concurrently at SERIALIZABLE isolation (retried on a serialization
// failure), each recording its events in the ledger's queue; after the commit, the process's
// integrator (ledger/integrator.ts) moves queued events into the tree in batches under the ledger
// lock, and only then is the caller answered. Blind writes (nothing sent before their commit, such
// as a create) commit together instead, in one transaction without the ledger lock, and are
// answered at its commit with their events durable in the queue; the integrator's next round gives
// them their sequence numbers, and every read of the ledger by this process waits for that round
// first. The ledger stays one linear sequence across any number of server processes; its lock is
// held by rounds (one database call each) and by sequenced writes, never while a blind write waits.
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type Insertable,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  type RawBuilder,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import {
  INLINE_ROUND_STATEMENT,
  type IntegrationRound,
  type IntegratorOptions,
  inlineRoundDrained,
  LEDGER_LOCK_KEY,
  LedgerIntegrator,
} from '../ledger/integrator.js';
import { checkpointer } from './checkpointer.js';
import { insertStatement } from './pg-literal.js';
import type { Database } from './schema.js';

/** What a use case receives: a Kysely bound to the open transaction. */
export type Tx = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly dialect: Dialect;
  /** For reads outside a transaction. */
  readonly db: Kysely<Database>;
  /** Migrations and maintenance only; every change goes through transact(). */
  readonly writer: Kysely<Database>;
  /** Run `fn` in one transaction; its ledger events commit with it. Durable when it resolves.
   * `fn` must only touch the database: no network calls, no nested transact(). */
  transact<T>(fn: (trx: Tx) => Promise<T>, options?: TransactOptions): Promise<T>;
  /** For SQLite: the raw better-sqlite3 handle of the writer (backup, bulk paths). db/ and ledger/ only. */
  readonly sqlite: SQLite.Database | null;
  /** db/ and ledger/ only; features use listen() / notify(). */
  readonly pgPool: pg.Pool | null;
  /** Follows notify(channel, ...) from any process, each notice delivered when its transaction
   * commits. Null when this database delivers no notices (SQLite): the caller polls instead. */
  listen(channel: string, onNotice: (payload: string) => void, onError: (error: unknown) => void): Promise<Listening | null>;
  /** Write transactions asked for and not yet answered (queued or running): the write-queue depth. */
  pendingWrites(): number;
  /** Tells `listener` the size of each group commit (SQLite) or of each integration round, in
   * events (PostgreSQL, where write transactions commit alone and the integrator batches). */
  onGroupCommit(listener: (size: number) => void): void;
  /** Tells `listener`, for each integration round (PostgreSQL), the seconds from the earliest
   * waiting commit to the events' integration. Never called on SQLite (no queue, no lag). */
  onIntegration(listener: (round: IntegrationRound) => void): void;
  /** PostgreSQL: the rounds that integrate blind writes (below) are the cluster leader's. While
   * `isLeader` says no, this process leaves its blind writes' events to the leader's rounds (any
   * round integrates every process's queue) and runs one itself only when a read of its own waits
   * for them, or FOLLOWER_ROUND_MS after they committed if they are still queued. Without a call
   * every process leads. */
  roundsLedBy(isLeader: () => boolean): void;
  close(): Promise<void>;
}

export interface TransactOptions {
  /** The transaction reads the tree head or needs its events' sequence numbers before it commits
   * (checkpoints, evidence packs, ledger notes). On PostgreSQL it then holds the ledger lock from
   * its first statement (READ COMMITTED, so it reads the head as the last holder left it) and
   * appends to the tree directly, as the integrator does; keep these rare and short. SQLite runs
   * every write this way already. */
  sequenced?: boolean;
}

/** A listen() that runs until stopped. */
export interface Listening {
  stop(): Promise<void>;
}

// The capabilities that differ between the databases. Features ask for these; only db/ knows
// which database it is (src/architecture.test.ts keeps the dialect out of modules/ and workflows/).

const isPostgres = (db: Kysely<Database>) => db.getExecutor().adapter instanceof PostgresAdapter;

/** Tells listen(channel) followers in every process, when this transaction commits (PostgreSQL:
 * pg_notify). On SQLite nothing is sent: followers there poll. */
export async function notify(trx: Tx, channel: string, payload: string): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_notify(${channel}, ${payload})`.execute(trx);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `column` contains `text`, ignoring case: ILIKE on PostgreSQL, LIKE on SQLite (which ignores
 * ASCII case already). `%`, `_` and a backslash in the text match themselves. */
export function containsIgnoringCase(db: Kysely<Database>, column: string, text: string): RawBuilder<boolean> {
  const op = isPostgres(db) ? sql`ilike` : sql`like`;
  return sql<boolean>`${sql.ref(column)} ${op} ${`%${escapeLike(text)}%`} escape '\\'`;
}

/** `column` is one of `values` (texts), as one bound parameter however many values there are: on
 * SQLite a JSON array read by json_each, on PostgreSQL a text array. The statement's text is then the
 * same for every list, so SQLite prepares it once (a list of 5,000 placeholders was parsed, bound and
 * planned anew for every batch), and neither database meets a limit on parameters. */
export function inList(db: Kysely<Database>, column: string, values: readonly string[]): RawBuilder<boolean> {
  return isPostgres(db)
    ? sql<boolean>`${sql.ref(column)} = any(${values}::text[])`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

/** Hours from the ISO 8601 timestamp in column `from` to the one in `to`, computed by the database
 * (a list of durations then carries numbers, not two texts per row for JavaScript to parse). */
export function hoursBetween(db: Kysely<Database>, from: string, to: string): RawBuilder<number> {
  return isPostgres(db)
    ? sql<number>`extract(epoch from (${sql.ref(to)}::timestamptz - ${sql.ref(from)}::timestamptz)) / 3600`
    : sql<number>`(julianday(${sql.ref(to)}) - julianday(${sql.ref(from)})) * 24`;
}

/** Shards of a dashboard counter on PostgreSQL (migrations 0510 and 2100 split each over these). */
const COUNTER_SHARDS = 64;

/**
 * Adds `by` to a dashboard counter (`dashboard_counters`) in this transaction, as the counters'
 * triggers do: on PostgreSQL into this connection's shard, on SQLite into its one row. For a count
 * that a whole batch enters at once, where a trigger per row would cost a statement journal each.
 */
export async function addToCounter(trx: Tx, name: string, by: number): Promise<void> {
  if (by === 0) return;
  if (isPostgres(trx)) {
    await sql`insert into dashboard_counters (name, shard, n) values (${name}, ${sql.raw(`pg_backend_pid() % ${COUNTER_SHARDS}`)}, ${by})
      on conflict (name, shard) do update set n = dashboard_counters.n + excluded.n`.execute(trx);
  } else {
    await sql`update dashboard_counters set n = n + ${by} where name = ${name}`.execute(trx);
  }
}

/** Bind parameters per statement on PostgreSQL; a multi-row INSERT takes as many rows as fit. */
const PG_MAX_PARAMETERS = 65_535;
const bulkStatements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/**
 * Inserts many rows of one table inside the open write transaction; every row has the same
 * columns as the first. SQLite: one cached prepared statement run per row on the writer's own
 * handle (Kysely would compile, and SQLite re-prepare, a large multi-row INSERT for every call,
 * which costs more than the inserts); PostgreSQL: multi-row INSERTs in chunks. A constraint
 * violation throws the driver's error; the transaction then writes nothing.
 */
export async function insertRows<T extends keyof Database & string>(
  trx: Tx,
  table: T,
  rows: Array<Insertable<Database[T]>>,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]) as Array<keyof (typeof rows)[number]>;
  const handle = rawHandles.get(trx);
  const write = queueing.get(trx);
  if (write && rows.length <= DEFER_ROWS) {
    // PostgreSQL: sent with the next statement or the commit; an error surfaces there.
    const text = insertStatement(table, columns as string[], rows as Array<Record<string, unknown>>);
    if (text !== null) {
      write.deferred.push(text);
      return;
    }
  }
  if (!handle) {
    const chunk = Math.max(1, Math.floor(PG_MAX_PARAMETERS / columns.length));
    for (let i = 0; i < rows.length; i += chunk) {
      // Kysely cannot relate a generic table name to its row type; the signature above does.
      await trx
        .insertInto(table)
        .values(rows.slice(i, i + chunk) as never)
        .execute();
    }
    return;
  }
  // Positional parameters: binding by name costs a property lookup per column per row. Rows go
  // MULTI_ROWS to a statement while that many remain (SQLite's step, reset and statement journal
  // per statement are then paid once per chunk, about a fifth of a wide row's insert), the rest one
  // by one; one array of values per statement shape, as run() binds them before it returns.
  const width = columns.length;
  let index = 0;
  if (rows.length >= MULTI_ROWS) {
    const many = bulkStatement(handle, table, columns as string[], MULTI_ROWS);
    const values: unknown[] = new Array(width * MULTI_ROWS);
    for (; index + MULTI_ROWS <= rows.length; index += MULTI_ROWS) {
      let k = 0;
      for (let r = index; r < index + MULTI_ROWS; r++) {
        const row = rows[r];
        for (let c = 0; c < width; c++) values[k++] = row[columns[c]];
      }
      many.run(values);
    }
  }
  if (index === rows.length) return;
  const one = bulkStatement(handle, table, columns as string[], 1);
  const values: unknown[] = new Array(width);
  for (; index < rows.length; index++) {
    const row = rows[index];
    for (let c = 0; c < width; c++) values[c] = row[columns[c]];
    one.run(values);
  }
}

/** Rows per statement of a SQLite bulk insert (insertRows), when at least that many remain. */
export const MULTI_ROWS = 64;

/** The writer's cached INSERT of `count` rows of `columns` into `table`. */
function bulkStatement(handle: SQLite.Database, table: string, columns: string[], count: number): SQLite.Statement {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return preparedOnce(
    bulkStatements,
    handle,
    `insert into ${table} (${columns.join(', ')}) values ${count === 1 ? tuple : Array(count).fill(tuple).join(', ')}`,
  );
}

/** `text` prepared on `handle` once, kept in `cache` by its text. */
function preparedOnce(
  cache: WeakMap<SQLite.Database, Map<string, SQLite.Statement>>,
  handle: SQLite.Database,
  text: string,
): SQLite.Statement {
  const statements = cache.get(handle) ?? cache.set(handle, new Map()).get(handle);
  let statement = statements?.get(text);
  if (!statement) {
    statement = handle.prepare(text);
    statements?.set(text, statement);
  }
  return statement;
}

/** What `rowsByKeys` looks up: `columns` of `table` where `key` is one of `keys` and `scope[0]`
 * equals `scope[1]`. Names are the code's own identifiers, never input. */
export interface KeyLookup<T extends keyof Database & string> {
  table: T;
  columns: ReadonlyArray<keyof Database[T] & string>;
  scope: readonly [keyof Database[T] & string, string];
  key: keyof Database[T] & string;
  keys: readonly string[];
}

/**
 * Rows by many keys in one statement, each row an array of `columns` in that order (no object per
 * row), for batches that look up thousands of rows by a unique index (scope, key). The keys drive
 * the join and go as one parameter: SQLite reads them with json_each and probes the index once per
 * key, in a statement prepared once per shape on the writer's handle (an `in (select …)` list first
 * builds a temporary index of the keys; Kysely then makes an object per row); PostgreSQL joins the
 * unnested text array.
 */
export async function rowsByKeys<T extends keyof Database & string>(trx: Tx, lookup: KeyLookup<T>): Promise<unknown[][]> {
  if (lookup.keys.length === 0) return [];
  const { table, columns, scope, key, keys } = lookup;
  if (isPostgres(trx)) {
    const { rows } = await sql<Record<string, unknown>>`select ${sql.join(columns.map((c) => sql.ref(`t.${c}`)))}
      from unnest(${keys}::text[]) as k(value) join ${sql.table(table)} as t
        on ${sql.ref(`t.${scope[0]}`)} = ${scope[1]} and ${sql.ref(`t.${key}`)} = k.value`.execute(trx);
    return rows.map((row) => columns.map((c) => row[c]));
  }
  const text = `select ${columns.map((c) => `t."${c}"`).join(', ')} from json_each(?) as k cross join "${table}" as t
    on t."${scope[0]}" = ? and t."${key}" = k.value`;
  const handle = rawHandles.get(trx);
  if (!handle) {
    const { rows } = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, [JSON.stringify(keys), scope[1]]));
    return rows.map((row) => columns.map((c) => row[c]));
  }
  return preparedOnce(bulkStatements, handle, text).raw(true).all(JSON.stringify(keys), scope[1]) as unknown[][];
}

/** The better-sqlite3 handle behind each Kysely instance a SQLite store hands out (reader, writer). */
const kyselyHandles = new WeakMap<Kysely<Database>, SQLite.Database>();
const readStatements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/**
 * Runs a compiled read outside any transaction and returns its rows. SQLite: a prepared statement
 * (one per SQL text) straight on the connection, for the small reads every request makes (the auth
 * epoch): Kysely's executor and connection mutex cost more than the primary-key read itself. When the
 * connection is inside a transaction (the in-memory store, whose reader is the writer), the read
 * waits for it through Kysely as any other. PostgreSQL: Kysely.
 */
export async function readCompiled<R>(db: Kysely<Database>, query: CompiledQuery<R>): Promise<R[]> {
  const handle = kyselyHandles.get(db);
  if (!handle || handle.inTransaction) return (await db.executeQuery(query)).rows;
  return preparedOnce(readStatements, handle, query.sql).all(query.parameters as unknown[]) as R[];
}

// int8 and numeric come back from pg as strings; our ids and counts fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** The better-sqlite3 handle behind a SQLite write transaction, for prepared-statement hot paths. */
const rawHandles = new WeakMap<Tx, SQLite.Database>();

/** PostgreSQL write transactions that queue their events (not sequenced), and whether they did. */
const queueing = new WeakMap<Tx, PgWrite>();

/** A PostgreSQL write transaction in progress: statements not sent yet, sent with the next query. */
interface PgWrite {
  queued: boolean;
  /** The auth epoch the first message checks (CallerCheck), if the request's caller is unchecked. */
  epoch: number | undefined;
  /** Statements whose results nobody reads (small inserts), sent with the next query that has
   * parameters (one round trip more), or with the commit (none more); `start transaction` and the
   * caller check go before them in the first message. */
  deferred: string[];
  /** Whether anything reached the server: then the transaction must end there. */
  begun: boolean;
  /** Taken at the first statement that must reach the server: a write that sends nothing before
   * its commit (a blind write) never holds one; its commit goes in a combined transaction. */
  client: pg.PoolClient | null;
  /** The connection on its way (queries of one write may ask at once: one connection for all). */
  connecting?: Promise<pg.PoolClient>;
  /** The caller check in the first message failed: the auth epoch moved. */
  callerMoved: boolean;
  /** Set when the final message integrated the write's own events (a lone write): how many. */
  integratedInline?: number;
  /** A blind write committed in a combined transaction: answered at the commit, its events queued
   * (the integrator's round that the transaction asked for integrates them). */
  answeredQueued?: boolean;
}

/**
 * A request's caller taken from memory under auth epoch `epoch` (accounts/actors.ts), not checked
 * against the database yet (server/caller-check.ts). On PostgreSQL the request's first write
 * checks it inside its transaction, in the message that begins it: when the epoch moved the write
 * fails with CallerMoved and writes nothing, and the request resolves its caller again.
 */
export interface CallerCheck {
  readonly epoch: number;
  /** A write carrying the check committed: the caller held when the request wrote. */
  checked: boolean;
  /** A write found the epoch moved (it wrote nothing). */
  moved: boolean;
  /** Cleared when the request's handler is done: writes it leaves running carry no check. */
  active: boolean;
}

const callerChecks = new AsyncLocalStorage<CallerCheck>();

/** Runs `fn` (a request's handler) with its writes checking `check` (PostgreSQL). */
export function runCheckingCaller<T>(check: CallerCheck, fn: () => Promise<T>): Promise<T> {
  return callerChecks.run(check, fn);
}

/** A write refused because the auth epoch moved after the request took its caller from memory. */
export class CallerMoved extends Error {
  constructor() {
    super('the auth epoch moved after the caller was resolved: resolve it again');
    this.name = 'CallerMoved';
  }
}

/** SQLSTATE of proofline_auth_epoch_is (migration 20261201_0910) when the epoch moved. */
const EPOCH_MOVED = 'PLA01';

function uncheckedCaller(): CallerCheck | undefined {
  const check = callerChecks.getStore();
  return check?.active && !check.checked ? check : undefined;
}

/** Inserts of at most this many rows are sent with the next statement rather than on their own. */
const DEFER_ROWS = 100;

/** Whether appends in this transaction go to the ledger's queue (ledger/ledger.service.ts): a
 * PostgreSQL write transaction that is not sequenced. */
export function appendsToQueue(trx: Tx): boolean {
  return queueing.has(trx);
}

/** ledger/ only: this transaction queued events, so its caller waits for their integration. */
export function markQueued(trx: Tx): void {
  const state = queueing.get(trx);
  if (state) state.queued = true;
}

/** Whether this transaction may read the tree head as final: SQLite's, or a sequenced one. */
export function isSequenced(trx: Tx): boolean {
  return !queueing.has(trx);
}

export function sqliteHandleOf(trx: Tx): SQLite.Database | undefined {
  return rawHandles.get(trx);
}
const MAX_GROUP = 512;

interface Job {
  fn: (trx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function openSqlite(file: string, readonly: boolean): SQLite.Database {
  const handle = new SQLite(file, { readonly: false });
  handle.pragma('journal_mode = WAL');
  // The writer's commits are made durable by walSyncer below (an fsync of the WAL off the main
  // thread before anyone is answered); SQLite itself syncs the WAL before every checkpoint.
  handle.pragma(file === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  handle.pragma('busy_timeout = 10000');
  handle.pragma('foreign_keys = ON');
  // The writer's statement and savepoint journals (a group commit runs each job in a savepoint)
  // stay in memory: past 64 KiB SQLite spills them to a temporary file, which cost an open, a
  // write per page touched and an unlink per group (about 0.17 ms of system CPU per create with
  // 16 clients). They hold the pages one job changes. (The writer's temporary sort tables live in
  // memory too; its queries are the use cases' small ones, reports and exports read on the reader.)
  if (!readonly) handle.pragma('temp_store = MEMORY');
  if (readonly) handle.pragma('query_only = ON');
  return handle;
}

/**
 * Durability for the SQLite writer: after a group commits (WAL frames written, not yet synced), the
 * WAL file is fsynced and only then are the group's callers answered.
 *
 * When others wait for the writer, the fsync runs on libuv's thread pool: meanwhile the server
 * keeps parsing requests and running the next group, and groups that commit while an fsync runs
 * share the one fsync queued behind it. When nobody else waits (`alone`: the group holds every
 * pending write, none is queued and no fsync is running), the fsync runs on the main thread: there
 * is nothing to overlap it with, and the hand-off to the pool and back (a futex wake-up, a thread
 * switch, an eventfd and an epoll wake-up, each on a cold core) cost about a tenth of a sequential
 * create's CPU (issue 9: 2.03 -> 1.82 ms in one process, blocks alternated, 12 rounds).
 */
function walSyncer(file: string, syncWal?: () => Promise<void>): { durable(alone: boolean): Promise<void>; close(): Promise<void> } {
  if (file === ':memory:') return { durable: async () => {}, close: async () => {} };
  // A plain descriptor and the callback fsync: FileHandle.sync() cost each commit a promise chain
  // of its own (about 2% of the server's CPU per sequential create).
  let fd: number | null = null;
  let syncing: Promise<void> | null = null;
  let waiting: Promise<void> | null = null;
  const walFd = (): number => {
    fd ??= fs.openSync(`${file}-wal`, 'r');
    return fd;
  };
  const fsyncWal = (): Promise<void> =>
    new Promise((resolve, reject) => {
      fs.fsync(walFd(), (error) => (error ? reject(error) : resolve()));
    });
  const startSync = (): Promise<void> => {
    const run: Promise<void> = (syncWal ?? fsyncWal)().finally(() => {
      if (syncing === run) syncing = null;
    });
    syncing = run;
    return run;
  };
  return {
    durable(alone) {
      // An injected syncWal (crash tests) is always awaited as given.
      if (alone && !syncing && !waiting && !syncWal) {
        try {
          fs.fsyncSync(walFd());
          return Promise.resolve();
        } catch (error) {
          return Promise.reject(error);
        }
      }
      if (!syncing) return startSync();
      waiting ??= syncing
        .catch(() => undefined)
        .then(() => {
          waiting = null;
          return startSync();
        });
      return waiting;
    },
    async close() {
      await Promise.allSettled([syncing, waiting]);
      if (fd !== null) fs.closeSync(fd);
    },
  };
}

const STATEMENT_CACHE_SIZE = 500;

/** Kysely's SQLite driver prepares every query anew; preparing costs more than running a small
 * query, so the handle Kysely sees keeps the most recent prepared statements by SQL text.
 * (Nothing here streams through Kysely, so a cached statement is never busy when reused.) */
function cachingStatements(handle: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => handle.close(),
    prepare(query: string) {
      let statement = cache.get(query);
      if (statement) {
        cache.delete(query); // re-inserted below: most recently used last
      } else {
        statement = handle.prepare(query);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(query, statement);
      return statement as unknown as SqliteStatement;
    },
  };
}

export interface SqliteStoreOptions {
  /** Makes the committed WAL durable; no caller of a group is answered before it resolves, and a
   * rejection rejects them all. Defaults to an fsync of FILE-wal on libuv's thread pool. Tests
   * inject one they control: a crash test cannot see a missing fsync, the OS keeps the pages. */
  syncWal?: () => Promise<void>;
}

export function createSqliteStore(file: string, options: SqliteStoreOptions = {}): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const writerHandle = openSqlite(file, false);
  const writer = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(writerHandle) }) });
  const readerHandle = file === ':memory:' ? writerHandle : openSqlite(file, true);
  const reader =
    readerHandle === writerHandle
      ? writer
      : new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(readerHandle) }) });
  kyselyHandles.set(writer, writerHandle);
  kyselyHandles.set(reader, readerHandle);

  const queue: Job[] = [];
  let draining = false;
  const wal = walSyncer(file, options.syncWal);
  const checkpoints = checkpointer(file, writerHandle);
  const unsettled = new Set<Promise<void>>();
  const groupListeners: Array<(size: number) => void> = [];
  let pending = 0;

  // Transaction control goes straight to the handle: it is the connection Kysely uses, and these
  // statements run several times per group, where Kysely's compile step would be pure overhead.
  // Prepared once: exec() would parse the SQL anew at every job's savepoint and release.
  const control = {
    begin: writerHandle.prepare('begin immediate'),
    commit: writerHandle.prepare('commit'),
    rollback: writerHandle.prepare('rollback'),
    savepoint: writerHandle.prepare('savepoint job'),
    release: writerHandle.prepare('release job'),
    rollbackToSavepoint: writerHandle.prepare('rollback to job'),
  };
  async function runGroup(group: Job[]): Promise<void> {
    const outcomes: Array<{ ok: boolean; value: unknown }> = [];
    try {
      await writer.connection().execute(async (conn) => {
        rawHandles.set(conn, writerHandle);
        control.begin.run();
        try {
          if (group.length === 1) {
            outcomes.push({ ok: true, value: await group[0].fn(conn) });
          } else {
            for (const job of group) {
              control.savepoint.run();
              try {
                const value = await job.fn(conn);
                control.release.run();
                outcomes.push({ ok: true, value });
              } catch (error) {
                control.rollbackToSavepoint.run();
                control.release.run();
                outcomes.push({ ok: false, value: error });
              }
            }
          }
          control.commit.run();
        } catch (error) {
          if (writerHandle.inTransaction) control.rollback.run();
          throw error;
        }
      });
    } catch (error) {
      // A lone job's own error, or a failed commit: nothing of the group was written.
      for (const job of group) job.reject(error);
      return;
    }
    checkpoints.afterCommit();
    for (const listener of groupListeners) listener(group.length);
    // Answer only once the commit is on disk; the next group need not wait for that.
    // Alone: this group holds every write asked for so far (none queued behind it).
    const settle = wal.durable(pending === group.length && queue.length === 0).then(
      () =>
        group.forEach((job, i) => {
          if (outcomes[i].ok) job.resolve(outcomes[i].value);
          else job.reject(outcomes[i].value);
        }),
      (error: unknown) => {
        for (const job of group) job.reject(error);
      },
    );
    unsettled.add(settle);
    void settle.finally(() => unsettled.delete(settle));
  }

  // Started on the next turn of the event loop, and yielding one turn after each commit, so that
  // writes arriving meanwhile (requests parsed in the same I/O phase, callers continuing after
  // their previous commit) join the next group instead of each paying for its own fsync.
  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        await runGroup(queue.splice(0, MAX_GROUP));
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      draining = false;
    }
  }

  return {
    dialect: 'sqlite',
    db: reader,
    writer,
    sqlite: writerHandle,
    pgPool: null,
    listen: async () => null,
    pendingWrites: () => pending,
    onGroupCommit: (listener) => void groupListeners.push(listener),
    onIntegration: () => {},
    roundsLedBy: () => {}, // every write is sequenced here: no rounds
    transact<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
      pending += 1;
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      }).finally(() => {
        pending -= 1;
      });
    },
    async close() {
      while (draining || queue.length > 0) await new Promise((r) => setTimeout(r, 5));
      await Promise.allSettled([...unsettled]);
      await wal.close();
      await checkpoints.close();
      if (reader !== writer) await reader.destroy();
      await writer.destroy();
    },
  };
}

/** SQLSTATEs after which a write transaction is simply run again: it wrote nothing. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

const PG_BEGIN = 'start transaction isolation level serializable';
const epochCheck = (epoch: number) => `select proofline_auth_epoch_is(${epoch})`;
/** The first message's opening: the transaction and, for a caller taken from memory, its check. */
const openingOf = (epoch: number | undefined) => (epoch === undefined ? [PG_BEGIN] : [PG_BEGIN, epochCheck(epoch)]);
const VALUES = ') values ';

/** The statement's `insert into table (columns) values ` when it is one of insertRows' (whose
 * table and column names never hold that text), else null. */
function insertPrefix(statement: string): string | null {
  if (!statement.startsWith('insert into ')) return null;
  const at = statement.indexOf(VALUES);
  return at < 0 ? null : statement.slice(0, at + VALUES.length);
}

/** The deferred inserts of the blind writes in a combined transaction. When every write made the
 * same inserts in the same order (creates of one kind), each position becomes one multi-row INSERT
 * carrying the writes' rows in their order, so PostgreSQL parses and plans it once; otherwise each
 * write's statements, one write after another. */
export function combinedInserts(writes: ReadonlyArray<readonly string[]>): string[] {
  const first = writes[0] ?? [];
  const prefixes = first.map(insertPrefix);
  const sameShape =
    writes.length > 1 &&
    prefixes.every((p) => p !== null) &&
    writes.every((w) => w.length === first.length && w.every((statement, k) => statement.startsWith(prefixes[k] as string)));
  if (!sameShape) return writes.flat();
  return prefixes.map((prefix, k) => (prefix as string) + writes.map((w) => w[k].slice((prefix as string).length)).join(', '));
}

/** Combined transactions of blind writes on their way at once from one process, and writes in one
 * (createPostgresStore). One at a time: the next carries every write that arrived meanwhile, and
 * larger transactions cost less per write (16 clients, one instance, when each also took the ledger
 * lock and integrated: 1,779 creates/s and 0.32 ms of PostgreSQL CPU per create with one; 1,611/s
 * and 0.41 ms with two; 1,094/s with three). */
const COMBINED_IN_FLIGHT = 1;
const COMBINED_WRITES = 64;

const MAX_ATTEMPTS = 30;

const isRetryable = (error: unknown) => RETRYABLE.has((error as { code?: string } | null)?.code ?? '');

/** How long after the first blind commit it left to the leader's rounds (roundsLedBy) a process
 * runs a round itself, unless a read of its own asked for one sooner: the integration lag of a
 * follower's writes stays within this and a round's spacing even when the leader is idle. */
const FOLLOWER_ROUND_MS = 50;
/** The last ledger_queue id this session drew (the identity column's sequence). */
const LAST_QUEUED_STATEMENT = "select currval('ledger_queue_id_seq') as last_queued";

/** The integrator's round spacings and sweep (ROUND_SPACING_MS, READ_SPACING_MS, SWEEP_MS) and
 * FOLLOWER_ROUND_MS, for tests. */
export type PgRoundTiming = Pick<IntegratorOptions, 'roundSpacingMs' | 'readSpacingMs' | 'sweepMs'> & { followerRoundMs?: number };

export function createPostgresStore(url: string, poolSize = 10, timing: PgRoundTiming = {}): Store {
  const { followerRoundMs = FOLLOWER_ROUND_MS, ...spacing } = timing;
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // Blind writes are answered at their commit, before their events are integrated (below). The
  // round that integrates every one answered so far: reads of this process wait for it first, so a
  // caller who was answered reads the ledger with their events in it (read-your-writes, per process).
  // Only the round asked for last is waited for: it covers every write answered before the read
  // began (rounds run one after another), and under a steady load a newer one is always coming.
  let integrating: Promise<void> | null = null;
  const caughtUp = async (): Promise<void> => {
    askForLeftRound();
    if (checkingLeft) await checkingLeft;
    if (!integrating) return;
    integrator.readWaits();
    await integrating;
  };
  // Through `db`, a statement that reads the ledger (it names a `ledger_` table, the only tables a
  // round writes) and every transaction (sequenced writes run there; they wait at their `begin`,
  // before their snapshot and the ledger lock) first wait for that round. Other reads do not: the
  // rows of an answered write are committed, and only its events' place in the tree may be coming
  // (16 clients creating on one instance: a GET of a system waited 51-54 ms for the round when
  // every read waited, against 3.3-4.3 ms on SQLite). A connection is taken from the pool only
  // after the wait, so waiting statements hold none.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        async connect() {
          return waitingReadConnection();
        },
        end: () => pool.end(),
      } as unknown as pg.Pool,
    }),
  });
  const waitingReadConnection = () => {
    // One client for every statement of this connection, also when several are asked at once.
    let client: Promise<pg.PoolClient> | null = null;
    let inTransaction = false;
    return {
      query: async (text: string, values?: unknown[]) => {
        if (typeof text !== 'string')
          throw new Error('streamed reads are not supported through the store (a connection of its own: pgPool)');
        if (!inTransaction) {
          const opens = /^(begin|start transaction)\b/i.test(text);
          if (opens || text.includes('ledger_')) await caughtUp();
          inTransaction = opens;
        } else if (/^(commit|rollback)\b/i.test(text)) inTransaction = false;
        client ??= pool.connect();
        return (await client).query(text, values);
      },
      release: () => {
        client?.then((c) => c.release()).catch(() => {});
        client = null;
      },
    };
  };
  // Write transactions run through this Kysely: its "pool" hands out the connection of the write
  // in progress, whose queries first send what the write deferred (PgWrite), in the same message.
  const writing = new AsyncLocalStorage<PgWrite>();
  const flush = async (write: PgWrite, client: pg.PoolClient): Promise<pg.QueryResult | pg.QueryResult[] | undefined> => {
    if (write.begun && write.deferred.length === 0) return undefined;
    const text = (write.begun ? write.deferred : [...openingOf(write.epoch), ...write.deferred]).join(';\n');
    write.deferred = [];
    write.begun = true;
    try {
      return await client.query(text);
    } catch (error) {
      // Noted here: the use case may catch and translate the error it sees at its next query.
      if ((error as { code?: string }).code === EPOCH_MOVED) write.callerMoved = true;
      throw error;
    }
  };
  const connectionOf = (write: PgWrite): Promise<pg.PoolClient> => {
    write.connecting ??= pool.connect().then((client) => {
      write.client = client;
      return client;
    });
    return write.connecting;
  };
  const writeDb = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        async connect() {
          const write = writing.getStore();
          if (!write) throw new Error('a write connection is asked for outside a write transaction');
          return {
            query: async (text: string, values?: unknown[]) => {
              // A write that reads does so after this process's answered writes are integrated.
              if (!write.begun) await caughtUp();
              const client = await connectionOf(write);
              await flush(write, client);
              return client.query(text, values);
            },
            release: () => {},
          };
        },
        end: async () => {},
      } as unknown as pg.Pool,
    }),
  });
  const groupListeners: Array<(size: number) => void> = [];
  const integrationListeners: Array<(round: IntegrationRound) => void> = [];
  /** Final messages (with the commit) of write transactions, sent and not answered yet. */
  const committing = new Set<Promise<unknown>>();
  const roundDone = (round: IntegrationRound) => {
    for (const listener of groupListeners) listener(round.events);
    for (const listener of integrationListeners) listener(round);
  };
  const integrator = new LedgerIntegrator(url, roundDone, {
    ...spacing,
    commitsInFlight: () => (committing.size === 0 ? null : Promise.allSettled(committing)),
  });
  let pending = 0;

  /** Under the ledger lock from the first statement: appends go straight into the tree. */
  const sequenced = async <T>(fn: (trx: Tx) => Promise<T>) => {
    const check = uncheckedCaller();
    const result = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`.execute(trx);
      if (check) {
        try {
          await sql`select proofline_auth_epoch_is(${check.epoch})`.execute(trx);
        } catch (error) {
          if ((error as { code?: string }).code !== EPOCH_MOVED) throw error;
          check.moved = true;
          throw new CallerMoved();
        }
      }
      return fn(trx);
    });
    if (check) check.checked = true;
    return result;
  };

  /** A write's final message when it commits on its own connection: whatever it deferred, then
   * (a lone write) its own integration round, then the commit. */
  async function commitAlone(write: PgWrite, inline: boolean): Promise<void> {
    const client = await connectionOf(write);
    if (inline) write.deferred.push(INLINE_ROUND_STATEMENT);
    write.deferred.push('commit');
    const commit = flush(write, client);
    committing.add(commit);
    try {
      const answer = await commit;
      if (inline) {
        const results = Array.isArray(answer) ? answer : [answer];
        const integrated = Number(results[results.length - 2]?.rows[0]?.integrated ?? -1);
        if (inlineRoundDrained(integrated)) write.integratedInline = integrated;
      }
    } finally {
      committing.delete(commit);
    }
  }

  // Combined commits (issue 13). A blind write (its use case sent nothing before its commit: a
  // create's inserts, all deferred) read nothing, so its statements do the same whatever commits
  // beside them. Blind writes that reach their commit while a combined transaction of this process
  // is on its way wait, and the next one carries all of them: one message, one SERIALIZABLE
  // transaction, one commit and WAL flush. It does not take the ledger lock: its events go to the
  // queue, as any write's, and the writes are answered at its commit, durable, before their events
  // are integrated. The transaction asks this process's integrator for a round, and every read of
  // this process waits for that round (caughtUp), so the lock's holders (rounds, sequenced writes)
  // never delay an answer, and two instances' blind writes commit side by side. When the
  // transaction fails (a constraint, a moved auth epoch, a serialization failure), each of its
  // writes commits alone instead, as it would have without the combining, and meets its own outcome.
  interface Blind {
    write: PgWrite;
    resolve: () => void;
    reject: (error: unknown) => void;
  }
  const blindWaiting: Blind[] = [];
  let combinedInFlight = 0;

  const commitBlind = (write: PgWrite): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      blindWaiting.push({ write, resolve, reject });
      sendCombined();
    });

  function sendCombined(): void {
    while (blindWaiting.length > 0 && combinedInFlight < COMBINED_IN_FLIGHT) {
      const blinds = blindWaiting.splice(0, COMBINED_WRITES);
      combinedInFlight += 1;
      const sent = commitCombined(blinds)
        .catch((error: unknown) => {
          for (const blind of blinds) blind.reject(error);
        })
        .finally(() => {
          committing.delete(sent);
          combinedInFlight -= 1;
          sendCombined();
        });
      committing.add(sent);
    }
  }

  /** Asks the integrator for a round that integrates everything committed so far; reads wait for it. */
  const askForRound = (since?: number): void => {
    const round: Promise<void> = integrator
      .integrateSoon(since)
      .catch(() => {
        // The database is away: the events stay queued (durable) and the sweep integrates them
        // later; reads no longer wait for them.
      })
      .finally(() => {
        if (integrating === round) integrating = null;
      });
    integrating = round;
  };

  // Rounds led by one process of the cluster (roundsLedBy). A round costs a transaction, the
  // ledger lock and a WAL flush whatever its size, and every process's rounds integrate the whole
  // queue: with each of two instances asking for its own, they took turns at the lock and each
  // integrated about half as much (16 clients on two instances, a scratch build in which the second
  // instance ran no rounds, alternated six times: 2,616 / 1,804 / 2,034 / 1,479 / 1,054 / 1,409
  // creates/s against 2,170 / 1,660 / 1,809 / 1,107 / 870 / 1,862 with every instance running them).
  // A follower's blind commits are left to the leader's rounds. The first of them starts a timer
  // (FOLLOWER_ROUND_MS); when it fires, the follower looks whether any queue row up to the last id
  // its commits drew is still there (one primary-key probe) and runs a round only then. A read of
  // the follower (caughtUp) asks for the round at once, so a caller still reads their own writes
  // in the tree.
  let leadsRounds: () => boolean = () => true;
  let leftToLeader: { since: number; timer: NodeJS.Timeout; lastQueued: bigint } | null = null;
  let checkingLeft: Promise<void> | null = null;
  const askForLeftRound = (): void => {
    if (!leftToLeader) return;
    clearTimeout(leftToLeader.timer);
    const { since } = leftToLeader;
    leftToLeader = null;
    askForRound(since);
  };
  const checkLeft = async (): Promise<void> => {
    const left = leftToLeader;
    if (!left) return;
    leftToLeader = null;
    try {
      const { rows } = await pool.query<{ waiting: boolean }>('select exists (select 1 from ledger_queue where id <= $1) as waiting', [
        left.lastQueued.toString(),
      ]);
      if (!rows[0].waiting) return; // the leader's rounds took in everything this process left
    } catch {
      // The database is away: ask for the round, which retries (and the sweep after it).
    }
    askForRound(left.since);
  };
  const afterBlindCommit = (lastQueued: bigint): void => {
    if (leadsRounds()) {
      askForRound();
      return;
    }
    if (leftToLeader) {
      if (lastQueued > leftToLeader.lastQueued) leftToLeader.lastQueued = lastQueued;
      return;
    }
    const timer = setTimeout(() => {
      const check = checkLeft().finally(() => {
        if (checkingLeft === check) checkingLeft = null;
      });
      checkingLeft = check;
    }, followerRoundMs);
    timer.unref();
    leftToLeader = { since: performance.now(), timer, lastQueued };
  };

  /** The combined transaction's message; when it queues events, it also asks for the last queue id
   * it drew (its rows have ids up to that one), just before the commit. */
  const combinedText = (writes: readonly PgWrite[]): string => {
    const epochs = [...new Set(writes.map((w) => w.epoch).filter((e) => e !== undefined))];
    const lastQueued = writes.some((w) => w.queued) ? [LAST_QUEUED_STATEMENT] : [];
    return [PG_BEGIN, ...epochs.map(epochCheck), ...combinedInserts(writes.map((w) => w.deferred)), ...lastQueued, 'commit'].join(';\n');
  };

  async function commitCombined(blinds: Blind[]): Promise<void> {
    const writes = blinds.map((b) => b.write);
    const client = await pool.connect();
    let failure: unknown;
    let broken: Error | undefined;
    let answer: pg.QueryResult | pg.QueryResult[] | undefined;
    try {
      answer = await client.query(combinedText(writes));
    } catch (error) {
      failure = error;
      await client.query('rollback').catch((e: Error) => (broken = e));
    } finally {
      client.release(broken);
    }
    if (failure === undefined) {
      for (const write of writes) write.answeredQueued = true;
      if (writes.some((w) => w.queued)) {
        const results = answer as pg.QueryResult[];
        afterBlindCommit(BigInt(results[results.length - 2].rows[0].last_queued));
      }
      for (const blind of blinds) blind.resolve();
      return;
    }
    if (blinds.length === 1) {
      if ((failure as { code?: string }).code === EPOCH_MOVED) writes[0].callerMoved = true;
      blinds[0].reject(failure);
      return;
    }
    // One of them, or the moment, failed the whole: each commits alone and meets its own outcome.
    await Promise.all(blinds.map((blind) => commitAlone(blind.write, false).then(blind.resolve, blind.reject)));
  }

  /** One write: `start transaction` and small inserts wait to go with the next query, on a
   * connection taken then; the commit goes with whatever is still waiting. A write that sent
   * nothing by then (a create) commits in a combined transaction instead, without a connection
   * of its own. */
  async function writeOnce<T>(fn: (trx: Tx) => Promise<T>, write: PgWrite): Promise<T> {
    let broken: Error | undefined;
    try {
      const result = await writing.run(write, () =>
        writeDb.connection().execute(async (conn) => {
          queueing.set(conn, write);
          return fn(conn);
        }),
      );
      // A lone write (nothing else of this process in flight, no round running or waiting)
      // integrates its own events in its final message, before its commit: one transaction and one
      // WAL flush instead of two (migration 20261202_0700), and it is answered with its events in
      // the tree. When the head it read was stale, the statement integrates nothing and the events
      // wait, queued, for a round as usual. A lone blind write goes that way too, unless this
      // process leaves the rounds of blind writes to the leader (roundsLedBy): its own would take
      // the ledger lock beside the leader's; other blind writes commit together (commitBlind).
      const lone = write.queued && pending === 1 && integrator.idle() && combinedInFlight === 0 && (write.begun || leadsRounds());
      if (write.begun || lone) await commitAlone(write, lone);
      else await commitBlind(write);
      return result;
    } catch (error) {
      if (write.begun && write.client) await write.client.query('rollback').catch((e: Error) => (broken = e));
      throw write.callerMoved ? new CallerMoved() : error;
    } finally {
      // A connection still on its way (a use case that failed while one of its queries waited
      // for it) is given back too when it arrives.
      const client = write.connecting ? await write.connecting.catch(() => null) : null;
      client?.release(broken);
      write.client = null;
    }
  }

  /** Beside other writers, SERIALIZABLE, events queued; run again when PostgreSQL cannot order it
   * after the others (it then wrote nothing; `fn` only touches the database, so it may run again).
   * Answered once its events are integrated, or, a blind write, at its combined commit. */
  async function queued<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      // The caller check goes in the first message, before anything the use case reads or writes.
      const check = uncheckedCaller();
      const state: PgWrite = { queued: false, epoch: check?.epoch, deferred: [], begun: false, client: null, callerMoved: false };
      let result: T;
      try {
        result = await writeOnce(fn, state);
        if (check) check.checked = true;
      } catch (error) {
        if (check && error instanceof CallerMoved) check.moved = true;
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
        // Back off a little, more with each attempt, at random: the writers that collided part.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
        continue;
      }
      // Committed: never run again from here on. The events are durable in the queue.
      if (state.integratedInline !== undefined) roundDone({ events: state.integratedInline, lagSeconds: 0 });
      else if (state.queued && !state.answeredQueued) await integrator.integrated();
      return result;
    }
  }

  return {
    dialect: 'postgres',
    db,
    writer: db,
    sqlite: null,
    pgPool: pool,
    async listen(channel, onNotice, onError) {
      // A dedicated connection, held until stop(): a pooled one would stop listening when returned.
      const client = await pool.connect();
      client.on('notification', (message) => {
        if (message.channel === channel && message.payload) onNotice(message.payload);
      });
      client.on('error', onError);
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      return {
        async stop() {
          await client.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {});
          client.release(true);
        },
      };
    },
    pendingWrites: () => pending,
    onGroupCommit: (listener) => void groupListeners.push(listener),
    onIntegration: (listener) => void integrationListeners.push(listener),
    roundsLedBy(isLeader) {
      leadsRounds = isLeader;
    },
    transact<T>(fn: (trx: Tx) => Promise<T>, options?: TransactOptions): Promise<T> {
      pending += 1;
      return (options?.sequenced ? sequenced(fn) : queued(fn)).finally(() => {
        pending -= 1;
      });
    },
    async close() {
      while (pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      askForLeftRound(); // what this process left to the leader is integrated before it stops
      if (checkingLeft) await checkingLeft;
      await integrator.close();
      await writeDb.destroy();
      await db.destroy();
      // Kysely ends the pool only if it used it; raw pool users (ledger verification) need this.
      if (!pool.ended) await pool.end();
    },
  };
}

export function createStore(config: DatabaseConfig): Store {
  return config.kind === 'sqlite' ? createSqliteStore(config.file) : createPostgresStore(config.url);
}

/** Whether an error is a unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs `fn` inside a savepoint of the transaction: when it throws, what it wrote is undone and the
 * transaction stays usable (PostgreSQL aborts a transaction on a failed statement otherwise). */
export async function withSavepoint<T>(trx: Tx, name: string, fn: () => Promise<T>): Promise<T> {
  await sql.raw(`savepoint ${name}`).execute(trx);
  try {
    const result = await fn();
    await sql.raw(`release savepoint ${name}`).execute(trx);
    return result;
  } catch (error) {
    await sql.raw(`rollback to savepoint ${name}`).execute(trx);
    await sql.raw(`release savepoint ${name}`).execute(trx);
    throw error;
  }
}
