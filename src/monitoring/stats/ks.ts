// The two-sample Kolmogorov-Smirnov test: the exact statistic from two sorted samples, and its
// two-sided p-value as scipy's ks_2samp(method='auto') chooses: exact (lattice paths) when neither
// sample exceeds 10,000 values, else the limiting Kolmogorov distribution at sqrt(n·m/(n+m))·D.
// (scipy's asymptotic branch uses the one-sample distribution at round(n·m/(n+m)) instead; the two
// differ by about 1% at these sizes: docs/MONITORING.md.) Ties are allowed; the p-value, like scipy's,
// assumes a continuous distribution.
import { AppError } from '../../errors.js';
import { type Estimate, estimated, notEstimated } from './estimate.js';

/** Up to this many values in the larger sample, the p-value is exact (scipy's MAX_AUTO_N). */
export const KS_EXACT_MAX_N = 10_000;

export interface KsTest {
  statistic: Estimate;
  pValue: Estimate;
  method: 'exact' | 'asymptotic' | null;
}

/** Throws unless `values` is sorted ascending and holds no NaN (what every caller gets from one sort). */
export function checkSorted(values: Float64Array, field: string): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]) || (i > 0 && values[i] < values[i - 1])) {
      throw new AppError('validation_failed', `${field} must be sorted numbers (value ${i} is not)`, { field });
    }
  }
}

/** The largest gap between the two empirical CDFs; both arrays sorted ascending. */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    // Step past every copy of the smaller value in both samples before comparing: ties move together.
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] === x) i++;
    while (j < m && b[j] === x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * The two-sample KS test. Both samples sorted ascending (sort each once, as a Float64Array).
 * @example ksTwoSample(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)).statistic.value // 1
 */
export function ksTwoSample(reference: Float64Array, current: Float64Array, options: { checked?: boolean } = {}): KsTest {
  if (!options.checked) {
    checkSorted(reference, 'reference');
    checkSorted(current, 'current');
  }
  const n = reference.length;
  const m = current.length;
  if (n === 0 || m === 0) return { statistic: notEstimated('empty_sample'), pValue: notEstimated('empty_sample'), method: null };
  const d = ksStatistic(reference, current);
  return ksTest(d, n, m);
}

/** The test of a statistic already known (from samples or from bins) between samples of n and m. */
export function ksTest(d: number, n: number, m: number): KsTest {
  const limit = kolmogorovSurvival(Math.sqrt((n * m) / (n + m)) * d);
  if (Math.max(n, m) > KS_EXACT_MAX_N) return { statistic: estimated(d), pValue: estimated(limit), method: 'asymptotic' };
  // Far in the tail the exact walk reads 0 anyway (1 - P(inside) in doubles), and a wide band makes
  // it the slowest there (about 1 s for 10,000 against 10,000 at D = 0.5): the limit overstates such
  // tails, so below TAIL_ZERO the exact p-value is below it too.
  return { statistic: estimated(d), pValue: estimated(limit < TAIL_ZERO ? 0 : ksExactPValue(d, n, m)), method: 'exact' };
}

/** Where the limiting distribution puts the p-value below this, the exact p-value reads 0. */
export const TAIL_ZERO = 1e-25;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * P(D >= d) under the null, exactly: the share of monotone lattice paths from (0, 0) to (n, m)
 * that leave the band |i/n - j/m| < d (Hodges 1957). Walks the band once, carrying probabilities
 * (each step's odds are those of drawing without replacement), so nothing overflows.
 */
export function ksExactPValue(d: number, n1: number, n2: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const g = gcd(m, n);
  const mg = m / g;
  const ng = n / g;
  // d in whole steps of 1/lcm(m, n), as scipy rounds it: the band is |i·ng - j·mg| < h.
  const h = Math.round(d * mg * n);
  if (h === 0) return 1;
  const row = new Float64Array(n + 1);
  let lowPrevious = 0;
  for (let i = 0; i <= m; i++) {
    const low = Math.max(0, Math.floor((ng * i - h) / mg) + 1);
    const high = Math.min(n, Math.ceil((ng * i + h) / mg) - 1);
    if (high < low) return 1;
    row.fill(0, lowPrevious, low);
    for (let j = low; j <= high; j++) {
      if (i === 0 && j === 0) {
        row[0] = 1;
        continue;
      }
      const fromLeft = i > 0 ? row[j] * (m - i + 1) : 0;
      const fromBelow = j > low ? row[j - 1] * (n - j + 1) : 0;
      row[j] = (fromLeft + fromBelow) / (m + n - i - j + 1);
    }
    lowPrevious = low;
  }
  return Math.min(1, Math.max(0, 1 - row[n]));
}

/**
 * P(K > x) for the Kolmogorov distribution (the limit of sqrt(n)·D): the theta-function series
 * below x = 1.18, the alternating series above, each converged to double precision.
 */
export function kolmogorovSurvival(x: number): number {
  if (!(x > 0)) return 1;
  if (x < 1.18) {
    const w = (-Math.PI * Math.PI) / (8 * x * x);
    let sum = 0;
    for (let k = 1; k <= 7; k++) sum += Math.exp((2 * k - 1) ** 2 * w);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * sum));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
