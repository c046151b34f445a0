// Migration 20261202_0400 keys SQLite's outcomes by (system, decision time, decision row) and drops
// the window index: existing outcomes keep every column, a decision that has an outcome still cannot
// be given a second one, the refusal names it, and a window of one system is read from the key.
// PostgreSQL keeps its table and index.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migratedFromOldOutcomes } from '../../test/outcome-migrations.js';
import { DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import { ingestDecisionBatch } from '../modules/decisions/decisions.service.js';
import { ingestOutcomeBatch } from '../modules/monitoring/outcomes.service.js';
import type { Store } from './store.js';

const BEFORE = '20261202_0100_decision_counts_by_batch';
const DECIDED_AT = ['2026-11-27T10:00:00.000Z', '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:00.000Z', '2026-11-29T10:00:00.000Z'];

for (const dialect of DIALECTS) {
  describe(`outcomes are keyed by system, decision time and decision row [${dialect}]`, () => {
    let store: Store;
    let systemId: string;
    const ctx = systemContext('test');
    const ids: string[] = DECIDED_AT.map(() => randomUUID());
    const rowOf = new Map<string, string>();

    before(async () => {
      ({ store, systemId } = await migratedFromOldOutcomes(dialect, {
        before: BEFORE,
        prepare: async (early, system) => {
          const decisions = ids.map((decisionId, i) => ({
            decisionId,
            systemId: system,
            decidedAt: DECIDED_AT[i],
            inputDigest: 'a'.repeat(64),
            output: { approved: true },
          }));
          await early.transact((trx) => ingestDecisionBatch(trx, { ctx, records: decisions }));
          for (const row of await early.db
            .selectFrom('decisions')
            .select(['id', 'decision_id'])
            .where('system_id', '=', system)
            .execute()) {
            rowOf.set(row.decision_id, row.id);
          }
        },
        // Outcomes of the first three decisions, as the table held them before.
        outcomes: (system) =>
          ids.slice(0, 3).map((decisionId, i) => ({
            decision_row: rowOf.get(decisionId),
            system_id: system,
            decision_id: decisionId,
            model_version_id: null,
            decided_at: DECIDED_AT[i],
            predicted: 1,
            actual: i % 2,
            score: 0.25,
            known_at: '2026-11-30T10:00:00.000Z',
            batch_id: 'b1',
            group_attributes: i === 0 ? '{"sex":"F"}' : null,
          })),
      }));
    });
    after(() => store.close());

    test('existing outcomes keep every column', async () => {
      const rows = await store.db
        .selectFrom('decision_outcomes')
        .select(['decision_row', 'decision_id', 'decided_at', 'predicted', 'actual', 'score', 'known_at', 'batch_id', 'group_attributes'])
        .where('system_id', '=', systemId)
        .orderBy('decided_at')
        .orderBy('decision_row')
        .execute();
      assert.equal(rows.length, 3);
      for (const row of rows) {
        const i = ids.indexOf(row.decision_id);
        assert.equal(row.decision_row, rowOf.get(row.decision_id));
        assert.deepEqual(
          [row.decided_at, row.predicted, row.actual, row.score, row.known_at, row.batch_id],
          [DECIDED_AT[i], 1, i % 2, 0.25, '2026-11-30T10:00:00.000Z', 'b1'],
        );
        const groups = typeof row.group_attributes === 'string' ? JSON.parse(row.group_attributes) : row.group_attributes;
        assert.deepEqual(groups, i === 0 ? { sex: 'F' } : null);
      }
    });

    test('a migrated outcome is still given once, named in the refusal; its neighbour without one takes its outcome', async () => {
      const record = (decisionId: string) => ({ systemId, decisionId, actual: 1, predicted: 0, knownAt: '2026-12-01T10:00:00.000Z' });
      // The second and third decisions share their decision time: the key tells them apart.
      await assert.rejects(
        store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records: [record(ids[3]), record(ids[2])] })),
        (error: { code?: string; details?: { problems?: Array<{ index: number; message: string }> } }) =>
          error.code === 'validation_failed' &&
          JSON.stringify(error.details?.problems) ===
            JSON.stringify([{ index: 1, field: 'decisionId', message: 'already has an outcome' }]),
      );
      const receipt = await store.transact((trx) => ingestOutcomeBatch(trx, { ctx, records: [record(ids[3])] }));
      assert.equal(receipt.count, 1);
      const stored = await store.db
        .selectFrom('decision_outcomes')
        .select(['decision_row', 'decided_at'])
        .where('batch_id', '=', receipt.batchId)
        .execute();
      assert.deepEqual(stored, [{ decision_row: rowOf.get(ids[3]), decided_at: DECIDED_AT[3] }]);
    });

    test(
      dialect === 'sqlite'
        ? 'SQLite: the key is the window, and no window index is left'
        : 'PostgreSQL: the table and its window index stay',
      async () => {
        if (dialect === 'sqlite') {
          const table = await sql<{ sql: string }>`select sql from sqlite_master where name = 'decision_outcomes'`.execute(store.db);
          assert.match(table.rows[0].sql, /primary key \("system_id", "decided_at", "decision_row"\)\) without rowid/);
          const indexes = await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'index' and tbl_name = 'decision_outcomes'`.execute(store.db);
          // The key's b-tree is the table itself (WITHOUT ROWID): no index of its own is listed.
          assert.deepEqual(indexes.rows, []);
          const plan = await sql<{ detail: string }>`explain query plan select actual from decision_outcomes
          where system_id = ${systemId} and decided_at >= ${DECIDED_AT[1]} and decided_at < ${DECIDED_AT[3]}`.execute(store.db);
          assert.match(
            plan.rows.map((r) => r.detail).join(' | '),
            /SEARCH decision_outcomes USING PRIMARY KEY \(system_id=\? AND decided_at>\? AND decided_at<\?\)/,
          );
        } else {
          const indexes = await sql<{
            indexname: string;
          }>`select indexname from pg_indexes where tablename = 'decision_outcomes' order by 1`.execute(store.db);
          assert.deepEqual(
            indexes.rows.map((r) => r.indexname),
            ['decision_outcomes_row_pk', 'decision_outcomes_window_idx'],
          );
        }
      },
    );
  });
}
