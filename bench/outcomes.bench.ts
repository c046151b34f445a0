// Outcome ingestion on SQLite, in process: 100,000 outcomes (each with two declared group
// attributes) in batches of 5,000 through the use case, one transaction each, committed before the
// call returns (durable when acknowledged: the route answers after the commit). The decisions they
// name are recorded first, untimed. Target from issue 11: at least 50,000 records/s.
import { randomUUID } from 'node:crypto';
import { systemContext } from '../src/context.js';
import { ingestDecisionBatch } from '../src/modules/decisions/decisions.service.js';
import { declareFairnessAttributes } from '../src/modules/monitoring/fairness-declarations.service.js';
import { ingestOutcomeBatch, MAX_OUTCOME_RECORDS } from '../src/modules/monitoring/outcomes.service.js';
import { buildSystem } from '../test/factories.js';
import { createTestStore } from '../test/stores.js';
import { type BenchResult, median, nowMs } from './lib.js';

const BATCH = MAX_OUTCOME_RECORDS;
const BATCHES = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET = 50_000;
const AGES = ['18-29', '30-49', '50+'];

export async function run(): Promise<BenchResult[]> {
  const store = await createTestStore('sqlite');
  const ctx = systemContext('bench');
  try {
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const system = await buildSystem(store);
      await store.transact((trx) =>
        declareFairnessAttributes(trx, {
          ctx,
          systemId: system.id,
          attributes: [
            { name: 'sex', values: ['F', 'M'], fairnessOnly: true },
            { name: 'age_band', values: AGES, fairnessOnly: true },
          ],
          rationale: 'Bias monitoring in the benchmark',
        }),
      );
      const batches: Array<Array<Record<string, unknown>>> = [];
      for (let b = 0; b < BATCHES; b++) {
        const ids = Array.from({ length: BATCH }, () => randomUUID());
        const records = ids.map((decisionId) => ({
          decisionId,
          systemId: system.id,
          decidedAt: '2026-11-27T10:00:00.000Z',
          inputDigest: 'a'.repeat(64),
          output: { approved: true },
        }));
        await store.transact((trx) => ingestDecisionBatch(trx, { ctx, records }));
        batches.push(
          ids.map((decisionId, i) => ({
            systemId: system.id,
            decisionId,
            actual: i % 2,
            predicted: i % 3 === 0 ? 1 : 0,
            score: (i % 100) / 100,
            knownAt: '2026-11-29T10:00:00.000Z',
            groups: { sex: i % 2 === 0 ? 'F' : 'M', age_band: AGES[i % 3] },
          })),
        );
      }
      const started = nowMs();
      const startedCpu = process.cpuUsage();
      for (const records of batches) await store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records }));
      rates.push((BATCH * BATCHES) / ((nowMs() - started) / 1000));
      const cpu = process.cpuUsage(startedCpu);
      cpuRates.push((BATCH * BATCHES) / ((cpu.user + cpu.system) / 1e6));
    }
    const value = median(rates);
    return [
      {
        name: `outcomes ingested with group attributes (use case, SQLite, batches of ${BATCH.toLocaleString('en')}, committed)`,
        value: Math.round(value),
        unit: 'records/s',
        target: `>= ${TARGET}`,
        pass: value >= TARGET,
      },
      {
        // On a shared machine the wall time also counts the time other processes held the cores.
        name: 'outcomes ingested per CPU-second of this process (the same run)',
        value: Math.round(median(cpuRates)),
        unit: 'records/CPU-s',
        target: 'informational (wall time on an idle machine)',
        pass: true,
      },
    ];
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.value.toFixed(0)} ${r.unit}  target ${r.target}`);
}
