// Times each test file on its own: wall time and CPU time (user+sys of the file's process tree, which
// the other work on the machine hardly changes), a sorted table at the end. Finds files as `npm test`
// does; arguments narrow to paths containing a word. PROOFLINE_TEST_PG_URL: a running PostgreSQL
// (else each file starts its own); TIMES_CONCURRENCY: files at once (1 by default);
// TIMES_OUT: a file that receives one JSON line per file as it ends.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compiledTests, compiledTestsEnv } from '../test/compiled-cli.js';
import { findTests } from './test-files.js';

interface Timing {
  file: string;
  wall: number;
  cpu: number;
  ok: boolean;
}

const words = process.argv.slice(2);
const files = findTests().filter((file) => words.length === 0 || words.some((word) => file.includes(word)));
const concurrency = Number(process.env.TIMES_CONCURRENCY ?? 1);
const out = process.env.TIMES_OUT;
// As npm test runs them: the JavaScript transpiled once for the run (test/compiled-cli.ts).
const tree = compiledTests();

function timeFile(file: string): Promise<Timing> {
  return new Promise((resolve) => {
    // GNU time prints its figures last on stderr: elapsed, user, sys seconds.
    const compiled = path.join(tree, file.replace(/\.ts$/, '.js'));
    const child = spawn('/usr/bin/time', ['-f', 'TIMES %e %U %S', process.execPath, '--enable-source-maps', compiled], {
      env: { ...process.env, ...compiledTestsEnv(tree) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => {
      const match = /TIMES ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      const [wall, user, sys] = match ? match.slice(1).map(Number) : [Number.NaN, Number.NaN, Number.NaN];
      resolve({ file, wall, cpu: user + sys, ok: code === 0 });
    });
  });
}

const timings: Timing[] = [];
const queue = [...files];
async function worker(): Promise<void> {
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const timing = await timeFile(file);
    timings.push(timing);
    if (out) fs.appendFileSync(out, `${JSON.stringify(timing)}\n`);
    console.error(
      `${timing.ok ? 'ok  ' : 'FAIL'} ${timing.wall.toFixed(1).padStart(6)} s wall ${timing.cpu.toFixed(1).padStart(6)} s cpu  ${file}`,
    );
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));

timings.sort((a, b) => b.cpu - a.cpu);
console.log('   wall s    cpu s  file');
for (const t of timings)
  console.log(`${t.wall.toFixed(1).padStart(8)} ${t.cpu.toFixed(1).padStart(8)}  ${t.ok ? '' : '(FAILED) '}${t.file}`);
const total = (pick: (t: Timing) => number) =>
  timings
    .reduce((sum, t) => sum + pick(t), 0)
    .toFixed(1)
    .padStart(8);
console.log(`${total((t) => t.wall)} ${total((t) => t.cpu)}  total of ${timings.length} files`);
process.exit(timings.every((t) => t.ok) ? 0 : 1);
