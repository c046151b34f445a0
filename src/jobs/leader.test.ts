// The job leader in one process: of two instances sharing a database exactly one leads, a
// scheduler runs its jobs only there, and a graceful stop hands the lease over at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { serverEnv, startServerPair } from '../../test/server-process.js';
import { createTestStore, DIALECTS, freshDatabaseUrl, ledgerSize } from '../../test/stores.js';
import { leaseHolder } from '../db/leases.js';
import type { Store } from '../db/store.js';
import { JOBS_LEASE, type Leadership, startLeadership } from './leader.js';
import { startScheduler } from './scheduler.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

for (const dialect of DIALECTS) {
  describe(`job leader [${dialect}]`, () => {
    let store: Store;
    before(async () => {
      store = await createTestStore(dialect);
    });
    after(() => store.close());

    test('of two instances exactly one leads and only its scheduler runs the jobs; stopping it hands over before the lease expires', async () => {
      const events = await ledgerSize(store);
      const ttlMs = 20_000; // long: a handover within the retry interval proves the release
      const runs = { a: 0, b: 0 };
      const a = startLeadership(store, { ttlMs, logger });
      await until('a leads', a.isLeader);
      const b = startLeadership(store, { ttlMs, logger });
      const instances: Array<[keyof typeof runs, Leadership]> = [
        ['a', a],
        ['b', b],
      ];
      const schedulers = instances.map(([name, leadership]) =>
        startScheduler(
          [
            {
              name: 'count',
              intervalMs: 30,
              run: async () => {
                runs[name] += 1;
              },
            },
          ],
          logger,
          { mayRun: leadership.isLeader },
        ),
      );
      try {
        await sleep(400);
        assert.equal(b.isLeader(), false, 'the second instance does not lead');
        assert.equal(await leaseHolder(store, JOBS_LEASE), a.holder);
        assert.ok(runs.a > 3, `the leader ran the job (${runs.a})`);
        assert.equal(runs.b, 0, 'the other instance never ran it');

        const stoppedAt = Date.now();
        await schedulers[0].stop();
        await a.stop();
        assert.equal(a.isLeader(), false);
        await until('b takes over', b.isLeader, ttlMs / 2);
        assert.ok(Date.now() - stoppedAt < ttlMs / 2, 'taken over long before the lease would have expired');
        const ranByA = runs.a;
        await until('b runs the job', () => runs.b > 2);
        assert.equal(runs.a, ranByA, 'the stopped instance runs nothing more');
        assert.equal(await ledgerSize(store), events, 'leadership writes no ledger event');
      } finally {
        await Promise.all(schedulers.map((s) => s.stop()));
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });
}

const METRICS_TOKEN = 'metrics-token-for-the-test';

/** The value of one series in a /metrics scrape (summed over label sets that contain `labels`). */
async function scrape(url: string, series: string, labels = ''): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(res.status, 200);
  let total = 0;
  for (const line of (await res.text()).split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === series && (match[2] ?? '').includes(labels)) total += Number(match[3]);
  }
  return total;
}

// Two processes on one PostgreSQL (as in production); not run when the run is narrowed to SQLite.
if (DIALECTS.includes('postgres')) {
  describe('job leader across processes [postgres]', () => {
    test('two servers on one database: the jobs run in one only; after a kill -9 of the leader the other takes over within seconds', async () => {
      const ttlSeconds = 3;
      const env = serverEnv(await freshDatabaseUrl('postgres'), {
        PROOFLINE_JOB_LEASE_TTL_SECONDS: String(ttlSeconds),
        PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '1',
        PROOFLINE_METRICS_TOKEN: METRICS_TOKEN,
      });
      const [first, second] = await startServerPair(env);
      const servers = [first, second];
      try {
        const leads = () =>
          Promise.all(
            servers.map((s) => (s.exitCode() === null && s.child.signalCode === null ? scrape(s.url, 'proofline_job_leader') : 0)),
          );
        await until('one of them leads', async () => (await leads()).includes(1), 10_000);
        const [leader, follower] = (await leads())[0] === 1 ? [first, second] : [second, first];
        assert.deepEqual(await leads(), leader === first ? [1, 0] : [0, 1], 'exactly one leads');

        // Once per due time: over a few seconds only the leader runs the 2-second delivery job, about
        // once per interval (twice as often would mean both ran it).
        const job = 'job="deliver-notifications"';
        const startRuns = await scrape(leader.url, 'proofline_job_runs_total', job);
        const startedAt = Date.now();
        await sleep(6_000);
        const ran = (await scrape(leader.url, 'proofline_job_runs_total', job)) - startRuns;
        const due = (Date.now() - startedAt) / 2_000;
        assert.ok(ran >= Math.floor(due) - 1 && ran <= Math.ceil(due) + 1, `${ran} runs in ${due.toFixed(1)} intervals`);
        assert.equal(await scrape(follower.url, 'proofline_job_runs_total'), 0, 'the follower ran no job at all');

        await leader.kill9();
        const killedAt = Date.now();
        await until('the follower leads', async () => (await scrape(follower.url, 'proofline_job_leader')) === 1, 15_000);
        const takeover = Date.now() - killedAt;
        assert.ok(takeover < (ttlSeconds + 3) * 1000, `taken over after ${takeover} ms`);
        await until('the new leader runs the jobs', async () => (await scrape(follower.url, 'proofline_job_runs_total', job)) > 0, 5_000);
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    });
  });
}
