// What the build reads, and the stamp it leaves: `npm start` rebuilds only when a source is newer.
import { createHash } from 'node:crypto';
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

const isTest = (name) => name.endsWith('.test.ts') || name.endsWith('.test.tsx');

/** Every source file under ENTRY (a file or a directory), tests and node_modules left out. */
function filesIn(entry, out = []) {
  if (!fs.existsSync(entry)) return out;
  if (!fs.statSync(entry).isDirectory()) {
    out.push(entry);
    return out;
  }
  for (const child of fs.readdirSync(entry)) {
    if (child === 'node_modules' || isTest(child)) continue;
    filesIn(path.join(entry, child), out);
  }
  return out;
}

/** The build's inputs as of now: the newest modification time (ms) among them, and a digest of
 * their names, so that a source deleted or renamed (a rename keeps its time) builds again too. */
export function sourceState(root) {
  const files = SOURCES.flatMap((s) => filesIn(path.join(root, s)));
  const newest = Math.max(0, ...files.map((f) => fs.statSync(f).mtimeMs));
  const names = files.map((f) => path.relative(root, f).split(path.sep).join('/')).sort();
  return { inputsAsOf: newest, sources: createHash('sha256').update(names.join('\n')).digest('hex') };
}

/** The newest modification time (ms) among the build's inputs. */
export function newestSource(root) {
  return sourceState(root).inputsAsOf;
}

/** Is the build missing, older than a source, or built from another set of sources? */
export function buildIsStale(root) {
  const stampFile = path.join(root, BUILD_STAMP);
  if (!fs.existsSync(stampFile) || !fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) return true;
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    const now = sourceState(root);
    return now.inputsAsOf > stamp.inputsAsOf || now.sources !== stamp.sources;
  } catch {
    return true;
  }
}

/**
 * The server's compiled files in dist/ whose source in src/ is gone (deleted or renamed): the
 * compiler writes outputs but never removes one, and a stale migration there stops the server from
 * starting. The web UI (dist/web) is emptied by Vite itself; the stamp is the build's own.
 */
export function orphanedOutputs(root) {
  const dist = path.join(root, 'dist');
  const orphans = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (file !== path.join(dist, 'web')) walk(file);
        continue;
      }
      const rel = path.relative(dist, file);
      const match = /^(.*)\.(js|d\.ts|js\.map|json)$/.exec(rel);
      if (!match || rel === path.relative(dist, path.join(root, BUILD_STAMP))) continue;
      const candidates = match[2] === 'json' ? [rel] : [`${match[1]}.ts`, `${match[1]}.tsx`, `${match[1]}.mts`, `${match[1]}.js`];
      if (!candidates.some((c) => fs.existsSync(path.join(root, 'src', c)))) orphans.push(file);
    }
  };
  if (fs.existsSync(dist)) walk(dist);
  return orphans;
}
