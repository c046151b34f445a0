// Worker threads of our own modules. A worker file sits next to the module that starts it, with
// that module's extension: .js in the compiled dist, .ts from source under tsx (tests, the dev CLI,
// benchmarks).
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker module `name` (without extension) next to the module at `importMetaUrl`. */
export function workerUrl(importMetaUrl: string, name: string): URL {
  const here = new URL(importMetaUrl);
  return new URL(`./${name}${path.extname(here.pathname)}`, here);
}

/** Starts the worker module at `url`. */
export function startWorker(url: URL, options: WorkerOptions): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  // Node 20 does not run `--import tsx` inside a worker even when given in execArgv, so from
  // source the worker registers tsx itself before loading the .ts file.
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}
