// Evidence packs at scale: a whole-organisation pack of a 1,000,000-event ledger (SQLite, the real
// append path), written to a file; events/s and peak resident memory of the writing; then
// `verifyEvidencePack` on it against plain node SHA-256 over the same leaves, in the same run.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../src/config.js';
import { systemContext } from '../src/context.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createSqliteStore } from '../src/db/store.js';
import { verifyEvidencePack } from '../src/evidence/pack-verify.js';
import { generateEvidencePack } from '../src/evidence/pack-writer.js';
import { appendEvents, type EventInput } from '../src/ledger/ledger.service.js';
import { loadSigningKey } from '../src/ledger/signing-key.js';
import { type BenchResult, nowMs, tempDir } from './lib.js';

const EVENTS = Number(process.env.PROOFLINE_BENCH_EVENTS ?? 1_000_000);
const ctx = systemContext('bench');

const input = (i: number): EventInput => ({
  type: 'system.updated',
  subject: { type: 'ai_system', id: `system-${i % 1000}` },
  before: { status: 'proposed', owner: 'owner-a' },
  after: { status: 'in_validation', owner: 'owner-b', tags: ['credit', 'eu'] },
  reason: `Scheduled review ${i} completed by the model risk team`,
});

export async function run(): Promise<BenchResult[]> {
  const dir = tempDir('proofline-bench-evidence-');
  const store = createSqliteStore(path.join(dir, 'big.db'));
  await migrateToLatest(store.writer);
  const signer = loadSigningKey(loadConfig({ PROOFLINE_SIGNING_KEY_FILE: path.join(dir, 'key.pem') }));
  for (let start = 0; start < EVENTS; start += 10_000) {
    const inputs = Array.from({ length: Math.min(10_000, EVENTS - start) }, (_, i) => input(start + i));
    await store.transact((trx) => appendEvents(trx, ctx, inputs));
  }
  const file = path.join(dir, 'pack.zip');
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = nowMs();
  const pack = await generateEvidencePack(store, { ctx, scope: { kind: 'organisation' }, signer });
  await pipeline(pack.stream, fs.createWriteStream(file));
  const writeSeconds = (nowMs() - started) / 1000;
  clearInterval(sampler);
  const rate = (EVENTS + 1) / writeSeconds;
  const peakMb = peakRss / 2 ** 20;

  // Plain SHA-256 over the same leaf bytes (read once into memory, so only hashing is timed).
  const leaves = (await store.db.selectFrom('ledger_events').select('leaf').orderBy('seq').execute()).map((r) =>
    Buffer.from(`\0${r.leaf}`),
  );
  const plainStarted = nowMs();
  for (const leaf of leaves) createHash('sha256').update(leaf).digest();
  const plainRate = leaves.length / ((nowMs() - plainStarted) / 1000);
  const verifyStarted = nowMs();
  const verified = await verifyEvidencePack(file, { verifierKey: signer.verifierKey });
  const verifyRate = verified.events / ((nowMs() - verifyStarted) / 1000);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (!verified.ok) throw new Error(`the benchmark's pack did not verify: ${JSON.stringify(verified.problem)}`);
  return [
    {
      name: `evidence pack, whole organisation, ${EVENTS} events`,
      value: rate,
      unit: 'events/s',
      target: '>= 50000',
      pass: rate >= 50_000,
    },
    { name: 'evidence pack, peak resident memory', value: peakMb, unit: 'MB', target: '<= 300', pass: peakMb <= 300 },
    {
      name: 'pack verify vs plain SHA-256 over the same leaves',
      value: verifyRate,
      unit: 'events/s',
      baseline: plainRate,
      ratio: verifyRate / plainRate,
      target: '>= 0.4 x plain',
      pass: verifyRate / plainRate >= 0.4,
    },
  ];
}
