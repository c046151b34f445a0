// The test command Stryker's `command` runner runs for every mutant (node's test runner has no
// Stryker plugin): the test files that prove the rules of the files being mutated, SQLite only.
// Which files are mutated comes from PROOFLINE_MUTATE (set by scripts/mutate.ts); all by default.
import { spawnSync } from 'node:child_process';
import targets from './mutation-targets.json' with { type: 'json' };

const TARGETS: Record<string, string[]> = targets;

const mutated = (process.env.PROOFLINE_MUTATE ?? Object.keys(TARGETS).join(','))
  .split(',')
  .map((f) => f.trim().replace(/:\d+(-\d+)?$/, '')) // Stryker's `file:10-40` line ranges
  .filter((f) => f !== '');
const unknown = mutated.filter((f) => !TARGETS[f]);
if (unknown.length > 0) {
  console.error(`no tests are listed for ${unknown.join(', ')} in scripts/mutation-targets.json`);
  process.exit(2);
}
const files = [...new Set(mutated.flatMap((f) => TARGETS[f]))].sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=dot', ...files], {
  stdio: 'inherit',
  env: { ...process.env, PROOFLINE_TEST_DIALECTS: 'sqlite' },
});
process.exit(result.status ?? 1);
