// `npm run typecheck`: the server (src, test, bench, scripts) and the web UI type-check at the same
// time. Each tsc is one thread; one after the other they left a core of CI's two idle for about a
// minute of every `npm test`. Each one's output is printed whole when it ends; fails if either fails.
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// TypeScript 7 (the native compiler, `typescript-7`): about four times faster than 5.9, same errors.
// TypeScript 5.9 stays installed as `typescript` for openapi-typescript, which needs its JS API.
const tsc = path.join(root, 'node_modules', 'typescript-7', 'bin', 'tsc');
const projects = [['tsconfig.json', '--noEmit'], ['web/tsconfig.json']];

function check([project, ...flags]) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', project, ...flags], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => {
      process.stdout.write(output);
      resolve(code === 0 ? 0 : 1);
    });
  });
}

const codes = await Promise.all(projects.map(check));
process.exit(codes.find((code) => code !== 0) ?? 0);
