// Per-group confusion counts: the mergeable sketch behind every performance and fairness rate.
// Two windows' counts add up to the counts of both windows, so a report over a month is the sum of
// its days; nothing here keeps a row.
import { AppError } from '../../errors.js';
import { checkCount, checkMinCount, DEFAULT_MIN_COUNT, type Estimate, rate } from './estimate.js';

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** One labelled decision: what happened (actual) against what the system decided (predicted). */
export interface DecisionRow {
  actual: number;
  predicted: number;
  /** The model's score, where it gives one (any real number; higher means more likely positive). */
  score?: number;
  modelVersion?: string;
  /** Group memberships, e.g. { sex: 'F', age_band: '40-64' }; a missing attribute is its own group (null). */
  attributes?: Readonly<Record<string, string | undefined>>;
}

export const emptyCounts = (): ConfusionCounts => ({ tp: 0, fp: 0, tn: 0, fn: 0 });

export const countOf = (c: ConfusionCounts) => c.tp + c.fp + c.tn + c.fn;

/** Adds one decision to `counts` in place; actual and predicted must each be 0 or 1. */
export function addDecision(counts: ConfusionCounts, actual: number, predicted: number): void {
  if ((actual !== 0 && actual !== 1) || (predicted !== 0 && predicted !== 1)) {
    throw new AppError('validation_failed', `a decision's actual and predicted outcomes are 0 or 1, not ${actual} and ${predicted}`, {
      field: actual !== 0 && actual !== 1 ? 'actual' : 'predicted',
    });
  }
  if (actual === 1) {
    if (predicted === 1) counts.tp++;
    else counts.fn++;
  } else if (predicted === 1) counts.fp++;
  else counts.tn++;
}

/** The counts of two windows together. */
export function mergeCounts(a: ConfusionCounts, b: ConfusionCounts): ConfusionCounts {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, tn: a.tn + b.tn, fn: a.fn + b.fn };
}

/** Counts that came from outside (a stored sketch, a query) are whole numbers, 0 or more. */
export function checkCounts(c: ConfusionCounts): ConfusionCounts {
  for (const key of ['tp', 'fp', 'tn', 'fn'] as const) checkCount(c[key], key);
  return c;
}

export interface Rates {
  n: number;
  errorRate: Estimate;
  selectionRate: Estimate;
  /** True positive rate = recall. */
  tpr: Estimate;
  fpr: Estimate;
  fnr: Estimate;
  tnr: Estimate;
  precision: Estimate;
}

/**
 * The rates of one group's (or window's) counts. Each rate's denominator must reach `minCount`
 * rows, else it is null with `below_min_count`; an empty denominator names what is missing.
 * @example ratesOf({ tp: 3, fp: 1, tn: 4, fn: 2 }, { minCount: 1 }).tpr // { value: 0.6, reason: null }
 */
export function ratesOf(counts: ConfusionCounts, options: { minCount?: number } = {}): Rates {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  const { tp, fp, tn, fn } = checkCounts(counts);
  const n = tp + fp + tn + fn;
  return {
    n,
    errorRate: rate(fp + fn, n, 'empty_group', minCount),
    selectionRate: rate(tp + fp, n, 'empty_group', minCount),
    tpr: rate(tp, tp + fn, n === 0 ? 'empty_group' : 'no_actual_positives', minCount),
    fpr: rate(fp, fp + tn, n === 0 ? 'empty_group' : 'no_actual_negatives', minCount),
    fnr: rate(fn, tp + fn, n === 0 ? 'empty_group' : 'no_actual_positives', minCount),
    tnr: rate(tn, fp + tn, n === 0 ? 'empty_group' : 'no_actual_negatives', minCount),
    precision: rate(tp, tp + fp, n === 0 ? 'empty_group' : 'no_predicted_positives', minCount),
  };
}
