// serve and migrate.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore } from '../db/store.js';
import { startServer } from '../server/serve.js';

export function registerCoreCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the API (and web UI) until stopped')
    .action(async () => {
      const server = await startServer(loadConfig());
      await new Promise<void>((resolve) => {
        const stop = () => void server.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('migrate')
    .description('apply pending database migrations (idempotent)')
    .action(async () => {
      const store = createStore(loadConfig().database);
      try {
        const applied = await migrateToLatest(store.writer);
        console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
      } finally {
        await store.close();
      }
    });
}
