// `npm start`: serves Proofline (API, web UI, background jobs) on embedded SQLite by default.
// It builds only when a source changed since the last build (npm ci has already built once).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildIsStale } from './build-inputs.mjs';

const root = path.resolve(import.meta.dirname, '..');
if (buildIsStale(root)) {
  console.error('start: sources changed since the last build; building first');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
