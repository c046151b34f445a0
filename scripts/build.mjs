// `npm run build` (also run by `npm ci` through `prepare`): the server and CLI (tsc), the client
// package, and the web UI (Vite), then a stamp that lets `npm start` skip all of it when nothing changed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { BUILD_STAMP, orphanedOutputs, sourceState } from './build-inputs.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
// TypeScript 7 (the native compiler, installed as `typescript-7`): the same JavaScript as 5.9, in a
// fifth of the time. (`node_modules/.bin/tsc` may be either version: both packages name it.)
const tsc = path.join(root, 'node_modules', 'typescript-7', 'bin', 'tsc');
const steps = [
  ['server and CLI', tsc, ['-p', 'tsconfig.build.json']],
  ['client package', tsc, ['-p', 'packages/client/tsconfig.json']],
  ['web UI', bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']],
];
const started = Date.now();
const inputs = sourceState(root);
for (const [what, command, args] of steps) {
  const t = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: ${what} failed`);
    process.exit(result.status ?? 1);
  }
  console.error(`build: ${what} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
// The compiler never removes an output: the outputs of deleted or renamed sources go here.
for (const file of orphanedOutputs(root)) fs.rmSync(file);
// The server sends these precompressed copies to browsers that accept them (@fastify/static preCompressed).
const webOut = path.join(root, 'dist', 'web');
for (const entry of fs.readdirSync(webOut, { recursive: true })) {
  const file = path.join(webOut, String(entry));
  if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } }));
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
}
fs.writeFileSync(path.join(root, BUILD_STAMP), `${JSON.stringify({ ...inputs, builtAt: new Date().toISOString() })}\n`);
console.error(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
