// What every statistic returns: a number, or null with the reason it cannot be estimated. A rate
// over nothing is never a silent 0 (docs/MONITORING.md, "Null with a reason").
import { AppError } from '../../errors.js';

export type NullReason =
  /** The group (or sample) holds no rows at all. */
  | 'empty_group'
  /** The denominator is above 0 but below the configured minimum count. */
  | 'below_min_count'
  /** No row with actual = 1: TPR, FNR (recall) have no denominator. */
  | 'no_actual_positives'
  /** No row with actual = 0: FPR, TNR have no denominator. */
  | 'no_actual_negatives'
  /** No row with predicted = 1: precision has no denominator. */
  | 'no_predicted_positives'
  /** AUC needs both classes among the scored rows. */
  | 'single_class'
  /** A comparison between groups needs at least two groups with an estimate. */
  | 'fewer_than_two_groups'
  /** A ratio against the highest rate when every rate is 0. */
  | 'all_rates_zero'
  /** A test or distance over an empty sample. */
  | 'empty_sample'
  /** A chi-square test needs two categories that occur. */
  | 'single_category';

export type Estimate = { value: number; reason: null } | { value: null; reason: NullReason };

/** Fewer rows than this in a denominator give `below_min_count` unless the caller says otherwise. */
export const DEFAULT_MIN_COUNT = 30;

export const estimated = (value: number): Estimate => ({ value, reason: null });
export const notEstimated = (reason: NullReason): Estimate => ({ value: null, reason });

/**
 * numerator / denominator, or null: `whenEmpty` for a zero denominator, `below_min_count` under minCount.
 * @example rate(3, 4, 'no_actual_positives', 1) // { value: 0.75, reason: null }
 */
export function rate(numerator: number, denominator: number, whenEmpty: NullReason, minCount: number): Estimate {
  if (denominator === 0) return notEstimated(whenEmpty);
  if (denominator < minCount) return notEstimated('below_min_count');
  return estimated(numerator / denominator);
}

/** The minimum count a caller configures: a whole number of rows, at least 1. */
export function checkMinCount(minCount: number): number {
  if (!Number.isSafeInteger(minCount) || minCount < 1) {
    throw new AppError('validation_failed', `minCount must be a whole number of at least 1, not ${minCount}`, { field: 'minCount' });
  }
  return minCount;
}

/** A count is a whole number, 0 or more. */
export function checkCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AppError('validation_failed', `${field} must be a whole number of at least 0, not ${value}`, { field });
  }
}

/** Every entry of a list of counts is a whole number, 0 or more. */
export function checkCountList(values: readonly number[], field: string): void {
  for (let i = 0; i < values.length; i++) checkCount(values[i], `${field}[${i}]`);
}
