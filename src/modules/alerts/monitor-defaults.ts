// Default monitors per EU risk tier, applied on request ("apply defaults"), never behind anyone's
// back: the system's owner or a governance lead asks for them, with a rationale, and each monitor
// created is its own `monitor.created` event. Applying again adds only the defaults missing (by
// name), so it can follow a change of risk tier.
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { createMonitor, type MonitorInput, type presentMonitor } from './alerts.service.js';
import type { AlertSeverity, ComputedMetric } from './alerts.tables.js';

export interface DefaultsInput {
  ownerId: string;
  rationale: string;
  /** The group attribute the impact ratio compares (e.g. sex); without it, no impact ratio monitor. */
  fairnessAttribute?: string;
  /** The error rate validated before deployment; without it, no error rate monitor. */
  validatedErrorRate?: number;
}

interface DefaultMonitor {
  name: string;
  metric: ComputedMetric;
  comparison: 'gt' | 'lt';
  threshold: (input: DefaultsInput) => number | null;
  needs?: 'fairnessAttribute';
}

const WEEK = 7 * 24 * 3600;

/** The sensible defaults: four-fifths rule, PSI above 0.2 (0.25 below high risk), error rate above
 * the validated baseline by a margin (0.02 for high risk, 0.05 otherwise). */
export const TIER_DEFAULTS: Record<'high' | 'other', { severity: AlertSeverity; forEvaluations: number; monitors: DefaultMonitor[] }> = {
  high: {
    severity: 'high',
    forEvaluations: 2,
    monitors: [
      {
        name: 'default: impact ratio below 4/5',
        metric: 'impact_ratio',
        comparison: 'lt',
        threshold: () => 0.8,
        needs: 'fairnessAttribute',
      },
      { name: 'default: score drift (PSI) above 0.2', metric: 'psi', comparison: 'gt', threshold: () => 0.2 },
      {
        name: 'default: error rate above the validated baseline',
        metric: 'error_rate',
        comparison: 'gt',
        threshold: (i) => (i.validatedErrorRate === undefined ? null : i.validatedErrorRate + 0.02),
      },
    ],
  },
  other: {
    severity: 'medium',
    forEvaluations: 3,
    monitors: [
      { name: 'default: score drift (PSI) above 0.25', metric: 'psi', comparison: 'gt', threshold: () => 0.25 },
      {
        name: 'default: error rate above the validated baseline',
        metric: 'error_rate',
        comparison: 'gt',
        threshold: (i) => (i.validatedErrorRate === undefined ? null : i.validatedErrorRate + 0.05),
      },
    ],
  },
};

export async function applyDefaultMonitors(
  trx: Tx,
  { ctx, systemId, input }: { ctx: RequestContext; systemId: string; input: DefaultsInput },
) {
  const system = await trx.selectFrom('ai_systems').select(['id', 'eu_risk_tier']).where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  if (input.validatedErrorRate !== undefined && !(input.validatedErrorRate >= 0 && input.validatedErrorRate <= 1)) {
    throw new AppError('validation_failed', 'validatedErrorRate: a rate from 0 to 1', { field: 'validatedErrorRate' });
  }
  const tier = system.eu_risk_tier === 'high' || system.eu_risk_tier === 'prohibited' ? 'high' : 'other';
  const plan = TIER_DEFAULTS[tier];
  const existing = new Set(
    (await trx.selectFrom('monitors').select('name').where('system_id', '=', systemId).where('enabled', '=', 1).execute()).map(
      (m) => m.name,
    ),
  );
  const created: Array<ReturnType<typeof presentMonitor>> = [];
  for (const d of plan.monitors) {
    const threshold = d.threshold(input);
    if (threshold === null || existing.has(d.name)) continue;
    if (d.needs === 'fairnessAttribute' && !input.fairnessAttribute) continue;
    const monitor: MonitorInput = {
      systemId,
      name: d.name,
      source: 'computed',
      metric: d.metric,
      group: d.metric === 'impact_ratio' ? input.fairnessAttribute : undefined,
      aggregation: 'last',
      comparison: d.comparison,
      threshold,
      windowSeconds: WEEK,
      severity: plan.severity,
      ownerId: input.ownerId,
      forEvaluations: plan.forEvaluations,
      rationale: `${input.rationale} (default for EU risk tier ${system.eu_risk_tier})`,
    };
    created.push(await createMonitor(trx, { ctx, input: monitor }));
  }
  return { tier: system.eu_risk_tier, created };
}
