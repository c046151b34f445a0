// Drift of one feature (or score) between a reference and a current window. Numeric: PSI and
// Jensen-Shannon over the reference's quantile bins, and the two-sample KS test. Categorical: PSI
// and the chi-square test of homogeneity. The reference is a window (raw values) or a frozen
// baseline (its stored bins and counts).
import { AppError } from '../../errors.js';
import { type ChiSquareTest, chiSquareHomogeneity } from './chi-square.js';
import { jensenShannon, psi } from './distances.js';
import { checkMinCount, DEFAULT_MIN_COUNT, type Estimate, notEstimated } from './estimate.js';
import { checkSorted, type KsTest, ksStatistic, ksTest } from './ks.js';
import { type CategoricalSketch, checkNumericSketch, type NumericSketch, quantileEdges, sketchSorted } from './sketches.js';
import { sortFloat64 } from './sort.js';

export const DEFAULT_DRIFT_BINS = 10;

export interface NumericDrift {
  n: { reference: number; current: number };
  reference: NumericSketch;
  current: NumericSketch;
  psi: Estimate;
  jensenShannon: Estimate;
  /** `exact`/`asymptotic`: from both samples' values; `binned`: against a frozen baseline, at its bin edges. */
  ks: KsTest & { from: 'values' | 'bins' };
}

/** Sorts a copy once (a radix sort: sort.ts); every numeric statistic reads that one sorted copy. */
export function sortedCopy(values: Float64Array | readonly number[]): Float64Array {
  const copy = new Float64Array(values);
  for (let i = 0; i < copy.length; i++) {
    if (Number.isNaN(copy[i]))
      throw new AppError('validation_failed', `value ${i} is not a number: count missing values apart`, { field: 'values' });
  }
  return sortFloat64(copy);
}

/** Drift between two windows' raw values. Bins are the reference's quantiles. */
export function numericDrift(
  reference: Float64Array | readonly number[],
  current: Float64Array | readonly number[],
  options: { bins?: number; minCount?: number; sorted?: boolean } = {},
): NumericDrift {
  const a = options.sorted ? (reference as Float64Array) : sortedCopy(reference);
  const b = options.sorted ? (current as Float64Array) : sortedCopy(current);
  if (options.sorted) {
    checkSorted(a, 'reference');
    checkSorted(b, 'current');
  }
  const edges = quantileEdges(a, options.bins ?? DEFAULT_DRIFT_BINS);
  return driftOf(sketchSorted(a, edges), sketchSorted(b, edges), options.minCount, () => ({
    ...ksTest(ksStatistic(a, b), a.length, b.length),
    from: 'values',
  }));
}

/** A reference frozen as its bins and counts, so later comparisons never need its raw values. */
export function freezeNumericBaseline(values: Float64Array | readonly number[], bins = DEFAULT_DRIFT_BINS): NumericSketch {
  const sorted = sortedCopy(values);
  return sketchSorted(sorted, quantileEdges(sorted, bins));
}

/** Drift of a window's raw values against a frozen baseline. */
export function numericDriftFromBaseline(
  baseline: NumericSketch,
  current: Float64Array | readonly number[],
  options: { minCount?: number } = {},
): NumericDrift {
  checkNumericSketch(baseline, 'baseline');
  return fromSketches(baseline, sketchSorted(sortedCopy(current), baseline.edges), options.minCount);
}

/**
 * From two sketches over the same bins. KS here is the largest gap of the two CDFs at the bin edges:
 * never more than the exact statistic, so its p-value errs towards "no drift".
 */
export function fromSketches(reference: NumericSketch, current: NumericSketch, minCount?: number): NumericDrift {
  return driftOf(reference, current, minCount, (n1, n2) => {
    let d = 0;
    let cumulative1 = 0;
    let cumulative2 = 0;
    for (let i = 0; i < reference.counts.length; i++) {
      cumulative1 += reference.counts[i];
      cumulative2 += current.counts[i];
      d = Math.max(d, Math.abs(cumulative1 / n1 - cumulative2 / n2));
    }
    return { ...ksTest(d, n1, n2), from: 'bins' };
  });
}

function driftOf(
  reference: NumericSketch,
  current: NumericSketch,
  minCountOption: number | undefined,
  ks: (n1: number, n2: number) => NumericDrift['ks'],
): NumericDrift {
  const minCount = checkMinCount(minCountOption ?? DEFAULT_MIN_COUNT);
  checkNumericSketch(reference, 'reference');
  checkNumericSketch(current, 'current');
  const n1 = reference.counts.reduce((s, c) => s + c, 0);
  const n2 = current.counts.reduce((s, c) => s + c, 0);
  const short =
    n1 === 0 || n2 === 0 ? notEstimated('empty_sample') : n1 < minCount || n2 < minCount ? notEstimated('below_min_count') : null;
  const base = { n: { reference: n1, current: n2 }, reference, current };
  if (short) return { ...base, psi: short, jensenShannon: short, ks: { statistic: short, pValue: short, method: null, from: 'bins' } };
  return {
    ...base,
    psi: psi(reference.counts, current.counts),
    jensenShannon: jensenShannon(reference.counts, current.counts),
    ks: ks(n1, n2),
  };
}

export interface CategoricalDrift {
  categories: Array<{ category: string; reference: number; current: number }>;
  psi: Estimate;
  jensenShannon: Estimate;
  chiSquare: ChiSquareTest;
}

/** Drift of a categorical feature: both sides are category counts (a window's, or a frozen baseline's). */
export function categoricalDrift(
  reference: CategoricalSketch,
  current: CategoricalSketch,
  options: { minCount?: number } = {},
): CategoricalDrift {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  const names = [...new Set([...Object.keys(reference), ...Object.keys(current)])].sort();
  const r = names.map((c) => (Object.hasOwn(reference, c) ? reference[c] : 0));
  const k = names.map((c) => (Object.hasOwn(current, c) ? current[c] : 0));
  const chiSquare = chiSquareHomogeneity(r, k, minCount);
  const short =
    chiSquare.statistic.reason === 'empty_sample' || chiSquare.statistic.reason === 'below_min_count' ? chiSquare.statistic : null;
  return {
    categories: names.map((category, i) => ({ category, reference: r[i], current: k[i] })),
    psi: short ?? psi(r, k),
    jensenShannon: short ?? jensenShannon(r, k),
    chiSquare,
  };
}
