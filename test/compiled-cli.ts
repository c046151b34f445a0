// The CLI (and `serve`) that tests run as child processes: src/ transpiled to JavaScript once per
// state of the sources, so each child starts in about a second instead of three or four under tsx.
// It is the transform tsx applies on the fly (the same esbuild, file by file, no bundling, same
// tsconfig), done ahead of time into .tmp/test-build/<hash of src>/src; a changed source is a new hash.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');
const CACHE = path.join(ROOT, '.tmp', 'test-build');
/** A build older than this and not ours is removed when we make one (a run in progress may use a recent one). */
const PRUNE_AFTER_MS = 6 * 60 * 60 * 1000;

/** The slice of esbuild's API used here (esbuild comes with tsx: we load the copy tsx runs on). */
interface Esbuild {
  buildSync(options: {
    entryPoints: string[];
    outdir: string;
    outbase: string;
    format: 'esm';
    platform: 'node';
    target: string;
    supported: Record<string, boolean>;
    sourcemap: boolean;
    tsconfig: string;
    logLevel: 'error';
  }): unknown;
}

function sourceFiles(): string[] {
  return (fs.readdirSync(SRC, { recursive: true }) as string[])
    .filter((file) => !file.endsWith('.test.ts') && fs.statSync(path.join(SRC, file)).isFile())
    .sort();
}

function hashOf(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(SRC, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

function build(files: string[], outDir: string): void {
  const esbuild = createRequire(path.join(ROOT, 'node_modules', 'tsx', 'package.json'))('esbuild') as Esbuild;
  const code = files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  esbuild.buildSync({
    entryPoints: code.map((file) => path.join(SRC, file)),
    outdir: path.join(outDir, 'src'),
    outbase: SRC,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    supported: { 'import-attributes': true },
    sourcemap: true,
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
  // Data files next to the code (catalogs, rule tables) are imported or read as they are.
  for (const file of files.filter((f) => !f.endsWith('.ts'))) {
    fs.mkdirSync(path.dirname(path.join(outDir, 'src', file)), { recursive: true });
    fs.copyFileSync(path.join(SRC, file), path.join(outDir, 'src', file));
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

let entry: string | undefined;

/** Path of the compiled src/cli/dev.ts (run as `node <path> <args>`), building it when src/ changed. */
export function compiledCli(): string {
  if (entry) return entry;
  const files = sourceFiles();
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
  entry = path.join(dir, 'src', 'cli', 'dev.js');
  return entry;
}

/** The node arguments that run the CLI: `[...cliCommand(), 'systems', 'list']`. */
export function cliCommand(): string[] {
  return ['--enable-source-maps', compiledCli()];
}
