// Fairness attribute declarations (AI Act Art. 10(5), GDPR Art. 9): who declares them and why, what
// outcome ingestion then refuses, and where group attributes never appear; on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { groupedOutcomes, recordDecisions, rowCount } from '../../../test/outcomes.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

const WHY = 'Bias monitoring of credit decisions under our fairness policy';
const DECLARED = [
  { name: 'sex', values: ['F', 'M', 'X'], fairnessOnly: true },
  { name: 'age_band', values: ['18-29', '30-49', '50+'], fairnessOnly: true },
];
const PAGE = {
  publicName: 'Loan pre-screening assistant',
  whatItDoes: 'Sorts loan applications by the documents they still need.',
  whatItDoesNot: 'It never refuses a loan: a credit officer decides.',
  humanReview: 'A credit officer reviews every suggestion before it is used.',
  overseenBy: 'Head of Credit Risk',
  howToChallenge: 'Use the appeal form with the reference on this page.',
};

for (const dialect of DIALECTS) {
  describe(`fairness attribute declarations [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let contributor: TestUser;
    let admin: TestUser;

    const count = (table: 'decision_outcomes' | 'fairness_declarations') => rowCount(t.store, table);
    const grouped = () => groupedOutcomes(t.store);

    async function systemWithDecisions(n: number, overrides: Parameters<typeof buildSystem>[1] = {}) {
      const system = await buildSystem(t.store, overrides);
      return { systemId: system.id, ids: await recordDecisions(t, ingest, system.id, n) };
    }

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      contributor = await t.user(['contributor']);
      admin = await t.user(['admin']);
    });
    after(() => t.close());

    test('a declaration needs an authorised role and a reason; each is one ledger event with before and after; a stale version is refused', async () => {
      const system = await buildSystem(t.store);
      const url = `/api/v1/systems/${system.id}/fairness-attributes`;
      const empty = await t.call(contributor, 'GET', url);
      assert.equal(empty.statusCode, 200, empty.body);
      assert.deepEqual([empty.json().attributes, empty.json().version], [[], 0]);

      // Owning another system passes the route's role check, not this system's rule.
      const ownerOfAnother = await t.user(['contributor']);
      await buildSystem(t.store, { accountableOwnerId: ownerOfAnother.id });
      const before = await ledgerSize(t.store);
      const rows = await count('fairness_declarations');
      const stranger = await t.call(contributor, 'PUT', url, { attributes: DECLARED, rationale: WHY });
      assert.equal(stranger.statusCode, 403, stranger.body);
      assert.equal(stranger.json().error.code, 'forbidden');
      const foreign = await t.call(ownerOfAnother, 'PUT', url, { attributes: DECLARED, rationale: WHY });
      assert.equal(foreign.statusCode, 403, foreign.body);
      assert.equal(foreign.json().error.code, 'forbidden');
      const noWhy = await t.call(lead, 'PUT', url, { attributes: DECLARED, rationale: 'because' });
      assert.equal(noWhy.statusCode, 400, noWhy.body);
      assert.equal(noWhy.json().error.code, 'validation_failed');
      const twice = await t.call(lead, 'PUT', url, { attributes: [DECLARED[0], DECLARED[0]], rationale: WHY });
      assert.equal(twice.json().error.code, 'validation_failed');
      assert.equal(await ledgerSize(t.store), before);
      assert.equal(await count('fairness_declarations'), rows);

      const first = await t.call(lead, 'PUT', url, { attributes: DECLARED, rationale: WHY });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().version, 1);
      assert.equal(await ledgerSize(t.store), before + 1);
      const stale = await t.call(lead, 'PUT', url, { attributes: [DECLARED[0]], rationale: WHY, version: 0 });
      assert.equal(stale.statusCode, 409, stale.body);
      assert.equal(stale.json().error.code, 'version_conflict');
      assert.equal(await ledgerSize(t.store), before + 1);
      const second = await t.call(lead, 'PUT', url, { attributes: [DECLARED[0]], rationale: WHY, version: 1 });
      assert.equal(second.statusCode, 200, second.body);
      assert.deepEqual((await t.call(contributor, 'GET', url)).json().attributes, [DECLARED[0]]);
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['leaf', 'system_id'])
        .where('type', '=', 'monitoring.fairness_attributes_declared')
        .where('system_id', '=', system.id)
        .orderBy('seq')
        .execute();
      assert.equal(events.length, 2);
      const leaf = JSON.parse(events[1].leaf);
      assert.deepEqual(leaf.before.attributes, DECLARED);
      assert.deepEqual(leaf.after.attributes, [DECLARED[0]]);
      assert.equal(leaf.reason, WHY);
    });

    test('outcome ingestion refuses an undeclared attribute or value, naming each record; nothing is written', async () => {
      const { systemId, ids } = await systemWithDecisions(4);
      const outcome = (i: number, groups?: Record<string, string>) => ({
        systemId,
        decisionId: ids[i],
        actual: 1,
        predicted: 1,
        knownAt: '2026-11-29T10:00:00.000Z',
        ...(groups ? { groups } : {}),
      });
      const tables = [await count('decision_outcomes'), await grouped()];
      const before = await ledgerSize(t.store);
      // Nothing declared yet: no group attribute is accepted.
      const undeclaredSystem = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records: [outcome(0, { sex: 'F' })] });
      assert.equal(undeclaredSystem.statusCode, 400, undeclaredSystem.body);
      assert.equal(undeclaredSystem.json().error.code, 'validation_failed');
      assert.equal(undeclaredSystem.json().error.details.field, 'records[0].groups.sex');

      const declared = await t.call(lead, 'PUT', `/api/v1/systems/${systemId}/fairness-attributes`, {
        attributes: DECLARED,
        rationale: WHY,
      });
      assert.equal(declared.statusCode, 200, declared.body);
      const afterDeclaring = await ledgerSize(t.store);
      const res = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: [outcome(0, { sex: 'F' }), outcome(1, { ethnicity: 'A' }), outcome(2), outcome(3, { sex: 'female', age_band: '50+' })],
      });
      assert.equal(res.statusCode, 400, res.body);
      const error = res.json().error;
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.details.badRecords, [1, 3]);
      assert.deepEqual(
        error.details.problems.map((p: { index: number; field: string }) => [p.index, p.field]),
        [
          [1, 'groups.ethnicity'],
          [3, 'groups.sex'],
        ],
      );
      assert.deepEqual([await count('decision_outcomes'), await grouped()], tables);
      assert.equal(await ledgerSize(t.store), afterDeclaring);
      assert.equal(afterDeclaring, before + 1);

      const good = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: [outcome(0, { sex: 'F' }), outcome(1, { age_band: '30-49' }), outcome(2)],
      });
      assert.equal(good.statusCode, 201, good.body);
      assert.equal(await grouped(), tables[1] + 2);
    });

    test('group attributes never appear on public pages, in a decision, or to roles without access', async () => {
      const owner = await t.user(['contributor']);
      const { systemId, ids } = await systemWithDecisions(1, { accountableOwnerId: owner.id, euRiskTier: 'minimal' });
      await t.call(lead, 'PUT', `/api/v1/systems/${systemId}/fairness-attributes`, { attributes: DECLARED, rationale: WHY });
      const ingested = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: [
          { systemId, decisionId: ids[0], actual: 1, predicted: 1, knownAt: '2026-11-29T10:00:00.000Z', groups: { age_band: '50+' } },
        ],
      });
      assert.equal(ingested.statusCode, 201, ingested.body);
      const page = await t.call(owner, 'PUT', `/api/v1/systems/${systemId}/publication`, { published: true, ...PAGE, rationale: WHY });
      assert.equal(page.statusCode, 201, page.body);
      const publicRef = page.json().publicRef;
      for (const url of ['/api/v1/public/systems', `/api/v1/public/systems/${publicRef}`]) {
        const res = await t.app.inject({ method: 'GET', url, remoteAddress: '10.9.9.9' });
        assert.equal(res.statusCode, 200, res.body);
        assert.doesNotMatch(res.body, /age_band|50\+/, `${url} shows no group attribute`);
      }
      const decision = await t.store.db.selectFrom('decisions').select('id').where('decision_id', '=', ids[0]).executeTakeFirstOrThrow();
      const view = await t.call(admin, 'GET', `/api/v1/decisions/${decision.id}`);
      assert.equal(view.statusCode, 200, view.body);
      assert.doesNotMatch(view.body, /age_band|50\+/, 'a decision carries no group attribute');
      const fairness = `/api/v1/systems/${systemId}/monitoring/fairness?groupBy=age_band&minCount=1`;
      const refused = await t.call(contributor, 'GET', fairness);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().error.code, 'forbidden');
      assert.doesNotMatch(refused.body, /50\+/);
      const read = await t.call(lead, 'GET', fairness);
      assert.equal(read.statusCode, 200, read.body);
      assert.match(read.body, /50\+/);
    });
  });
}
