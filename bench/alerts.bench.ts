// Metric-point ingestion on SQLite, in process: 100,000 points in batches of 10,000 through the use
// case (validation, one ledger event per batch, monitor evaluation on ingest), one transaction each.
// Target: at least 100,000 points/s. Beside it, in the same run, plain better-sqlite3 inserting the
// same points a row each into a table of the shape points had before chunks (an id key and a series
// index; the same pragmas, one transaction per batch): the floor of storing a row per point. And the latency from a breaching point acknowledged by the
// API (HTTP 200 over a real socket) to its alert's escalation webhook arriving at a real local
// receiver, through the alert -> exception -> escalation workflow and the delivery that follows
// the commit. Target: <= 2 s (the worst of the runs).
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { systemContext } from '../src/context.js';
import { ingestMetricPoints } from '../src/modules/alerts/alerts.service.js';
import { createWebhookSubscription } from '../src/notifications/notifications.service.js';
import { createTestApp } from '../test/app.js';
import { buildSystem } from '../test/factories.js';
import { createTestStore } from '../test/stores.js';
import { startWebhookReceiver } from '../test/webhook-receiver.js';
import { type BenchResult, median, nowMs, tempDir } from './lib.js';

const BATCH = 10_000;
const BATCHES = 10;
const RUNS = 3;
const TARGET = 100_000;

const LATENCY_RUNS = 10;
const LATENCY_TARGET_MS = 2_000;

/** Breaching point acknowledged by the API -> escalation webhook at a real receiver, per run. */
async function escalationLatency(): Promise<BenchResult[]> {
  const t = await createTestApp('sqlite');
  const receiver = await startWebhookReceiver();
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    await t.store.transact((trx) => createWebhookSubscription(trx, { url: receiver.url, events: ['escalation'], createdBy: null }));
    const ingest = await t.user(['contributor'], { scopes: ['ingest'] });
    const lead = await t.user(['governance_lead']);
    const latencies: number[] = [];
    for (let r = 0; r < LATENCY_RUNS; r++) {
      const system = await buildSystem(t.store, { accountableOwnerId: lead.id });
      const monitor = await t.call(lead, 'POST', '/api/v1/monitors', {
        systemId: system.id,
        name: 'error rate',
        source: 'points',
        metric: 'error_rate',
        aggregation: 'last',
        comparison: 'gt',
        threshold: 0.05,
        windowSeconds: 3600,
        severity: 'high',
        ownerId: lead.id,
        rationale: 'bench',
      });
      if (monitor.statusCode !== 201) throw new Error(monitor.body);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/metrics/points`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingest.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ points: [{ systemId: system.id, metric: 'error_rate', value: 0.5, at: new Date().toISOString() }] }),
      });
      const acknowledgedAt = nowMs();
      const receipt = (await res.json()) as { alertsFired: string[] };
      const [alertId] = receipt.alertsFired;
      const deadline = acknowledgedAt + 10_000;
      let arrived: number | null = null;
      while (arrived === null && nowMs() < deadline) {
        const hook = receiver.received.find((h) => (JSON.parse(h.body) as { data: { itemId: string } }).data.itemId === alertId);
        if (hook) arrived = nowMs();
        else await new Promise((resolve) => setTimeout(resolve, 2));
      }
      latencies.push(arrived === null ? Number.POSITIVE_INFINITY : arrived - acknowledgedAt);
    }
    const worst = Math.max(...latencies);
    return [
      {
        name: `breaching point acknowledged -> escalation webhook at a local receiver (worst of ${LATENCY_RUNS}; median ${median(latencies).toFixed(0)} ms)`,
        value: worst,
        unit: 'ms',
        target: `<= ${LATENCY_TARGET_MS}`,
        pass: worst <= LATENCY_TARGET_MS,
      },
    ];
  } finally {
    await receiver.close();
    await t.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await ingestRate()), ...(await escalationLatency())];
}

type Point = { systemId: string; metric: string; value: number; at: string; labels: Record<string, string> };

/** Plain better-sqlite3: the same points, a row each, in the shape points had before chunks. */
function rowPerPointRate(batches: Point[][]): number {
  const dir = tempDir('points');
  const db = new SQLite(path.join(dir, 'rows.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`create table metric_points (id text primary key, system_id text not null, metric text not null, labels text not null,
      value real not null, at text not null, received_at text not null);
      create index metric_points_series_idx on metric_points (system_id, metric, at);`);
    const insert = db.prepare('insert into metric_points values (?, ?, ?, ?, ?, ?, ?)');
    let id = 0;
    const insertBatch = db.transaction((points: Point[], receivedAt: string) => {
      for (const p of points)
        insert.run([String(id++).padStart(36, '0'), p.systemId, p.metric, JSON.stringify(p.labels), p.value, p.at, receivedAt]);
    });
    const started = nowMs();
    for (const points of batches) insertBatch(points, new Date().toISOString());
    return (BATCH * BATCHES) / ((nowMs() - started) / 1000);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function ingestRate(): Promise<BenchResult[]> {
  const store = await createTestStore('sqlite');
  try {
    const system = await buildSystem(store);
    const rates: number[] = [];
    const plainRates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const batches: Point[][] = Array.from({ length: BATCHES }, (_, b) =>
        Array.from({ length: BATCH }, (_, i) => ({
          systemId: system.id,
          metric: 'latency_ms',
          value: (i % 500) + b,
          at: new Date(Date.UTC(2026, 10, 30, 10, r, b, i % 1000)).toISOString(),
          labels: { region: i % 2 === 0 ? 'eu' : 'us' },
        })),
      );
      const started = nowMs();
      for (const points of batches) await store.transact((trx) => ingestMetricPoints(trx, { ctx: systemContext('bench'), points }));
      rates.push((BATCH * BATCHES) / ((nowMs() - started) / 1000));
      plainRates.push(rowPerPointRate(batches));
    }
    const value = median(rates);
    const plain = median(plainRates);
    return [
      {
        name: 'metric points ingested (use case, SQLite, batches of 10,000)',
        value: Math.round(value),
        unit: 'points/s',
        target: `>= ${TARGET}`,
        pass: value >= TARGET,
      },
      {
        name: 'metric points ingested vs plain better-sqlite3 inserting them a row each (the shape before chunks; same run)',
        value: Math.round(value),
        unit: 'points/s',
        baseline: Math.round(plain),
        ratio: value / plain,
        target: 'informational',
        pass: true,
      },
    ];
  } finally {
    await store.close();
  }
}
