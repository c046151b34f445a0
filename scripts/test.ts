// `npm test`: starts one throwaway PostgreSQL for the whole run and runs every *.test.ts under src/,
// test/, packages/ and web/e2e, two jobs at a time (one per core), at most one of them a browser
// file, longest first; with no filter words it also runs the checks (Biome, the typechecks, the
// OpenAPI lint, the web UI's Vitest) in one of the two slots at the start. A job is a file that needs
// a process of its own (a browser, servers of its own, a time limit, the longest: test-files.ts), or
// a batch of the other files run one after the other in one process (scripts/run-test-files.mjs).
// Each job's output is printed whole when it ends. A job that failed runs again at the end, each of
// its files alone: a file that passes then does not fail the run, and its job is named as flaky. The
// exit code is 1 if any check, or any file run alone, failed.
//   node --import tsx scripts/test.ts              everything (npm test)
//   node --import tsx scripts/test.ts WORD...      only files whose path contains a WORD, no checks
// PROOFLINE_TEST_CONCURRENCY: jobs at once (2). PROOFLINE_TEST_BROWSERS: browser files at once (1).
// PROOFLINE_TEST_BATCH: most files in one process (8; 1 gives every file a process of its own).
// PROOFLINE_TEST_FAILURE_LOG: a file each failed job's failures are appended to (CI prints it last, so
// a failure of the first of two runs is not buried under the second run's output).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compiledTests, compiledTestsEnv } from '../test/compiled-cli.js';
import { startPostgres } from '../test/pg.js';
import { findTests, needsOwnProcess } from './test-files.js';

interface Job {
  name: string;
  /** A browser test file (Chromium and a server): at most PROOFLINE_TEST_BROWSERS run at once. */
  browser?: boolean;
  /** The test files it runs (none for the checks): a failed job runs each again, alone. */
  files: string[];
  /** Commands run one after the other; the job fails at the first that fails. */
  commands: string[][];
}

const filter = process.argv.slice(2);
const files = findTests().filter((file) => filter.length === 0 || filter.some((word) => file.includes(word)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = Number(process.env.PROOFLINE_TEST_CONCURRENCY ?? 2);
/** Browser files at once: two Chromiums and their servers beside the checks made a 2-core machine
 * run tests to time limits at a load of 8 to 11; one, beside a file without a browser, at 4 to 5. */
const maxBrowsers = Number(process.env.PROOFLINE_TEST_BROWSERS ?? 1);
/** Files in one process: enough that loading the app once pays (10 files: 57 -> 28 s of CPU), few
 * enough that a batch is no longer than a long file (about 30 s) and a failed one is soon run again. */
const batchSize = Math.max(1, Number(process.env.PROOFLINE_TEST_BATCH ?? 8));

const npmRun = (script: string) => ['npm', 'run', '-s', script];

/** The checks that need no database: as long as a long test file, so they start with the longest. */
const CHECKS: Job = {
  name: 'checks (lint, typecheck, lint:openapi, test:web)',
  files: [],
  commands: ['lint', 'typecheck', 'lint:openapi', 'test:web'].map(npmRun),
};
// Each file runs as the JavaScript tsx would make of it, transpiled once for the run (test/compiled-cli.ts):
// about 3 s less CPU per file than `--import tsx`; stack traces still name the .ts sources.
const tree = compiledTests();
const compiled = (file: string) => path.join(tree, file.replace(/\.ts$/, '.js'));
const node = [process.execPath, '--enable-source-maps', '--test-reporter=spec'];
const fileJob = (file: string): Job => ({
  name: file,
  browser: file.split(path.sep).join('/').includes('web/e2e/'),
  files: [file],
  commands: [[...node, compiled(file)]],
});
const batchJob = (batch: string[]): Job =>
  batch.length === 1
    ? fileJob(batch[0])
    : {
        name: `${batch[0]} ... ${batch[batch.length - 1]} (${batch.length} files in one process)`,
        files: batch,
        commands: [[...node, path.join(import.meta.dirname, 'run-test-files.mjs'), ...batch.map(compiled)]],
      };
/** The files that may share a process, in name order (neighbours load the same modules), in batches of
 * at most batchSize and near-equal length; at least one per slot, so a run of a few files uses both. */
function batches(shared: string[]): string[][] {
  const count = Math.min(shared.length, Math.max(Math.ceil(shared.length / batchSize), concurrency));
  const size = Math.ceil(shared.length / Math.max(1, count));
  return Array.from({ length: count }, (_, i) => shared.slice(i * size, (i + 1) * size)).filter((batch) => batch.length > 0);
}
const jobs = [
  ...(filter.length === 0 ? [CHECKS] : []),
  ...files.filter(needsOwnProcess).map(fileJob),
  ...batches(files.filter((file) => !needsOwnProcess(file))).map(batchJob),
];

function runCommand([command, ...args]: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ ok: code === 0, output: signal ? `${output}killed by ${signal}\n` : output }));
  });
}

/** The part of a failed job's output that says what failed: the test runner's "failing tests"
 * section when there is one, else the output's last 80 lines. */
function failuresOf(output: string): string {
  const at = output.lastIndexOf('failing tests:');
  if (at >= 0) return output.slice(output.lastIndexOf('\n', at) + 1);
  return output.split('\n').slice(-80).join('\n');
}

async function runJob(job: Job, env: NodeJS.ProcessEnv): Promise<boolean> {
  const started = Date.now();
  let output = '';
  let ok = true;
  for (const command of job.commands) {
    const result = await runCommand(command, env);
    output += result.output;
    ok = result.ok;
    if (!ok) break;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const list = job.files.length > 1 ? `${job.files.join('\n')}\n` : '';
  process.stdout.write(`\n== ${job.name} (${seconds} s) ${ok ? 'passed' : 'FAILED'}\n${list}${output}`);
  if (!ok && process.env.PROOFLINE_TEST_FAILURE_LOG) {
    fs.appendFileSync(process.env.PROOFLINE_TEST_FAILURE_LOG, `\n== Node ${process.version}: ${job.name} FAILED\n${failuresOf(output)}`);
  }
  return ok;
}

const pg = await startPostgres();
const failed: string[] = [];
const flaky: string[] = [];
const started = Date.now();
try {
  const env = { ...process.env, PROOFLINE_TEST_PG_URL: pg.socketUrl, ...compiledTestsEnv(tree) };
  const queue = [...jobs];
  let browsers = 0;
  let browserEnded: Array<() => void> = [];
  // Each slot takes the first job in the queue's order that may start now: a browser file only
  // while fewer than maxBrowsers run; with only browser files left and none allowed, it waits.
  const slot = async () => {
    while (queue.length > 0) {
      const i = queue.findIndex((job) => !job.browser || browsers < maxBrowsers);
      if (i === -1) {
        await new Promise<void>((resolve) => browserEnded.push(resolve));
        continue;
      }
      const [job] = queue.splice(i, 1);
      if (job.browser) browsers += 1;
      try {
        if (!(await runJob(job, env))) failed.push(job.name);
      } finally {
        if (job.browser) {
          browsers -= 1;
          const waiting = browserEnded;
          browserEnded = [];
          for (const resolve of waiting) resolve();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
  // A job that failed beside others runs again, each of its files alone: some tests hold the product
  // to a time (a pause reaches every instance within one second) that a 2-core machine running
  // another file, a browser and PostgreSQL beside it can miss. A file that fails again fails the run;
  // a job whose files all pass alone is named as flaky in the summary (and in the failure log). The
  // checks are not run again.
  for (const name of [...failed]) {
    const job = jobs.find((j) => j.name === name);
    if (!job || job === CHECKS) continue;
    const again = job.files.length === 1 ? 'running it again, alone' : 'running each of its files again, alone';
    process.stdout.write(`\n== ${name}: failed beside other files; ${again}\n`);
    const stillFailing: string[] = [];
    for (const file of job.files) if (!(await runJob(fileJob(file), env))) stillFailing.push(file);
    failed.splice(failed.indexOf(name), 1, ...stillFailing);
    if (stillFailing.length === 0) flaky.push(name);
  }
} finally {
  pg.stop();
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const flakyNote = flaky.length === 0 ? '' : ` (FLAKY, failed beside others and passed alone: ${flaky.join(', ')})`;
console.log(`\n${jobs.length} jobs in ${minutes} min; ${failed.length === 0 ? 'all passed' : `FAILED: ${failed.join(', ')}`}${flakyNote}`);
process.exit(failed.length === 0 ? 0 : 1);
