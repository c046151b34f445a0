// Child process of the ledger benchmark: verifies a whole ledger and reports the time and this
// process's peak resident memory (VmHWM), so the figure is verification's own and nothing else's.
import fs from 'node:fs';
import { loadConfig } from '../src/config.js';
import { createStore } from '../src/db/store.js';
import { loadSigningKey } from '../src/ledger/signing-key.js';
import { verifyLedger } from '../src/ledger/verify.service.js';

const config = loadConfig();
const verifier = loadSigningKey(config, { create: false }).verifier;
const store = createStore(config.database);
const start = process.hrtime.bigint();
const report = await verifyLedger(store, { verifier });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
await store.close();
const peakKb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS);
process.stdout.write(
  `${JSON.stringify({ ok: report.ok, events: report.events, checkpoints: report.checkpointsChecked, ms, peakMb: peakKb / 1024 })}\n`,
);
