// Migration 20261201_0400 moves each decision's group attributes from rows of
// decision_group_attributes into the one column decision_outcomes.group_attributes (canonical JSON
// text on SQLite, jsonb on PostgreSQL), lists each system's recorded attribute names, and drops the
// old table; the fairness report then reads the moved values.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migratedFromOldOutcomes } from '../../test/outcome-migrations.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { canonicalGroups } from '../modules/monitoring/outcomes.service.js';
import { systemFairness } from '../modules/monitoring/reports.service.js';
import type { Store } from './store.js';

const BEFORE = '20261201_0100_group_attributes_narrow_idx';

for (const dialect of DIALECTS) {
  describe(`group attributes move into decision_outcomes [${dialect}]`, () => {
    let store: Store;
    let systemId: string;

    before(async () => {
      ({ store, systemId } = await migratedFromOldOutcomes(dialect, {
        before: BEFORE,
        outcomes: (system) => {
          const outcome = (decisionId: string, actual: number) => ({
            system_id: system,
            decision_id: decisionId,
            decided_at: '2026-11-27T10:00:00.000Z',
            predicted: 1,
            actual,
            known_at: '2026-11-29T10:00:00.000Z',
            batch_id: 'b1',
          });
          return [outcome('d1', 1), outcome('d2', 0), outcome('d3', 1)];
        },
        // Inserted out of order: the moved text lists its keys in order all the same.
        alsoRows: (system) => ({
          decision_group_attributes: [
            { system_id: system, decision_id: 'd1', attribute: 'sex', value: 'F' },
            { system_id: system, decision_id: 'd1', attribute: 'age_band', value: '50+' },
            { system_id: system, decision_id: 'd2', attribute: 'sex', value: 'M "x"' },
          ],
        }),
      }));
    });
    after(() => store.close());

    test("each outcome's attributes are one JSON object in its own column; an outcome without any has none", async () => {
      const rows = await store.db
        .selectFrom('decision_outcomes')
        .select(['decision_id', sql<string | null>`cast(group_attributes as text)`.as('text')])
        .where('system_id', '=', systemId)
        .orderBy('decision_id')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.decision_id, r.text === null ? null : JSON.parse(r.text)]),
        [
          ['d1', { age_band: '50+', sex: 'F' }],
          ['d2', { sex: 'M "x"' }],
          ['d3', null],
        ],
      );
      // On SQLite the column holds the very text the ingestion writes (jsonb keeps no text).
      if (dialect === 'sqlite') assert.equal(rows[0].text, canonicalGroups({ sex: 'F', age_band: '50+' }));
      const recorded = await store.db
        .selectFrom('recorded_group_attributes')
        .select(['system_id', 'attribute'])
        .orderBy('attribute')
        .execute();
      assert.deepEqual(recorded, [
        { system_id: systemId, attribute: 'age_band' },
        { system_id: systemId, attribute: 'sex' },
      ]);
    });

    test('the old table is gone, so the values live in one place', async () => {
      await assert.rejects(sql`select count(*) from decision_group_attributes`.execute(store.db));
    });

    test('the fairness report reads the moved values', async () => {
      const report = await systemFairness(store.db, { ctx: systemContext('test'), systemId, groupBy: ['sex'], window: {} });
      assert.deepEqual(
        report.groups.map((g) => [g.attributes.sex, g.n]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [
          ['F', 1],
          ['M "x"', 1],
          [null, 1],
        ],
      );
    });
  });
}
