// `proofline alerts` and `proofline monitors` on both databases: the same use cases and workflow as
// the API (only monitor editors set monitors, an alert is acknowledged once, a resolved alert is not
// acted on), each a ledger event; each refusal is one line with its code and writes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { recordMetricPoints } from '../workflows/alert-response.js';

const WHY = 'Looked at the error rate and the release notes';

for (const dialect of DIALECTS) {
  describe(`proofline alerts and monitors [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let lead: { id: string; email: string };
    let auditor: { id: string; email: string };
    let systemId: string;

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      lead = await cliUser(store, ['governance_lead']);
      auditor = await cliUser(store, ['auditor']);
      systemId = (await buildSystem(store, { accountableOwnerId: lead.id })).id;
    });
    after(() => store.close());

    const refused = async (code: string, args: string[]) => {
      const size = await ledgerSize(store);
      const res = await runCli(url, args);
      assert.notEqual(res.code, 0, `${code}: refused`);
      assert.match(res.stderr, new RegExp(`^proofline: ${code}: [^\\n]*\\n$`));
      assert.equal(await ledgerSize(store), size, `${code}: nothing written`);
    };
    const ok = async (args: string[]) => {
      const res = await runCli(url, args);
      assert.equal(res.code, 0, res.stderr);
      return res.stdout;
    };
    const lastEvent = async () =>
      (await store.db.selectFrom('ledger_events').select('type').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow()).type;

    test('monitors add|list|disable: only a monitor editor sets or stops one; a disabled monitor is not disabled again', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-monitor-')), 'monitor.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          name: 'latency',
          source: 'points',
          metric: 'latency_ms',
          aggregation: 'max',
          comparison: 'gt',
          threshold: 900,
          windowSeconds: 3600,
          severity: 'low',
          ownerId: lead.id,
          rationale: 'p100 latency above the agreed 900 ms',
        }),
      );
      await refused('forbidden', ['monitors', 'add', '--system', systemId, '--file', file, '--as', auditor.email]);
      await refused('validation_failed', ['monitors', 'add', '--system', systemId, '--file', `${file}.missing`]);
      const monitor = JSON.parse(await ok(['monitors', 'add', '--system', systemId, '--file', file, '--as', lead.email, '--json']));
      assert.equal(monitor.systemId, systemId);
      assert.equal(await lastEvent(), 'monitor.created');

      const listed = JSON.parse(await ok(['monitors', 'list', '--system', systemId, '--json']));
      assert.deepEqual(
        listed.items.map((m: { id: string }) => m.id),
        [monitor.id],
      );
      await refused('not_found', ['monitors', 'list', '--system', 'no-such-system']);

      await refused('forbidden', ['monitors', 'disable', monitor.id, '--reason', WHY, '--as', auditor.email]);
      const disabled = JSON.parse(await ok(['monitors', 'disable', monitor.id, '--reason', WHY, '--as', lead.email, '--json']));
      assert.equal(disabled.enabled, false);
      assert.equal(await lastEvent(), 'monitor.disabled');
      await refused('invalid_transition', ['monitors', 'disable', monitor.id, '--reason', WHY, '--as', lead.email]);
    });

    test("monitors defaults adds the tier's missing defaults once, with the options as the API's body", async () => {
      const system = await buildSystem(store, { accountableOwnerId: lead.id, euRiskTier: 'high' });
      const args = ['monitors', 'defaults', '--system', system.id, '--owner', lead.email, '--reason', 'Defaults for a new system'];
      await refused('validation_failed', [...args, '--validated-error-rate', '2']);
      const size = await ledgerSize(store);
      const applied = JSON.parse(await ok([...args, '--validated-error-rate', '0.02', '--group-attribute', 'sex', '--json']));
      assert.ok(applied.created.length > 0);
      assert.ok(applied.created.some((m: { metric: string; group: string }) => m.metric === 'impact_ratio' && m.group === 'sex'));
      assert.equal(await ledgerSize(store), size + applied.created.length, 'one monitor.created each');
      const again = JSON.parse(await ok([...args, '--validated-error-rate', '0.02', '--group-attribute', 'sex', '--json']));
      assert.equal(again.created.length, 0, 'applying again adds only what is missing');
    });

    test('alerts list|show|ack|act|resolve: acknowledged once, acted on until resolved, each a ledger event', async () => {
      const system = await buildSystem(store, { accountableOwnerId: lead.id });
      const created = await runCli(url, [
        'monitors',
        'add',
        '--system',
        system.id,
        '--file',
        (() => {
          const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-monitor-')), 'monitor.json');
          fs.writeFileSync(
            file,
            JSON.stringify({
              name: 'errors',
              source: 'points',
              metric: 'error_rate',
              aggregation: 'last',
              comparison: 'gt',
              threshold: 0.05,
              windowSeconds: 3600,
              severity: 'medium',
              ownerId: lead.id,
              rationale: 'validated baseline 0.02 plus a margin',
            }),
          );
          return file;
        })(),
      ]);
      assert.equal(created.code, 0, created.stderr);
      const receipt = await store.transact((trx) =>
        recordMetricPoints(trx, {
          ctx: systemContext('test'),
          points: [{ systemId: system.id, metric: 'error_rate', value: 0.4, at: new Date().toISOString() }],
        }),
      );
      const [alertId] = receipt.alertsFired;
      assert.ok(alertId, 'the point fired an alert');

      const page = JSON.parse(await ok(['alerts', 'list', '--status', 'firing', '--system', system.id, '--json']));
      assert.deepEqual(
        page.items.map((a: { id: string }) => a.id),
        [alertId],
      );
      assert.equal(JSON.parse(await ok(['alerts', 'list', '--status', 'resolved', '--system', system.id, '--json'])).total, 0);
      assert.match(await ok(['alerts', 'show', alertId]), /medium alert .*: firing/);
      await refused('not_found', ['alerts', 'show', 'no-such-alert']);

      await refused('validation_failed', ['alerts', 'ack', alertId, '--reason', '   ', '--as', lead.email]);
      const acked = JSON.parse(await ok(['alerts', 'ack', alertId, '--reason', WHY, '--as', lead.email, '--json']));
      assert.equal(acked.status, 'acknowledged');
      assert.equal(acked.acknowledgedBy, lead.id);
      assert.equal(await lastEvent(), 'alert.acknowledged');
      await refused('invalid_transition', ['alerts', 'ack', alertId, '--reason', WHY, '--as', lead.email]);

      const acted = JSON.parse(await ok(['alerts', 'act', alertId, '--action', 'incident', '--reason', WHY, '--as', lead.email, '--json']));
      assert.equal(acted.action, 'open_incident');
      const incident = await store.db.selectFrom('exceptions').select('system_id').where('id', '=', acted.incidentId).executeTakeFirst();
      assert.equal(incident?.system_id, system.id, 'the incident is on the alert system');

      const resolved = JSON.parse(await ok(['alerts', 'resolve', alertId, '--reason', WHY, '--as', lead.email, '--json']));
      assert.equal(resolved.status, 'resolved');
      assert.equal(await lastEvent(), 'alert.resolved');
      await refused('invalid_transition', ['alerts', 'resolve', alertId, '--reason', WHY]);
      await refused('invalid_transition', ['alerts', 'act', alertId, '--action', 'pause', '--reason', WHY]);
    });
  });
}
