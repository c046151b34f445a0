// Runtime status checks over HTTP against a real server on SQLite started in this process.
// The load comes from a worker thread (its own core) with 32 keep-alive connections, so the
// generator does not share the server's event loop. Latency is reported twice: unloaded (one
// connection, one request at a time: what one AI service sees) and under the full 32-way load,
// where by Little's law the median is at least 32 / throughput.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createApiToken } from '../src/accounts/auth.service.js';
import { createUser } from '../src/accounts/users.service.js';
import { loadConfig } from '../src/config.js';
import { systemContext } from '../src/context.js';
import { startServer } from '../src/server/serve.js';
import { buildSystem } from '../test/factories.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target: string;
  pass: boolean;
}

const CONNECTIONS = 32;
const DURATION_MS = 5_000;
const WARMUP_MS = 1_000;

// Plain JavaScript for the worker: node's http with a keep-alive agent (undici is not installed).
const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, token, connections, durationMs, warmupMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
function once() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, headers: { authorization: 'Bearer ' + token } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error('HTTP ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end();
  });
}
async function phase(conns, ms) {
  const latencies = [];
  const until = Date.now() + ms;
  await Promise.all(Array.from({ length: conns }, async () => { while (Date.now() < until) latencies.push(await once()); }));
  return latencies;
}
(async () => {
  await phase(connections, warmupMs);
  const single = await phase(1, 1500);
  const started = Date.now();
  const loaded = await phase(connections, durationMs);
  const elapsed = Date.now() - started;
  const median = (xs) => { const s = Float64Array.from(xs).sort(); return s[Math.floor(s.length / 2)]; };
  parentPort.postMessage({ count: loaded.length, elapsed, loadedMedian: median(loaded), singleMedian: median(single) });
  agent.destroy();
})().catch((e) => parentPort.postMessage({ error: String(e) }));
`;

interface LoadResult {
  count: number;
  elapsed: number;
  loadedMedian: number;
  singleMedian: number;
  error?: string;
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-bench-runtime-'));
  const config = loadConfig({
    PORT: '0',
    PROOFLINE_DATA_DIR: dir,
    PROOFLINE_DATABASE_URL: `sqlite:${path.join(dir, 'proofline.db')}`,
    PROOFLINE_LOG_LEVEL: 'silent',
    PROOFLINE_ADMIN_EMAIL: 'admin@bench.test',
    PROOFLINE_ADMIN_PASSWORD: 'a long bench password',
  });
  const server = await startServer(config, () => {});
  try {
    const ctx = systemContext('bench');
    const system = await buildSystem(server.store);
    const token = await server.store.transact(async (trx) => {
      const user = await createUser(trx, { ctx, user: { email: 'svc@bench.test', displayName: 'Scoring service' } });
      return createApiToken(trx, { ctx, token: { userId: user.id, name: 'bench', scopes: ['ingest'], expiresInDays: 1 } });
    });
    const url = `${server.url}/api/v1/systems/${system.id}/runtime`;
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const worker = new Worker(LOAD_WORKER, {
        eval: true,
        workerData: { url, token: token.token, connections: CONNECTIONS, durationMs: DURATION_MS, warmupMs: WARMUP_MS },
      });
      worker.once('message', (message: LoadResult) => {
        void worker.terminate();
        if (message.error) reject(new Error(message.error));
        else resolve(message);
      });
      worker.once('error', reject);
    });
    const perSecond = (result.count / result.elapsed) * 1000;
    return [
      {
        name: `runtime status checks/s (${CONNECTIONS} keep-alive connections)`,
        value: perSecond,
        unit: 'checks/s',
        target: '>= 10000',
        pass: perSecond >= 10_000,
      },
      {
        name: 'runtime status median latency, one connection',
        value: result.singleMedian,
        unit: 'ms',
        target: '<= 2',
        pass: result.singleMedian <= 2,
      },
      {
        name: `runtime status median latency under ${CONNECTIONS}-connection load`,
        value: result.loadedMedian,
        unit: 'ms',
        target: `informational (>= ${CONNECTIONS}/throughput by Little's law)`,
        pass: true,
      },
    ];
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.value.toFixed(2)} ${r.unit}  target ${r.target}`);
}
