// Decisions and outcomes for the monitoring tests: decisions recorded through the API (as a scoring
// service sends them), and the counts those tests compare before and after a request.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Store } from '../src/db/store.js';
import type { TestApp, TestUser } from './app.js';

/** One decision record as the batch endpoint takes it. */
export const decisionRecord = (systemId: string, decisionId: string = randomUUID()) => ({
  decisionId,
  systemId,
  decidedAt: '2026-11-27T10:00:00.000Z',
  inputDigest: 'a'.repeat(64),
  output: { approved: true },
});

/** Records `n` decisions of `systemId` through POST /api/v1/decisions/batch as `ingest`; returns their ids. */
export async function recordDecisions(t: TestApp, ingest: TestUser, systemId: string, n: number): Promise<string[]> {
  const records = Array.from({ length: n }, () => decisionRecord(systemId));
  const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
  assert.equal(res.statusCode, 200, res.body);
  return records.map((r) => r.decisionId);
}

/** How many rows `table` holds. */
export async function rowCount(store: Store, table: 'decision_outcomes' | 'outcome_batches' | 'fairness_declarations') {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Outcomes stored with group attributes (their own column of decision_outcomes). */
export async function groupedOutcomes(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('decision_outcomes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_attributes', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
