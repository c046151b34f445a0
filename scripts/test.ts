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

/** The longest files (a few minutes each on a 2-core machine: processes per CLI command, a browser,
 * kill -9 and two-instance runs) start first, so that the two runners finish together instead of one
 * running the longest file alone at the end. The rest follow in name order. */
const LONGEST_FIRST = [
  'src/ledger/tamper.test.ts',
  'src/cli/controls.commands.test.ts',
  'src/ledger/durability.test.ts',
  'src/server/bad-input.test.ts',
  'web/e2e/frameworks.test.ts',
  'web/e2e/approvals.test.ts',
  'src/modules/systems/systems-import.test.ts',
  'src/cli/systems.commands.test.ts',
  'src/accounts/oidc.test.ts',
  'src/server/cluster.test.ts',
];
const rank = (file: string) => {
  const i = LONGEST_FIRST.findIndex((long) => file.split(path.sep).join('/').endsWith(long));
  return i === -1 ? LONGEST_FIRST.length : i;
};

const filter = process.argv.slice(2);
let files = [...findTests('src'), ...findTests('test'), ...findTests('packages'), ...findTests('web/e2e')]
  .sort()
  .sort((a, b) => rank(a) - rank(b));
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
