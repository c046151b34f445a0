// `proofline controls status|gaps` on both databases: the same report as the API, read from the
// database the CLI is pointed at; an unknown framework or system exits 1 with not_found.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli, runCliProcess } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import type { Store } from '../db/store.js';
import { buildApp } from '../server/app.js';
import type { App } from '../server/http.js';
import { closeServices, createServices, type Services } from '../services.js';

/** The evaluation time differs between two reads; everything else must not. */
const withoutTime = (report: { evaluatedAt?: string }) => ({ ...report, evaluatedAt: undefined });

for (const dialect of DIALECTS) {
  describe(`proofline controls [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let app: App;
    let services: Services;
    let auditor: { token: string };
    let systemId: string;
    const get = async (query: string) =>
      (await app.inject({ method: 'GET', url: `/api/v1/controls/${query}`, headers: { authorization: `Bearer ${auditor.token}` } })).json();

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'key.pem');
      const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_SIGNING_KEY_FILE: keyFile });
      services = await createServices(config, store);
      app = await buildApp({ store, config, services });
      await app.ready();
      auditor = await cliUser(store, ['auditor'], ['read']);
      const owner = await cliUser(store, ['contributor']);
      systemId = (await buildSystem(store, { accountableOwnerId: owner.id })).id;
      await buildSystem(store, { name: 'Unowned tool' });
    });
    after(async () => {
      await app.close();
      await closeServices(services);
      await store.close();
    });

    test('controls status --framework iso42001 [--system ID] prints the status the API reports', async () => {
      const org = await runCli(url, ['controls', 'status', '--framework', 'iso42001', '--json']);
      assert.equal(org.code, 0, org.stderr);
      assert.deepEqual(withoutTime(JSON.parse(org.stdout)), withoutTime(await get('status?framework=iso42001')));

      const one = await runCli(url, ['controls', 'status', '--framework', 'iso42001', '--system', systemId, '--json']);
      assert.equal(one.code, 0, one.stderr);
      const report = JSON.parse(one.stdout);
      assert.equal(report.systemId, systemId);
      assert.deepEqual(withoutTime(report), withoutTime(await get(`status?framework=iso42001&system=${systemId}`)));

      const table = await runCli(url, ['controls', 'status', '--framework', 'iso42001', '--system', systemId]);
      assert.match(table.stdout, /^iso42001:A\.3\.2\s+partly\s+rule\s+AI roles and responsibilities$/m);

      const gaps = await runCli(url, ['controls', 'gaps', '--framework', 'iso42001', '--json']);
      assert.equal(gaps.code, 0, gaps.stderr);
      assert.deepEqual(withoutTime(JSON.parse(gaps.stdout)), withoutTime(await get('gaps?framework=iso42001')));
    });

    test('an unknown framework or system exits 1 with not_found, writing nothing', async () => {
      const size = await ledgerSize(store);
      // As a process of its own: the exit code and the message on standard error, through the process boundary.
      const framework = await runCliProcess(url, ['controls', 'status', '--framework', 'sox']);
      assert.equal(framework.code, 1);
      assert.match(framework.stderr, /^proofline: not_found: framework sox does not exist/);
      const system = await runCli(url, ['controls', 'status', '--framework', 'iso42001', '--system', 'no-such-system']);
      assert.equal(system.code, 1);
      assert.match(system.stderr, /^proofline: not_found: AI system no-such-system does not exist/);
      assert.equal(await ledgerSize(store), size);
    });

    test('controls soa prints the SoA the API serves; controls soa request opens a soa_change and changes no entry', async () => {
      const printed = await runCli(url, ['controls', 'soa', '--json']);
      assert.equal(printed.code, 0, printed.stderr);
      assert.deepEqual(JSON.parse(printed.stdout), await get('soa'));
      const table = await runCli(url, ['controls', 'soa']);
      assert.match(table.stdout, /^Statement of Applicability, version 0 \(default, not approved\)$/m);
      assert.match(table.stdout, /^iso42001:A\.10\.3\s+yes\s+0\s+-\s+default: not yet reviewed$/m);

      const lead = await cliUser(store, ['governance_lead']);
      // The soa_change chain: another governance lead, then top management (an admin).
      await cliUser(store, ['governance_lead']);
      await cliUser(store, ['admin']);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-soa-')), 'changes.json');
      fs.writeFileSync(
        file,
        JSON.stringify([{ controlId: 'iso42001:A.10.3', applicable: false, justification: 'We supply no AI system to customers' }]),
      );
      const args = ['controls', 'soa', 'request', '--file', file, '--rationale', 'Scope reviewed at the management review'];
      const opened = await runCli(url, [...args, '--as', lead.email, '--json']);
      assert.equal(opened.code, 0, opened.stderr);
      const request = JSON.parse(opened.stdout) as { id: string; kind: string; status: string };
      assert.deepEqual([request.kind, request.status], ['soa_change', 'pending']);
      const row = await store.db
        .selectFrom('approval_requests')
        .select(['kind', 'requested_by'])
        .where('id', '=', request.id)
        .executeTakeFirst();
      assert.deepEqual(row, { kind: 'soa_change', requested_by: lead.id });
      assert.equal((await get('soa')).version, 0, 'the request changes nothing until it is approved');

      const owner = await cliUser(store, ['system_owner']);
      const size = await ledgerSize(store);
      const refused = await runCli(url, [...args, '--as', owner.email]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^proofline: forbidden: /);
      assert.equal(await ledgerSize(store), size);
    });
  });
}
