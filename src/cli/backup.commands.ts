// `proofline backup FILE`: an online, consistent copy of the SQLite database (the server may run).
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { backupSqlite } from '../db/backup.js';
import { createStore } from '../db/store.js';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite database consistently while the server runs (PostgreSQL: use pg_dump, see README)')
    .argument('<file>', 'where to write the copy (must not exist)')
    .action(async (file: string) => {
      const store = createStore(loadConfig().database);
      try {
        const summary = await backupSqlite(store, file);
        console.log(`Backed up to ${summary.file}: ${summary.bytes} bytes, ${summary.users} users, ${summary.ledgerEvents} ledger events.`);
      } finally {
        await store.close();
      }
    });
}
