// /metrics: served only to the bearer of the metrics token, and a scrape holds every series the
// operations need, with values that follow the database (ledger, checkpoints, outbox, runtime cache).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { createTestApp, type TestApp } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { serverJobs } from '../jobs/jobs.js';
import { startScheduler } from '../jobs/scheduler.js';
import { jobObserver } from './metrics.js';

const TOKEN = 'a-metrics-token-of-the-test';
const auth = { authorization: `Bearer ${TOKEN}` };

/** Every series a scrape must hold (histograms by their _count). */
const SERIES = [
  'proofline_http_request_duration_seconds_count',
  'proofline_write_queue_depth',
  'proofline_group_commit_size_count',
  'proofline_ledger_size',
  'proofline_ledger_integration_lag_events',
  'proofline_ledger_integration_seconds_count',
  'proofline_ledger_queued_events',
  'proofline_ledger_checkpoint_age_seconds',
  'proofline_job_runs_total',
  'proofline_job_failures_total',
  'proofline_job_duration_seconds_count',
  'proofline_job_leader',
  'proofline_outbox_backlog',
  'proofline_outbox_oldest_pending_age_seconds',
  'proofline_runtime_cache_stale_systems',
  'proofline_runtime_cache_lag_seconds',
  'proofline_runtime_cache_refresh_failures_total',
  'proofline_process_resident_memory_bytes',
];

/** series name -> [labels, value] lines of a scrape. */
function parse(text: string): Map<string, Array<[string, number]>> {
  const series = new Map<string, Array<[string, number]>>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) continue;
    series.set(match[1], [...(series.get(match[1]) ?? []), [match[2] ?? '', Number(match[3])]]);
  }
  return series;
}

const sumOf = (series: Map<string, Array<[string, number]>>, name: string, labels = '') =>
  (series.get(name) ?? []).filter(([l]) => l.includes(labels)).reduce((sum, [, v]) => sum + v, 0);

for (const dialect of DIALECTS) {
  describe(`metrics [${dialect}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(dialect, { PROOFLINE_METRICS_TOKEN: TOKEN });
    });
    after(() => t.close());

    const scrape = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: auth });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      return parse(res.body);
    };

    test('/metrics answers only the bearer of the metrics token, and is not served without one configured', async () => {
      for (const headers of [{}, { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` }, { authorization: TOKEN }]) {
        const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'unauthenticated');
        assert.doesNotMatch(res.body, /proofline_/);
      }
      const admin = await t.user(['admin']);
      const asAdmin = await t.call(admin, 'GET', '/metrics');
      assert.equal(asAdmin.statusCode, 401, 'an API token is not the metrics token');

      const without = await createTestApp(dialect);
      try {
        const res = await without.app.inject({ method: 'GET', url: '/metrics', headers: auth });
        assert.equal(res.statusCode, 404);
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'not_found');
      } finally {
        await without.close();
      }
    });

    test('a scrape holds every operational series, and the values follow the database', async () => {
      const system = await buildSystem(t.store);
      const admin = await t.user(['admin']);
      assert.equal((await t.call(admin, 'GET', `/api/v1/systems/${system.id}`)).statusCode, 200);

      // Jobs as the server runs them, counted by the same observer; one that fails is counted too.
      const scheduler = startScheduler(
        [...serverJobs(t), { name: 'always-fails', intervalMs: 0, run: () => Promise.reject(new Error('on purpose')) }],
        pino({ level: 'silent' }),
        { observe: jobObserver(t.services.metrics) },
      );
      await scheduler.runNow('ledger-checkpoint');
      await scheduler.runNow('always-fails');
      await scheduler.stop();

      // Outbox: one notification waiting. Runtime: a change the cache cannot have seen (it is stopped).
      await t.store.transact((trx) =>
        trx
          .insertInto('notifications')
          .values({
            id: randomUUID(),
            channel: 'email',
            target: 'someone@example.test',
            kind: 'test',
            subject: 'waiting',
            body: 'waiting',
            payload: '{}',
            subscription_id: null,
            status: 'pending',
            attempts: 0,
            next_attempt_at: new Date().toISOString(),
            last_error: null,
            created_at: new Date(Date.now() - 60_000).toISOString(),
            sent_at: null,
          })
          .execute(),
      );
      const fresh = await scrape();
      assert.equal(sumOf(fresh, 'proofline_runtime_cache_stale_systems'), 0, 'the cache is fresh');
      assert.equal((await t.call(admin, 'GET', `/api/v1/systems/${system.id}/runtime`)).statusCode, 200, 'the system is in the cache');
      await t.services.runtimeCache.stop();
      await t.store.transact((trx) =>
        trx
          .insertInto('system_runtime')
          .values({
            system_id: system.id,
            state: 'paused',
            conditions: '{}',
            reason: 'unseen',
            updated_at: new Date(Date.now() - 5_000).toISOString(),
            version: 1,
          })
          .execute(),
      );

      const scraped = await scrape();
      for (const name of SERIES) assert.ok(scraped.has(name), `the scrape has ${name}`);
      const events = await ledgerSize(t.store);
      assert.equal(sumOf(scraped, 'proofline_ledger_size'), events);
      assert.equal(
        sumOf(scraped, 'proofline_ledger_integration_lag_events'),
        events - (await checkpointSize()),
        'events since the checkpoint',
      );
      assert.ok(sumOf(scraped, 'proofline_ledger_checkpoint_age_seconds') < 60);
      assert.equal(sumOf(scraped, 'proofline_job_runs_total', 'job="ledger-checkpoint"'), 1);
      assert.equal(sumOf(scraped, 'proofline_job_failures_total', 'job="ledger-checkpoint"'), 0);
      assert.equal(sumOf(scraped, 'proofline_job_failures_total', 'job="always-fails"'), 1);
      assert.equal(sumOf(scraped, 'proofline_outbox_backlog'), 1);
      assert.ok(sumOf(scraped, 'proofline_outbox_oldest_pending_age_seconds') >= 59);
      assert.equal(sumOf(scraped, 'proofline_runtime_cache_stale_systems'), 1, 'the change the cache missed');
      assert.ok(sumOf(scraped, 'proofline_runtime_cache_lag_seconds') >= 4);
      assert.equal(sumOf(scraped, 'proofline_write_queue_depth'), 0, 'nothing waiting to be written');
      assert.ok(
        sumOf(scraped, 'proofline_http_request_duration_seconds_count', 'route="/api/v1/systems/:id",status_code="200"') >= 1,
        'requests are counted by route pattern, not by URL',
      );
      assert.ok(![...(scraped.get('proofline_http_request_duration_seconds_count') ?? [])].some(([l]) => l.includes(system.id)));
      // SQLite: group commits; PostgreSQL: integration rounds, each write waiting for one.
      assert.ok(sumOf(scraped, 'proofline_group_commit_size_count') > 0, 'group commits or integration rounds are measured');
      assert.equal(sumOf(scraped, 'proofline_ledger_queued_events'), 0, 'nothing left queued once writes are answered');
      if (dialect === 'postgres') assert.ok(sumOf(scraped, 'proofline_ledger_integration_seconds_count') > 0, 'integration is timed');
    });

    async function checkpointSize(): Promise<number> {
      const row = await t.store.db.selectFrom('ledger_checkpoints').select('tree_size').orderBy('tree_size', 'desc').executeTakeFirst();
      return Number(row?.tree_size ?? 0);
    }
  });
}
