// The monitor evaluation job (leader only, on a schedule): every enabled monitor is evaluated once
// per run, each in its own transaction. A point monitor reads its window of metric points (a run
// with no new points counts nothing); a computed monitor reads the monitoring reports over the
// window ending now: performance rates (per model version, or all versions together), the lowest
// impact ratio between the groups of one attribute, and drift of the monitor's feature (score, or a
// feature the system declares) against that feature's latest frozen baseline. A statistic that is
// null (too few rows) is not an evaluation: it neither breaches nor clears. It lives here because it joins two features: alerts (monitors) and monitoring (reports).
import type { Selectable } from 'kysely';
import type { Policies } from '../config.js';
import { type RequestContext, systemContext } from '../context.js';
import type { Store, Tx } from '../db/store.js';
import { type Evaluation, evaluatePointMonitor, recordEvaluation } from '../modules/alerts/alerts.service.js';
import type { ComputedMetric, MonitorsTable } from '../modules/alerts/alerts.tables.js';
import { systemDrift } from '../modules/monitoring/drift.service.js';
import { systemFairness, systemPerformance } from '../modules/monitoring/reports.service.js';
import { mergeCounts, type Rates, ratesOf } from '../monitoring/stats/confusion.js';
import type { Estimate } from '../monitoring/stats/estimate.js';
import { respondToAlerts } from './alert-response.js';

const RATE_OF: Partial<Record<ComputedMetric, keyof Omit<Rates, 'n'>>> = {
  error_rate: 'errorRate',
  selection_rate: 'selectionRate',
  tpr: 'tpr',
  fpr: 'fpr',
  fnr: 'fnr',
  precision: 'precision',
};

type Computed = { value: number; evidence: Record<string, unknown> } | { value: null; reason: string };

const fromEstimate = (estimate: Estimate, evidence: Record<string, unknown>): Computed =>
  estimate.value === null ? { value: null, reason: estimate.reason } : { value: estimate.value, evidence };

/** The value of a computed monitor's statistic over the window ending at `now`. */
export async function computeStatistic(
  trx: Tx,
  { ctx, monitor, now }: { ctx: RequestContext; monitor: Selectable<MonitorsTable>; now: Date },
): Promise<Computed> {
  const window = { from: new Date(now.getTime() - monitor.window_seconds * 1000).toISOString(), to: now.toISOString() };
  const metric = monitor.metric as ComputedMetric;
  const rate = RATE_OF[metric];
  if (rate) {
    const reports = await systemPerformance(trx, { systemId: monitor.system_id, window });
    const chosen = monitor.model_version_id ? reports.filter((r) => r.modelVersion === monitor.model_version_id) : reports;
    if (chosen.length === 0) return { value: null, reason: 'empty_sample' };
    const counts = chosen.map((r) => r.counts).reduce(mergeCounts);
    const rates = ratesOf(counts);
    return fromEstimate(rates[rate], { metric, window, counts, n: rates.n, modelVersionId: monitor.model_version_id });
  }
  if (metric === 'impact_ratio') {
    const attribute = monitor.group_label as string;
    const report = await systemFairness(trx, { ctx, systemId: monitor.system_id, groupBy: [attribute], window });
    const estimated = report.groups.filter((g) => g.impactRatio.value !== null);
    if (estimated.length < 2) return { value: null, reason: 'fewer_than_two_groups' };
    const lowest = estimated.reduce((a, b) => ((a.impactRatio.value as number) <= (b.impactRatio.value as number) ? a : b));
    return {
      value: lowest.impactRatio.value as number,
      evidence: {
        metric,
        window,
        attribute,
        lowestGroup: lowest.attributes,
        groups: report.groups.map((g) => ({
          attributes: g.attributes,
          n: g.n,
          selectionRate: g.selectionRate.value,
          impactRatio: g.impactRatio.value,
        })),
      },
    };
  }
  // A drift monitor reads its feature (score when it names none) against that feature's latest baseline.
  const feature = monitor.feature ?? 'score';
  const baseline = await trx
    .selectFrom('monitoring_baselines')
    .select('id')
    .where('system_id', '=', monitor.system_id)
    .where('feature', '=', feature)
    .orderBy('frozen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!baseline) return { value: null, reason: 'no_baseline' };
  const drift = await systemDrift(trx, { systemId: monitor.system_id, feature, baselineId: baseline.id, current: window });
  const evidence = {
    metric,
    window,
    feature,
    kind: drift.kind,
    baselineId: baseline.id,
    n: drift.n,
    psi: drift.psi.value,
    jensenShannon: drift.jensenShannon.value,
    ...(drift.ks ? { ks: drift.ks.statistic.value } : {}),
    ...(drift.chiSquare ? { chiSquare: drift.chiSquare.statistic.value, chiSquarePValue: drift.chiSquare.pValue.value } : {}),
    ...(drift.categories ? { categories: drift.categories } : {}),
  };
  if (metric === 'psi') return fromEstimate(drift.psi, evidence);
  if (metric === 'js_distance') return fromEstimate(drift.jensenShannon, evidence);
  if (!drift.ks) return { value: null, reason: 'not_numeric' };
  return fromEstimate(drift.ks.statistic, evidence);
}

export interface EvaluationRun {
  evaluated: number;
  skipped: Array<{ monitorId: string; reason: string }>;
  fired: string[];
  resolved: string[];
}

/** Evaluates every enabled monitor at `now`. Idempotent: a second run at the same instant (or with
 * no new points for a point monitor) counts nothing again. */
export async function evaluateAllMonitors(
  store: Store,
  { now = new Date(), policies }: { now?: Date; policies?: Policies } = {},
): Promise<EvaluationRun> {
  const ctx = systemContext('job:evaluate-monitors', policies);
  const monitors = await store.db.selectFrom('monitors').select('id').where('enabled', '=', 1).orderBy('created_at').execute();
  const run: EvaluationRun = { evaluated: 0, skipped: [], fired: [], resolved: [] };
  for (const { id } of monitors) {
    await store.transact(async (trx) => {
      const monitor = await trx.selectFrom('monitors').selectAll().where('id', '=', id).where('enabled', '=', 1).executeTakeFirst();
      if (!monitor) return;
      let outcome: Awaited<ReturnType<typeof recordEvaluation>> | null;
      if (monitor.source === 'points') {
        outcome = await evaluatePointMonitor(trx, { ctx, monitor, now });
        if (!outcome) run.skipped.push({ monitorId: id, reason: 'no_points' });
      } else {
        const computed = await computeStatistic(trx, { ctx, monitor, now });
        if (computed.value === null) {
          run.skipped.push({ monitorId: id, reason: computed.reason });
          return;
        }
        const evaluation: Evaluation = { key: `computed:${now.toISOString()}`, value: computed.value, evidence: computed.evidence };
        outcome = await recordEvaluation(trx, { ctx, monitor, evaluation, now });
      }
      if (!outcome?.counted) return;
      run.evaluated += 1;
      if (outcome.resolved) run.resolved.push(outcome.resolved);
      if (outcome.fired) {
        run.fired.push(outcome.fired);
        await respondToAlerts(trx, { ctx, alertIds: [outcome.fired], now });
      }
    });
  }
  return run;
}
