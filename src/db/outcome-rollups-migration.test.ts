// Migration 20261201_1200 creates the fairness rollups and counts in the outcomes already stored:
// per system, hour of decision time, model version ('' for none) and group combination ('{}' for
// none), so that the report over existing data is what it was.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migratedFromOldOutcomes } from '../../test/outcome-migrations.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { canonicalGroups } from '../modules/monitoring/outcomes.service.js';
import { systemFairness } from '../modules/monitoring/reports.service.js';
import type { Store } from './store.js';

const BEFORE = '20261201_0910_auth_epoch_check';

for (const dialect of DIALECTS) {
  describe(`outcome rollups count in the outcomes already stored [${dialect}]`, () => {
    let store: Store;
    let systemId: string;

    before(async () => {
      let n = 0;
      ({ store, systemId } = await migratedFromOldOutcomes(dialect, {
        before: BEFORE,
        outcomes: (system) => {
          const outcome = (
            decidedAt: string,
            version: string | null,
            groups: Record<string, string> | null,
            predicted: number,
            actual: number,
          ) => ({
            system_id: system,
            decision_id: `d${++n}`,
            model_version_id: version,
            decided_at: decidedAt,
            predicted,
            actual,
            known_at: '2026-11-29T10:00:00.000Z',
            batch_id: 'b1',
            group_attributes: groups === null ? null : canonicalGroups(groups),
          });
          return [
            outcome('2026-11-27T10:05:00.000Z', 'v1', { sex: 'F' }, 1, 1),
            outcome('2026-11-27T10:55:00.000Z', 'v1', { sex: 'F' }, 1, 0),
            outcome('2026-11-27T10:30:00.000Z', null, { sex: 'F' }, 0, 1),
            outcome('2026-11-27T11:00:00.000Z', 'v1', { sex: 'F' }, 0, 0),
            outcome('2026-11-27T10:10:00.000Z', 'v1', { age_band: '50+', sex: 'M' }, 1, 1),
            outcome('2026-11-27T10:20:00.000Z', 'v1', null, 1, 1),
          ];
        },
      }));
    });
    after(() => store.close());

    test('each hour, model version and group combination holds the confusion counts of its outcomes', async () => {
      const rows = await store.db
        .selectFrom('outcome_rollups')
        .select(['bucket', 'model_version_id', 'group_attributes', 'tp', 'fp', 'tn', 'fn'])
        .where('system_id', '=', systemId)
        .execute();
      const inOrder = (cells: unknown[][]) => cells.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      const cells = rows.map((r) => {
        const groups = typeof r.group_attributes === 'string' ? JSON.parse(r.group_attributes) : r.group_attributes;
        // jsonb orders keys its own way: compared as the ingestion's canonical text.
        return [r.bucket, r.model_version_id, canonicalGroups(groups) ?? '{}', [r.tp, r.fp, r.tn, r.fn].map(Number)];
      });
      assert.deepEqual(
        inOrder(cells),
        inOrder([
          ['2026-11-27T10', '', '{"sex":"F"}', [0, 0, 0, 1]],
          ['2026-11-27T10', 'v1', '{}', [1, 0, 0, 0]],
          ['2026-11-27T10', 'v1', '{"age_band":"50+","sex":"M"}', [1, 0, 0, 0]],
          ['2026-11-27T10', 'v1', '{"sex":"F"}', [1, 1, 0, 0]],
          ['2026-11-27T11', 'v1', '{"sex":"F"}', [0, 0, 1, 0]],
        ]),
      );
    });

    test('the fairness report over the existing outcomes reads the rollups and the edges of its window', async () => {
      const ctx = systemContext('test');
      const whole = await systemFairness(store.db, { ctx, systemId, groupBy: ['sex'], window: {} });
      assert.deepEqual(
        whole.groups.map((g) => [g.attributes.sex, g.counts]),
        [
          [null, { tp: 1, fp: 0, tn: 0, fn: 0 }],
          ['F', { tp: 1, fp: 1, tn: 1, fn: 1 }],
          ['M', { tp: 1, fp: 0, tn: 0, fn: 0 }],
        ],
      );
      const edge = await systemFairness(store.db, {
        ctx,
        systemId,
        groupBy: ['sex'],
        window: { from: '2026-11-27T10:06:00.000Z', to: '2026-11-27T11:00:00.000Z' },
      });
      assert.deepEqual(
        edge.groups.map((g) => [g.attributes.sex, g.counts]),
        [
          [null, { tp: 1, fp: 0, tn: 0, fn: 0 }],
          ['F', { tp: 0, fp: 1, tn: 0, fn: 1 }],
          ['M', { tp: 1, fp: 0, tn: 0, fn: 0 }],
        ],
      );
    });
  });
}
