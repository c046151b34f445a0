// Drift per declared feature over HTTP (issue 11): a numeric feature's PSI, Jensen-Shannon and KS, a
// categorical feature's chi-square and PSI, each against values worked out by hand; a frozen baseline
// that keeps its counts when the raw rows change; an unknown feature refused; and a drift monitor on
// a categorical feature that breaches. On both databases.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { ksStatistic, ksTest } from '../../monitoring/stats/ks.js';
import { evaluateAllMonitors } from '../../workflows/monitor-evaluation.js';

const REFERENCE = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-15T00:00:00.000Z' };
const CURRENT = { from: '2026-11-15T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const IN_REFERENCE = '2026-11-10T10:00:00.000Z';
const IN_CURRENT = '2026-11-20T10:00:00.000Z';
const windows = `referenceFrom=${REFERENCE.from}&referenceTo=${REFERENCE.to}&from=${CURRENT.from}&to=${CURRENT.to}`;

/** `counts` category -> how many, as the list of categories a batch sends. */
const spread = (counts: Record<string, number>) => Object.entries(counts).flatMap(([c, n]) => Array<string>(n).fill(c));

for (const dialect of DIALECTS) {
  describe(`drift per declared feature [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;

    /** A system declaring income (numeric) and channel (categorical). */
    async function declaredSystem() {
      const system = await buildSystem(t.store, { accountableOwnerId: lead.id });
      const res = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/features`, {
        features: [
          { name: 'income', kind: 'numeric' },
          { name: 'channel', kind: 'categorical', categories: ['web', 'branch', 'phone'] },
        ],
        rationale: 'Watch the inputs of credit decisions for drift',
      });
      assert.equal(res.statusCode, 200, res.body);
      return system.id;
    }

    async function record(systemId: string, decidedAt: string, features: Array<Record<string, number | string>>) {
      const records = features.map((f) => ({
        decisionId: randomUUID(),
        systemId,
        decidedAt,
        inputDigest: 'a'.repeat(64),
        output: { approved: true },
        features: f,
      }));
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
      assert.equal(res.statusCode, 200, res.body);
    }

    const drift = async (systemId: string, query: string) => {
      const res = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/drift?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
    });
    after(() => t.close());

    test('a numeric feature: PSI, Jensen-Shannon and KS of the current window against the reference, as worked out by hand', async () => {
      const systemId = await declaredSystem();
      // Reference 0..39, current 10..49. The reference's deciles put edges at 4, 8, ..., 36: ten bins
      // of 4 reference values each (share 0.1). The current fills them 0, 0, 2, 4, 4, 4, 4, 4, 4, 14.
      const reference = Array.from({ length: 40 }, (_, i) => i);
      const current = reference.map((v) => v + 10);
      await record(
        systemId,
        IN_REFERENCE,
        reference.map((income) => ({ income })),
      );
      await record(
        systemId,
        IN_CURRENT,
        current.map((income) => ({ income })),
      );
      const answer = await drift(systemId, `feature=income&${windows}`);
      assert.equal(answer.kind, 'numeric');
      assert.deepEqual(answer.n, { reference: 40, current: 40 });
      assert.deepEqual(answer.reference.edges, [4, 8, 12, 16, 20, 24, 28, 32, 36]);
      assert.deepEqual(answer.current.counts, [0, 0, 2, 4, 4, 4, 4, 4, 4, 14]);
      // PSI: an empty bin counts as a share of 0.0001.
      const psi = 2 * (0.0001 - 0.1) * Math.log(0.0001 / 0.1) + (0.05 - 0.1) * Math.log(0.05 / 0.1) + (0.35 - 0.1) * Math.log(0.35 / 0.1);
      assert.ok(Math.abs(answer.psi.value - psi) < 1e-9, `${answer.psi.value} vs ${psi}`);
      // Jensen-Shannon (base 2): the bins where the shares differ, against their midpoints.
      const half = (p: number, q: number) => {
        const m = (p + q) / 2;
        return 0.5 * ((p > 0 ? p * Math.log2(p / m) : 0) + (q > 0 ? q * Math.log2(q / m) : 0));
      };
      const js = Math.sqrt(2 * half(0.1, 0) + half(0.1, 0.05) + half(0.1, 0.35));
      assert.ok(Math.abs(answer.jensenShannon.value - js) < 1e-9, `${answer.jensenShannon.value} vs ${js}`);
      // KS: the CDFs are furthest apart (10 of 40 values) from 9 to 39.
      assert.ok(Math.abs(answer.ks.statistic.value - 0.25) < 1e-12, answer.ks.statistic.value);
      assert.equal(answer.ks.from, 'values');
      const expected = ksTest(ksStatistic(Float64Array.from(reference), Float64Array.from(current)), 40, 40);
      assert.equal(answer.ks.pValue.value, expected.pValue.value);
      assert.equal(answer.categories, null);
      assert.equal(answer.chiSquare, null);
    });

    test('a categorical feature: chi-square with its p-value and PSI from the category counts, as worked out by hand', async () => {
      const systemId = await declaredSystem();
      await record(
        systemId,
        IN_REFERENCE,
        spread({ web: 30, branch: 20, phone: 50 }).map((channel) => ({ channel })),
      );
      await record(
        systemId,
        IN_CURRENT,
        spread({ web: 25, branch: 30, phone: 45 }).map((channel) => ({ channel })),
      );
      const answer = await drift(systemId, `feature=channel&${windows}`);
      assert.equal(answer.kind, 'categorical');
      assert.deepEqual(answer.n, { reference: 100, current: 100 });
      assert.deepEqual(answer.categories, [
        { category: 'branch', reference: 20, current: 30 },
        { category: 'phone', reference: 50, current: 45 },
        { category: 'web', reference: 30, current: 25 },
      ]);
      // Both samples hold 100: each expected count is half its column (55, 50, 95).
      const chi = 2 * ((30 - 27.5) ** 2 / 27.5 + (20 - 25) ** 2 / 25 + (50 - 47.5) ** 2 / 47.5);
      assert.ok(Math.abs(answer.chiSquare.statistic.value - chi) < 1e-9, `${answer.chiSquare.statistic.value} vs ${chi}`);
      assert.equal(answer.chiSquare.degreesOfFreedom, 2);
      // With 2 degrees of freedom the chi-square survival function is exp(-x / 2).
      assert.ok(Math.abs(answer.chiSquare.pValue.value - Math.exp(-chi / 2)) < 1e-9);
      const psi = (0.25 - 0.3) * Math.log(0.25 / 0.3) + (0.3 - 0.2) * Math.log(0.3 / 0.2) + (0.45 - 0.5) * Math.log(0.45 / 0.5);
      assert.ok(Math.abs(answer.psi.value - psi) < 1e-9, `${answer.psi.value} vs ${psi}`);
      assert.equal(answer.ks, null);
      assert.equal(answer.reference, null);
    });

    test('a frozen baseline keeps its bins and counts: the raw rows changed afterwards, the drift against it stays the same', async () => {
      const systemId = await declaredSystem();
      await record(
        systemId,
        IN_REFERENCE,
        spread({ web: 30, branch: 20, phone: 50 }).map((channel, i) => ({ channel, income: i })),
      );
      await record(
        systemId,
        IN_CURRENT,
        spread({ web: 10, branch: 60, phone: 30 }).map((channel, i) => ({ channel, income: i + 30 })),
      );
      const before = await ledgerSize(t.store);
      const baselines: Record<string, { id: string; kind: string; categories: unknown; counts: number[] }> = {};
      for (const feature of ['channel', 'income']) {
        const res = await t.call(lead, 'POST', `/api/v1/systems/${systemId}/monitoring/baselines`, { feature, ...REFERENCE });
        assert.equal(res.statusCode, 201, res.body);
        baselines[feature] = res.json();
      }
      assert.equal(await ledgerSize(t.store), before + 2);
      assert.equal(baselines.channel.kind, 'categorical');
      assert.deepEqual(baselines.channel.categories, { web: 30, branch: 20, phone: 50 });
      assert.deepEqual(baselines.channel.counts, []);
      assert.equal(baselines.income.kind, 'numeric');
      assert.equal(
        baselines.income.counts.reduce((a, b) => a + b),
        100,
      );
      const current = `from=${CURRENT.from}&to=${CURRENT.to}`;
      const channelBefore = await drift(systemId, `feature=channel&baselineId=${baselines.channel.id}&${current}`);
      const incomeBefore = await drift(systemId, `feature=income&baselineId=${baselines.income.id}&${current}`);
      // The same as against the reference window itself (PSI and chi-square read the same counts).
      const channelWindow = await drift(systemId, `feature=channel&${windows}`);
      assert.deepEqual(channelBefore.chiSquare, channelWindow.chiSquare);
      assert.equal(incomeBefore.ks.from, 'bins');

      // The reference window's raw values change: every reference decision's channel becomes web.
      await t.store.transact(async (trx) => {
        await trx
          .updateTable('decision_features')
          .set({ category: 'web' })
          .where('system_id', '=', systemId)
          .where('feature', '=', 'channel')
          .where('decided_at', '=', IN_REFERENCE)
          .execute();
        await trx
          .updateTable('decision_features')
          .set({ num_value: 1000 })
          .where('system_id', '=', systemId)
          .where('feature', '=', 'income')
          .where('decided_at', '=', IN_REFERENCE)
          .execute();
      });
      assert.notDeepEqual((await drift(systemId, `feature=channel&${windows}`)).categories, channelWindow.categories);
      assert.deepEqual(await drift(systemId, `feature=channel&baselineId=${baselines.channel.id}&${current}`), channelBefore);
      assert.deepEqual(await drift(systemId, `feature=income&baselineId=${baselines.income.id}&${current}`), incomeBefore);
      // A baseline of one feature is not one of another.
      const crossed = await t.call(
        lead,
        'GET',
        `/api/v1/systems/${systemId}/monitoring/drift?feature=income&baselineId=${baselines.channel.id}`,
      );
      assert.equal(crossed.statusCode, 404, crossed.body);
    });

    test('an unknown feature is refused (not_found, naming the feature) and freezes nothing', async () => {
      const systemId = await declaredSystem();
      const unknown = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/drift?feature=colour&${windows}`);
      assert.equal(unknown.statusCode, 404, unknown.body);
      assert.equal(unknown.json().error.code, 'not_found');
      assert.equal(unknown.json().error.details.field, 'feature');
      const size = await ledgerSize(t.store);
      const rows = await t.store.db.selectFrom('monitoring_baselines').select('id').where('system_id', '=', systemId).execute();
      const frozen = await t.call(lead, 'POST', `/api/v1/systems/${systemId}/monitoring/baselines`, { feature: 'colour' });
      assert.equal(frozen.statusCode, 404, frozen.body);
      assert.equal(frozen.json().error.code, 'not_found');
      const malformed = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/drift?feature=Not-A-Name&${windows}`);
      assert.equal(malformed.statusCode, 400, malformed.body);
      assert.equal(malformed.json().error.code, 'validation_failed');
      assert.equal(await ledgerSize(t.store), size);
      assert.equal(
        (await t.store.db.selectFrom('monitoring_baselines').select('id').where('system_id', '=', systemId).execute()).length,
        rows.length,
      );
    });

    test('a drift monitor names its feature: PSI of a categorical feature breaches and alerts with the counts as evidence; KS needs a numeric feature', async () => {
      const systemId = await declaredSystem();
      await record(
        systemId,
        '2026-11-20T10:00:00.000Z',
        spread({ web: 40, branch: 40, phone: 20 }).map((channel) => ({ channel })),
      );
      const frozen = await t.call(lead, 'POST', `/api/v1/systems/${systemId}/monitoring/baselines`, { feature: 'channel' });
      assert.equal(frozen.statusCode, 201, frozen.body);
      await record(
        systemId,
        '2026-11-28T10:00:00.000Z',
        spread({ web: 10, branch: 20, phone: 70 }).map((channel) => ({ channel })),
      );
      const monitor = (body: Record<string, unknown>) =>
        t.call(lead, 'POST', '/api/v1/monitors', {
          systemId,
          name: 'channel drift',
          source: 'computed',
          metric: 'psi',
          aggregation: 'last',
          comparison: 'gt',
          threshold: 0.2,
          windowSeconds: 3 * 86400,
          severity: 'medium',
          ownerId: lead.id,
          rationale: 'the channel mix drives the model',
          ...body,
        });
      const size = await ledgerSize(t.store);
      const ks = await monitor({ metric: 'ks_statistic', feature: 'channel' });
      assert.equal(ks.statusCode, 400, ks.body);
      assert.equal(ks.json().error.details.field, 'feature');
      const unknown = await monitor({ feature: 'colour' });
      assert.equal(unknown.statusCode, 404, unknown.body);
      const notDrift = await monitor({ metric: 'error_rate', feature: 'channel' });
      assert.equal(notDrift.statusCode, 400, notDrift.body);
      assert.equal(await ledgerSize(t.store), size);
      const created = await monitor({ feature: 'channel' });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().feature, 'channel');
      const onScore = await monitor({ name: 'score drift' });
      assert.equal(onScore.json().feature, 'score');

      const run = await evaluateAllMonitors(t.store, { now: new Date('2026-11-29T00:00:00.000Z') });
      const alert = await t.store.db.selectFrom('alerts').selectAll().where('monitor_id', '=', created.json().id).executeTakeFirstOrThrow();
      assert.ok(run.fired.includes(alert.id));
      const evidence = JSON.parse(alert.evidence);
      const psi = (0.1 - 0.4) * Math.log(0.1 / 0.4) + (0.2 - 0.4) * Math.log(0.2 / 0.4) + (0.7 - 0.2) * Math.log(0.7 / 0.2);
      assert.ok(Math.abs(evidence.value - psi) < 1e-9, `${evidence.value} vs ${psi}`);
      assert.equal(evidence.feature, 'channel');
      assert.equal(evidence.kind, 'categorical');
      assert.deepEqual(evidence.categories, [
        { category: 'branch', reference: 40, current: 20 },
        { category: 'phone', reference: 20, current: 70 },
        { category: 'web', reference: 40, current: 10 },
      ]);
      assert.ok(evidence.chiSquarePValue < 0.001);
      // The score monitor has no score baseline: it is skipped, not breached.
      assert.ok(run.skipped.some((s) => s.monitorId === onScore.json().id && s.reason === 'no_baseline'));
    });
  });
}
