import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { systemContext } from '../../context.js';
import { ingestMetricPoints } from './alerts.service.js';
import { decodeChunk } from './metric-chunks.js';

const AT = '2026-11-30T10:00:00.000Z';
const point = (systemId: string, overrides: Record<string, unknown> = {}) => ({
  systemId,
  metric: 'error_rate',
  value: 0.01,
  at: AT,
  labels: { region: 'eu' },
  ...overrides,
});

for (const dialect of DIALECTS) {
  describe(`metric points, monitors and alerts [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let auditor: TestUser;

    const eventsOf = async (type: string) =>
      (await t.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', type).execute()).map((e) => JSON.parse(e.leaf));
    const pointCount = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('metric_chunks')
            .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('point_count'), eb.lit(0)).as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** A system's stored points of a metric (or all), decoded from their chunks, oldest first. */
    const storedPoints = async (systemId: string, metric = 'error_rate') => {
      const chunks = await t.store.db
        .selectFrom('metric_chunks')
        .select('points')
        .where('system_id', '=', systemId)
        .where('metric', '=', metric)
        .orderBy('id')
        .execute();
      return chunks.flatMap((c) => {
        const body = decodeChunk(c.points);
        return body.at.map((at, i) => ({ at, value: body.value[i], labels: body.labelSets[body.labels[i]] }));
      });
    };
    const monitorBody = (systemId: string) => ({
      systemId,
      name: 'error rate',
      source: 'points',
      metric: 'error_rate',
      aggregation: 'avg',
      comparison: 'gt',
      threshold: 0.05,
      windowSeconds: 3600,
      severity: 'high',
      ownerId: lead.id,
      rationale: 'validated baseline 0.02 plus a margin',
    });
    const monitorOn = async (systemId: string, overrides: Record<string, unknown> = {}) => {
      const res = await t.call(lead, 'POST', '/api/v1/monitors', { ...monitorBody(systemId), ...overrides });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      auditor = await t.user(['auditor']);
    });
    after(() => t.close());

    test('an acknowledged batch of points is stored whole with its labels, with one ledger event naming its count and digest', async () => {
      const system = await buildSystem(t.store);
      const points = Array.from({ length: 300 }, (_, i) => point(system.id, { value: i }));
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points });
      assert.equal(res.statusCode, 200, res.body);
      const receipt = res.json();
      assert.equal(receipt.count, 300);
      const stored = await storedPoints(system.id);
      assert.equal(stored.length, 300);
      assert.deepEqual(
        stored.map((p) => p.value),
        points.map((p) => p.value),
        'every value, in the order received (same time)',
      );
      assert.ok(
        stored.every((p) => JSON.stringify(p.labels) === '{"region":"eu"}'),
        'every point keeps its labels',
      );
      const event = (await eventsOf('metrics.batch_recorded')).find((e) => e.subject.id === receipt.batchId);
      assert.equal(event.data.count, 300);
      assert.equal(event.data.digest, receipt.digest);
    });

    test('a batch is stored as one chunk per series, its points in time order with their labels; chunk ids are time-ordered (UUID v7) and ascend batch by batch', async () => {
      const system = await buildSystem(t.store);
      const ids: string[] = [];
      for (let batch = 0; batch < 2; batch++) {
        const points = [
          // Out of time order, two metrics, two label sets.
          ...Array.from({ length: 30 }, (_, i) =>
            point(system.id, { value: batch * 100 + i, at: new Date(Date.parse(AT) + batch * 60_000 + (29 - i) * 1000).toISOString() }),
          ),
          ...Array.from({ length: 20 }, (_, i) =>
            point(system.id, { metric: 'latency_ms', value: i, labels: { region: i % 2 === 0 ? 'eu' : 'us' } }),
          ),
        ];
        const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points });
        assert.equal(res.statusCode, 200, res.body);
        const chunks = await t.store.db
          .selectFrom('metric_chunks')
          .select(['id', 'metric', 'point_count', 'first_at', 'last_at', 'value_sum', 'value_min', 'value_max'])
          .where('system_id', '=', system.id)
          .where('received_at', '=', res.json().receivedAt)
          .orderBy('id')
          .execute();
        assert.deepEqual(
          chunks.map((c) => [c.metric, Number(c.point_count)]),
          [
            ['error_rate', 30],
            ['latency_ms', 20],
          ],
          'one chunk per series, in the order the batch names them',
        );
        const [errors] = chunks;
        assert.equal(errors.first_at, new Date(Date.parse(AT) + batch * 60_000).toISOString());
        assert.equal(errors.last_at, new Date(Date.parse(AT) + batch * 60_000 + 29_000).toISOString());
        assert.deepEqual(
          [Number(errors.value_sum), Number(errors.value_min), Number(errors.value_max)],
          [30 * batch * 100 + 435, batch * 100, batch * 100 + 29],
        );
        for (const c of chunks) assert.match(c.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        ids.push(...chunks.map((c) => c.id));
      }
      assert.deepEqual(ids, [...ids].sort(), 'ids ascend batch by batch');
      assert.equal(new Set(ids).size, 4);
      const errors = await storedPoints(system.id, 'error_rate');
      assert.deepEqual(
        errors.slice(0, 3).map((p) => p.value),
        [29, 28, 27],
        'ascending time: the last sent is the oldest',
      );
      const latency = await storedPoints(system.id, 'latency_ms');
      assert.deepEqual(
        latency.slice(0, 4).map((p) => [p.value, p.labels.region]),
        [
          [0, 'eu'],
          [1, 'us'],
          [2, 'eu'],
          [3, 'us'],
        ],
        'same time: in the order received, each with its own labels',
      );
    });

    test('a batch with bad points names every one and records nothing (validation_failed)', async () => {
      const system = await buildSystem(t.store);
      const points = [
        point(system.id),
        point(system.id, { value: 'high' }),
        point(system.id, { at: 'yesterday' }),
        point('no-such-system'),
        point(system.id, { metric: 'bad metric!' }),
      ];
      const [ledgerBefore, pointsBefore] = [await ledgerSize(t.store), await pointCount()];
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.deepEqual(res.json().error.details.badPoints, [1, 2, 4]);
      assert.equal(await ledgerSize(t.store), ledgerBefore);
      assert.equal(await pointCount(), pointsBefore);
      // The unknown system is found once the shapes are right.
      const unknown = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points: [point(system.id), point('no-such-system')] });
      assert.equal(unknown.statusCode, 400, unknown.body);
      assert.deepEqual(unknown.json().error.details.badPoints, [1]);
      assert.equal(await ledgerSize(t.store), ledgerBefore);
      assert.equal(await pointCount(), pointsBefore);
    });

    test('points take an ingest token: a read/write token is refused (insufficient_scope)', async () => {
      const system = await buildSystem(t.store);
      const before = await ledgerSize(t.store);
      const res = await t.call(lead, 'POST', '/api/v1/metrics/points', { points: [point(system.id)] });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'insufficient_scope');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('a monitor is created with a rationale, as a ledger event; without one nothing is written', async () => {
      const system = await buildSystem(t.store);
      const before = await ledgerSize(t.store);
      const refused = await t.call(lead, 'POST', '/api/v1/monitors', {
        systemId: system.id,
        name: 'latency',
        source: 'points',
        metric: 'latency_ms',
        aggregation: 'max',
        comparison: 'gt',
        threshold: 500,
        windowSeconds: 60,
        severity: 'medium',
        ownerId: lead.id,
        rationale: '   ',
      });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error.code, 'validation_failed');
      assert.equal(await ledgerSize(t.store), before);
      const monitor = await monitorOn(system.id);
      const event = (await eventsOf('monitor.created')).find((e) => e.subject.id === monitor.id);
      assert.equal(event.data.rationale, 'validated baseline 0.02 plus a margin');
      assert.equal(event.data.systemId, system.id);
    });

    test('an auditor may not set monitors (forbidden), and nothing is written', async () => {
      const system = await buildSystem(t.store);
      const before = await ledgerSize(t.store);
      const res = await t.call(auditor, 'POST', '/api/v1/monitors', {
        systemId: system.id,
        name: 'x',
        source: 'points',
        metric: 'error_rate',
        aggregation: 'avg',
        comparison: 'gt',
        threshold: 1,
        windowSeconds: 60,
        severity: 'low',
        ownerId: lead.id,
        rationale: 'r',
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'forbidden');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('a computed monitor names a statistic Proofline computes; anything else is refused (validation_failed)', async () => {
      const system = await buildSystem(t.store);
      const before = await ledgerSize(t.store);
      const body = {
        systemId: system.id,
        name: 'impact ratio',
        source: 'computed',
        metric: 'latency_ms',
        aggregation: 'last',
        comparison: 'lt',
        threshold: 0.8,
        windowSeconds: 86400,
        severity: 'high',
        ownerId: lead.id,
        rationale: 'four-fifths rule',
      };
      const res = await t.call(lead, 'POST', '/api/v1/monitors', body);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.equal(res.json().error.details.field, 'metric');
      const groupless = await t.call(lead, 'POST', '/api/v1/monitors', { ...body, metric: 'impact_ratio' });
      assert.equal(groupless.json().error.code, 'validation_failed');
      assert.equal(groupless.json().error.details.field, 'group');
      assert.equal(await ledgerSize(t.store), before);
      const ok = await t.call(lead, 'POST', '/api/v1/monitors', { ...body, metric: 'impact_ratio', group: 'sex', forEvaluations: 2 });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().forEvaluations, 2);
      assert.equal(ok.json().clearEvaluations, 3);
    });

    test('a breach raises one alert with its values as evidence; further breaches while it fires only count on it', async () => {
      const system = await buildSystem(t.store);
      const monitor = await monitorOn(system.id);
      const quiet = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points: [point(system.id, { value: 0.05 })] });
      assert.deepEqual(quiet.json().alertsFired, [], 'at the threshold, gt does not breach');
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', {
        points: [point(system.id, { value: 0.2, at: '2026-11-30T10:05:00.000Z' })],
      });
      assert.equal(res.statusCode, 200, res.body);
      const [alertId] = res.json().alertsFired;
      assert.ok(alertId, 'an alert fired');
      const alert = (await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json();
      assert.equal(alert.status, 'firing');
      assert.equal(alert.severity, 'high');
      assert.equal(alert.monitorId, monitor.id);
      assert.equal(alert.evidence.value, 0.125);
      assert.equal(alert.evidence.points, 2);
      const fired = (await eventsOf('alert.fired')).find((e) => e.subject.id === alertId);
      assert.equal(fired.data.evidence.value, 0.125);

      const before = (await eventsOf('alert.fired')).length;
      const again = await t.call(ingest, 'POST', '/api/v1/metrics/points', {
        points: [point(system.id, { value: 0.3, at: '2026-11-30T10:06:00.000Z' })],
      });
      assert.deepEqual(again.json().alertsFired, []);
      assert.equal((await eventsOf('alert.fired')).length, before);
      assert.equal((await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json().fireCount, 2);
    });

    test('a window of 160,000 points is evaluated (every value folded, none spread into a call) and its batches are acknowledged', async () => {
      const system = await buildSystem(t.store);
      // On a group: every point's labels are read, not only the chunks' summaries.
      await monitorOn(system.id, { aggregation: 'max', threshold: 0.99, group: 'eu' });
      const start = Date.parse('2026-11-30T09:00:00.000Z');
      let fired: string[] = [];
      for (let batch = 0; batch < 8; batch++) {
        const points = Array.from({ length: 20_000 }, (_, i) =>
          point(system.id, {
            value: batch === 7 && i === 19_999 ? 1 : 0.01,
            at: new Date(start + (batch * 20_000 + i) * 10).toISOString(),
          }),
        );
        if (batch < 7) {
          // The use case the route calls, without 2 MB of JSON each way: the last batch goes over the API.
          fired = (await t.store.transact((trx) => ingestMetricPoints(trx, { ctx: systemContext('test'), points }))).alertsFired;
          continue;
        }
        const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points });
        assert.equal(res.statusCode, 200, res.body);
        fired = res.json().alertsFired;
      }
      assert.equal(fired.length, 1, 'the last point breaches');
      const alert = (await t.call(lead, 'GET', `/api/v1/alerts/${fired[0]}`)).json();
      assert.equal(alert.evidence.value, 1);
      assert.equal(alert.evidence.points, 160_000);
    });

    test('a monitor on a group reads only points carrying exactly that label value: not one containing it, not another case', async () => {
      const system = await buildSystem(t.store);
      const monitor = await monitorOn(system.id, { group: 'eu', aggregation: 'max' });
      assert.equal(monitor.group, 'eu');
      const send = (labels: Record<string, string>, minute: number) =>
        t.call(ingest, 'POST', '/api/v1/metrics/points', {
          points: [point(system.id, { value: 0.9, labels, at: `2026-11-30T10:${String(minute).padStart(2, '0')}:00.000Z` })],
        });
      for (const [labels, minute] of [
        [{ region: 'europe' }, 1],
        [{ region: 'EU' }, 2],
        [{ eu: 'yes' }, 3],
        [{ region: 'e_' }, 4],
      ] as const) {
        const res = await send(labels, minute);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().alertsFired, [], `${JSON.stringify(labels)} is not the group eu`);
      }
      const res = await send({ region: 'eu' }, 5);
      const [alertId] = res.json().alertsFired;
      assert.ok(alertId, 'the group itself breaches');
      const alert = (await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json();
      assert.equal(alert.evidence.points, 1, 'only the point of the group is evidence');
    });

    test('a points monitor on a model version reads only the points whose model_version label is exactly that version', async () => {
      const system = await buildSystem(t.store);
      const versions: string[] = [];
      for (const label of ['v1', 'v2']) {
        const reg = await t.callCurrent(lead, 'POST', `/api/v1/systems/${system.id}/model-versions`, {
          label,
          artifactSha256: (label === 'v1' ? 'd' : 'e').repeat(64),
        });
        assert.equal(reg.statusCode, 201, reg.body);
        versions.push(reg.json().id);
      }
      const [v1, v2] = versions;
      const monitor = await monitorOn(system.id, { modelVersionId: v1, aggregation: 'max', metric: 'latency_p99' });
      assert.equal(monitor.modelVersionId, v1);
      const send = (labels: Record<string, string>, minute: number) =>
        t.call(ingest, 'POST', '/api/v1/metrics/points', {
          points: [
            point(system.id, { metric: 'latency_p99', value: 0.9, labels, at: `2026-11-30T11:${String(minute).padStart(2, '0')}:00.000Z` }),
          ],
        });
      for (const [labels, minute] of [
        [{ model_version: v2 }, 1],
        [{ model_version: v1.toUpperCase() }, 2],
        [{ deployed: v1 }, 3],
        [{ region: 'eu' }, 4],
      ] as const) {
        const res = await send(labels, minute);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().alertsFired, [], `${JSON.stringify(labels)} is not model version v1`);
      }
      const res = await send({ model_version: v1, region: 'eu' }, 5);
      const [alertId] = res.json().alertsFired;
      assert.ok(alertId, 'a point of the version itself breaches');
      const alert = (await t.call(lead, 'GET', `/api/v1/alerts/${alertId}`)).json();
      assert.equal(alert.evidence.points, 1, 'only the point of the version is evidence');
      assert.equal(alert.evidence.modelVersionId, v1);
      // A model version of another system is not this system's: refused, nothing written.
      const other = await buildSystem(t.store);
      const before = await ledgerSize(t.store);
      const refused = await t.call(lead, 'POST', '/api/v1/monitors', { ...monitorBody(other.id), modelVersionId: v1 });
      assert.equal(refused.statusCode, 404, refused.body);
      assert.equal(refused.json().error.code, 'not_found');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('an alert is acknowledged with a rationale, then resolved; each step a ledger event, wrong steps refused', async () => {
      const system = await buildSystem(t.store);
      await monitorOn(system.id);
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points: [point(system.id, { value: 0.9 })] });
      const [alertId] = res.json().alertsFired;

      let before = await ledgerSize(t.store);
      const blank = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, { rationale: ' ' });
      assert.equal(blank.json().error.code, 'validation_failed');
      assert.equal(await ledgerSize(t.store), before);

      // The owner of another system passes the route (it holds system_owner somewhere), not the rule.
      const stranger = await t.user(['contributor']);
      await buildSystem(t.store, { accountableOwnerId: stranger.id });
      before = await ledgerSize(t.store);
      for (const action of ['acknowledge', 'resolve']) {
        const refused = await t.call(stranger, 'POST', `/api/v1/alerts/${alertId}/${action}`, { rationale: 'not my system at all' });
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().error.code, 'forbidden');
      }
      assert.equal(await ledgerSize(t.store), before, 'a refusal writes nothing');

      const ack = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, { rationale: 'looking at the new model' });
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal(ack.json().status, 'acknowledged');
      assert.equal(ack.json().acknowledgedBy, lead.id);
      const acked = (await eventsOf('alert.acknowledged')).find((e) => e.subject.id === alertId);
      assert.equal(acked.data.rationale, 'looking at the new model');

      before = await ledgerSize(t.store);
      const twice = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, { rationale: 'again' });
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().error.code, 'invalid_transition');
      assert.equal(await ledgerSize(t.store), before);

      const resolved = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/resolve`, { rationale: 'rolled back' });
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.equal(resolved.json().status, 'resolved');
      assert.ok((await eventsOf('alert.resolved')).some((e) => e.subject.id === alertId));

      before = await ledgerSize(t.store);
      const again = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/resolve`, { rationale: 'again' });
      assert.equal(again.json().error.code, 'invalid_transition');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('a disabled monitor raises nothing; disabling is a ledger event with its rationale', async () => {
      const system = await buildSystem(t.store);
      const monitor = await monitorOn(system.id);
      const off = await t.call(lead, 'POST', `/api/v1/monitors/${monitor.id}/disable`, { rationale: 'replaced' });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().enabled, false);
      assert.equal((await eventsOf('monitor.disabled')).find((e) => e.subject.id === monitor.id).data.rationale, 'replaced');
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points: [point(system.id, { value: 0.9 })] });
      assert.deepEqual(res.json().alertsFired, []);
    });
  });
}
