// A review's snapshot is the period's computed metrics (modules/monitoring's performance and
// fairness reports) beside what the preparer attaches: composed here, because the reviews feature
// may not import the monitoring feature. The metrics are computed with Proofline's own authority:
// the signatories must see what they sign, and a fairness report holds group rates, not people.
import { type RequestContext, systemContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { systemFairness, systemPerformance } from '../modules/monitoring/reports.service.js';
import { attachFindings, type Findings, findReview } from '../modules/reviews/reviews.service.js';

/** At most this many group attributes get a fairness report of their own in a snapshot. */
const MAX_ATTRIBUTES = 10;

/** The computed metrics of a system over [from, to): performance per model version and, for each
 * group attribute recorded for the system, fairness by that attribute. */
export async function periodMetrics(trx: Tx, { systemId, from, to }: { systemId: string; from: string; to: string }) {
  const window = { from, to };
  const performance = await systemPerformance(trx, { systemId, window });
  const attributes = await trx
    .selectFrom('recorded_group_attributes')
    .select('attribute')
    .where('system_id', '=', systemId)
    .orderBy('attribute')
    .limit(MAX_ATTRIBUTES)
    .execute();
  const ctx = systemContext('review-snapshot');
  const fairness: Record<string, unknown> = {};
  for (const { attribute } of attributes) {
    fairness[attribute] = await systemFairness(trx, { ctx, systemId, groupBy: [attribute], window });
  }
  // Through JSON once: the snapshot holds exactly what its canonical form holds.
  return JSON.parse(JSON.stringify({ performance, fairness })) as Record<string, unknown>;
}

/** The preparer attaches findings; the snapshot gets the period's computed metrics. */
export async function prepareReview(
  trx: Tx,
  { ctx, reviewId, input, version }: { ctx: RequestContext; reviewId: string; input: Findings; version: number },
) {
  const row = await findReview(trx, reviewId);
  const computed = await periodMetrics(trx, { systemId: row.system_id, from: row.period_from, to: row.period_to });
  return attachFindings(trx, { ctx, reviewId, input, version, computed });
}
