// The whole alerting path against real parties: a real Prometheus Alertmanager sending its webhook
// to a Proofline test server on a real port, and a real webhook receiver taking the signed
// escalations. Points in -> breach -> alert -> exception -> escalation -> acknowledgement ->
// resolution, every step in the ledger; and the same from Alertmanager's alerts.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { type Alertmanager, startAlertmanager } from '../../../test/alertmanager.js';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/webhook-receiver.js';
import { createWebhookSubscription, deliverDueNotifications, signWebhook } from '../../notifications/notifications.service.js';
import { escalateUnacknowledgedAlerts } from '../../workflows/alert-response.js';

const waitFor = async <T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

for (const dialect of DIALECTS) {
  describe(`alerting end to end, real Alertmanager and webhook receiver [${dialect}]`, () => {
    let t: TestApp;
    let am: Alertmanager;
    let receiver: WebhookReceiver;
    let secret: string;
    let ingest: TestUser;
    let owner: TestUser;
    let lead: TestUser;
    const logLines: Array<Record<string, unknown>> = [];

    const events = async (subjectId: string) =>
      (await t.store.db.selectFrom('ledger_events').select('leaf').orderBy('seq').execute())
        .map((e) => JSON.parse(e.leaf))
        .filter((e) => e.subject.id === subjectId || e.data?.alertId === subjectId);
    const typesFor = async (alertId: string, exceptionId: string) => {
      const all = (await t.store.db.selectFrom('ledger_events').select('leaf').orderBy('seq').execute()).map((e) => JSON.parse(e.leaf));
      return all.filter((e) => e.subject.id === alertId || e.subject.id === exceptionId).map((e) => e.type as string);
    };
    const hooksFor = (alertId: string) =>
      receiver.received.map((h) => ({ ...h, json: JSON.parse(h.body) })).filter((h) => h.json.data.itemId === alertId);

    before(async () => {
      const sink = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      t = await createTestApp(dialect, {}, pino({ level: 'warn' }, sink));
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address() as { port: number };
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      owner = await t.user(['contributor']);
      lead = await t.user(['governance_lead']);
      receiver = await startWebhookReceiver();
      secret = (
        await t.store.transact((trx) => createWebhookSubscription(trx, { url: receiver.url, events: ['escalation'], createdBy: null }))
      ).secret;
      am = await startAlertmanager({
        webhookUrl: `http://127.0.0.1:${address.port}/api/v1/alerts/alertmanager`,
        bearerToken: ingest.token,
      });
    });
    after(async () => {
      await am?.stop();
      await receiver?.close();
      await t?.close();
    });

    test('points in -> breach -> alert -> exception -> escalation until acknowledged -> resolution, every step in the ledger', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' });
      const monitor = await t.call(lead, 'POST', '/api/v1/monitors', {
        systemId: system.id,
        name: 'error rate',
        source: 'points',
        metric: 'error_rate',
        aggregation: 'last',
        comparison: 'gt',
        threshold: 0.05,
        windowSeconds: 3600,
        severity: 'high',
        ownerId: lead.id,
        clearEvaluations: 2,
        rationale: 'validated baseline 0.02 plus a margin',
      });
      assert.equal(monitor.statusCode, 201, monitor.body);
      const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute)).toISOString();
      const send = (value: number, minute: number) =>
        t.call(ingest, 'POST', '/api/v1/metrics/points', {
          points: [{ systemId: system.id, metric: 'error_rate', value, at: at(minute) }],
        });

      const res = await send(0.3, 1);
      assert.equal(res.statusCode, 200, res.body);
      const [alertId] = res.json().alertsFired;
      assert.ok(alertId, 'the breach raised an alert');
      const alert = (await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json();
      assert.ok(alert.exceptionId, 'a high alert opens an exception');
      assert.equal(alert.evidence.value, 0.3, 'the values that caused it are stored with it');
      const exception = (await t.call(lead, 'GET', `/api/v1/exceptions/${alert.exceptionId}`)).json();
      assert.equal(exception.raisedBy?.type ?? exception.raisedByType, 'alert');
      assert.equal(exception.ownerId, owner.id, "assigned to the system's owner");

      // Level 1 leaves at once, signed, to the real receiver.
      const [first] = await waitFor('the first escalation webhook', async () => {
        const hooks = hooksFor(alertId);
        return hooks.length >= 1 ? hooks : null;
      });
      assert.equal(first.json.data.level, 1);
      assert.equal(
        first.headers['x-proofline-signature'],
        signWebhook(secret, String(first.headers['x-proofline-timestamp']), first.body),
        'the escalation is signed',
      );
      // Unacknowledged, it climbs: level 2 after 15 minutes, then nothing more once acknowledged.
      const fired = Date.parse(alert.firedAt);
      assert.equal((await escalateUnacknowledgedAlerts(t.store, { now: new Date(fired + 20 * 60_000) })).escalated, 1);
      await deliverDueNotifications(t.store, { mailer: null, from: 'proofline@example.test' });
      await waitFor('the second escalation webhook', async () => (hooksFor(alertId).some((h) => h.json.data.level === 2) ? true : null));

      const ack = await t.call(owner, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, { rationale: 'rolling back model 7' });
      assert.equal(ack.statusCode, 200, ack.body);
      const sizeAfterAck = await ledgerSize(t.store);
      assert.equal((await escalateUnacknowledgedAlerts(t.store, { now: new Date(fired + 3 * 3600_000) })).escalated, 0);
      assert.equal(await ledgerSize(t.store), sizeAfterAck, 'an acknowledged alert escalates no further');

      // Flapping suppressed: one clear evaluation does not resolve it, two in a row do.
      await send(0.01, 2);
      assert.equal((await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json().status, 'acknowledged');
      await send(0.01, 3);
      assert.equal((await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json().status, 'resolved');

      const types = await typesFor(alertId, alert.exceptionId);
      for (const step of ['alert.fired', 'exception.opened', 'escalation.sent', 'alert.acknowledged', 'alert.resolved']) {
        assert.ok(types.includes(step), `${step} is in the ledger (${types.join(', ')})`);
      }
      assert.deepEqual(
        types.filter((type) => type === 'escalation.sent').length,
        2,
        'two levels were sent before the acknowledgement, none after',
      );
    });

    test("Alertmanager's alerts arrive on the system their label names, escalate, and resolve when Alertmanager says so", async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await am.post([
        {
          labels: { alertname: 'HighLatency', proofline_system: system.name, severity: 'critical' },
          annotations: { summary: 'p99 latency above 2 s' },
        },
      ]);
      const alert = await waitFor('the Alertmanager alert in Proofline', () =>
        t.store.db.selectFrom('alerts').selectAll().where('system_id', '=', system.id).executeTakeFirst(),
      );
      assert.equal(alert.severity, 'critical');
      assert.equal(alert.status, 'firing');
      assert.ok(alert.external_key, "Alertmanager's fingerprint is the key");
      assert.ok(alert.exception_id, 'a critical alert opens an exception');
      await waitFor('the escalation webhook', async () => (hooksFor(alert.id).length >= 1 ? true : null));

      const ack = await t.call(owner, 'POST', `/api/v1/alerts/${alert.id}/acknowledge`, { rationale: 'scaling the pool' });
      assert.equal(ack.statusCode, 200, ack.body);
      await am.post([
        {
          labels: { alertname: 'HighLatency', proofline_system: system.name, severity: 'critical' },
          annotations: { summary: 'p99 latency above 2 s' },
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() - 1000).toISOString(),
        },
      ]);
      const resolved = await waitFor('the resolution from Alertmanager', async () => {
        const row = await t.store.db.selectFrom('alerts').select('status').where('id', '=', alert.id).executeTakeFirstOrThrow();
        return row.status === 'resolved' ? row : null;
      });
      assert.equal(resolved.status, 'resolved');
      const types = (await events(alert.id)).map((e) => e.type);
      assert.deepEqual(
        types.filter((type) => type.startsWith('alert.')),
        ['alert.fired', 'alert.acknowledged', 'alert.resolved'],
      );
      assert.ok(types.includes('escalation.sent'));
    });

    test('an Alertmanager alert naming no known system is refused (alert_system_unknown) and logged; nothing is written', async () => {
      const before = await ledgerSize(t.store);
      const alertsBefore = await t.store.db.selectFrom('alerts').select('id').execute();
      await am.post([{ labels: { alertname: 'Orphan', proofline_system: 'no-such-system', severity: 'critical' } }]);
      const line = await waitFor('the refusal in the log', async () =>
        logLines.find((l) => l.code === 'alert_system_unknown' && JSON.stringify(l.unknown).includes('no-such-system')),
      );
      assert.ok(line);
      assert.equal(await ledgerSize(t.store), before);
      assert.equal((await t.store.db.selectFrom('alerts').select('id').execute()).length, alertsBefore.length);
    });
  });
}
