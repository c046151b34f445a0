// Consistent copies of a SQLite database while the server may be writing to it, through SQLite's
// online backup API (a plain file copy could miss committed pages still in the -wal file).
// PostgreSQL is backed up with pg_dump instead (README, Backups).
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { Store } from './store.js';

export interface BackupSummary {
  file: string;
  bytes: number;
  users: number;
  ledgerEvents: number;
}

const ALL_PAGES = 0x7fffffff;

export const PG_DUMP_HINT = 'pg_dump --format=custom --file=FILE "$PROOFLINE_DATABASE_URL"';

export async function backupSqlite(store: Store, file: string): Promise<BackupSummary> {
  if (!store.sqlite) {
    throw new AppError('not_supported', `backup copies SQLite databases; for PostgreSQL run ${PG_DUMP_HINT} (see README, Backups)`);
  }
  const target = path.resolve(file);
  if (fs.existsSync(target)) throw new AppError('conflict', `${target} exists; choose a new file name`, { file: target });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Written next to the target and renamed when complete, so FILE is never a half-written copy.
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    // All remaining pages in one step, inside one read transaction: a copy made in several steps
    // restarts whenever another connection (the server) commits in between, and under steady
    // writes would never finish. In WAL mode the server keeps writing meanwhile.
    await store.sqlite.backup(partial, { progress: () => ALL_PAGES });
    const summary = checkBackup(partial);
    fs.renameSync(partial, target);
    return { file: target, bytes: fs.statSync(target).size, ...summary };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** Opens the copy on its own and checks it before it is given the final name. */
function checkBackup(file: string): { users: number; ledgerEvents: number } {
  const copy = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = copy.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new AppError('internal_error', `the backup failed its integrity check: ${String(integrity)}`);
    const count = (table: string) => (copy.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { users: count('users'), ledgerEvents: count('ledger_events') };
  } finally {
    copy.close();
  }
}
