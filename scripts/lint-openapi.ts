// `npm run lint:openapi`: builds the app in-process, writes its OpenAPI document to a temp file and
// lints it with Redocly CLI (redocly.yaml). Fails on any error; warnings are allowed but counted.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildOpenApiDocument } from './openapi-document.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-openapi-lint-'));
const file = path.join(dir, 'openapi.json');
fs.writeFileSync(file, JSON.stringify(await buildOpenApiDocument(), null, 2));

const redocly = path.join('node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const result = spawnSync(process.execPath, [redocly, 'lint', file, '--config', 'redocly.yaml', '--format', 'stylish'], {
  encoding: 'utf8',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
