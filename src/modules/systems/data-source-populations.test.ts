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

    test('a change of the data source record after a report shows the report as stale, naming the change, until the population is reported again', async () => {
      const source = await dataSource();
      const url = `/api/v1/data-sources/${source.id}/population`;
      const counts = { '18-29': 20, '30-49': 40, '50+': 40 };
      const reported = await t.call(admin, 'PUT', url, { attribute: 'age_band', reference: REFERENCE, counts });
      assert.equal(reported.statusCode, 200, reported.body);
      assert.equal(reported.json().stale, null);
      assert.equal((await t.call(contributor, 'GET', url)).json().stale, null, 'a report of the data source as it is');

      // Another extract of the dataset: the record changes, the counts reported are of the old one.
      const changed = await t.call(
        admin,
        'PATCH',
        `/api/v1/data-sources/${source.id}`,
        { provenance: 'extract of 2026-11-30', rationale: 'monthly refresh of the applications extract' },
        { 'if-match': '"1"' },
      );
      assert.equal(changed.statusCode, 200, changed.body);
      const before = await ledgerSize(t.store);
      const read = await t.call(contributor, 'GET', url);
      assert.equal(read.statusCode, 200, read.body);
      const { stale } = read.json();
      assert.equal(stale.reportedAgainstVersion, 1);
      assert.equal(stale.dataSourceVersion, 2);
      assert.equal(stale.change.kind, 'data_source.updated');
      assert.equal(stale.change.version, 2);
      assert.equal(stale.change.rationale, 'monthly refresh of the applications extract');
      const record = await t.store.db
        .selectFrom('change_records')
        .select(['subject_id'])
        .where('id', '=', stale.change.changeRecordId)
        .executeTakeFirstOrThrow();
      assert.equal(record.subject_id, source.id);
      assert.equal(await ledgerSize(t.store), before, 'reading writes nothing');

      // Reported again (new counts), recorded as evidence against the record as it is now: fresh.
      const again = await t.call(admin, 'PUT', url, {
        attribute: 'age_band',
        reference: REFERENCE,
        counts: { '18-29': 10, '30-49': 45, '50+': 45 },
        version: 1,
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().stale, null);
      assert.equal((await t.call(contributor, 'GET', url)).json().stale, null);
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'data_source.representativeness_recorded')
        .where('system_id', '=', source.systemId)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => JSON.parse(e.leaf).data.dataSourceVersion),
        [1, 2],
      );
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
