// Representativeness of a data source: its group counts against its declared reference population,
// each report recorded as evidence (a ledger event with the chi-square test and the gap per group);
// on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

const REFERENCE = { '18-29': 0.2, '30-49': 0.4, '50+': 0.4 };

for (const dialect of DIALECTS) {
  describe(`data source representativeness [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let contributor: TestUser;

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      contributor = await t.user(['contributor']);
    });
    after(() => t.close());

    async function dataSource() {
      const system = await buildSystem(t.store, { deploymentKind: 'shadow' });
      const res = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/data-sources`, {
        name: 'Loan applications 2025',
        kind: 'database',
        containsPersonalData: true,
      });
      assert.equal(res.statusCode, 201, res.body);
      return { systemId: system.id, id: res.json().id as string };
    }

    test('each report of group counts records the chi-square goodness of fit and the gap per group as a ledger event', async () => {
      const source = await dataSource();
      const url = `/api/v1/data-sources/${source.id}/population`;
      const before = await ledgerSize(t.store);
      const first = await t.call(admin, 'PUT', url, {
        attribute: 'age_band',
        reference: REFERENCE,
        counts: { '18-29': 20, '30-49': 40, '50+': 40 },
      });
      assert.equal(first.statusCode, 200, first.body);
      const fit = first.json().result;
      assert.equal(fit.n, 100);
      assert.equal(fit.chiSquare.statistic.value, 0);
      assert.equal(fit.chiSquare.pValue.value, 1);
      assert.deepEqual(
        fit.groups.map((g: { group: string; gap: { value: number } }) => [g.group, g.gap.value]),
        [
          ['18-29', 0],
          ['30-49', 0],
          ['50+', 0],
        ],
      );
      // The dataset changed: the young are under-represented now.
      const second = await t.call(admin, 'PUT', url, {
        attribute: 'age_band',
        reference: REFERENCE,
        counts: { '18-29': 5, '30-49': 45, '50+': 50 },
        version: 1,
      });
      assert.equal(second.statusCode, 200, second.body);
      const skewed = second.json().result;
      assert.ok(skewed.chiSquare.pValue.value < 0.01, `p = ${skewed.chiSquare.pValue.value}`);
      assert.ok(Math.abs(skewed.groups[0].gap.value - -0.15) < 1e-12);
      assert.equal(await ledgerSize(t.store), before + 2);
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['leaf', 'system_id'])
        .where('type', '=', 'data_source.representativeness_recorded')
        .where('system_id', '=', source.systemId)
        .orderBy('seq')
        .execute();
      assert.equal(events.length, 2);
      const leaf = JSON.parse(events[1].leaf);
      assert.equal(leaf.data.dataSourceId, source.id);
      assert.deepEqual(leaf.data.counts, { '18-29': 5, '30-49': 45, '50+': 50 });
      assert.equal(leaf.data.chiSquare.pValue.value, skewed.chiSquare.pValue.value);
      assert.equal(leaf.data.gaps[0].gap.value, skewed.groups[0].gap.value);
      const read = await t.call(contributor, 'GET', url);
      assert.equal(read.statusCode, 200, read.body);
      assert.equal(read.json().version, 2);
    });

    test('shares that do not add up to 1, a group outside the reference, a stale version or a stranger are refused; nothing is written', async () => {
      const source = await dataSource();
      const url = `/api/v1/data-sources/${source.id}/population`;
      const counts = { '18-29': 20, '30-49': 40, '50+': 40 };
      const before = await ledgerSize(t.store);
      const refusals: Array<[TestUser, unknown, string]> = [
        [admin, { attribute: 'age_band', reference: { ...REFERENCE, '50+': 0.3 }, counts }, 'validation_failed'],
        [admin, { attribute: 'age_band', reference: REFERENCE, counts: { ...counts, '90+': 1 } }, 'validation_failed'],
        [admin, { attribute: 'age_band', reference: REFERENCE, counts, version: 3 }, 'version_conflict'],
        [contributor, { attribute: 'age_band', reference: REFERENCE, counts }, 'forbidden'],
      ];
      for (const [who, body, code] of refusals) {
        const res = await t.call(who, 'PUT', url, body);
        assert.equal(res.json().error?.code, code, `${JSON.stringify(body)}: ${res.body}`);
      }
      assert.equal(await ledgerSize(t.store), before);
      const none = await t.call(admin, 'GET', url);
      assert.equal(none.statusCode, 404, none.body);
      assert.equal(none.json().error.code, 'not_found');
    });
  });
}
