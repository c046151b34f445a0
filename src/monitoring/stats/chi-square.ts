// Pearson's chi-square tests over counts: homogeneity of two samples (drift of a categorical
// feature: reference and current are both samples) and goodness of fit against declared shares
// (representativeness of a data source). The distribution is jstat's.
import type JStat from 'jstat';
import { AppError } from '../../errors.js';
import { onFirstUse } from '../../lazy.js';
import { checkCountList, type Estimate, estimated, notEstimated } from './estimate.js';

const jstat = onFirstUse<typeof JStat>('jstat');

export interface ChiSquareTest {
  statistic: Estimate;
  degreesOfFreedom: number;
  pValue: Estimate;
}

/** P(X >= x) for X ~ chi-square(df). Below about 1e-15 it reads 0 (1 - cdf in doubles). */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (x <= 0) return 1;
  return Math.min(1, Math.max(0, 1 - jstat().chisquare.cdf(x, degreesOfFreedom)));
}

function tested(statistic: number, degreesOfFreedom: number): ChiSquareTest {
  return { statistic: estimated(statistic), degreesOfFreedom, pValue: estimated(chiSquareSurvival(statistic, degreesOfFreedom)) };
}

function untested(reason: 'empty_sample' | 'single_category' | 'below_min_count', degreesOfFreedom = 0): ChiSquareTest {
  return { statistic: notEstimated(reason), degreesOfFreedom, pValue: notEstimated(reason) };
}

/**
 * Chi-square test of homogeneity of two samples over the same categories (a 2 × k table, no
 * continuity correction, as scipy's chi2_contingency(correction=False)). Categories empty in both
 * samples are left out; df = (categories - 1).
 * @example chiSquareHomogeneity([30, 20, 50], [25, 30, 45]).pValue.value // 0.2570
 */
export function chiSquareHomogeneity(reference: readonly number[], current: readonly number[], minCount = 1): ChiSquareTest {
  if (reference.length !== current.length) {
    throw new AppError('validation_failed', 'both samples count the same categories', { field: 'categories' });
  }
  checkCountList(reference, 'reference');
  checkCountList(current, 'current');
  const n1 = reference.reduce((s, c) => s + c, 0);
  const n2 = current.reduce((s, c) => s + c, 0);
  if (n1 === 0 || n2 === 0) return untested('empty_sample');
  if (n1 < minCount || n2 < minCount) return untested('below_min_count');
  const n = n1 + n2;
  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < reference.length; i++) {
    const column = reference[i] + current[i];
    if (column === 0) continue;
    categories++;
    const e1 = (column * n1) / n;
    const e2 = (column * n2) / n;
    statistic += (reference[i] - e1) ** 2 / e1 + (current[i] - e2) ** 2 / e2;
  }
  if (categories < 2) return untested('single_category');
  return tested(statistic, categories - 1);
}

/**
 * Chi-square goodness of fit of observed counts against expected shares (which sum to 1).
 * A category with a share of 0 cannot be observed: its count must be 0. df = categories - 1.
 * @example chiSquareGoodnessOfFit([40, 35, 25], [0.5, 0.3, 0.2]).statistic.value // 2.458...
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], shares: readonly number[], minCount = 1): ChiSquareTest {
  if (observed.length !== shares.length) {
    throw new AppError('validation_failed', 'one expected share per observed count', { field: 'shares' });
  }
  checkCountList(observed, 'observed');
  checkShares(shares);
  const n = observed.reduce((s, c) => s + c, 0);
  if (n === 0) return untested('empty_sample');
  if (n < minCount) return untested('below_min_count');
  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < observed.length; i++) {
    if (shares[i] === 0) {
      if (observed[i] > 0) {
        throw new AppError('validation_failed', `category ${i} has a share of 0 but ${observed[i]} observations`, {
          field: `shares[${i}]`,
        });
      }
      continue;
    }
    categories++;
    const expected = shares[i] * n;
    statistic += (observed[i] - expected) ** 2 / expected;
  }
  if (categories < 2) return untested('single_category');
  return tested(statistic, categories - 1);
}

/** Shares are 0 or more and add up to 1 (to within 1e-9). */
export function checkShares(shares: readonly number[]): void {
  let sum = 0;
  shares.forEach((s, i) => {
    if (!Number.isFinite(s) || s < 0)
      throw new AppError('validation_failed', `share ${i} is ${s}, not a number from 0 to 1`, { field: `shares[${i}]` });
    sum += s;
  });
  if (Math.abs(sum - 1) > 1e-9) throw new AppError('validation_failed', `the shares add up to ${sum}, not 1`, { field: 'shares' });
}
