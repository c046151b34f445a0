// Declared features and the feature values of decision records (issue 11, drift per feature): who
// declares them and why, what a batch carrying features writes, and what it refuses; on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { decisionRecord } from '../../../test/outcomes.js';
import { DIALECTS, ledgerSize, rowCount } from '../../../test/stores.js';

const WHY = 'Watch the inputs of credit decisions for drift';
const DECLARED = [
  { name: 'income', kind: 'numeric' },
  { name: 'region', kind: 'categorical', categories: ['north', 'south'] },
  { name: 'channel', kind: 'categorical' },
];

for (const dialect of DIALECTS) {
  describe(`declared features and feature values [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let contributor: TestUser;

    const count = (table: 'decisions' | 'decision_features' | 'feature_declarations') => rowCount(t.store, table);

    async function declaredSystem() {
      const system = await buildSystem(t.store);
      const res = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/features`, { features: DECLARED, rationale: WHY });
      assert.equal(res.statusCode, 200, res.body);
      return system.id;
    }

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      contributor = await t.user(['contributor']);
    });
    after(() => t.close());

    test('declaring features takes an authorised role and a reason; each change is one ledger event; "score" and a stale version are refused', async () => {
      const system = await buildSystem(t.store);
      const url = `/api/v1/systems/${system.id}/features`;
      const empty = await t.call(contributor, 'GET', url);
      assert.equal(empty.statusCode, 200, empty.body);
      assert.deepEqual([empty.json().features, empty.json().version], [[], 0]);

      const size = await ledgerSize(t.store);
      const refused = await t.call(contributor, 'PUT', url, { features: DECLARED, rationale: WHY });
      assert.equal(refused.statusCode, 403, refused.body);
      const score = await t.call(lead, 'PUT', url, { features: [{ name: 'score', kind: 'numeric' }], rationale: WHY });
      assert.equal(score.statusCode, 400, score.body);
      assert.equal(score.json().error.details.field, 'features[0].name');
      const listed = await t.call(lead, 'PUT', url, { features: [{ name: 'age', kind: 'numeric', categories: ['x'] }], rationale: WHY });
      assert.equal(listed.statusCode, 400, listed.body);
      assert.equal(listed.json().error.details.field, 'features[0].categories');
      const twice = await t.call(lead, 'PUT', url, {
        features: [
          { name: 'age', kind: 'numeric' },
          { name: 'age', kind: 'categorical' },
        ],
        rationale: WHY,
      });
      assert.equal(twice.statusCode, 400, twice.body);
      assert.equal(await ledgerSize(t.store), size);
      assert.equal((await t.call(lead, 'GET', url)).json().version, 0);

      const first = await t.call(lead, 'PUT', url, { features: DECLARED, rationale: WHY });
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json().features, DECLARED);
      assert.equal(first.json().version, 1);
      const second = await t.call(lead, 'PUT', url, { features: DECLARED.slice(0, 1), rationale: WHY, version: 1 });
      assert.equal(second.statusCode, 200, second.body);
      const stale = await t.call(lead, 'PUT', url, { features: DECLARED, rationale: WHY, version: 1 });
      assert.equal(stale.statusCode, 409, stale.body);
      assert.equal(stale.json().error.code, 'version_conflict');
      assert.equal(await ledgerSize(t.store), size + 2);
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'leaf'])
        .where('type', '=', 'decisions.features_declared')
        .where('subject_id', '=', system.id)
        .execute();
      assert.equal(events.length, 2);
      assert.match(events[1].leaf, /income/);
    });

    test('feature values go in with their decisions, one row per value, numeric or category', async () => {
      const systemId = await declaredSystem();
      const records = [
        { ...decisionRecord(systemId), features: { income: 41_500.5, region: 'north', channel: 'web' } },
        { ...decisionRecord(systemId), features: { region: 'south' } },
        decisionRecord(systemId),
      ];
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
      assert.equal(res.statusCode, 200, res.body);
      const rows = await t.store.db
        .selectFrom('decision_features')
        .innerJoin('decisions', 'decisions.id', 'decision_features.decision_row')
        .select(['decisions.decision_id', 'feature', 'num_value', 'category', 'decision_features.decided_at'])
        .where('decision_features.system_id', '=', systemId)
        .orderBy('feature')
        .orderBy('category')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.decision_id, r.feature, r.num_value === null ? null : Number(r.num_value), r.category]),
        [
          [records[0].decisionId, 'channel', null, 'web'],
          [records[0].decisionId, 'income', 41_500.5, null],
          [records[0].decisionId, 'region', null, 'north'],
          [records[1].decisionId, 'region', null, 'south'],
        ],
      );
      assert.ok(rows.every((r) => r.decided_at === '2026-11-27T10:00:00.000Z'));
    });

    test('a feature keeps its kind once values are recorded: changing it in place, or dropping it and declaring it again with the other kind, is refused (feature_kind_locked) and writes nothing', async () => {
      const systemId = await declaredSystem();
      const url = `/api/v1/systems/${systemId}/features`;
      const recorded = { ...decisionRecord(systemId), features: { income: 52_000, region: 'north' } };
      assert.equal((await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [recorded] })).statusCode, 200);
      const recategorised = DECLARED.map((f) => (f.name === 'income' ? { name: 'income', kind: 'categorical' } : f));

      const size = await ledgerSize(t.store);
      const changed = await t.call(lead, 'PUT', url, { features: recategorised, rationale: WHY, version: 1 });
      assert.equal(changed.statusCode, 409, changed.body);
      const error = changed.json().error;
      assert.equal(error.code, 'feature_kind_locked');
      assert.deepEqual(error.details, { field: 'features[0].kind', feature: 'income', kind: 'categorical', recordedKind: 'numeric' });
      assert.match(error.message, /income cannot become categorical: decision records carry numeric values of it .*under a new name/);
      const numericRegion = await t.call(lead, 'PUT', url, {
        features: [DECLARED[0], { name: 'region', kind: 'numeric' }, DECLARED[2]],
        rationale: WHY,
        version: 1,
      });
      assert.equal(numericRegion.statusCode, 409, numericRegion.body);
      assert.equal(numericRegion.json().error.details.field, 'features[1].kind');
      assert.equal(await ledgerSize(t.store), size);
      assert.deepEqual((await t.call(lead, 'GET', url)).json().features, DECLARED);

      // Dropped and declared again: the recorded values still decide the kind.
      const dropped = await t.call(lead, 'PUT', url, { features: DECLARED.slice(1), rationale: WHY, version: 1 });
      assert.equal(dropped.statusCode, 200, dropped.body);
      const again = await t.call(lead, 'PUT', url, { features: recategorised, rationale: WHY, version: 2 });
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().error.code, 'feature_kind_locked');

      // Without recorded values a kind may change (channel), and a dropped feature comes back with its own kind.
      const kept = [DECLARED[0], DECLARED[1], { name: 'channel', kind: 'numeric' }];
      const ok = await t.call(lead, 'PUT', url, { features: kept, rationale: WHY, version: 2 });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual([ok.json().features, ok.json().version], [kept, 3]);
      assert.equal(await ledgerSize(t.store), size + 2);
    });

    test('a record with an undeclared feature, a value of the wrong kind or an undeclared category is named, and the batch writes nothing', async () => {
      const systemId = await declaredSystem();
      const undeclared = await buildSystem(t.store);
      const records = [
        { ...decisionRecord(systemId), features: { income: 10, region: 'north' } },
        { ...decisionRecord(systemId), features: { colour: 'red' } },
        { ...decisionRecord(systemId), features: { income: 'high' } },
        { ...decisionRecord(systemId), features: { region: 7 } },
        { ...decisionRecord(systemId), features: { region: 'east' } },
        { ...decisionRecord(undeclared.id), features: { income: 1 } },
        { ...decisionRecord(systemId), features: { 'Bad-Name': 1 } },
      ];
      const before = await Promise.all([count('decisions'), count('decision_features'), ledgerSize(t.store)]);
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
      assert.equal(res.statusCode, 400, res.body);
      const error = res.json().error;
      assert.equal(error.code, 'validation_failed');
      // The shape is checked first: the malformed name alone refuses the batch.
      assert.deepEqual(
        error.details.problems.map((p: { index: number; field: string }) => [p.index, p.field]),
        [[6, 'features.Bad-Name']],
      );
      const declaredOnly = records.slice(0, 6);
      const named = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: declaredOnly });
      assert.equal(named.statusCode, 400, named.body);
      assert.deepEqual(
        named.json().error.details.problems.map((p: { index: number; field: string }) => [p.index, p.field]),
        [
          [1, 'features.colour'],
          [2, 'features.income'],
          [3, 'features.region'],
          [4, 'features.region'],
          [5, 'features.income'],
        ],
      );
      assert.deepEqual(await Promise.all([count('decisions'), count('decision_features'), ledgerSize(t.store)]), before);
    });
  });
}
