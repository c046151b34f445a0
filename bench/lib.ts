// Shared helpers for `npm run bench`: timing, statistics, a server on a temp SQLite file.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
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

/** A client's own keep-alive connection that writes each request as one string and reads only the
 * status line and `content-length` of the answer. The load loops of the PostgreSQL bench use it:
 * on two cores the load generator shares the CPUs with the servers and PostgreSQL, and node's http
 * client took 0.15-0.20 ms of CPU per create there, this one 0.03-0.06 ms (the bench's own
 * scheduler figures, 16 clients). One request at a time; an answer without `content-length`
 * (chunked) is an error, and so is the connection closing under a request. */
export interface Connection {
  /** Resolves once the TCP connection is up. */
  opened: Promise<void>;
  send(method: string, path: string, body?: string): Promise<{ status: number; body: string }>;
  close(): void;
}

export function connect(url: string, headers: Record<string, string>): Connection {
  const { hostname, port, host } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.setNoDelay(true);
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const head = Object.entries({ host, ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  let received: Buffer = Buffer.alloc(0);
  let waiting: { resolve(answer: { status: number; body: string }): void; reject(error: Error): void } | null = null;
  const fail = (error: Error) => {
    const w = waiting;
    waiting = null;
    w?.reject(error);
  };
  socket.on('data', (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) return;
    const header = received.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length: *(\d+)/i.exec(header);
    if (!length) return fail(new Error(`answer without content-length: ${header.slice(0, 200)}`));
    const bodyEnd = end + 4 + Number(length[1]);
    if (received.length < bodyEnd) return;
    const answer = { status: Number(header.slice(9, 12)), body: received.subarray(end + 4, bodyEnd).toString('utf8') };
    received = received.subarray(bodyEnd);
    const w = waiting;
    waiting = null;
    w?.resolve(answer);
  });
  socket.on('error', fail);
  socket.on('close', () => fail(new Error(`connection to ${url} closed`)));
  return {
    opened,
    send(method, path, body = '') {
      if (waiting) return Promise.reject(new Error('one request at a time on a connection'));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(`${method} ${path} HTTP/1.1\r\n${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    },
    close() {
      socket.end();
    },
  };
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
