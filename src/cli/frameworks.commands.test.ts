import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { buildApp } from '../server/app.js';
import type { App } from '../server/http.js';
import { closeServices, createServices, type Services } from '../services.js';

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

for (const dialect of DIALECTS) {
  describe(`proofline frameworks [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let app: App;
    let services: Services;
    let auditor: { token: string };

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
      const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_SIGNING_KEY_FILE: keyFile });
      services = await createServices(config, store);
      app = await buildApp({ store, config, services });
      await app.ready();
      auditor = await cliUser(store, ['auditor'], ['read']);
      const incident = (id: string, after: Record<string, unknown>) =>
        store.transact((trx) =>
          appendEvent(trx, systemContext('test'), { type: 'incident.classified', subject: { type: 'exception', id }, after }),
        );
      await incident('exc-plain', { harm_categories: '[]', personal_data_breach: 0, dora_major: 0 });
      await incident('exc-breach', { harm_categories: '[]', personal_data_breach: 1, dora_major: 0 });
    });
    after(async () => {
      await app.close();
      await closeServices(services);
      await store.close();
    });

    test('frameworks list and frameworks controls print the catalogs the API serves', async () => {
      const list = await runCli(url, ['frameworks', 'list', '--json']);
      assert.equal(list.code, 0, list.stderr);
      const api = await app.inject({ method: 'GET', url: '/api/v1/frameworks', headers: { authorization: `Bearer ${auditor.token}` } });
      assert.deepEqual(JSON.parse(list.stdout), api.json());

      const table = await runCli(url, ['frameworks', 'list']);
      assert.match(table.stdout, /^iso42001\s+ISO\/IEC 42001\s+2023\s+92$/m);
      assert.match(table.stdout, /^nist-ai-rmf\s+NIST AI RMF\s+1\.0\s+95$/m);

      const annexA = await runCli(url, ['frameworks', 'controls', 'iso42001', '--kind', 'control', '--json']);
      assert.equal(annexA.code, 0, annexA.stderr);
      const controls = JSON.parse(annexA.stdout);
      assert.equal(controls.length, 38);
      const page = await app.inject({
        method: 'GET',
        url: '/api/v1/frameworks/iso42001/controls?kind=control&limit=500',
        headers: { authorization: `Bearer ${auditor.token}` },
      });
      assert.deepEqual(controls, page.json().items);

      const subcategories = await runCli(url, ['frameworks', 'controls', 'nist-ai-rmf', '--kind', 'subcategory']);
      assert.equal(subcategories.stdout.trim().split('\n').length, 1 + 72);
    });

    test('an unknown framework exits 1 with not_found', async () => {
      const missing = await runCli(url, ['frameworks', 'controls', 'sox']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^proofline: not_found: framework sox does not exist/);
      assert.equal(missing.stdout, '');
    });

    test('ledger events --control prints the events that evidence the control, as the API lists them', async () => {
      const cli = await runCli(url, ['ledger', 'events', '--control', 'gdpr:art-33']);
      assert.equal(cli.code, 0, cli.stderr);
      const api = await app.inject({
        method: 'GET',
        url: '/api/v1/ledger/events?control=gdpr:art-33',
        headers: { authorization: `Bearer ${auditor.token}` },
      });
      assert.deepEqual(jsonLines(cli.stdout), api.json().items);
      assert.deepEqual(
        jsonLines(cli.stdout).map((e: { event: { subject: { id: string } } }) => e.event.subject.id),
        ['exc-breach'],
      );
      const before = await ledgerSize(store);
      const unknown = await runCli(url, ['ledger', 'events', '--control', 'gdpr:art-999']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^proofline: validation_failed: control: gdpr:art-999 is not a control/);
      assert.equal(await ledgerSize(store), before);
    });
  });
}
