// Area under the ROC curve: exact from scores (the Mann-Whitney U over both classes, ties counted
// half), or from a mergeable score histogram, whose answer says how far from the exact one it can be.
import { AppError } from '../../errors.js';
import { checkMinCount, DEFAULT_MIN_COUNT, type Estimate, estimated, notEstimated } from './estimate.js';

/**
 * Exact AUC: the share of (positive, negative) pairs where the positive scores higher, ties half.
 * One sort of the scores; `actual` holds 0 or 1 per score.
 * @example aucExact(Float64Array.of(0.1, 0.9), Uint8Array.of(0, 1)).value // 1
 */
export function aucExact(scores: Float64Array, actual: Uint8Array, options: { minCount?: number } = {}): Estimate {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  if (scores.length !== actual.length) {
    throw new AppError('validation_failed', `${scores.length} scores for ${actual.length} outcomes`, { field: 'scores' });
  }
  const n = scores.length;
  if (n === 0) return notEstimated('empty_group');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new AppError('validation_failed', `score ${i} is not a number`, { field: 'scores' });
    order[i] = i;
  }
  order.sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let negatives = 0;
  // Walk runs of equal scores: every negative below the run beats none of its positives' pairs.
  let pairsWon = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    let runPositives = 0;
    let runNegatives = 0;
    while (end < n && scores[order[end]] === scores[order[start]]) {
      if (actual[order[end]] === 1) runPositives++;
      else runNegatives++;
      end++;
    }
    pairsWon += runPositives * negatives + 0.5 * runPositives * runNegatives;
    positives += runPositives;
    negatives += runNegatives;
    start = end;
  }
  return aucOf(pairsWon, positives, negatives, minCount);
}

function aucOf(pairsWon: number, positives: number, negatives: number, minCount: number): Estimate {
  if (positives === 0 || negatives === 0) return notEstimated('single_class');
  if (positives < minCount || negatives < minCount) return notEstimated('below_min_count');
  return estimated(pairsWon / (positives * negatives));
}

/** Scores counted per bin and class. Bins are [edges[i], edges[i+1]); below the first edge counts in the first bin, at or above the last in the last. */
export interface ScoreHistogram {
  edges: number[];
  positives: number[];
  negatives: number[];
}

/** An empty histogram of `bins` equal bins over [low, high) (scores are usually probabilities: 0 to 1). */
export function scoreHistogram(bins = 1000, low = 0, high = 1): ScoreHistogram {
  if (!Number.isSafeInteger(bins) || bins < 1 || !(high > low)) {
    throw new AppError('validation_failed', 'a score histogram needs at least one bin over a non-empty range', { field: 'bins' });
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => low + ((high - low) * i) / bins);
  return { edges, positives: new Array(bins).fill(0), negatives: new Array(bins).fill(0) };
}

/** Adds one scored decision to the histogram in place. */
export function addScore(h: ScoreHistogram, score: number, actual: number): void {
  if (Number.isNaN(score))
    throw new AppError('validation_failed', 'a score is a number; leave it out when there is none', { field: 'score' });
  const bins = h.positives.length;
  const low = h.edges[0];
  const high = h.edges[bins];
  let bin = Math.floor(((score - low) / (high - low)) * bins);
  if (bin < 0) bin = 0;
  else if (bin >= bins) bin = bins - 1;
  // Equal bins computed in floating point can land one off an edge; the edges decide.
  while (bin > 0 && score < h.edges[bin]) bin--;
  while (bin < bins - 1 && score >= h.edges[bin + 1]) bin++;
  if (actual === 1) h.positives[bin]++;
  else h.negatives[bin]++;
}

/** Two windows' histograms over the same bins, together. */
export function mergeScoreHistograms(a: ScoreHistogram, b: ScoreHistogram): ScoreHistogram {
  if (a.edges.length !== b.edges.length || a.edges.some((e, i) => e !== b.edges[i])) {
    throw new AppError('validation_failed', 'score histograms with different bins cannot be merged', { field: 'edges' });
  }
  return {
    edges: a.edges,
    positives: a.positives.map((p, i) => p + b.positives[i]),
    negatives: a.negatives.map((n, i) => n + b.negatives[i]),
  };
}

/**
 * AUC from a histogram: pairs in different bins are ordered by their bins, pairs in one bin count
 * half. `maxError` bounds the distance to the exact AUC: half the share of (positive, negative)
 * pairs that share a bin (0 when no bin holds both classes).
 */
export function aucFromHistogram(h: ScoreHistogram, options: { minCount?: number } = {}): Estimate & { maxError: number | null } {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  let positives = 0;
  let negatives = 0;
  let pairsWon = 0;
  let sharedPairs = 0;
  for (let i = 0; i < h.positives.length; i++) {
    const p = h.positives[i];
    const n = h.negatives[i];
    pairsWon += p * negatives + 0.5 * p * n;
    sharedPairs += p * n;
    positives += p;
    negatives += n;
  }
  const auc = aucOf(pairsWon, positives, negatives, minCount);
  return { ...auc, maxError: auc.value === null ? null : (0.5 * sharedPairs) / (positives * negatives) };
}
