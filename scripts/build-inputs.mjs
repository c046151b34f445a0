// What the build reads, and the stamp it leaves: `npm start` rebuilds only when a source is newer.
import fs from 'node:fs';
import path from 'node:path';

export const BUILD_STAMP = path.join('dist', '.build-stamp.json');

const SOURCES = [
  'src',
  'web/src',
  'web/index.html',
  'web/vite.config.ts',
  'packages/client/src',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];

function newestIn(entry) {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) {
    if (child === 'node_modules' || child.endsWith('.test.ts') || child.endsWith('.test.tsx')) continue;
    newest = Math.max(newest, newestIn(path.join(entry, child)));
  }
  return newest;
}

/** The newest modification time (ms) among the build's inputs. */
export function newestSource(root) {
  return Math.max(...SOURCES.map((s) => newestIn(path.join(root, s))));
}

/** Is the build missing or older than a source? */
export function buildIsStale(root) {
  const stampFile = path.join(root, BUILD_STAMP);
  if (!fs.existsSync(stampFile) || !fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) return true;
  try {
    const { inputsAsOf } = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    return newestSource(root) > inputsAsOf;
  } catch {
    return true;
  }
}
