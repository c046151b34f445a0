// Starting the server role: migrate, create the first admin, take part in the job leader election,
// listen; and stopping it gracefully (SIGTERM): stop accepting, finish in-flight requests and group
// commits, release the job lease, close. Every log line is JSON (pino on stdout); the first admin's
// one-time password is the one thing written elsewhere: to stderr, once, never through the logger.

import { ensureAdmin } from '../accounts/users.service.js';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createStore, type Store } from '../db/store.js';
import { serverJobs } from '../jobs/jobs.js';
import { type Leadership, startLeadership } from '../jobs/leader.js';
import { type Scheduler, startScheduler } from '../jobs/scheduler.js';
import { createLogger } from '../logger.js';
import { closeServices, createServices, type Services } from '../services.js';
import { buildApp } from './app.js';
import type { App } from './http.js';
import { jobObserver } from './metrics.js';

export interface RunningServer {
  app: App;
  store: Store;
  services: Services;
  scheduler: Scheduler;
  leadership: Leadership;
  url: string;
  /** Graceful: stops accepting, finishes in-flight requests and writes, releases the job lease. */
  stop(): Promise<void>;
}

/** How long a graceful stop waits for requests in flight before cutting their connections. */
const SHUTDOWN_GRACE_MS = 30_000;

const stderr = (text: string) => void process.stderr.write(text);

/** `secretOut` receives the one-time admin password notice (stderr by default; tests silence it). */
export async function startServer(config: Config, secretOut: (text: string) => void = stderr): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const store = createStore(config.database);
  const applied = await migrateToLatest(store.writer);
  if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
  const admin = await ensureAdmin(store, { email: config.adminEmail, password: config.adminPassword });
  if (admin.created) {
    logger.info({ email: admin.email, oneTimePasswordOnStderr: admin.password !== null }, 'created the first admin account');
    if (admin.password) {
      secretOut(
        `\n===== PROOFLINE ONE-TIME ADMIN PASSWORD: shown once, not logged; change it after signing in =====\n` +
          `${admin.email}: ${admin.password}\n` +
          `===== END OF ONE-TIME ADMIN PASSWORD =====\n\n`,
      );
    }
  }
  const services = await createServices(config, store, {
    onError: (error) => logger.error({ err: error }, 'runtime cache refresh failed'),
  });
  const { metrics } = services;
  const deps = { store, config, services };
  const app = await buildApp(deps, logger);
  const leadership = startLeadership(store, {
    ttlMs: config.jobLeaseTtlSeconds * 1000,
    logger,
    onChange: (leader) => metrics.jobLeader.set(leader ? 1 : 0),
  });
  // The job leader also leads the integration rounds of blind writes (db/store.ts).
  store.roundsLedBy(leadership.isLeader);
  const scheduler = startScheduler(serverJobs(deps), logger, {
    mayRun: leadership.isLeader,
    observe: jobObserver(metrics),
  });
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address, database: store.dialect, jobLeaseHolder: leadership.holder }, 'Proofline is serving');
  let stopping: Promise<void> | null = null;
  return {
    app,
    store,
    services,
    scheduler,
    leadership,
    url: address,
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down: no new requests; finishing those in flight');
        // app.close stops listening, answers 503 on kept-alive connections and waits for the
        // requests in flight; meanwhile no job starts, running ones finish, and the lease is freed.
        // A kept-alive connection whose request finishes during the close would otherwise stay
        // open until its keep-alive timeout: close each as soon as it is idle. Past the grace
        // period, whatever is still open is cut.
        const closeIdle = setInterval(() => app.server.closeIdleConnections(), 100);
        const cutOff = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        try {
          await Promise.all([app.close(), scheduler.stop().then(() => leadership.stop())]);
        } finally {
          clearInterval(closeIdle);
          clearTimeout(cutOff);
        }
        await closeServices(services);
        // Waits for queued writes and their group commits (and the WAL fsync) to finish.
        await store.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
