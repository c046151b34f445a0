// Shared helpers for `npm run bench`: timing, statistics, a server on a temp SQLite file.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createApiToken } from '../src/accounts/auth.service.js';
import { createUser } from '../src/accounts/users.service.js';
import { loadConfig } from '../src/config.js';
import { systemContext } from '../src/context.js';
import type { Store } from '../src/db/store.js';
import { appendEvents, type EventInput } from '../src/ledger/ledger.service.js';
import { type RunningServer, startServer } from '../src/server/serve.js';
import { freePort } from '../test/pg.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target: string;
  pass: boolean;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `proofline-bench-${prefix}-`));
}

export interface BenchServer {
  server: RunningServer;
  url: string;
  token: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real server (in-process) on a fresh SQLite file, with an admin token for requests. */
export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = tempDir('server');
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    PROOFLINE_DATA_DIR: dataDir,
    PROOFLINE_LOG_LEVEL: 'silent',
    PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '0',
    ...env,
  });
  const server = await startServer(config, () => {});
  const ctx = systemContext('bench');
  const user = await server.store.transact((trx) =>
    createUser(trx, {
      ctx,
      user: { email: `bench-${Date.now()}@example.test`, displayName: 'Bench', roles: ['admin', 'governance_lead'] },
    }),
  );
  const token = await server.store.transact((trx) =>
    createApiToken(trx, { ctx, token: { userId: user.id, name: 'bench', scopes: ['read', 'write', 'ingest'], expiresInDays: 1 } }),
  );
  return {
    server,
    url: server.url,
    token: token.token,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `worker` on `concurrency` parallel loops for `count` total calls; returns calls per second. */
export async function throughput(concurrency: number, count: number, worker: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await worker(i);
      }
    }),
  );
  return (count / (nowMs() - start)) * 1000;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request over a keep-alive connection with node's http client, which costs the load
 * generator far less CPU than fetch, leaving the machine's cores to the server under test. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: keepAlive, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** `count` ledger events through the real append path (the Merkle tree and its nodes included), in
 * transactions of 10,000; `event(i)` makes the i-th. Shared by the controls and dashboard benches. */
export async function seedLedger(store: Store, count: number, event: (i: number) => EventInput): Promise<void> {
  const ctx = systemContext('bench');
  const chunk = 10_000;
  for (let start = 0; start < count; start += chunk) {
    const inputs = Array.from({ length: Math.min(chunk, count - start) }, (_, k) => event(start + k));
    await store.transact((trx) => appendEvents(trx, ctx, inputs));
  }
  store.sqlite?.exec('analyze');
}

/** The median time of `runs` GETs of `url` (after `warm` untimed ones); throws on any status but 200. */
export async function timeGets(url: string, headers: Record<string, string>, warm: number, runs: number): Promise<number> {
  for (let i = 0; i < warm; i++) await request(url, { headers });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    const res = await request(url, { headers });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${res.body.slice(0, 200)}`);
    times.push(nowMs() - t);
  }
  return median(times);
}
