// Which feature a drift monitor watches: `score` (the default) or a feature its system declares
// (read from the decisions feature's `feature_declarations` table, not through that feature's code).
// A KS monitor needs a numeric feature; a monitor of another metric names no feature.
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';

export const DRIFT_METRICS: readonly string[] = ['psi', 'js_distance', 'ks_statistic'];

/** The feature to store with a new monitor (null: not a drift monitor), or the refusal. */
export async function monitoredFeature(
  trx: Tx,
  { systemId, source, metric, feature }: { systemId: string; source: string; metric: string; feature?: string },
): Promise<string | null> {
  const drift = source === 'computed' && DRIFT_METRICS.includes(metric);
  if (!drift) {
    if (feature !== undefined) {
      throw new AppError('validation_failed', `feature: only a drift monitor (${DRIFT_METRICS.join(', ')}) names a feature`, {
        field: 'feature',
      });
    }
    return null;
  }
  if (feature === undefined || feature === 'score') return 'score';
  const row = await trx.selectFrom('feature_declarations').select('features').where('system_id', '=', systemId).executeTakeFirst();
  const declared = row ? (JSON.parse(row.features) as Array<{ name: string; kind: string }>).find((f) => f.name === feature) : undefined;
  if (!declared) {
    throw new AppError('not_found', `feature ${feature} is not declared for system ${systemId}: name "score" or a declared feature`, {
      resource: 'feature',
      id: feature,
      field: 'feature',
    });
  }
  if (metric === 'ks_statistic' && declared.kind !== 'numeric') {
    throw new AppError(
      'validation_failed',
      `feature: ${feature} is categorical; a KS monitor watches a numeric feature (use psi or js_distance)`,
      {
        field: 'feature',
      },
    );
  }
  return feature;
}
