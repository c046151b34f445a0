// Representativeness of a dataset: a data source's group counts against a declared reference
// population (shares that add up to 1): the chi-square goodness of fit, and the gap per group.
import { AppError } from '../../errors.js';
import { type ChiSquareTest, checkShares, chiSquareGoodnessOfFit } from './chi-square.js';
import { checkCount, checkMinCount, DEFAULT_MIN_COUNT, type Estimate, estimated, notEstimated } from './estimate.js';

export interface RepresentativenessGroup {
  group: string;
  n: number;
  observedShare: Estimate;
  referenceShare: number;
  /** observedShare - referenceShare: negative means under-represented. */
  gap: Estimate;
}

export interface Representativeness {
  n: number;
  groups: RepresentativenessGroup[];
  chiSquare: ChiSquareTest;
}

/**
 * @param observed the data source's count per group
 * @param reference the declared population's share per group (0 to 1, adding up to 1); every observed group must be in it
 * @example representativeness({ F: 40, M: 60 }, { F: 0.5, M: 0.5 }).groups[0].gap.value // -0.1
 */
export function representativeness(
  observed: Readonly<Record<string, number>>,
  reference: Readonly<Record<string, number>>,
  options: { minCount?: number } = {},
): Representativeness {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  const names = Object.keys(reference).sort();
  checkShares(names.map((g) => reference[g]));
  for (const [group, count] of Object.entries(observed)) {
    checkCount(count, `observed.${group}`);
    if (!Object.hasOwn(reference, group)) {
      throw new AppError('validation_failed', `group ${group} is not in the reference population`, { field: `observed.${group}` });
    }
  }
  const counts = names.map((g) => (Object.hasOwn(observed, g) ? observed[g] : 0));
  const n = counts.reduce((s, c) => s + c, 0);
  const share = (count: number): Estimate =>
    n === 0 ? notEstimated('empty_sample') : n < minCount ? notEstimated('below_min_count') : estimated(count / n);
  return {
    n,
    groups: names.map((group, i) => {
      const observedShare = share(counts[i]);
      return {
        group,
        n: counts[i],
        observedShare,
        referenceShare: reference[group],
        gap: observedShare.value === null ? observedShare : estimated(observedShare.value - reference[group]),
      };
    }),
    chiSquare: chiSquareGoodnessOfFit(
      counts,
      names.map((g) => reference[g]),
      minCount,
    ),
  };
}
