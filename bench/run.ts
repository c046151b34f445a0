// `npm run bench`: runs every benchmark, prints a table and writes bench/results/latest.json.
// Targets are ratios against baselines measured in the same run, or absolute figures where the
// issue states one; these machines are noisy, so read them as a whole, not one by one.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchResult } from './lib.js';

type Bench = { run(): Promise<BenchResult[]> };

/** Each suite and its module (which exports `run`). */
const SUITES: Record<string, string> = {
  systems: './systems.bench.js',
  postgres: './postgres.bench.js',
  ledger: './ledger.bench.js',
  runtime: './runtime.bench.js',
  decisions: './decisions.bench.js',
  dashboard: './dashboard.bench.js',
  controls: './controls.bench.js',
  'monitoring-stats': './monitoring-stats.bench.js',
  'fairness-sql': './fairness-sql.bench.js',
  alerts: './alerts.bench.js',
  outcomes: './outcomes.bench.js',
  evidence: './evidence.bench.js',
  web: './web-inventory.js',
  'web-bundle': './web-bundle.bench.js',
};

const only = process.argv.slice(2);
const results: Array<BenchResult & { suite: string }> = [];
for (const [suite, file] of Object.entries(SUITES)) {
  if (only.length > 0 && !only.includes(suite)) continue;
  let bench: Bench;
  try {
    bench = (await import(file)) as Bench;
  } catch (error) {
    console.error(`${suite}: not available (${(error as Error).message})`);
    continue;
  }
  console.error(`running ${suite} ...`);
  for (const result of await bench.run()) {
    results.push({ suite, ...result });
    const ratio = result.ratio === undefined ? '' : ` (ratio ${result.ratio.toFixed(2)} vs baseline ${result.baseline?.toFixed(1)})`;
    console.log(
      `${result.pass ? 'PASS' : 'FAIL'}  ${suite}: ${result.name}: ${result.value.toFixed(2)} ${result.unit}${ratio}  target ${result.target}`,
    );
  }
}
fs.mkdirSync('bench/results', { recursive: true });
fs.writeFileSync(path.join('bench/results', 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
const failed = results.filter((r) => !r.pass).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
