// Proofline's OpenAPI document as the server publishes it at /api/v1/openapi.json, produced
// in-process (the app built on an in-memory SQLite store, nothing listening) for the tools that
// read it: the linter (lint-openapi.ts) and the client's type generator (gen-client.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createSqliteStore } from '../src/db/store.js';
import { buildApp } from '../src/server/app.js';
import { closeServices, createServices } from '../src/services.js';

/** The document, built from a fixed configuration so that it is the same on every machine. */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-openapi-'));
  const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_SIGNING_KEY_FILE: path.join(dir, 'key.pem') });
  const store = createSqliteStore(':memory:');
  try {
    await migrateToLatest(store.writer);
    const services = await createServices(config, store);
    const app = await buildApp({ store, config, services });
    try {
      await app.ready();
      // A deep copy, so the caller holds plain data and no reference into the app.
      return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
    } finally {
      await app.close();
      await closeServices(services);
    }
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
