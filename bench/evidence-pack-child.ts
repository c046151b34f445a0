// Child process of the evidence benchmark: `write <pack.zip>` generates the whole organisation's
// pack from the ledger named by PROOFLINE_DATABASE_URL; `verify <pack.zip>` verifies it offline.
// Reports the time and this process's peak resident memory (VmHWM), so the figures are the pack's
// own and not those of the seeding that filled the database.
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../src/config.js';
import { systemContext } from '../src/context.js';
import { createStore } from '../src/db/store.js';
import { verifyEvidencePack } from '../src/evidence/pack-verify.js';
import { generateEvidencePack } from '../src/evidence/pack-writer.js';
import { loadSigningKey } from '../src/ledger/signing-key.js';

const [mode, file] = process.argv.slice(2);
const config = loadConfig();
const signer = loadSigningKey(config, { create: false });
let result: Record<string, unknown>;
const start = process.hrtime.bigint();
if (mode === 'write') {
  const store = createStore(config.database);
  const pack = await generateEvidencePack(store, { ctx: systemContext('bench'), scope: { kind: 'organisation' }, signer });
  await pipeline(pack.stream, fs.createWriteStream(file));
  await store.close();
  result = { ok: true };
} else {
  const verified = await verifyEvidencePack(file, { verifierKey: signer.verifierKey });
  result = { ok: verified.ok, events: verified.events, problem: verified.problem };
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
const peakKb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS);
process.stdout.write(`${JSON.stringify({ ...result, ms, peakMb: peakKb / 1024 })}\n`);
