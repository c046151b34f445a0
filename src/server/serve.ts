// Starting the server role: migrate, create the first admin, listen, shut down cleanly.

import { ensureAdmin } from '../accounts/users.service.js';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { serverJobs } from '../jobs/jobs.js';
import { type Scheduler, startScheduler } from '../jobs/scheduler.js';
import { createLogger } from '../logger.js';
import { closeServices, createServices, type Services } from '../services.js';
import { buildApp } from './app.js';
import type { App } from './http.js';

export interface RunningServer {
  app: App;
  store: Store;
  services: Services;
  scheduler: Scheduler;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: Config, out: (line: string) => void = console.log): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const store = createStore(config.database);
  await migrateToLatest(store.writer);
  const admin = await ensureAdmin(store, { email: config.adminEmail, password: config.adminPassword });
  if (admin.created) {
    out(`Created the first admin account: ${admin.email}`);
    if (admin.password) out(`One-time password (shown once, change it after signing in): ${admin.password}`);
  }
  const services = await createServices(config, store, {
    onError: (error) => logger.error({ err: error }, 'runtime cache refresh failed'),
  });
  const deps = { store, config, services };
  const app = await buildApp(deps, logger);
  const scheduler = startScheduler(serverJobs(deps), logger);
  const address = await app.listen({ host: config.host, port: config.port });
  out(`Proofline is serving at ${address} (database: ${store.dialect})`);
  let stopped = false;
  return {
    app,
    store,
    services,
    scheduler,
    url: address,
    async stop() {
      if (stopped) return;
      stopped = true;
      await scheduler.stop();
      await app.close();
      await closeServices(services);
      await store.close();
    },
  };
}
