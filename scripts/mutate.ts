// `npm run mutate [-- FILE ...]`: StrykerJS over the rule-bearing files (all of them, or the ones
// named), each mutant judged by the tests that prove those rules. See docs/RULES.md, "The mutation check".
import { spawnSync } from 'node:child_process';
import targets from './mutation-targets.json' with { type: 'json' };

const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passOn = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = named.length > 0 ? named : Object.keys(targets);
const result = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', '--mutate', files.join(','), ...passOn], {
  stdio: 'inherit',
  env: { ...process.env, PROOFLINE_MUTATE: files.join(',') },
});
process.exit(result.status ?? 1);
