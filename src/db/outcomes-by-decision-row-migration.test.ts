// Migration 20261201_1210 keys each outcome by its decision's row id (decisions.id) instead of
// (system, decision id): existing outcomes keep every column and get their decision's row id, and a
// decision that has an outcome still cannot be given a second one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { migratedFromOldOutcomes } from '../../test/outcome-migrations.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { ingestDecisionBatch } from '../modules/decisions/decisions.service.js';
import { ingestOutcomeBatch } from '../modules/monitoring/outcomes.service.js';
import type { Store } from './store.js';

const BEFORE = '20261201_1200_outcome_rollups';

for (const dialect of DIALECTS) {
  describe(`outcomes are keyed by their decision's row [${dialect}]`, () => {
    let store: Store;
    let systemId: string;
    const ctx = systemContext('test');
    const ids = [randomUUID(), randomUUID(), randomUUID()];

    before(async () => {
      ({ store, systemId } = await migratedFromOldOutcomes(dialect, {
        before: BEFORE,
        prepare: async (early, system) => {
          const decisions = ids.map((decisionId) => ({
            decisionId,
            systemId: system,
            decidedAt: '2026-11-27T10:00:00.000Z',
            inputDigest: 'a'.repeat(64),
            output: { approved: true },
          }));
          await early.transact((trx) => ingestDecisionBatch(trx, { ctx, records: decisions }));
        },
        outcomes: (system) => {
          const outcome = (decisionId: string, actual: number) => ({
            system_id: system,
            decision_id: decisionId,
            model_version_id: null,
            decided_at: '2026-11-27T10:00:00.000Z',
            predicted: 1,
            actual,
            score: 0.25,
            known_at: '2026-11-29T10:00:00.000Z',
            batch_id: 'b1',
            group_attributes: actual === 1 ? '{"sex":"F"}' : null,
          });
          // Two outcomes of recorded decisions, and one whose decision is missing (ingestion never wrote such).
          return [outcome(ids[0], 1), outcome(ids[1], 0), outcome('unrecorded', 1)];
        },
      }));
    });
    after(() => store.close());

    test("existing outcomes keep every column and take their decision's row id as their key", async () => {
      const rows = await store.db
        .selectFrom('decision_outcomes as o')
        .leftJoin('decisions as d', (join) => join.onRef('d.system_id', '=', 'o.system_id').onRef('d.decision_id', '=', 'o.decision_id'))
        .select(['o.decision_row', 'd.id', 'o.decision_id', 'o.actual', 'o.predicted', 'o.score', 'o.known_at', 'o.batch_id'])
        .where('o.system_id', '=', systemId)
        .execute();
      assert.equal(rows.length, 3);
      for (const row of rows) {
        if (row.decision_id === 'unrecorded') assert.equal(row.decision_row, `no-decision:${systemId}:unrecorded`);
        else assert.equal(row.decision_row, row.id);
        assert.deepEqual([row.predicted, row.score, row.known_at, row.batch_id], [1, 0.25, '2026-11-29T10:00:00.000Z', 'b1']);
      }
      const grouped = await store.db
        .selectFrom('decision_outcomes')
        .select('decision_id')
        .where('group_attributes', 'is not', null)
        .orderBy('decision_id')
        .execute();
      assert.deepEqual(grouped.map((r) => r.decision_id).sort(), [ids[0], 'unrecorded'].sort());
    });

    test('a migrated outcome is still given once; a decision without one takes its outcome', async () => {
      const record = (decisionId: string) => ({ systemId, decisionId, actual: 1, predicted: 0, knownAt: '2026-11-30T10:00:00.000Z' });
      await assert.rejects(
        store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records: [record(ids[0])] })),
        (error: { code?: string; details?: { problems?: Array<{ message: string }> } }) =>
          error.code === 'validation_failed' && error.details?.problems?.[0]?.message === 'already has an outcome',
      );
      const receipt = await store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records: [record(ids[2])] }));
      assert.equal(receipt.count, 1);
      const stored = await store.db
        .selectFrom('decision_outcomes as o')
        .innerJoin('decisions as d', 'd.id', 'o.decision_row')
        .select(['d.decision_id'])
        .where('o.batch_id', '=', receipt.batchId)
        .execute();
      assert.deepEqual(stored, [{ decision_id: ids[2] }]);
    });
  });
}
