// Mergeable sketches of a feature's values: fixed bins for a numeric feature (edges chosen once, from
// the reference), counts per category for a categorical one. A frozen baseline is one of these,
// stored; it is never recomputed from raw data.
import { AppError } from '../../errors.js';
import { checkCountList } from './estimate.js';

/**
 * Counts over fixed bins: bin 0 is (-inf, edges[0]), bin i is [edges[i-1], edges[i]), the last is
 * [edges[k-1], +inf). So counts.length = edges.length + 1 and no value falls outside.
 */
export interface NumericSketch {
  edges: number[];
  counts: number[];
}

/** Category -> count. */
export type CategoricalSketch = Record<string, number>;

/**
 * Bin edges at the reference's quantiles (i/bins for i = 1..bins-1), repeated values collapsed,
 * so each bin holds about 1/bins of the reference. `sorted` ascending.
 */
export function quantileEdges(sorted: Float64Array, bins = 10): number[] {
  if (!Number.isSafeInteger(bins) || bins < 1)
    throw new AppError('validation_failed', `bins must be a whole number of at least 1, not ${bins}`, { field: 'bins' });
  const edges: number[] = [];
  if (sorted.length === 0) return edges;
  for (let i = 1; i < bins; i++) {
    const edge = sorted[Math.floor((i * sorted.length) / bins)];
    if (edge > sorted[0] && (edges.length === 0 || edge > edges[edges.length - 1])) edges.push(edge);
  }
  return edges;
}

function checkEdges(edges: readonly number[]): void {
  for (let i = 0; i < edges.length; i++) {
    if (!Number.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
      throw new AppError('validation_failed', 'bin edges are finite and strictly increasing', { field: 'edges' });
    }
  }
}

/** Counts sorted values into the bins in one pass (no search per value). */
export function sketchSorted(sorted: Float64Array, edges: readonly number[]): NumericSketch {
  checkEdges(edges);
  const counts = new Array<number>(edges.length + 1).fill(0);
  let bin = 0;
  let start = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (bin < edges.length && sorted[i] >= edges[bin]) {
      counts[bin] = i - start;
      start = i;
      bin++;
    }
  }
  counts[bin] = sorted.length - start;
  return { edges: [...edges], counts };
}

/** Counts values in any order into the bins (a binary search each); for adding a window's values to a sketch. */
export function sketchValues(values: Iterable<number>, edges: readonly number[]): NumericSketch {
  checkEdges(edges);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of values) {
    if (Number.isNaN(value))
      throw new AppError('validation_failed', 'a missing value is not a number: count it apart', { field: 'values' });
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (value >= edges[mid]) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]++;
  }
  return { edges: [...edges], counts };
}

/** Two sketches over the same bins, together. */
export function mergeNumericSketches(a: NumericSketch, b: NumericSketch): NumericSketch {
  if (a.edges.length !== b.edges.length || a.edges.some((e, i) => e !== b.edges[i])) {
    throw new AppError('validation_failed', 'sketches with different bins cannot be merged', { field: 'edges' });
  }
  return { edges: a.edges, counts: a.counts.map((c, i) => c + b.counts[i]) };
}

/** Counts values per category. */
export function sketchCategories(values: Iterable<string>): CategoricalSketch {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  // fromEntries defines own properties, so a category named "__proto__" stays a category.
  return Object.fromEntries(counts);
}

/** Two windows' category counts, together. */
export function mergeCategoricalSketches(a: CategoricalSketch, b: CategoricalSketch): CategoricalSketch {
  const merged = new Map(Object.entries(a));
  for (const [category, count] of Object.entries(b)) merged.set(category, (merged.get(category) ?? 0) + count);
  return Object.fromEntries(merged);
}

/** A stored sketch is well formed: whole counts, one more bin than edges. */
export function checkNumericSketch(s: NumericSketch, field: string): void {
  checkEdges(s.edges);
  if (s.counts.length !== s.edges.length + 1)
    throw new AppError('validation_failed', `${field} has ${s.counts.length} counts for ${s.edges.length} edges`, { field });
  checkCountList(s.counts, `${field}.counts`);
}
