// serve, migrate and database administration.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { grantAppRole } from '../db/app-role.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore } from '../db/store.js';
import { AppError } from '../errors.js';

export function registerCoreCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the API (and web UI) until stopped')
    .action(async () => {
      // Loaded here, not at the top: every other command would otherwise load the whole HTTP server
      // (Fastify, its plugins, every route) on each start, about half of a command's start-up.
      const { startServer } = await import('../server/serve.js');
      const server = await startServer(loadConfig());
      // SIGTERM / SIGINT: graceful stop (in-flight requests and writes finish, the job lease is
      // released); then the command returns and the process exits.
      await new Promise<void>((resolve, reject) => {
        const stop = () => void server.stop().then(resolve, reject);
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

  program
    .command('db')
    .description('database administration')
    .command('grant-app-role <role>')
    .description('PostgreSQL: let ROLE run the server (read and write) without UPDATE/DELETE/TRUNCATE on ledger tables; run as the owner')
    .action(async (role: string) => {
      const config = loadConfig();
      if (config.database.kind !== 'postgres') throw new AppError('validation_failed', 'grant-app-role applies to PostgreSQL only');
      const store = createStore(config.database);
      try {
        await grantAppRole(store.writer, role);
        console.log(`Granted ${role} the server's privileges; ledger tables are append-only for it.`);
      } finally {
        await store.close();
      }
    });
}
