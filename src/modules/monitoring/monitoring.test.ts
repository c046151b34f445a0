import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { decisionRecord, groupedOutcomes, recordDecisions, rowCount } from '../../../test/outcomes.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { canonicalGroups } from './outcomes.service.js';

test('an outcome stores its group attributes as one canonical JSON object: keys in order, values escaped, none as null', () => {
  assert.equal(canonicalGroups({ sex: 'F', age_band: '50+' }), '{"age_band":"50+","sex":"F"}');
  assert.equal(canonicalGroups({ age_band: '50+', sex: 'F' }), canonicalGroups({ sex: 'F', age_band: '50+' }));
  assert.deepEqual(JSON.parse(canonicalGroups({ region: 'a "b"\\c\u2028' }) ?? ''), { region: 'a "b"\\c\u2028' });
  assert.equal(canonicalGroups({}), null);
});

for (const dialect of DIALECTS) {
  describe(`monitoring signals and reports [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let contributor: TestUser;

    const count = (table: 'decision_outcomes' | 'outcome_batches') => rowCount(t.store, table);
    const grouped = () => groupedOutcomes(t.store);

    /** A system with `n` recorded decisions; returns their ids. */
    async function systemWithDecisions(n: number) {
      const system = await buildSystem(t.store);
      const ids = await recordDecisions(t, ingest, system.id, n);
      const declared = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/fairness-attributes`, {
        attributes: [
          { name: 'sex', values: ['F', 'M'], fairnessOnly: true },
          { name: 'age', values: ['young', 'old'], fairnessOnly: true },
        ],
        rationale: 'Bias monitoring under our fairness policy',
      });
      assert.equal(declared.statusCode, 200, declared.body);
      return { systemId: system.id, ids };
    }

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      contributor = await t.user(['contributor']);
    });
    after(() => t.close());

    test('an acknowledged outcome batch is durable: outcomes with their group attributes, one ledger event without the attributes', async () => {
      const { systemId, ids } = await systemWithDecisions(4);
      const records = ids.map((decisionId, i) => ({
        systemId,
        decisionId,
        actual: i % 2,
        predicted: 1,
        score: 0.5,
        knownAt: '2026-11-29T10:00:00.000Z',
        groups: { sex: i < 2 ? 'F' : 'M' },
      }));
      const before = await ledgerSize(t.store);
      const res = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records });
      assert.equal(res.statusCode, 201, res.body);
      const receipt = res.json();
      assert.equal(receipt.count, 4);
      const stored = await t.store.db.selectFrom('decision_outcomes').select('actual').where('batch_id', '=', receipt.batchId).execute();
      assert.equal(stored.length, 4);
      const groups = await t.store.db
        .selectFrom('decision_outcomes')
        .select(sql<string>`group_attributes ->> 'sex'`.as('sex'))
        .where('system_id', '=', systemId)
        .orderBy('sex')
        .execute();
      assert.deepEqual(
        groups.map((g) => g.sex),
        ['F', 'F', 'M', 'M'],
      );
      const recorded = await t.store.db
        .selectFrom('recorded_group_attributes')
        .select('attribute')
        .where('system_id', '=', systemId)
        .execute();
      assert.deepEqual(recorded, [{ attribute: 'sex' }]);
      assert.equal(await ledgerSize(t.store), before + 1);
      const event = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'monitoring.outcomes_recorded')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(event.leaf);
      assert.equal(leaf.data.count, 4);
      assert.equal(leaf.data.digest, receipt.digest);
      assert.deepEqual(leaf.data.groupAttributes, ['sex']);
      assert.doesNotMatch(event.leaf, /"F"|"M"/, 'group values never enter the ledger');
    });

    test('a malformed batch is rejected whole, naming every bad record; nothing is written', async () => {
      const { systemId, ids } = await systemWithDecisions(3);
      const good = (decisionId: string) => ({ systemId, decisionId, actual: 1, predicted: 0, knownAt: '2026-11-29T10:00:00.000Z' });
      const tables = [await count('decision_outcomes'), await grouped(), await count('outcome_batches')];
      const before = await ledgerSize(t.store);
      const records = [
        { ...good(ids[0]), groups: { sex: 'F' } },
        { ...good(ids[1]), actual: 2 },
        good('never-recorded'),
        { ...good(ids[2]), knownAt: 'later' },
      ];
      const res = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records });
      assert.equal(res.statusCode, 400, res.body);
      const error = res.json().error;
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.details.badRecords, [1, 3]);
      // Structural problems come first; the references are checked once the batch is well-formed.
      const second = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: [good(ids[0]), good('never-recorded'), good(ids[0])],
      });
      assert.equal(second.statusCode, 400, second.body);
      assert.equal(second.json().error.code, 'validation_failed');
      assert.deepEqual(second.json().error.details.badRecords, [1, 2]);
      assert.deepEqual(
        second.json().error.details.problems.map((p: { index: number; message: string }) => [p.index, p.message]),
        [
          [1, `no recorded decision never-recorded of system ${systemId}`],
          [2, 'appears twice in this batch'],
        ],
      );
      // A decision never recorded, named twice: both problems of the second record are named.
      const third = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records: [good('never-recorded'), good('never-recorded')] });
      assert.deepEqual(
        third.json().error.details.problems.map((p: { index: number; message: string }) => [p.index, p.message]),
        [
          [0, `no recorded decision never-recorded of system ${systemId}`],
          [1, `no recorded decision never-recorded of system ${systemId}`],
          [1, 'appears twice in this batch'],
        ],
      );
      assert.deepEqual([await count('decision_outcomes'), await grouped(), await count('outcome_batches')], tables);
      assert.equal(await ledgerSize(t.store), before);
    });

    test('an outcome is given once: a second outcome for the same decision is refused and writes nothing', async () => {
      const { systemId, ids } = await systemWithDecisions(1);
      const outcome = { systemId, decisionId: ids[0], actual: 1, predicted: 1, knownAt: '2026-11-29T10:00:00.000Z' };
      assert.equal((await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records: [outcome] })).statusCode, 201);
      const before = await ledgerSize(t.store);
      const rows = await count('decision_outcomes');
      const res = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records: [{ ...outcome, actual: 0 }] });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.match(res.json().error.details.problems[0].message, /already has an outcome/);
      assert.equal(await count('decision_outcomes'), rows);
      assert.equal(await ledgerSize(t.store), before);
    });

    test('second outcomes among good records are refused, each named in its place with the other problems; nothing is written', async () => {
      const { systemId, ids } = await systemWithDecisions(5);
      const outcome = (decisionId: string) => ({ systemId, decisionId, actual: 1, predicted: 1, knownAt: '2026-11-29T10:00:00.000Z' });
      const given = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records: [outcome(ids[1]), outcome(ids[3])] });
      assert.equal(given.statusCode, 201, given.body);
      const tables = [await count('decision_outcomes'), await count('outcome_batches')];
      const rollups = await t.store.db.selectFrom('outcome_rollups').selectAll().where('system_id', '=', systemId).execute();
      const before = await ledgerSize(t.store);
      const problemsOf = (res: { json(): { error: { details: { problems: Array<{ index: number; message: string }> } } } }) =>
        res.json().error.details.problems.map((p) => [p.index, p.message]);

      // Every other record is well-formed: the outcome's key refuses the batch at its insert.
      const refused = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: [outcome(ids[0]), outcome(ids[1]), outcome(ids[2]), outcome(ids[3]), outcome(ids[4])],
      });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error.code, 'validation_failed');
      assert.deepEqual(refused.json().error.details.badRecords, [1, 3]);
      assert.deepEqual(problemsOf(refused), [
        [1, 'already has an outcome'],
        [3, 'already has an outcome'],
      ]);

      // Refused before the insert (a decision never recorded): the second outcomes are named too, in order.
      const mixed = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: [outcome(ids[1]), outcome('never-recorded'), outcome(ids[1]), { ...outcome(ids[0]), groups: { sex: 'X' } }],
      });
      assert.equal(mixed.statusCode, 400, mixed.body);
      assert.deepEqual(problemsOf(mixed), [
        [0, 'already has an outcome'],
        [1, `no recorded decision never-recorded of system ${systemId}`],
        [2, 'already has an outcome'],
        [2, 'appears twice in this batch'],
        [3, '"X" is not one of its declared values'],
      ]);

      assert.deepEqual([await count('decision_outcomes'), await count('outcome_batches')], tables);
      assert.deepEqual(await t.store.db.selectFrom('outcome_rollups').selectAll().where('system_id', '=', systemId).execute(), rollups);
      assert.equal(await ledgerSize(t.store), before);
    });

    test('outcomes are ingested only with an ingest-scoped token', async () => {
      const { systemId, ids } = await systemWithDecisions(1);
      const before = await ledgerSize(t.store);
      const res = await t.call(contributor, 'POST', '/api/v1/outcomes/batch', {
        records: [{ systemId, decisionId: ids[0], actual: 1, predicted: 1, knownAt: '2026-11-29T10:00:00.000Z' }],
      });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'insufficient_scope');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('performance and fairness come from the counts the database groups, with n per group and nulls with reasons', async () => {
      const { systemId, ids } = await systemWithDecisions(12);
      // F: 4 selected of 6 (tp 3, fp 1, tn 1, fn 1); M: 1 selected of 6 (tp 1, fp 0, tn 3, fn 2). Ages split each sex.
      const plan: Array<[string, string, number, number]> = [
        ['F', 'young', 1, 1],
        ['F', 'young', 1, 1],
        ['F', 'old', 1, 1],
        ['F', 'old', 1, 0],
        ['F', 'old', 0, 0],
        ['F', 'young', 0, 1],
        ['M', 'young', 1, 1],
        ['M', 'old', 0, 0],
        ['M', 'old', 0, 0],
        ['M', 'young', 0, 0],
        ['M', 'young', 0, 1],
        ['M', 'old', 0, 1],
      ];
      const records = plan.map(([sex, age, predicted, actual], i) => ({
        systemId,
        decisionId: ids[i],
        predicted,
        actual,
        score: predicted ? 0.9 : 0.1,
        knownAt: '2026-11-29T10:00:00.000Z',
        groups: { sex, age },
      }));
      assert.equal((await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records })).statusCode, 201);

      const perf = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/performance?minCount=1`);
      assert.equal(perf.statusCode, 200, perf.body);
      const [version] = perf.json().versions;
      assert.deepEqual(version.counts, { tp: 4, fp: 1, tn: 4, fn: 3 });
      assert.equal(version.n, 12);
      assert.equal(version.precision.value, 4 / 5);
      assert.equal(version.auc.reason, null);

      const fair = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/fairness?groupBy=sex&minCount=1`);
      assert.equal(fair.statusCode, 200, fair.body);
      const body = fair.json();
      const bySex = Object.fromEntries(body.groups.map((g: { attributes: { sex: string } }) => [g.attributes.sex, g]));
      assert.deepEqual(bySex.F.counts, { tp: 3, fp: 1, tn: 1, fn: 1 });
      assert.deepEqual(bySex.M.counts, { tp: 1, fp: 0, tn: 3, fn: 2 });
      assert.equal(bySex.M.impactRatio.value, 1 / 6 / (4 / 6));
      assert.equal(bySex.M.adverseImpact, true);
      // The per-group ratio states its convention too, and the group it is measured against.
      for (const g of [bySex.F, bySex.M]) {
        assert.equal(g.impactRatio.convention, 'against_reference_group');
        assert.deepEqual(g.impactRatio.referenceGroup, { sex: 'F' });
      }
      assert.equal(body.demographicParityDifference.value, 4 / 6 - 1 / 6);
      // TPR F 3/4, M 1/3; FPR F 1/2, M 0: every gap states its convention and how many groups it compared.
      assert.equal(body.demographicParityRatio.value, 1 / 6 / (4 / 6));
      assert.equal(body.equalOpportunityDifference.value, 3 / 4 - 1 / 3);
      assert.equal(body.equalizedOddsDifference.value, 1 / 2);
      assert.equal(body.equalizedOddsRatio.value, 0);
      for (const gap of [
        'demographicParityDifference',
        'demographicParityRatio',
        'equalizedOddsDifference',
        'equalizedOddsRatio',
        'equalOpportunityDifference',
      ]) {
        assert.equal(body[gap].convention, 'between_groups', gap);
        assert.equal(body[gap].groupsCompared, 2, gap);
      }
      assert.deepEqual(
        body.groups.map((g: { n: number }) => g.n),
        [6, 6],
      );

      const inter = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/fairness?groupBy=sex,age`);
      assert.equal(inter.statusCode, 200, inter.body);
      const groups = inter.json().groups;
      assert.equal(groups.length, 4);
      assert.deepEqual(
        groups.map((g: { n: number }) => g.n).reduce((a: number, b: number) => a + b),
        12,
      );
      // Below the default minimum count of 30, every rate is null with its reason, and every group still reports its n.
      assert.equal(groups[0].selectionRate.value, null);
      assert.equal(groups[0].selectionRate.reason, 'below_min_count');
      assert.equal(inter.json().demographicParityDifference.reason, 'fewer_than_two_groups');
    });

    test('performance is reported per model version, each with its counts and AUC; decisions naming no version are their own', async () => {
      const system = await buildSystem(t.store);
      const versions: string[] = [];
      for (const label of ['v1', 'v2']) {
        const reg = await t.callCurrent(lead, 'POST', `/api/v1/systems/${system.id}/model-versions`, {
          label,
          artifactSha256: (label === 'v1' ? 'b' : 'c').repeat(64),
        });
        assert.equal(reg.statusCode, 201, reg.body);
        versions.push(reg.json().id);
      }
      // v1: 4 decisions, all right, scores separate the classes (AUC 1); v2: 4 decisions, all wrong (AUC 0); none: 2.
      const plan: Array<[string | null, number, number, number]> = [
        [versions[0], 1, 1, 0.9],
        [versions[0], 1, 1, 0.8],
        [versions[0], 0, 0, 0.2],
        [versions[0], 0, 0, 0.1],
        [versions[1], 1, 0, 0.9],
        [versions[1], 1, 0, 0.8],
        [versions[1], 0, 1, 0.2],
        [versions[1], 0, 1, 0.1],
        [null, 1, 1, 0.7],
        [null, 0, 1, 0.3],
      ];
      const decisions = plan.map(([modelVersionId]) => ({ ...decisionRecord(system.id), modelVersionId }));
      const recorded = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: decisions });
      assert.equal(recorded.statusCode, 200, recorded.body);
      const records = plan.map(([, predicted, actual, score], i) => ({
        systemId: system.id,
        decisionId: decisions[i].decisionId,
        predicted,
        actual,
        score,
        knownAt: '2026-11-29T10:00:00.000Z',
      }));
      assert.equal((await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records })).statusCode, 201);

      const perf = await t.call(lead, 'GET', `/api/v1/systems/${system.id}/monitoring/performance?minCount=1`);
      assert.equal(perf.statusCode, 200, perf.body);
      const byVersion = Object.fromEntries(perf.json().versions.map((v: { modelVersion: string | null }) => [v.modelVersion ?? 'none', v]));
      assert.deepEqual(Object.keys(byVersion).sort(), [...versions, 'none'].sort());
      assert.deepEqual(byVersion[versions[0]].counts, { tp: 2, fp: 0, tn: 2, fn: 0 });
      assert.equal(byVersion[versions[0]].errorRate.value, 0);
      assert.equal(byVersion[versions[0]].auc.value, 1);
      assert.deepEqual(byVersion[versions[1]].counts, { tp: 0, fp: 2, tn: 0, fn: 2 });
      assert.equal(byVersion[versions[1]].errorRate.value, 1);
      assert.equal(byVersion[versions[1]].fpr.value, 1);
      assert.equal(byVersion[versions[1]].fnr.value, 1);
      assert.equal(byVersion[versions[1]].auc.value, 0);
      assert.equal(byVersion.none.n, 2);
      assert.equal(byVersion.none.auc.value, null, 'one class only: no AUC');
      assert.notEqual(byVersion.none.auc.reason, null);
    });

    test('fairness by group is refused to a role that may not read group attributes', async () => {
      const system = await buildSystem(t.store);
      const reviewer = await t.user(['reviewer']);
      const res = await t.call(reviewer, 'GET', `/api/v1/systems/${system.id}/monitoring/fairness?groupBy=sex`);
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'forbidden');
      const res2 = await t.call(contributor, 'GET', `/api/v1/systems/${system.id}/monitoring/fairness?groupBy=sex`);
      assert.equal(res2.statusCode, 403, res2.body);
      // The owner of one system does not read another's group attributes; its own, it does.
      const admin = await t.user(['admin']);
      const owner = await t.user(['reviewer']);
      const other = await buildSystem(t.store);
      const grant = await t.call(admin, 'PUT', `/api/v1/users/${owner.id}/roles`, {
        roles: ['reviewer'],
        systemRoles: { [other.id]: ['system_owner'] },
        reason: 'owns the other system',
        version: 1,
      });
      assert.equal(grant.statusCode, 200, grant.body);
      const foreign = await t.call(owner, 'GET', `/api/v1/systems/${system.id}/monitoring/fairness?groupBy=sex`);
      assert.equal(foreign.statusCode, 403, foreign.body);
      assert.equal(foreign.json().error.code, 'forbidden');
      const own = await t.call(owner, 'GET', `/api/v1/systems/${other.id}/monitoring/fairness?groupBy=sex`);
      assert.equal(own.statusCode, 200, own.body);
    });

    test('drift of scores: a reference window against the current window, and a frozen baseline that keeps its bins', async () => {
      const { systemId, ids } = await systemWithDecisions(80);
      // Every decision is made at the same time, so the windows here are the whole history.
      const records = ids.map((decisionId, i) => ({
        systemId,
        decisionId,
        predicted: 1,
        actual: 1,
        score: (i % 40) / 40,
        knownAt: '2026-11-29T10:00:00.000Z',
      }));
      assert.equal((await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records })).statusCode, 201);
      const window = 'referenceFrom=2026-11-01T00:00:00.000Z&referenceTo=2026-12-01T00:00:00.000Z';
      const same = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/drift?feature=score&${window}`);
      assert.equal(same.statusCode, 200, same.body);
      assert.equal(same.json().psi.value, 0);
      assert.equal(same.json().ks.statistic.value, 0);

      const before = await ledgerSize(t.store);
      const frozen = await t.call(lead, 'POST', `/api/v1/systems/${systemId}/monitoring/baselines`, { feature: 'score' });
      assert.equal(frozen.statusCode, 201, frozen.body);
      assert.equal(await ledgerSize(t.store), before + 1);
      const baseline = frozen.json();
      assert.equal(
        baseline.counts.reduce((a: number, b: number) => a + b),
        80,
      );
      const against = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/drift?feature=score&baselineId=${baseline.id}`);
      assert.equal(against.statusCode, 200, against.body);
      assert.equal(against.json().ks.from, 'bins');
      assert.deepEqual(against.json().reference.edges, baseline.edges);

      const neither = await t.call(lead, 'GET', `/api/v1/systems/${systemId}/monitoring/drift?feature=score`);
      assert.equal(neither.statusCode, 400, neither.body);
      assert.equal(neither.json().error.code, 'validation_failed');
      const empty = await buildSystem(t.store);
      const size = await ledgerSize(t.store);
      const nothing = await t.call(lead, 'POST', `/api/v1/systems/${empty.id}/monitoring/baselines`, { feature: 'score' });
      assert.equal(nothing.statusCode, 400, nothing.body);
      assert.equal(nothing.json().error.code, 'validation_failed');
      assert.equal(await ledgerSize(t.store), size);
    });
  });
}
