// Issue 3 targets: batched append vs plain inserts, durable concurrent appends, full verification
// of a 1,000,000-event ledger vs plain SHA-256 (and its peak memory), and proof and history reads
// in that ledger. Baselines are measured in the same run on the same machine.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { systemContext } from '../src/context.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createSqliteStore, type Store } from '../src/db/store.js';
import { makeCheckpoint } from '../src/ledger/checkpoints.service.js';
import { listEvents } from '../src/ledger/ledger.repository.js';
import { appendEvent, appendEvents, type EventInput } from '../src/ledger/ledger.service.js';
import { proveInclusion } from '../src/ledger/proofs.service.js';
import { loadSigningKey } from '../src/ledger/signing-key.js';
import { type BenchResult, median, nowMs, tempDir, throughput } from './lib.js';

const ctx = systemContext('bench');
const BIG = 1_000_000;
const SUBJECTS = 100_000;

/** An event of realistic size (~450 bytes of canonical JSON). */
const input = (i: number): EventInput => ({
  type: 'system.updated',
  subject: { type: 'ai_system', id: `system-${i % SUBJECTS}`, version: 1 + Math.floor(i / SUBJECTS) },
  before: { status: 'in_development', owner: 'owner-a' },
  after: { status: 'in_validation', owner: 'owner-b', tags: ['credit', 'eu'] },
  reason: `Scheduled review ${i} completed by the model risk team`,
});

async function freshStore(dir: string, name: string): Promise<Store> {
  const store = createSqliteStore(path.join(dir, name));
  await migrateToLatest(store.writer);
  return store;
}

async function batchedAppend(dir: string): Promise<BenchResult> {
  const store = await freshStore(dir, 'batched.db');
  const baseline = await freshStore(dir, 'plain.db');
  try {
    const batches = 50;
    let ours = 0;
    for (let b = 0; b < batches; b++) {
      const inputs = Array.from({ length: 1000 }, (_, i) => input(b * 1000 + i));
      const t = nowMs();
      await store.transact((trx) => appendEvents(trx, ctx, inputs));
      ours += nowMs() - t;
    }
    // The same rows, inserted plainly: one prepared statement, one transaction per 1,000.
    const rows = store.sqlite
      ?.prepare(
        'select seq, event_id, type, actor_id, subject_type, subject_id, recorded_at, leaf, leaf_hash from ledger_events order by seq',
      )
      .raw(true)
      .all() as unknown[][];
    const handle = baseline.sqlite as NonNullable<Store['sqlite']>;
    // Same schema and indexes, and the same promise as ours: a commit is on disk when it returns
    // (ours: WAL fsynced before transact resolves; plain: SQLite syncs the WAL at each commit).
    handle.pragma('synchronous = FULL');
    const insert = handle.prepare(
      'insert into ledger_events (seq, event_id, type, actor_id, subject_type, subject_id, recorded_at, leaf, leaf_hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertBatch = handle.transaction((batch: unknown[][]) => {
      for (const row of batch) insert.run(row);
    });
    let plain = 0;
    for (let b = 0; b < batches; b++) {
      const batch = rows.slice(b * 1000, (b + 1) * 1000);
      const t = nowMs();
      insertBatch(batch);
      plain += nowMs() - t;
    }
    const rate = (batches * 1000 * 1000) / ours;
    const base = (batches * 1000 * 1000) / plain;
    return {
      name: 'batched append, 1,000 events per transaction',
      value: rate,
      unit: 'events/s',
      baseline: base,
      ratio: rate / base,
      target: '>= 0.4 x plain better-sqlite3 inserts',
      pass: rate / base >= 0.4,
    };
  } finally {
    await store.close();
    await baseline.close();
  }
}

async function concurrentDurableAppends(dir: string): Promise<BenchResult> {
  const store = await freshStore(dir, 'concurrent.db');
  try {
    await throughput(16, 500, async (i) => void (await store.transact((trx) => appendEvent(trx, ctx, input(i)))));
    const rate = await throughput(16, 20_000, async (i) => void (await store.transact((trx) => appendEvent(trx, ctx, input(i)))));
    return {
      name: 'durable single-event appends, 16 concurrent writers',
      value: rate,
      unit: 'events/s',
      target: '>= 5000/s',
      pass: rate >= 5000,
    };
  } finally {
    await store.close();
  }
}

/** A 1,000,000-event ledger through the real append path, with a checkpoint every 250,000. */
async function seedBigLedger(dir: string, keyFile: string): Promise<Store> {
  const store = await freshStore(dir, 'big.db');
  const signer = loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: keyFile }));
  for (let start = 0; start < BIG; start += 10_000) {
    const inputs = Array.from({ length: 10_000 }, (_, i) => input(start + i));
    await store.transact((trx) => appendEvents(trx, ctx, inputs));
    if ((start + 10_000) % 250_000 === 0) await store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true });
  }
  store.sqlite?.exec('analyze');
  return store;
}

/** Plain SHA-256 (node:crypto one-shot) over the same leaf bytes, timing only the hashing. */
function plainHashRate(store: Store): number {
  const read = (store.sqlite as NonNullable<Store['sqlite']>)
    .prepare('select cast(leaf as blob) from ledger_events where seq >= ? and seq < ? order by seq')
    .raw(true);
  let hashing = 0;
  for (let start = 0; start < BIG; start += 50_000) {
    const leaves = read.all(start, start + 50_000) as Array<[Buffer]>;
    const t = nowMs();
    for (const [leaf] of leaves) crypto.hash('sha256', leaf, 'buffer');
    hashing += nowMs() - t;
  }
  return (BIG / hashing) * 1000;
}

function verifyInChild(file: string, keyFile: string): { ms: number; peakMb: number; ok: boolean; events: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/ledger-verify-child.ts'], {
    env: { ...process.env, PROOFLINE_DATABASE_URL: `sqlite:${file}`, PROOFLINE_SIGNING_KEY_FILE: keyFile },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

async function bigLedgerBenchmarks(dir: string): Promise<BenchResult[]> {
  const keyFile = path.join(dir, 'key.pem');
  const store = await seedBigLedger(dir, keyFile);
  try {
    const base = plainHashRate(store);
    const verified = verifyInChild(path.join(dir, 'big.db'), keyFile);
    if (!verified.ok || verified.events !== BIG) throw new Error(`verify failed on the benchmark ledger: ${JSON.stringify(verified)}`);
    const rate = (BIG / verified.ms) * 1000;

    const proofTimes: number[] = [];
    for (let i = 0; i < 300; i++) {
      const seq = (i * 7919 * 13) % BIG;
      const t = nowMs();
      await proveInclusion(store.db, { seq, treeSize: BIG });
      proofTimes.push(nowMs() - t);
    }
    const historyTimes: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = nowMs();
      const page = await listEvents(store.db, {
        subjectType: 'ai_system',
        subjectId: `system-${(i * 331) % SUBJECTS}`,
        limit: 50,
        offset: 0,
      });
      historyTimes.push(nowMs() - t);
      if (page.total !== BIG / SUBJECTS) throw new Error(`history has ${page.total} events`);
    }
    const proof = median(proofTimes.slice(20));
    const history = median(historyTimes.slice(20));
    return [
      {
        name: 'verify 1,000,000 events',
        value: rate,
        unit: 'events/s',
        baseline: base,
        ratio: rate / base,
        target: '>= 0.4 x plain SHA-256 over the leaves',
        pass: rate / base >= 0.4,
      },
      {
        name: 'verify 1,000,000 events, peak memory',
        value: verified.peakMb,
        unit: 'MB',
        target: '<= 300 MB',
        pass: verified.peakMb <= 300,
      },
      { name: 'inclusion proof in a 1,000,000-event ledger, median', value: proof, unit: 'ms', target: '<= 5 ms', pass: proof <= 5 },
      {
        name: 'history of one subject in a 1,000,000-event ledger, median',
        value: history,
        unit: 'ms',
        target: '<= 10 ms',
        pass: history <= 10,
      },
    ];
  } finally {
    await store.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = tempDir('ledger');
  try {
    return [await batchedAppend(dir), await concurrentDurableAppends(dir), ...(await bigLedgerBenchmarks(dir))];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true }); // the 1,000,000-event ledger is about 1 GB
  }
}
