// Outcome ingestion on SQLite, in process: 100,000 outcomes (each with two declared group
// attributes) in batches of 5,000 through the use case, one transaction each, committed before the
// call returns (durable when acknowledged: the route answers after the commit). The decisions they
// name are recorded first, untimed. Target from issue 11: at least 50,000 records/s.
// Baseline in the same run: plain better-sqlite3 doing only the SQLite work of the same batches
// (the decisions' lookup, the outcomes' insert, a synced commit) on tables made from the migrated
// schema: what the use case would reach with no checks, digest, rollups, ledger or Kysely.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { systemContext } from '../src/context.js';
import { MULTI_ROWS } from '../src/db/store.js';
import { decisionRowIds, ingestDecisionBatch } from '../src/modules/decisions/decisions.service.js';
import { declareFairnessAttributes } from '../src/modules/monitoring/fairness-declarations.service.js';
import { canonicalGroups, ingestOutcomeBatch, MAX_OUTCOME_RECORDS } from '../src/modules/monitoring/outcomes.service.js';
import { buildSystem } from '../test/factories.js';
import { createTestStore } from '../test/stores.js';
import { type BenchResult, median, nowMs, tempDir } from './lib.js';

const BATCH = MAX_OUTCOME_RECORDS;
const BATCHES = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET = 50_000;
const AGES = ['18-29', '30-49', '50+'];
const DECIDED_AT = '2026-11-27T10:00:00.000Z';

interface Outcome {
  systemId: string;
  decisionId: string;
  actual: number;
  predicted: number;
  score: number;
  knownAt: string;
  groups: Record<string, string>;
}

/** Plain better-sqlite3 on its own file holding `decisions` and `decision_outcomes` as the
 * migrations made them (`schema`: their tables and indexes, no triggers or foreign keys). `ingest` stores a run's
 * decisions untimed, then times its batches as the use case's SQLite work alone: records/s. */
function plainBetterSqlite(schema: string[]) {
  const dir = tempDir('outcomes');
  const db = new SQLite(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = OFF'); // their parents (systems, batches) are not here
  for (const statement of schema) db.exec(statement);
  const record = db.prepare(`insert into decisions (id, system_id, decision_id, decided_at, input_digest, output, human_reviewed,
    batch_id, received_at) values (?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  // The use case's lookup (store.ts rowsByKeys): the ids as one JSON parameter driving the index.
  const lookup = db
    .prepare(`select t.id, t.decision_id, t.model_version_id, t.decided_at from json_each(?) as k cross join decisions as t
      on t.system_id = ? and t.decision_id = k.value`)
    .raw(true);
  // The use case's insert (store.ts insertRows): MULTI_ROWS rows to a statement while that many
  // remain, the rest one by one (5,000 is 78 statements of 64 and 8 single rows).
  const columns = `decision_outcomes (decision_row, system_id, decision_id, model_version_id, decided_at, predicted, actual,
    score, known_at, batch_id, group_attributes)`;
  const tuple = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  const insert = db.prepare(`insert into ${columns} values ${tuple}`);
  const insertMany = db.prepare(`insert into ${columns} values ${Array(MULTI_ROWS).fill(tuple).join(', ')}`);
  type Found = [id: string, decisionId: string, modelVersionId: string | null, decidedAt: string];
  const recordDecisions = db.transaction((records: Outcome[]) => {
    const receivedAt = new Date().toISOString();
    const ids = decisionRowIds(records.length, Date.now());
    const batchId = randomUUID();
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      record.run(ids[i], r.systemId, r.decisionId, DECIDED_AT, 'a'.repeat(64), '{"approved":true}', batchId, receivedAt);
    }
  });
  const recordOutcomes = db.transaction((records: Outcome[]) => {
    const found = new Map<string, Found>();
    for (const row of lookup.all(JSON.stringify(records.map((r) => r.decisionId)), records[0].systemId) as Found[]) found.set(row[1], row);
    const batchId = randomUUID();
    const many: unknown[] = [];
    for (const r of records) {
      const d = found.get(r.decisionId) as Found;
      const groups = canonicalGroups(r.groups);
      many.push(d[0], r.systemId, r.decisionId, d[2], d[3], r.predicted, r.actual, r.score, r.knownAt, batchId, groups);
      if (many.length === 11 * MULTI_ROWS) {
        insertMany.run(many);
        many.length = 0;
      }
    }
    for (let i = 0; i < many.length; i += 11) insert.run(many.slice(i, i + 11));
  });
  return {
    ingest(batches: Outcome[][]): number {
      db.pragma('synchronous = OFF'); // the decisions, untimed
      for (const records of batches) recordDecisions(records);
      db.pragma('synchronous = FULL'); // each commit synced before the next batch, as the use case's
      const started = nowMs();
      for (const records of batches) recordOutcomes(records);
      return (BATCH * BATCHES) / ((nowMs() - started) / 1000);
    },
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function run(): Promise<BenchResult[]> {
  const store = await createTestStore('sqlite');
  const ctx = systemContext('bench');
  const schema = (
    store.sqlite
      ?.prepare(`select sql from sqlite_master where tbl_name in ('decisions', 'decision_outcomes') and type in ('table', 'index')
        and sql is not null order by type desc`)
      .pluck()
      .all() ?? []
  ).map(String);
  const plain = plainBetterSqlite(schema);
  try {
    const rates: number[] = [];
    const cpuRates: number[] = [];
    const plainRates: number[] = [];
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
      const batches: Outcome[][] = [];
      for (let b = 0; b < BATCHES; b++) {
        const ids = Array.from({ length: BATCH }, () => randomUUID());
        const records = ids.map((decisionId) => ({
          decisionId,
          systemId: system.id,
          decidedAt: DECIDED_AT,
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
      plainRates.push(plain.ingest(batches));
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
      {
        name: 'use case against plain better-sqlite3 doing only its SQLite work (lookup, insert, synced commit; the same batches)',
        value: Math.round(value),
        unit: 'records/s',
        baseline: Math.round(median(plainRates)),
        ratio: value / median(plainRates),
        target: 'informational (the baseline is the floor this schema and driver allow)',
        pass: true,
      },
    ];
  } finally {
    plain.close();
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}: ${r.value.toFixed(0)} ${r.unit}  target ${r.target}`);
}
