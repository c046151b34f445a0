import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import type { Store } from '../db/store.js';
import { listEvents, streamEvents } from '../ledger/ledger.repository.js';
import { buildApp } from '../server/app.js';
import type { App } from '../server/http.js';
import { closeServices, createServices, type Services } from '../services.js';

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));

for (const dialect of DIALECTS) {
  describe(`proofline ledger events [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let app: App;
    let services: Services;
    let auditor: { token: string };
    let systemIds: string[];

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
      const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_SIGNING_KEY_FILE: keyFile });
      services = await createServices(config, store);
      app = await buildApp({ store, config, services });
      await app.ready();
      auditor = await cliUser(store, ['auditor'], ['read']);
      systemIds = [(await buildSystem(store)).id, (await buildSystem(store)).id, (await buildSystem(store)).id];
    });
    after(async () => {
      await app.close();
      await closeServices(services);
      await store.close();
    });

    const api = async (query: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/ledger/events?${query}`,
        headers: { authorization: `Bearer ${auditor.token}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items;
    };

    test('prints every event as one JSON line each, the same records as GET /api/v1/ledger/events; filters and resumes', async () => {
      const all = await runCli(url, ['ledger', 'events']);
      assert.equal(all.code, 0, all.stderr);
      assert.ok(all.stdout.endsWith('\n'));
      assert.deepEqual(jsonLines(all.stdout), await api('limit=500'));

      const created = await runCli(url, ['ledger', 'events', '--type', 'system.created', '--system', systemIds[1]]);
      assert.deepEqual(jsonLines(created.stdout), await api(`type=system.created&systemId=${systemIds[1]}`));
      assert.equal(jsonLines(created.stdout).length, 1);

      const seqs = jsonLines(all.stdout).map((e: { seq: number }) => e.seq);
      const resumed = await runCli(url, ['ledger', 'events', '--after-seq', String(seqs[1]), '--limit', '2']);
      assert.deepEqual(
        jsonLines(resumed.stdout).map((e: { seq: number }) => e.seq),
        seqs.slice(2, 4),
      );
    });

    test('streams by sequence number, page after page, the same records as the listing', async () => {
      const streamed = [];
      for await (const event of streamEvents(store.db, { type: 'system.created' }, { pageSize: 2 })) streamed.push(event);
      const listed = await listEvents(store.db, { type: 'system.created', limit: 500, offset: 0 });
      assert.equal(streamed.length, 3);
      assert.deepEqual(streamed, listed.items);
    });

    test('a bad filter is one line with its stable code', async () => {
      const badTime = await runCli(url, ['ledger', 'events', '--from', 'last tuesday']);
      assert.equal(badTime.code, 1);
      assert.equal(badTime.stderr, 'proofline: validation_failed: from must match format "date-time"\n');
      const badLimit = await runCli(url, ['ledger', 'events', '--limit', '0']);
      assert.equal(badLimit.stderr, 'proofline: validation_failed: --limit must be a whole number of at least 1\n');
      const unknownActor = await runCli(url, ['ledger', 'events', '--actor', 'nobody@example.test']);
      assert.equal(unknownActor.stderr, 'proofline: not_found: no user nobody@example.test\n');
    });
  });
}
