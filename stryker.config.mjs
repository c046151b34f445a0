// StrykerJS for the mutation check of the rule-bearing files (docs/RULES.md, "The mutation check").
// Run it with `npm run mutate [-- FILE ...]`; scripts/mutation-targets.json lists the files and the
// tests that prove their rules.
import fs from 'node:fs';

const targets = JSON.parse(fs.readFileSync(new URL('./scripts/mutation-targets.json', import.meta.url), 'utf8'));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  commandRunner: { command: 'node --import tsx scripts/mutation-tests.ts' },
  mutate: Object.keys(targets),
  // The command runner cannot tell which test covers which mutant: every mutant runs the command.
  coverageAnalysis: 'off',
  // Two cores, shared: one mutant at a time.
  concurrency: 1,
  timeoutMS: 20_000,
  // Error messages are not rules; an error code or a status mutated to "" would not type-check.
  mutator: { excludedMutations: ['StringLiteral'] },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // biome.json stays out: a second root configuration inside the project breaks `biome check` during a run.
  ignorePatterns: ['dist', 'bench', 'reports', 'data', '.tmp', 'docs', 'biome.json'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
