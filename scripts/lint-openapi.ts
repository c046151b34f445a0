// `npm run lint:openapi`: builds the app in-process, writes its OpenAPI document to a temp file and
// lints it with Redocly CLI (redocly.yaml). Fails on any error; warnings are allowed but counted.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createSqliteStore } from '../src/db/store.js';
import { buildApp } from '../src/server/app.js';
import { closeServices, createServices } from '../src/services.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-openapi-'));
const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_SIGNING_KEY_FILE: path.join(dir, 'key.pem') });
const store = createSqliteStore(':memory:');
await migrateToLatest(store.writer);
const services = await createServices(config, store);
const app = await buildApp({ store, config, services });
await app.ready();
const file = path.join(dir, 'openapi.json');
fs.writeFileSync(file, JSON.stringify(app.swagger(), null, 2));
await app.close();
await closeServices(services);
await store.close();

const redocly = path.join('node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const result = spawnSync(process.execPath, [redocly, 'lint', file, '--config', 'redocly.yaml', '--format', 'stylish'], {
  encoding: 'utf8',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
