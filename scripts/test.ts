// `npm test`: starts one throwaway PostgreSQL for the whole run, runs every *.test.ts under src/,
// test/ and packages/ (the workspaces) with node's test runner, stops PostgreSQL, and exits with the runner's code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../test/pg.js';

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const filter = process.argv.slice(2);
let files = [...findTests('src'), ...findTests('test'), ...findTests('packages'), ...findTests('web/e2e')].sort();
if (filter.length > 0) files = files.filter((f) => filter.some((word) => f.includes(word)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const pg = await startPostgres();
let status = 1;
try {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env: { ...process.env, PROOFLINE_TEST_PG_URL: pg.url },
  });
  status = result.status ?? 1;
} finally {
  pg.stop();
}
process.exit(status);
