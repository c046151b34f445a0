// Issue 13 targets: creating AI systems over HTTP on PostgreSQL (durable: fsync on), one and two
// server instances on one database, against SQLite measured in the same run, alternated with it.
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startPostgres } from '../test/pg.js';
import { serverEnv, signInAdmin, startServerProcess } from '../test/server-process.js';
import { type BenchResult, type Connection, connect, median, nowMs, tempDir } from './lib.js';

const body = (i: number) =>
  JSON.stringify({
    name: `Bench system ${i}`,
    purpose: 'Ranks support tickets',
    intendedUse: 'Triage assistance for the support desk',
    aiType: 'machine_learning',
    deploymentKind: 'internal',
  });

interface Instance {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `count` built servers (`bin/proofline.mjs`, as `npm start` runs it) on one database. */
async function startInstances(databaseUrl: string, count: number): Promise<{ instances: Instance[]; headers: Record<string, string> }> {
  const env = serverEnv(databaseUrl, {
    PROOFLINE_LOG_LEVEL: 'silent',
    PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '0',
    PROOFLINE_METRICS_TOKEN: METRICS_TOKEN,
  });
  const instances: Instance[] = [];
  for (let i = 0; i < count; i++) {
    const server = await startServerProcess(env, 60_000, ['bin/proofline.mjs']);
    instances.push({ url: server.url, pid: server.child.pid ?? 0, stop: () => server.stop() });
  }
  const session = await signInAdmin(instances[0].url);
  const res = await fetch(`${instances[0].url}/api/v1/tokens`, {
    method: 'POST',
    headers: session,
    body: JSON.stringify({ name: 'bench', scopes: ['read', 'write'] }),
  });
  const { token } = (await res.json()) as { token: string };
  return { instances, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}

const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** The commit -> integration histogram (PostgreSQL) of the instances' /metrics, summed: each
 * bucket's upper bound in seconds and its cumulative count. */
async function integrationHistogram(instances: Instance[]): Promise<Array<[number, number]>> {
  const sum = new Map<number, number>();
  for (const { url } of instances) {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await res.text();
    const buckets = [...text.matchAll(/^proofline_ledger_integration_seconds_bucket\{[^}]*\ble="([^"]+)"[^}]*\} (\d+)/gm)];
    for (const m of buckets) {
      const bound = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
      sum.set(bound, (sum.get(bound) ?? 0) + Number(m[2]));
    }
    if (buckets.length === 0) throw new Error(`/metrics answered ${res.status} without the integration histogram: ${text.slice(0, 300)}`);
  }
  return [...sum.entries()].sort((a, b) => a[0] - b[0]);
}

/** The rounds between two readings of the histogram: each bucket's cumulative count between them. */
function roundsBetween(before: Array<[number, number]>, after: Array<[number, number]>): Array<[number, number]> {
  return after.map(([bound, n], i) => [bound, n - (before[i]?.[1] ?? 0)]);
}

/** The 99th percentile of commit -> integration over the given rounds (cumulative bucket counts,
 * summed over several loads), as the upper bound of its bucket in ms; with the number of rounds and
 * how many took over 100 ms. */
function integrationP99(counts: Array<[number, number]>): { p99: number; rounds: number; over100: number } {
  const total = counts.at(-1)?.[1] ?? 0;
  const bound = counts.find(([, n]) => n >= 0.99 * total)?.[0] ?? Number.NaN;
  const within100 = counts.find(([b]) => b >= 0.1)?.[1] ?? 0;
  return { p99: bound * 1000, rounds: total, over100: total - within100 };
}

/** Adds one load's rounds to the sum of the loads before it. */
function addRounds(sum: Array<[number, number]>, rounds: Array<[number, number]>): Array<[number, number]> {
  return rounds.map(([bound, n], i) => [bound, n + (sum[i]?.[1] ?? 0)]);
}

/** Where a run's time went, from the kernel's scheduler statistics (each thread's `schedstat`
 * under `/proc/<pid>/task`: ns on a CPU, ns waiting in a run queue for one), summed over the
 * threads of the server processes, of every PostgreSQL process (only the bench's own server runs
 * one here) and of this process (the clients). On two cores the server processes, PostgreSQL and
 * the clients share the CPUs: these figures say how busy the machine was and how long the servers
 * waited for a core. */
interface CpuSample {
  servers: { cpu: number; wait: number };
  /** CPU ns of each PostgreSQL process by pid: one that ends during a run must not count against it. */
  postgres: Map<number, number>;
  clients: number;
  /** ns the hypervisor gave this machine's CPUs to someone else (`steal` in /proc/stat). */
  steal: number;
}

function schedstat(pid: number): { cpu: number; wait: number } {
  let cpu = 0;
  let wait = 0;
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return { cpu, wait };
  }
  for (const task of tasks) {
    try {
      const [run, queued] = fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ').map(Number);
      cpu += run;
      wait += queued;
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return { cpu, wait };
}

function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function cpuSample(instances: Instance[]): CpuSample | null {
  if (!fs.existsSync(`/proc/${process.pid}/task`)) return null;
  const servers = instances.map((i) => schedstat(i.pid)).reduce((a, b) => ({ cpu: a.cpu + b.cpu, wait: a.wait + b.wait }));
  const postgres = new Map(postgresPids().map((pid) => [pid, schedstat(pid).cpu]));
  return { servers, postgres, clients: schedstat(process.pid).cpu, steal: stolen() };
}

/** The steal time of all CPUs, in ns (/proc/stat counts it in USER_HZ ticks, 100 a second). */
function stolen(): number {
  const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  return Number(cpu[8] ?? 0) * 1e7;
}

/** Per create, in ms: CPU of the servers, of PostgreSQL and of the clients, the servers' wait for a
 * core, the CPU time stolen by the hypervisor; and how many cores were busy with all three over the
 * run. */
interface CpuUse {
  server: number;
  postgres: number;
  clients: number;
  serverWait: number;
  /** CPU time the hypervisor gave away during the run, per create: a slower machine, not slower code. */
  stolen: number;
  cores: number;
}

function cpuUse(before: CpuSample | null, after: CpuSample | null, count: number, elapsedMs: number): CpuUse | null {
  if (!before || !after) return null;
  const perCreate = (ns: number) => ns / 1e6 / count;
  const server = after.servers.cpu - before.servers.cpu;
  // A process that started during the run counts whole; one that ended is left out.
  let postgres = 0;
  for (const [pid, ns] of after.postgres) postgres += ns - (before.postgres.get(pid) ?? 0);
  const clients = after.clients - before.clients;
  return {
    server: perCreate(server),
    postgres: perCreate(postgres),
    clients: perCreate(clients),
    serverWait: perCreate(after.servers.wait - before.servers.wait),
    stolen: perCreate(after.steal - before.steal),
    cores: (server + postgres + clients) / 1e6 / elapsedMs,
  };
}

async function create(connection: Connection, i: number): Promise<void> {
  const res = await connection.send('POST', '/api/v1/systems', body(i));
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.body}`);
}

/** Runs `work` with one connection of its own to `url`, closed after. */
async function withConnection<T>(url: string, headers: Record<string, string>, work: (c: Connection) => Promise<T>): Promise<T> {
  const connection = connect(url, headers);
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}

/** Creates from `clients` parallel loops, client k on instance k mod n, each on a connection of its
 * own, opened before the clock starts; creates/s and the median. */
async function load(instances: Instance[], headers: Record<string, string>, clients: number, count: number, offset: number) {
  const connections = Array.from({ length: clients }, (_, k) => connect(instances[k % instances.length].url, headers));
  try {
    await Promise.all(connections.map((c) => c.opened));
    let next = 0;
    const times: number[] = [];
    const cpuBefore = cpuSample(instances);
    const start = nowMs();
    await Promise.all(
      connections.map(async (connection) => {
        while (next < count) {
          const i = next++;
          const t = nowMs();
          await create(connection, offset + i);
          times.push(nowMs() - t);
        }
      }),
    );
    const elapsed = nowMs() - start;
    return { rate: (count / elapsed) * 1000, median: median(times), cpu: cpuUse(cpuBefore, cpuSample(instances), count, elapsed) };
  } finally {
    for (const connection of connections) connection.close();
  }
}

async function sequential(instance: Instance, headers: Record<string, string>, count: number, offset: number): Promise<number> {
  return withConnection(instance.url, headers, async (connection) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = nowMs();
      await create(connection, offset + i);
      times.push(nowMs() - t);
    }
    return median(times);
  });
}

/** Creates per instance before anything is measured. As in systems.bench.ts: after 200, V8 was
 * still optimising the request path (one client on PostgreSQL, one run: median 4.41 ms over
 * creates 1,000-2,000, 3.45 ms over the next thousand), so the figures measured the JIT's warm-up
 * as much as the write path. */
const WARM_UP = 3000;

async function warm(instances: Instance[], headers: Record<string, string>): Promise<void> {
  for (const [k, instance] of instances.entries())
    await withConnection(instance.url, headers, async (connection) => {
      for (let i = 0; i < WARM_UP; i++) await create(connection, 900_000 + k * 10_000 + i);
    });
}

export async function run(): Promise<BenchResult[]> {
  const CLIENTS = 16;
  const COUNT = 6000;
  const ROUNDS = 5;
  const server = await startPostgres({ durable: true });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const database = async (name: string) => {
    await admin.query(`create database ${name}`);
    return server.url.replace(/\/postgres$/, `/${name}`);
  };
  try {
    // SQLite (the baseline), one PostgreSQL instance and two on another database, all started and
    // warmed first; then the same load on each in turn, ROUNDS times. This machine's speed moves
    // by half between minutes: alternated, each figure's neighbours were measured at the same
    // speed, and the median of its runs stands for it.
    const dir = tempDir('pg-vs-sqlite');
    const lite = await startInstances(`sqlite:${dir}/proofline.db`, 1);
    const one = await startInstances(await database('bench_one'), 1);
    const two = await startInstances(await database('bench_two'), 2);
    const setups = [lite, one, two];
    try {
      for (const setup of setups) await warm(setup.instances, setup.headers);
      const runs: Array<Array<{ rate: number; median: number; cpu: CpuUse | null }>> = setups.map(() => []);
      // The integration rounds of the PostgreSQL setups' loads alone (the one client's creates ask
      // for rounds too), each load's read from the histograms before it and once its last round
      // has run (the rounds are 20 ms apart).
      const loadRounds: Array<Array<[number, number]>> = setups.map(() => []);
      // One client's creates, 200 in each round beside its loads, each sitting after two seconds
      // of quiet, so that it does not start among the last load's late rounds and PostgreSQL's
      // background writes (a rule of the bench, not a measured need): one sitting of 500
      // measured a single moment of this machine, and failed at a slow one (4.62 ms, against
      // 1.57-1.69 ms in the runs before and after it).
      const sequentialMedians: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await sleep(2000);
        sequentialMedians.push(await sequential(one.instances[0], one.headers, 200, 500_000 + round * 1000));
        for (const [k, setup] of setups.entries()) {
          const before = k > 0 ? await integrationHistogram(setup.instances) : [];
          runs[k].push(await load(setup.instances, setup.headers, CLIENTS, COUNT, round * COUNT));
          if (k === 0) continue;
          await sleep(500);
          loadRounds[k] = addRounds(loadRounds[k], roundsBetween(before, await integrationHistogram(setup.instances)));
        }
      }
      const seq = median(sequentialMedians);
      const lag = integrationP99(loadRounds[1]);
      const pairLag = integrationP99(loadRounds[2]);
      const [sqlite, single, pair] = runs.map((r) => ({ rate: median(r.map((x) => x.rate)), median: median(r.map((x) => x.median)) }));
      const rates = (k: number) => runs[k].map((x) => x.rate.toFixed(0)).join(', ');
      const medians = (k: number) => runs[k].map((x) => x.median.toFixed(2)).join(', ');
      // Each CPU figure is the median of its setup's runs.
      const cpu = (k: number): string => {
        const uses = runs[k].map((x) => x.cpu).filter((x): x is CpuUse => x !== null);
        if (uses.length === 0) return 'no /proc here';
        const m = (f: (u: CpuUse) => number) => median(uses.map(f)).toFixed(2);
        return `per create: server CPU ${m((u) => u.server)} ms (waiting for a core ${m((u) => u.serverWait)} ms), PostgreSQL ${m((u) => u.postgres)} ms, clients ${m((u) => u.clients)} ms, stolen by the hypervisor ${m((u) => u.stolen)} ms; ${m((u) => u.cores)} of ${os.availableParallelism()} cores busy`;
      };
      return [
        {
          name: `PostgreSQL, one instance: durable creates/s with 16 clients (median of ${ROUNDS} alternated runs: ${rates(1)}; SQLite ${rates(0)})`,
          value: single.rate,
          unit: 'creates/s',
          baseline: sqlite.rate,
          ratio: single.rate / sqlite.rate,
          target: '>= 1200/s and >= 0.6 x SQLite (baseline: SQLite, same load, same run)',
          pass: single.rate >= 1200 && single.rate >= 0.6 * sqlite.rate,
        },
        {
          name: `PostgreSQL, one instance: create median with 16 clients (median of runs: ${medians(1)}; SQLite ${medians(0)})`,
          value: single.median,
          unit: 'ms',
          baseline: sqlite.median,
          ratio: single.median / sqlite.median,
          target: '<= 10 ms (baseline: SQLite median, same load)',
          pass: single.median <= 10,
        },
        {
          name: `PostgreSQL, two instances: durable creates/s with 16 clients (median of ${ROUNDS} alternated runs: ${rates(2)})`,
          value: pair.rate,
          unit: 'creates/s',
          baseline: single.rate,
          ratio: pair.rate / single.rate,
          target: '>= 1200/s, as many as one instance must reach (baseline: one instance, same load, same run)',
          pass: pair.rate >= 1200,
        },
        {
          // The sentence may also be read as: two instances no slower than one. On two cores
          // the second server process shares the CPUs with the first, PostgreSQL and this client.
          name: `PostgreSQL, two instances against one: creates/s with 16 clients (the stricter reading; two over one run by run: ${runs[2].map((x, r) => (x.rate / runs[1][r].rate).toFixed(2)).join(', ')}; SQLite ${cpu(0)}; one instance ${cpu(1)}; two instances ${cpu(2)})`,
          value: pair.rate,
          unit: 'creates/s',
          baseline: single.rate,
          ratio: pair.rate / single.rate,
          target: '>= the one-instance figure (baseline), less 5% noise',
          pass: pair.rate >= 0.95 * single.rate,
        },
        {
          name: `PostgreSQL, two instances: create median with 16 clients (median of runs: ${medians(2)})`,
          value: pair.median,
          unit: 'ms',
          target: '<= 10 ms',
          pass: pair.median <= 10,
        },
        {
          name: `PostgreSQL, one instance: commit -> integration p99 under the 16 clients (bucket bound; ${lag.rounds} rounds of the loads, each timed from its earliest commit, ${lag.over100} over 100 ms)`,
          value: lag.p99,
          unit: 'ms',
          target: '<= 250 ms',
          pass: lag.p99 <= 250,
        },
        {
          name: `PostgreSQL, two instances: commit -> integration p99 under the 16 clients (bucket bound; ${pairLag.rounds} rounds of both, ${pairLag.over100} over 100 ms)`,
          value: pairLag.p99,
          unit: 'ms',
          target: '<= 250 ms',
          pass: pairLag.p99 <= 250,
        },
        {
          name: `PostgreSQL, one client: create median (median of ${ROUNDS} alternated sittings of 200: ${sequentialMedians.map((m) => m.toFixed(2)).join(', ')})`,
          value: seq,
          unit: 'ms',
          target: '<= 3 ms',
          pass: seq <= 3,
        },
      ];
    } finally {
      for (const setup of setups) for (const i of setup.instances) await i.stop();
    }
  } finally {
    await admin.end();
    server.stop();
  }
}
