// The reads the web UI's monitoring pages stand on: the alert list with its filters and names, a
// system's monitors, a metric's points summarised per bucket, and the dashboard's firing count.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS } from '../../../test/stores.js';
import { grainFor } from './alerts.reads.js';

const point = (systemId: string, value: number, at: string) => ({ systemId, metric: 'latency_ms', value, at });

for (const dialect of DIALECTS) {
  describe(`monitoring reads [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let auditor: TestUser;
    let contributor: TestUser;

    const nameOf = async (user: TestUser) =>
      (await t.store.db.selectFrom('users').select('display_name').where('id', '=', user.id).executeTakeFirstOrThrow()).display_name;
    const monitorOn = async (systemId: string, severity = 'high') => {
      const res = await t.call(lead, 'POST', '/api/v1/monitors', {
        systemId,
        name: 'latency',
        source: 'points',
        metric: 'latency_ms',
        aggregation: 'max',
        comparison: 'gt',
        threshold: 500,
        windowSeconds: 3600,
        severity,
        ownerId: lead.id,
        rationale: 'p99 budget from the service level objective',
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    const fire = async (systemId: string, at: string) => {
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points: [point(systemId, 900, at)] });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().alertsFired.length, 1);
      return res.json().alertsFired[0] as string;
    };

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      auditor = await t.user(['auditor']);
      contributor = await t.user(['contributor']);
    });
    after(() => t.close());

    test('the alert list filters by status, severity and system, newest first, with names and a total', async () => {
      const [a, b] = [await buildSystem(t.store, { name: 'Scoring A' }), await buildSystem(t.store, { name: 'Scoring B' })];
      await monitorOn(a.id, 'high');
      await monitorOn(b.id, 'critical');
      const first = await fire(a.id, '2026-11-30T10:00:00.000Z');
      const second = await fire(b.id, '2026-11-30T11:00:00.000Z');
      const ack = await t.call(lead, 'POST', `/api/v1/alerts/${first}/acknowledge`, { rationale: 'known load test, ends at noon' });
      assert.equal(ack.statusCode, 200, ack.body);

      const all = await t.call(auditor, 'GET', `/api/v1/alerts?limit=500`);
      assert.equal(all.statusCode, 200, all.body);
      const ids = all.json().items.map((i: { id: string }) => i.id);
      assert.ok(ids.indexOf(second) < ids.indexOf(first), 'newest first');

      const firing = (await t.call(auditor, 'GET', `/api/v1/alerts?status=firing&systemId=${b.id}`)).json();
      assert.deepEqual(
        firing.items.map((i: { id: string }) => i.id),
        [second],
      );
      assert.equal(firing.total, 1);
      assert.equal(firing.items[0].systemName, 'Scoring B');
      assert.equal(firing.items[0].severity, 'critical');

      const acknowledged = (await t.call(auditor, 'GET', `/api/v1/alerts?status=acknowledged&systemId=${a.id}`)).json();
      assert.equal(acknowledged.items[0].acknowledgedByName, await nameOf(lead));
      assert.equal(acknowledged.items[0].acknowledgementRationale, 'known load test, ends at noon');

      const none = (await t.call(auditor, 'GET', `/api/v1/alerts?severity=low&systemId=${a.id}`)).json();
      assert.deepEqual(none, { items: [], total: 0, limit: 50, offset: 0 });

      const paged = (await t.call(auditor, 'GET', `/api/v1/alerts?limit=1&offset=1`)).json();
      assert.equal(paged.items.length, 1);
      assert.equal(paged.items[0].id, ids[1]);

      const refused = await t.call(contributor, 'GET', '/api/v1/alerts');
      assert.equal(refused.statusCode, 403);
      const bad = await t.call(auditor, 'GET', '/api/v1/alerts?status=open');
      assert.equal(bad.statusCode, 400);
    });

    test("a system's monitors list with the owner's name; an unknown system is not_found", async () => {
      const system = await buildSystem(t.store);
      const monitor = await monitorOn(system.id);
      const res = await t.call(auditor, 'GET', `/api/v1/systems/${system.id}/monitors`);
      assert.equal(res.statusCode, 200, res.body);
      const { items } = res.json();
      assert.equal(items.length, 1);
      assert.equal(items[0].id, monitor.id);
      assert.equal(items[0].threshold, 500);
      assert.equal(items[0].ownerName, await nameOf(lead));
      const unknown = await t.call(auditor, 'GET', '/api/v1/systems/00000000-0000-4000-8000-000000000000/monitors');
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, 'not_found');
    });

    test("a metric's points are summarised per bucket within the window, oldest first", async () => {
      const system = await buildSystem(t.store);
      const points = [
        point(system.id, 100, '2026-11-29T10:05:00.000Z'),
        point(system.id, 300, '2026-11-29T10:40:00.000Z'),
        point(system.id, 50, '2026-11-29T12:00:00.000Z'),
        point(system.id, 7, '2026-11-28T09:00:00.000Z'), // before the window
      ];
      assert.equal((await t.call(ingest, 'POST', '/api/v1/metrics/points', { points })).statusCode, 200);
      const url = `/api/v1/systems/${system.id}/metrics/latency_ms/points?from=2026-11-29T00:00:00.000Z&to=2026-11-30T00:00:00.000Z&buckets=48`;
      const res = await t.call(auditor, 'GET', url);
      assert.equal(res.statusCode, 200, res.body);
      const series = res.json();
      assert.equal(series.bucket, 'hour');
      assert.equal(series.points, 3);
      assert.deepEqual(series.buckets, [
        { at: '2026-11-29T10:00:00.000Z', count: 2, avg: 200, min: 100, max: 300 },
        { at: '2026-11-29T12:00:00.000Z', count: 1, avg: 50, min: 50, max: 50 },
      ]);
      const fewer = (await t.call(auditor, 'GET', url.replace('buckets=48', 'buckets=5'))).json();
      assert.equal(fewer.bucket, 'day');
      assert.deepEqual(fewer.buckets, [{ at: '2026-11-29T00:00:00.000Z', count: 3, avg: 150, min: 50, max: 300 }]);
      const backwards = await t.call(
        auditor,
        'GET',
        `/api/v1/systems/${system.id}/metrics/latency_ms/points?from=2026-11-30T00:00:00.000Z&to=2026-11-29T00:00:00.000Z`,
      );
      assert.equal(backwards.statusCode, 400);
      assert.equal(backwards.json().error.code, 'validation_failed');
    });

    test('a monitor is changed with If-Match or its version and a reason, as a ledger event; a stale version is refused', async () => {
      const system = await buildSystem(t.store);
      const monitor = await monitorOn(system.id);
      const url = `/api/v1/monitors/${monitor.id}`;
      const changed = await t.call(
        lead,
        'PATCH',
        url,
        { threshold: 600, severity: 'critical', rationale: 'new SLO agreed for Q1' },
        { 'if-match': `"${monitor.version}"` },
      );
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().threshold, 600);
      assert.equal(changed.json().severity, 'critical');
      assert.equal(changed.json().metric, 'latency_ms');
      assert.equal(changed.json().version, monitor.version + 1);
      assert.equal(changed.headers.etag, `"${monitor.version + 1}"`);
      const events = await t.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', 'monitor.updated').execute();
      const event = events.map((e) => JSON.parse(e.leaf)).find((e) => e.subject.id === monitor.id);
      assert.equal(event.data.rationale, 'new SLO agreed for Q1');
      assert.equal(event.before.threshold, 500);
      assert.equal(event.after.threshold, 600);

      const stale = await t.call(lead, 'PATCH', url, { version: monitor.version, threshold: 700, rationale: 'from an old page' });
      assert.equal(stale.statusCode, 409, stale.body);
      assert.equal(stale.json().error.code, 'version_conflict');
      const unversioned = await t.call(lead, 'PATCH', url, { threshold: 700, rationale: 'without a version' });
      assert.equal(unversioned.statusCode, 428, unversioned.body);
      const byVersion = await t.call(lead, 'PATCH', url, { version: monitor.version + 1, windowSeconds: 600, rationale: 'shorter window' });
      assert.equal(byVersion.statusCode, 200, byVersion.body);
      assert.equal(byVersion.json().windowSeconds, 600);
      const refused = await t.call(auditor, 'PATCH', url, { version: monitor.version + 2, threshold: 1, rationale: 'an auditor tries' });
      assert.equal(refused.statusCode, 403);
      const listed = (await t.call(auditor, 'GET', `/api/v1/systems/${system.id}/monitors`)).json().items[0];
      assert.equal(listed.threshold, 600);
      assert.equal(listed.windowSeconds, 600);
    });

    test('the dashboard counts firing alerts and links the filtered list', async () => {
      const before = (await t.call(auditor, 'GET', '/api/v1/dashboard')).json().alerts.firing;
      const system = await buildSystem(t.store);
      await monitorOn(system.id);
      await fire(system.id, '2026-11-30T12:00:00.000Z');
      const after = (await t.call(auditor, 'GET', '/api/v1/dashboard')).json().alerts.firing;
      assert.equal(after.count, before.count + 1);
      assert.deepEqual(after.list, { path: '/api/v1/alerts', query: { status: 'firing' }, exact: true });
      const listed = (await t.call(auditor, 'GET', '/api/v1/alerts?status=firing')).json();
      assert.equal(listed.total, after.count);
    });
  });
}

describe('the bucket grain', () => {
  test('is the finest that fits the asked number of buckets', () => {
    assert.equal(grainFor(60_000, 200).bucket, 'second');
    assert.equal(grainFor(3_600_000, 200).bucket, 'minute');
    assert.equal(grainFor(7 * 86_400_000, 200).bucket, 'hour');
    assert.equal(grainFor(90 * 86_400_000, 200).bucket, 'day');
    assert.equal(grainFor(50 * 365 * 86_400_000, 200).bucket, 'month');
  });
});
