// Evidence packs at scale: a whole-organisation pack of a 1,000,000-event ledger (SQLite, the real
// append path), written to a file by a child process (bench/evidence-pack-child.ts), so events/s and
// peak resident memory are the writing's own, not the seeding's; then `verifyEvidencePack` on it,
// also in a child, against plain node SHA-256 (one-shot crypto.hash) over the same leaves, in the
// same run.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { systemContext } from '../src/context.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createSqliteStore, type Store } from '../src/db/store.js';
import { appendEvents, type EventInput } from '../src/ledger/ledger.service.js';
import { loadSigningKey } from '../src/ledger/signing-key.js';
import { createSystem } from '../src/modules/systems/systems.service.js';
import { type BenchResult, nowMs, tempDir } from './lib.js';

const EVENTS = Number(process.env.PROOFLINE_BENCH_EVENTS ?? 1_000_000);
/** AI systems in the inventory: the pack carries their live control status (some 4 MB of JSON at 1,000). */
const SYSTEMS = 1000;
const ctx = systemContext('bench');

const input = (i: number): EventInput => ({
  type: 'system.updated',
  subject: { type: 'ai_system', id: `system-${i % 1000}` },
  before: { status: 'proposed', owner: 'owner-a' },
  after: { status: 'in_validation', owner: 'owner-b', tags: ['credit', 'eu'] },
  reason: `Scheduled review ${i} completed by the model risk team`,
});

/** Plain SHA-256 of every leaf with its 0x00 prefix (the bytes a leaf hash covers), timing only the hashing. */
function plainHashRate(store: Store): { rate: number; leaves: number } {
  const read = (store.sqlite as NonNullable<Store['sqlite']>)
    .prepare('select cast(leaf as blob) from ledger_events where seq >= ? and seq < ? order by seq')
    .raw(true);
  let hashing = 0;
  let leaves = 0;
  for (let start = 0; ; start += 50_000) {
    const page = (read.all(start, start + 50_000) as Array<[Buffer]>).map(([leaf]) => Buffer.concat([Buffer.from([0]), leaf]));
    if (page.length === 0) break;
    const t = nowMs();
    for (const leaf of page) crypto.hash('sha256', leaf, 'buffer');
    hashing += nowMs() - t;
    leaves += page.length;
  }
  return { rate: (leaves / hashing) * 1000, leaves };
}

function inChild(mode: 'write' | 'verify', file: string, env: Record<string, string>) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/evidence-pack-child.ts', mode, file], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as { ok: boolean; events?: number; problem?: unknown; ms: number; peakMb: number };
}

export async function run(): Promise<BenchResult[]> {
  const dir = tempDir('evidence');
  const dbFile = path.join(dir, 'big.db');
  const keyFile = path.join(dir, 'key.pem');
  const store = createSqliteStore(dbFile);
  try {
    await migrateToLatest(store.writer);
    loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: keyFile }));
    let t = nowMs();
    for (let start = 0; start < EVENTS; start += 10_000) {
      const inputs = Array.from({ length: Math.min(10_000, EVENTS - start) }, (_, i) => input(start + i));
      await store.transact((trx) => appendEvents(trx, ctx, inputs));
    }
    for (let start = 0; start < SYSTEMS; start += 100)
      await store.transact(async (trx) => {
        for (let i = start; i < Math.min(start + 100, SYSTEMS); i += 1)
          await createSystem(trx, {
            ctx,
            input: {
              name: `Bench system ${i}`,
              purpose: 'Scores loan applications',
              intendedUse: 'Decision support for credit officers',
              aiType: 'machine_learning',
              deploymentKind: 'internal',
            },
          });
      });
    console.error(`evidence: appended ${EVENTS} ledger events and ${SYSTEMS} systems in ${Math.round(nowMs() - t)} ms`);
    const env = { PROOFLINE_DATABASE_URL: `sqlite:${dbFile}`, PROOFLINE_SIGNING_KEY_FILE: keyFile, PROOFLINE_LOG_LEVEL: 'silent' };
    const file = path.join(dir, 'pack.zip');
    t = nowMs();
    const written = inChild('write', file, env);
    console.error(`evidence: pack of ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MB in ${Math.round(nowMs() - t)} ms (child)`);
    const plain = plainHashRate(store);
    const verified = inChild('verify', file, env);
    if (!verified.ok || verified.events !== plain.leaves)
      throw new Error(`the benchmark's pack did not verify: ${JSON.stringify(verified)} (${plain.leaves} leaves)`);
    const rate = (plain.leaves / written.ms) * 1000;
    const verifyRate = (plain.leaves / verified.ms) * 1000;
    return [
      {
        name: `evidence pack, whole organisation, ${EVENTS.toLocaleString('en')} events (+${SYSTEMS + 1}: the systems and its own) and the live status of ${SYSTEMS} systems, written by a child process`,
        value: rate,
        unit: 'events/s',
        target: '>= 50000',
        pass: rate >= 50_000,
      },
      {
        name: 'evidence pack, peak resident memory of the writing process (VmHWM)',
        value: written.peakMb,
        unit: 'MB',
        target: '<= 300',
        pass: written.peakMb <= 300,
      },
      {
        name: `pack verify (child, peak ${verified.peakMb.toFixed(0)} MB) vs plain one-shot SHA-256 over the same leaves`,
        value: verifyRate,
        unit: 'events/s',
        baseline: plain.rate,
        ratio: verifyRate / plain.rate,
        target: '>= 0.4 x plain',
        pass: verifyRate / plain.rate >= 0.4,
      },
    ];
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
