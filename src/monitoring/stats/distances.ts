// Distances between two distributions given as counts over the same bins or categories:
// population stability index and Jensen-Shannon distance. Both read counts, so they work the same
// on a window's sketch and on a frozen baseline's stored bins.
import { AppError } from '../../errors.js';
import { checkCountList, type Estimate, estimated, notEstimated } from './estimate.js';

/** An empty bin's share in PSI (whose log would be infinite) counts as this much: Evidently's choice. */
export const PSI_EMPTY_SHARE = 0.0001;

function shares(counts: readonly number[], field: string): { total: number; shares: number[] } {
  checkCountList(counts, field);
  const total = counts.reduce((s, c) => s + c, 0);
  return { total, shares: counts.map((c) => (total === 0 ? 0 : c / total)) };
}

function pair(reference: readonly number[], current: readonly number[]) {
  if (reference.length !== current.length) {
    throw new AppError('validation_failed', 'both distributions count the same bins', { field: 'bins' });
  }
  return { p: shares(reference, 'reference'), q: shares(current, 'current') };
}

/**
 * Population stability index: sum over bins of (current - reference share) · ln(current / reference),
 * an empty bin's share taken as PSI_EMPTY_SHARE. Rule of thumb: < 0.1 stable, 0.1-0.25 shifting, > 0.25 shifted.
 * @example psi([3, 2, 2], [1, 2, 3]) // categories 1, 2, 3 (Evidently's vector): about 2.93
 */
export function psi(reference: readonly number[], current: readonly number[]): Estimate {
  const { p, q } = pair(reference, current);
  if (p.total === 0 || q.total === 0) return notEstimated('empty_sample');
  let sum = 0;
  for (let i = 0; i < p.shares.length; i++) {
    const a = p.shares[i] === 0 ? PSI_EMPTY_SHARE : p.shares[i];
    const b = q.shares[i] === 0 ? PSI_EMPTY_SHARE : q.shares[i];
    sum += (b - a) * Math.log(b / a);
  }
  return estimated(sum);
}

/**
 * Jensen-Shannon distance in base 2 (0 = same distribution, 1 = disjoint): the square root of the
 * JS divergence, as scipy.spatial.distance.jensenshannon(p, q, base=2).
 */
export function jensenShannon(reference: readonly number[], current: readonly number[]): Estimate {
  const { p, q } = pair(reference, current);
  if (p.total === 0 || q.total === 0) return notEstimated('empty_sample');
  let divergence = 0;
  for (let i = 0; i < p.shares.length; i++) {
    const a = p.shares[i];
    const b = q.shares[i];
    const mid = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log2(a / mid);
    if (b > 0) divergence += 0.5 * b * Math.log2(b / mid);
  }
  return estimated(Math.min(1, Math.sqrt(Math.max(0, divergence))));
}
