// Prometheus metrics (prom-client), one registry per server (app): HTTP request rates and
// latencies by route, the write queue and group commits, the ledger's size and how far it runs ahead
// of its last signed checkpoint, job runs and failures and who leads them, the outbox backlog, and
// how fresh the runtime status cache is. Values read from the database are read at scrape time.
// Served at GET /metrics to a bearer of PROOFLINE_METRICS_TOKEN only (not served without one).
import { timingSafeEqual } from 'node:crypto';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../db/store.js';
import { AppError } from '../errors.js';
import type { RuntimeCache } from '../modules/oversight/runtime-cache.js';
import type { App, AppDeps } from './http.js';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Histogram<'method' | 'route' | 'status_code'>;
  readonly jobRuns: Counter<'job'>;
  readonly jobFailures: Counter<'job'>;
  readonly jobDuration: Histogram<'job'>;
  /** 1 while this process holds the job lease. */
  readonly jobLeader: Gauge;
  readonly runtimeCacheRefreshFailures: Counter;
}

const secondsSince = (iso: string, now = Date.now()) => Math.max(0, (now - Date.parse(iso)) / 1000);

/** A gauge read at scrape time; a failed read leaves the series out instead of failing the scrape. */
function gaugeFrom(registry: Registry, name: string, help: string, read: () => Promise<number | null> | number | null): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.reset();
      const value = await Promise.resolve()
        .then(read)
        .catch(() => null);
      if (value !== null) this.set(value);
    },
  });
}

let processMetrics: Registry | null = null;

/** The process's own metrics (CPU, memory, handles, event-loop lag, GC): collected once per process,
 * however many apps it builds. prom-client's collectors watch GC and the event loop for the life of
 * the process and cannot be stopped, so each app collecting its own left a GC observer and a 10 ms
 * event-loop timer behind when it closed; a test process builds dozens of apps. */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: 'proofline_' });
  }
  return processMetrics;
}

/** `runtimeCache` is asked at scrape time (the cache starts after the registry, to count its failures). */
export function createMetrics(store: Store, runtimeCache: () => RuntimeCache | null): Metrics {
  // This app's instruments; what it serves is them and the process's metrics (see the end).
  const registry = new Registry();

  const metrics: Metrics = {
    registry,
    httpRequests: new Histogram({
      name: 'proofline_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status: count (rate) and latency',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'proofline_job_runs_total',
      help: 'Periodic job runs started here',
      labelNames: ['job'],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'proofline_job_failures_total',
      help: 'Periodic job runs that failed',
      labelNames: ['job'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'proofline_job_duration_seconds',
      help: 'How long each periodic job run took',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    jobLeader: new Gauge({
      name: 'proofline_job_leader',
      help: '1 while this instance holds the job lease and runs the periodic jobs',
      registers: [registry],
    }),
    runtimeCacheRefreshFailures: new Counter({
      name: 'proofline_runtime_cache_refresh_failures_total',
      help: 'Failed refreshes of the runtime status cache',
      registers: [registry],
    }),
  };

  gaugeFrom(registry, 'proofline_write_queue_depth', 'Write transactions queued or running in this process', () => store.pendingWrites());
  const groupCommits = new Histogram({
    name: 'proofline_group_commit_size',
    help: 'Write transactions per group commit (SQLite), or events per integration round (PostgreSQL)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [registry],
  });
  store.onGroupCommit((size) => groupCommits.observe(size));
  const integration = new Histogram({
    name: 'proofline_ledger_integration_seconds',
    help: 'PostgreSQL: from a write committing its queued events to their integration into the tree (the write is answered then)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  store.onIntegration((round) => integration.observe(round.lagSeconds));
  gaugeFrom(registry, 'proofline_ledger_queued_events', 'Events committed and not yet integrated into the tree (PostgreSQL)', async () => {
    const row = await store.db
      .selectFrom('ledger_queue')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  });

  gaugeFrom(registry, 'proofline_ledger_size', 'Events in the ledger (tree size)', async () => {
    const head = await store.db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirst();
    return Number(head?.size ?? 0);
  });
  const latest = () =>
    store.db.selectFrom('ledger_checkpoints').select(['tree_size', 'created_at']).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  // A write is answered once its events are in the tree (on PostgreSQL after their integration,
  // measured above); what can lag is their coverage by a signed checkpoint.
  gaugeFrom(registry, 'proofline_ledger_integration_lag_events', 'Events not yet covered by a signed checkpoint', async () => {
    const [head, checkpoint] = await Promise.all([
      store.db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirst(),
      latest(),
    ]);
    return Number(head?.size ?? 0) - Number(checkpoint?.tree_size ?? 0);
  });
  gaugeFrom(
    registry,
    'proofline_ledger_checkpoint_age_seconds',
    'Seconds since the latest signed checkpoint (absent before the first)',
    async () => {
      const checkpoint = await latest();
      return checkpoint ? secondsSince(checkpoint.created_at) : null;
    },
  );

  gaugeFrom(registry, 'proofline_outbox_backlog', 'Notifications waiting to be delivered (pending or being sent)', async () => {
    const row = await store.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
  gaugeFrom(
    registry,
    'proofline_outbox_oldest_pending_age_seconds',
    'Age of the oldest notification still waiting (0 when none)',
    async () => {
      const row = await store.db
        .selectFrom('notifications')
        .select((eb) => eb.fn.min('created_at').as('oldest'))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirst();
      return row?.oldest ? secondsSince(String(row.oldest)) : 0;
    },
  );

  // Freshness of the runtime status cache, measured against the table it follows: systems whose
  // cached version is behind the database's, and how long the oldest such change has waited.
  const staleness = async () => {
    const cache = runtimeCache();
    if (!cache) return null;
    const rows = await store.db.selectFrom('system_runtime').select(['system_id', 'version', 'updated_at']).execute();
    const now = Date.now();
    let stale = 0;
    let lag = 0;
    for (const row of rows) {
      const cached = await cache.get(row.system_id);
      if (cached && cached.version >= row.version) continue;
      stale += 1;
      lag = Math.max(lag, secondsSince(row.updated_at, now));
    }
    return { stale, lag };
  };
  gaugeFrom(
    registry,
    'proofline_runtime_cache_stale_systems',
    'Systems whose cached runtime state is behind the database',
    async () => (await staleness())?.stale ?? null,
  );
  gaugeFrom(
    registry,
    'proofline_runtime_cache_lag_seconds',
    'How long the oldest runtime change not yet in the cache has waited (0: fresh)',
    async () => (await staleness())?.lag ?? null,
  );
  const served = Registry.merge([processRegistry(), registry]);
  served.setDefaultLabels({ app: 'proofline' });
  return { ...metrics, registry: served };
}

/** The scheduler's `observe`: counts each job run and failure and times it. */
export function jobObserver(metrics: Metrics) {
  return (job: string, outcome: 'ok' | 'failed', seconds: number): void => {
    metrics.jobRuns.inc({ job });
    if (outcome === 'failed') metrics.jobFailures.inc({ job });
    metrics.jobDuration.observe({ job }, seconds);
  };
}

/** Times every request by its route pattern (not its URL, so ids do not multiply the series). */
export function observeRequests(app: App, metrics: Metrics): void {
  app.addHook('onResponse', (req, reply, done) => {
    metrics.httpRequests.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/** GET /metrics for the bearer of config.metricsToken; without a configured token the route does not exist. */
export function metricsRoutes(app: App, { config, services }: AppDeps) {
  const token = config.metricsToken;
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('unauthenticated', 'GET /metrics needs the metrics bearer token (PROOFLINE_METRICS_TOKEN)');
    }
    return reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
}
