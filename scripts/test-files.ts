// The test files `npm test` runs (every *.test.ts under src/, test/, packages/ and web/e2e), longest first.
import fs from 'node:fs';
import path from 'node:path';

function findUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findUnder(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The longest files (a minute each on a 2-core machine: a browser, kill -9 and two-instance runs, a
 * packed client installed with npm) start first, so that the two slots finish together instead of one
 * running a long file alone at the end; the other browser tests follow them, then the rest in name
 * order. Each runs in a process of its own. Order from per-file times (scripts/test-times.ts, and the
 * job times `npm test` prints), longest wall time first. */
const LONGEST_FIRST = [
  'web/e2e/frameworks.test.ts',
  'web/e2e/approvals.test.ts',
  'src/ledger/durability.test.ts',
  'src/ledger/tamper.test.ts',
  'src/modules/oversight/runtime.propagation.test.ts',
  'src/server/cluster.test.ts',
  'src/jobs/leader.test.ts',
  'packages/client/src/packed-client.test.ts',
  'web/e2e/',
];
const posix = (file: string) => file.split(path.sep).join('/');
const rank = (file: string) => {
  const i = LONGEST_FIRST.findIndex((long) => posix(file).includes(long));
  return i === -1 ? LONGEST_FIRST.length : i;
};

/** Files that hold the product to a time (a pause reaches the other instance within a second, a
 * stream closes within three), run servers of their own or an Alertmanager: each runs in a process of
 * its own, as do the longest files and the browser files. */
const OWN_PROCESS = ['src/ledger/stream.test.ts', 'src/server/serve.test.ts', 'src/modules/alerts/alertmanager.e2e.test.ts'];

/** Does this file run in a process of its own? The others share one with a batch of files (scripts/test.ts). */
export function needsOwnProcess(file: string): boolean {
  return rank(file) < LONGEST_FIRST.length || OWN_PROCESS.includes(posix(file));
}

export function findTests(): string[] {
  return [...findUnder('src'), ...findUnder('test'), ...findUnder('packages'), ...findUnder('web/e2e')]
    .sort()
    .sort((a, b) => rank(a) - rank(b));
}
