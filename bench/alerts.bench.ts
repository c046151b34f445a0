// Metric-point ingestion on SQLite, in process: 100,000 points in batches of 10,000 through the use
// case (validation, one ledger event per batch, monitor evaluation on ingest), one transaction each.
// Target: at least 100,000 points/s. Not yet measured here: the HTTP path and the breach-to-webhook
// latency (the escalation workflow is still being built).
import { systemContext } from '../src/context.js';
import { ingestMetricPoints } from '../src/modules/alerts/alerts.service.js';
import { buildSystem } from '../test/factories.js';
import { createTestStore } from '../test/stores.js';
import { type BenchResult, median, nowMs } from './lib.js';

const BATCH = 10_000;
const BATCHES = 10;
const RUNS = 3;
const TARGET = 100_000;

export async function run(): Promise<BenchResult[]> {
  const store = await createTestStore('sqlite');
  try {
    const system = await buildSystem(store);
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const batches = Array.from({ length: BATCHES }, (_, b) =>
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
    }
    const value = median(rates);
    return [
      {
        name: 'metric points ingested (use case, SQLite, batches of 10,000)',
        value: Math.round(value),
        unit: 'points/s',
        target: `>= ${TARGET}`,
        pass: value >= TARGET,
      },
    ];
  } finally {
    await store.close();
  }
}
