// Performance and fairness of a system over a window, from its labelled decisions. The confusion
// counts are computed by the database (GROUP BY; for fairness, mostly summed from rollups kept at
// ingestion), so a report over a million decisions reads a few hundred rows; the statistics library (src/monitoring/stats/) turns the counts into rates and gaps.

import { sql } from 'kysely';
import { hasSystemRole, type RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { scoreHistogram } from '../../monitoring/stats/auc.js';
import type { ConfusionCounts } from '../../monitoring/stats/confusion.js';
import { type FairnessReport, fairnessReport } from '../../monitoring/stats/fairness.js';
import { type PerformanceReport, performanceReport } from '../../monitoring/stats/performance.js';
import { countsByGroup } from './outcome-rollups.js';

export interface Window {
  from?: string;
  to?: string;
}

/** Group attributes are special-category data: read by the roles that answer for fairness
 * (admin, governance lead, auditor) and the system's owner, nobody else. */
export function checkMayReadGroups(ctx: RequestContext, systemId: string): void {
  if (ctx.actor.kind === 'system') return;
  if (!hasSystemRole(ctx.actor, systemId, 'admin', 'governance_lead', 'auditor', 'system_owner')) {
    throw new AppError('forbidden', "only an admin, the governance lead, an auditor or the system's owner reads fairness by group");
  }
}

async function requireSystem(trx: Tx, systemId: string) {
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
}

const counts = (row: { tp: unknown; fp: unknown; tn: unknown; fn: unknown }): ConfusionCounts => ({
  tp: Number(row.tp),
  fp: Number(row.fp),
  tn: Number(row.tn),
  fn: Number(row.fn),
});

const confusionSql = {
  tp: sql<number>`sum(case when o.predicted = 1 and o.actual = 1 then 1 else 0 end)`,
  fp: sql<number>`sum(case when o.predicted = 1 and o.actual = 0 then 1 else 0 end)`,
  tn: sql<number>`sum(case when o.predicted = 0 and o.actual = 0 then 1 else 0 end)`,
  fn: sql<number>`sum(case when o.predicted = 0 and o.actual = 1 then 1 else 0 end)`,
};

const AUC_BINS = 1000;

/** Performance per model version: confusion counts and a score histogram, both by GROUP BY. */
export async function systemPerformance(
  trx: Tx,
  { systemId, window, minCount }: { systemId: string; window: Window; minCount?: number },
): Promise<PerformanceReport[]> {
  await requireSystem(trx, systemId);
  const base = trx
    .selectFrom('decision_outcomes as o')
    .where('o.system_id', '=', systemId)
    .$if(window.from !== undefined, (q) => q.where('o.decided_at', '>=', window.from as string))
    .$if(window.to !== undefined, (q) => q.where('o.decided_at', '<', window.to as string));
  const rows = await base
    .select(['o.model_version_id', confusionSql.tp.as('tp'), confusionSql.fp.as('fp'), confusionSql.tn.as('tn'), confusionSql.fn.as('fn')])
    .groupBy('o.model_version_id')
    .execute();
  const bins = await base
    .where('o.score', 'is not', null)
    .select([
      'o.model_version_id',
      sql<number>`case when o.score >= 1 then ${AUC_BINS - 1} else cast(o.score * ${AUC_BINS} as integer) end`.as('bin'),
      sql<number>`sum(o.actual)`.as('positives'),
      sql<number>`sum(1 - o.actual)`.as('negatives'),
    ])
    .groupBy(['o.model_version_id', sql`2`])
    .execute();
  const sketches = rows
    .map((row) => ({ modelVersion: row.model_version_id, counts: counts(row), scores: scoreHistogram(AUC_BINS) }))
    .sort((a, b) => String(a.modelVersion).localeCompare(String(b.modelVersion)));
  const byVersion = new Map(sketches.map((s) => [s.modelVersion, s]));
  for (const b of bins) {
    const sketch = byVersion.get(b.model_version_id);
    if (!sketch) continue;
    sketch.scores.positives[Number(b.bin)] += Number(b.positives);
    sketch.scores.negatives[Number(b.bin)] += Number(b.negatives);
  }
  return performanceReport(sketches, { minCount });
}

/** Fairness per group of the named attributes (several: their intersections). A decision whose
 * outcome lacks an attribute is in the group where it is null. The counts come from the rollups
 * (outcome-rollups.ts): whole hours from there, a window's partial hours from the outcomes. */
export async function systemFairness(
  trx: Tx,
  {
    ctx,
    systemId,
    groupBy,
    window,
    minCount,
  }: { ctx: RequestContext; systemId: string; groupBy: string[]; window: Window; minCount?: number },
): Promise<FairnessReport & { groupBy: string[] }> {
  checkMayReadGroups(ctx, systemId);
  await requireSystem(trx, systemId);
  if (groupBy.length === 0 || groupBy.length > 3 || new Set(groupBy).size !== groupBy.length) {
    throw new AppError('validation_failed', 'groupBy: one to three distinct attributes', { field: 'groupBy' });
  }
  const groups = await countsByGroup(trx, { systemId, groupBy, window });
  return { groupBy, ...fairnessReport(groups, { minCount }) };
}
