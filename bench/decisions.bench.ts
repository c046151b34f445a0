// Decision-record ingestion on SQLite over HTTP, in batches of 1,000, against a real server started
// in this process; compared, in the same run, with plain better-sqlite3 inserting the same rows
// (one prepared statement, one transaction per batch, the same durability: WAL + synchronous=FULL).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { serverEnv, signInAdmin, startServerProcess } from '../test/server-process.js';
import type { BenchResult } from './lib.js';

const BATCH = 1_000;
const BATCHES = 100;
const SENDERS = 4;

function makeBatches(systemId: string) {
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, i) => ({
      decisionId: `d-${b}-${i}-${randomUUID()}`,
      systemId,
      decidedAt: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, i)).toISOString(),
      inputDigest: 'c'.repeat(64),
      output: { approved: i % 3 !== 0, score: (i % 100) / 100 },
      confidence: (i % 100) / 100,
    })),
  );
}

type Row = ReturnType<typeof makeBatches>[number][number];

async function viaHttp(url: string, token: string, bodies: string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SENDERS });
  const target = new URL(`${url}/api/v1/decisions/batch`);
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          method: 'POST',
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString()}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < bodies.length) await post(bodies[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return (bodies.length * BATCH) / seconds;
}

function viaBetterSqlite(dir: string, batches: Row[][]): number {
  const db = new SQLite(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`create table decisions (id text primary key, system_id text not null, decision_id text not null, model_version_id text,
    decided_at text not null, input_ref text, input_digest text, raw_input text, output text not null, confidence real,
    human_reviewed integer not null, reviewed_by text, batch_id text not null, received_at text not null,
    unique (system_id, decision_id))`);
  const insert = db.prepare(`insert into decisions (id, system_id, decision_id, model_version_id, decided_at, input_ref, input_digest,
    raw_input, output, confidence, human_reviewed, reviewed_by, batch_id, received_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertBatch = db.transaction((rows: Row[]) => {
    const batchId = randomUUID();
    const receivedAt = new Date().toISOString();
    for (const r of rows) {
      insert.run(
        randomUUID(),
        r.systemId,
        r.decisionId,
        null,
        r.decidedAt,
        null,
        r.inputDigest,
        null,
        JSON.stringify(r.output),
        r.confidence,
        0,
        null,
        batchId,
        receivedAt,
      );
    }
  });
  const started = performance.now();
  for (const rows of batches) insertBatch(rows);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return (batches.length * BATCH) / seconds;
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-bench-decisions-'));
  // The built server alone in its own process (as `npm start` runs it); this process only sends.
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' });
  const server = await startServerProcess(
    serverEnv(`sqlite:${path.join(dir, 'proofline.db')}`, { PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '0' }),
    30_000,
    ['bin/proofline.mjs'],
  );
  try {
    const session = await signInAdmin(server.url);
    const system = (await (
      await fetch(`${server.url}/api/v1/systems`, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({
          name: 'Scoring',
          purpose: 'Scores',
          intendedUse: 'Decision support',
          aiType: 'machine_learning',
          deploymentKind: 'internal',
        }),
      })
    ).json()) as { id: string };
    const token = (await (
      await fetch(`${server.url}/api/v1/tokens`, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({ name: 'bench', scopes: ['ingest'] }),
      })
    ).json()) as { token: string };
    const batches = makeBatches(system.id);
    // Warm up the route (schema compilation, JIT) with a small batch of its own.
    await viaHttp(server.url, token.token, [JSON.stringify({ records: makeBatches(system.id)[0] })]);
    const bodies = batches.map((records) => JSON.stringify({ records }));
    const httpRate = await viaHttp(server.url, token.token, bodies);
    const plainRate = viaBetterSqlite(dir, batches);
    return [
      {
        name: 'decision records/s over HTTP (SQLite, batches of 1,000)',
        value: httpRate,
        unit: 'records/s',
        target: '>= 50000',
        pass: httpRate >= 50_000,
      },
      {
        name: 'decision ingestion vs plain better-sqlite3 inserts (same rows, 1 transaction per batch)',
        value: httpRate,
        unit: 'records/s',
        baseline: plainRate,
        ratio: httpRate / plainRate,
        target: 'informational',
        pass: true,
      },
    ];
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) {
    const ratio = r.ratio === undefined ? '' : ` (baseline ${r.baseline?.toFixed(0)}, ratio ${r.ratio.toFixed(2)})`;
    console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.value.toFixed(0)} ${r.unit}${ratio}  target ${r.target}`);
  }
}
