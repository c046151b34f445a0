// TypeScript transpiled to JavaScript ahead of time, once per state of the sources, for the processes
// a test run starts: the CLI (and `serve`) that tests run as child processes, and (scripts/test.ts)
// every test file itself. It is the transform tsx applies on the fly (the same esbuild, file by file,
// no bundling, same tsconfig), done ahead of time into .tmp/test-build/<hash of the sources>/; a
// changed source is a new hash. A process then starts without tsx's loader, which costs about 3 s of
// CPU per process that loads the app (every module's resolve and load crosses to the loader's thread).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(ROOT, '.tmp', 'test-build');
/** A build older than this and not ours is removed when we make one (a run in progress may use a recent one). */
const PRUNE_AFTER_MS = 6 * 60 * 60 * 1000;
/** Set by scripts/test.ts to the tree it built, so the CLI children of its test files run from it. */
const TREE_ENV = 'PROOFLINE_TEST_BUILD';

/** The slice of esbuild's API used here (esbuild comes with tsx: we load the copy tsx runs on). */
interface Esbuild {
  transformSync(
    source: string,
    options: {
      loader: 'ts';
      format: 'esm';
      platform: 'node';
      target: string;
      supported: Record<string, boolean>;
      sourcemap: 'external';
      sourcefile: string;
      tsconfigRaw: string;
      define?: Record<string, string>;
      logLevel: 'error';
    },
  ): { code: string; map: string };
}

/** The application's own code, whose compiled copy runs from where it is (it finds its migrations and
 * worker next to itself, and `../dist/web` through the link the tree gets). Everything else (test
 * files, test helpers, scripts) keeps its source's `import.meta`, so the fixtures, source files and
 * scripts a test reads by its own location are the checkout's, not copies. */
const isAppCode = (file: string) => /^(src|packages\/[^/]+\/src)\//.test(file) && !file.endsWith('.test.ts');

/** Files under `dirs` (relative to the root, `/`-separated), sorted; `.test.ts` files only if `tests`. */
function sourceFiles(dirs: string[], tests: boolean): string[] {
  return dirs
    .flatMap((dir) =>
      (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
        .map((file) => `${dir}/${file.split(path.sep).join('/')}`)
        .filter((file) => !file.includes('/node_modules/') && fs.statSync(path.join(ROOT, file)).isFile()),
    )
    .filter((file) => tests || !file.endsWith('.test.ts'))
    .sort();
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** `files` and the TypeScript files outside them that they import (web/e2e/sso.test.ts reads the UI's
 * messages from web/src), so every module a compiled file imports is in the tree. */
function withImports(files: string[]): string[] {
  const all = new Set(files);
  const queue = [...files];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (!/\.m?ts$/.test(file)) continue;
    for (const [, specifier] of fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = path.posix.join(path.posix.dirname(file), specifier).replace(/\.(m?)js$/, '.$1ts');
      if (all.has(target) || target.startsWith('..') || !fs.existsSync(path.join(ROOT, target))) continue;
      all.add(target);
      queue.push(target);
    }
  }
  return [...all].sort();
}

function hashOf(files: string[]): string {
  const hash = createHash('sha256').update(process.version).update('\0');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(ROOT, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

function build(files: string[], outDir: string): void {
  const esbuild = createRequire(path.join(ROOT, 'node_modules', 'tsx', 'package.json'))('esbuild') as Esbuild;
  const tsconfigRaw = fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8');
  for (const file of files) {
    const source = path.join(ROOT, file);
    const typescript = /\.m?ts$/.test(file) && !file.endsWith('.d.ts');
    const out = path.join(outDir, typescript ? file.replace(/ts$/, 'js') : file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Data files next to the code (catalogs, rule tables, fixtures, .mjs helpers) are imported or read as they are.
    if (!typescript) {
      fs.copyFileSync(source, out);
      continue;
    }
    const location = isAppCode(file)
      ? undefined
      : { 'import.meta.url': JSON.stringify(pathToFileURL(source).href), 'import.meta.dirname': JSON.stringify(path.dirname(source)) };
    const { code, map } = esbuild.transformSync(fs.readFileSync(source, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      supported: { 'import-attributes': true },
      sourcemap: 'external',
      // Stack traces (--enable-source-maps) name the source file, relative to the map as esbuild's build writes it.
      sourcefile: path.relative(path.dirname(out), source),
      tsconfigRaw,
      ...(location ? { define: location } : {}),
      logLevel: 'error',
    });
    fs.writeFileSync(out, `${code}//# sourceMappingURL=${path.basename(out)}.map\n`);
    fs.writeFileSync(`${out}.map`, map);
  }
  // Paths the code resolves from its own location (`../dist/web`) lead where they lead from src/.
  fs.symlinkSync(path.join(ROOT, 'dist'), path.join(outDir, 'dist'));
}

function prune(keep: string): void {
  for (const entry of fs.readdirSync(CACHE)) {
    const dir = path.join(CACHE, entry);
    if (entry === keep) continue;
    if (Date.now() - fs.statSync(dir).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The compiled tree of these files (built now unless a build of the same sources exists): its path. */
function compiledTree(files: string[]): string {
  const hash = hashOf(files);
  const dir = path.join(CACHE, hash);
  if (!fs.existsSync(dir)) {
    // Built aside and renamed into place: test files running at once never see half a build.
    fs.mkdirSync(CACHE, { recursive: true });
    const scratch = fs.mkdtempSync(path.join(CACHE, `${hash}.building-`));
    build(files, scratch);
    try {
      fs.renameSync(scratch, dir);
    } catch (error) {
      fs.rmSync(scratch, { recursive: true, force: true });
      if (!fs.existsSync(dir)) throw error;
    }
    prune(hash);
  }
  return dir;
}

/** The test files, their helpers, the scripts they import and the code under test, compiled:
 * scripts/test.ts runs `<tree>/<file>.js` for each `<file>.ts` (and sets PROOFLINE_TEST_BUILD to it). */
export function compiledTests(): string {
  return compiledTree(withImports(sourceFiles(['src', 'test', 'web/e2e', 'scripts', 'packages/client/src'], true)));
}

export const compiledTestsEnv = (tree: string) => ({ [TREE_ENV]: tree });

let entry: string | undefined;

/** Path of the compiled src/cli/dev.ts (run as `node <path> <args>`): the run's tree under scripts/test.ts,
 * else a build of src/ alone, made when src/ changed. */
export function compiledCli(): string {
  entry ??= path.join(process.env[TREE_ENV] ?? compiledTree(sourceFiles(['src'], false)), 'src', 'cli', 'dev.js');
  return entry;
}

/** The node arguments that run the CLI: `[...cliCommand(), 'systems', 'list']`. */
export function cliCommand(): string[] {
  return ['--enable-source-maps', compiledCli()];
}
