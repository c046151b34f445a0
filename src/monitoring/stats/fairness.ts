// Fairness across groups from their confusion counts: per-group rates with counts, the
// between-group gaps (demographic parity, equalized odds, equal opportunity) and the impact ratio
// against the highest-rate group (the four-fifths rule, 29 CFR 1607.4(D)). Conventions are stated in
// every result and in docs/MONITORING.md.
import { type ConfusionCounts, mergeCounts, type Rates, ratesOf } from './confusion.js';
import { checkMinCount, DEFAULT_MIN_COUNT, type Estimate, estimated, type NullReason, notEstimated } from './estimate.js';
import type { GroupCounts } from './groups.js';

/**
 * How a gap is measured: `between_groups` compares the highest and lowest group (difference max - min,
 * ratio min / max); `to_overall` compares each group with the rate over all rows (difference the
 * largest |group - overall|, ratio the smallest of group / overall and overall / group).
 */
export type Convention = 'between_groups' | 'to_overall';

export type Gap = Estimate & { convention: Convention; groupsCompared: number };

/** A per-group figure measured against one group: the impact ratio, against the highest-rate group. */
export type ImpactRatio = Estimate & {
  convention: 'against_reference_group';
  /** The group compared against (the highest selection rate); null when no group has a rate. */
  referenceGroup: Record<string, string | null> | null;
};

/** The difference and ratio of one rate across groups; groups without an estimate are left out (and listed with their reason). */
export function disparity(rates: readonly Estimate[], convention: Convention, overall?: Estimate): { difference: Gap; ratio: Gap } {
  const values = rates.flatMap((r) => (r.value === null ? [] : [r.value]));
  const groupsCompared = values.length;
  const gap = (e: Estimate): Gap => ({ ...e, convention, groupsCompared });
  if (convention === 'to_overall') {
    if (overall === undefined || overall.value === null) {
      const reason: NullReason = overall?.reason ?? 'empty_group';
      return { difference: gap(notEstimated(reason)), ratio: gap(notEstimated(reason)) };
    }
    if (groupsCompared === 0)
      return { difference: gap(notEstimated('fewer_than_two_groups')), ratio: gap(notEstimated('fewer_than_two_groups')) };
    const o = overall.value;
    const difference = Math.max(...values.map((v) => Math.abs(v - o)));
    // An overall rate of 0 means no group had a case either: a ratio of nothing to nothing.
    if (o === 0) return { difference: gap(estimated(difference)), ratio: gap(notEstimated('all_rates_zero')) };
    return { difference: gap(estimated(difference)), ratio: gap(estimated(Math.min(...values.map((v) => Math.min(v / o, o / v))))) };
  }
  if (groupsCompared < 2)
    return { difference: gap(notEstimated('fewer_than_two_groups')), ratio: gap(notEstimated('fewer_than_two_groups')) };
  const max = Math.max(...values);
  const min = Math.min(...values);
  return {
    difference: gap(estimated(max - min)),
    ratio: gap(max === 0 ? notEstimated('all_rates_zero') : estimated(min / max)),
  };
}

/** The worse (larger difference, smaller ratio) of two gaps; null when either is. */
function worse(a: Gap, b: Gap, pick: (x: number, y: number) => number): Gap {
  if (a.value === null) return a;
  if (b.value === null) return b;
  return { ...estimated(pick(a.value, b.value)), convention: a.convention, groupsCompared: Math.min(a.groupsCompared, b.groupsCompared) };
}

export interface GroupReport extends Rates {
  attributes: Record<string, string | null>;
  counts: ConfusionCounts;
  /** This group's selection rate over the highest group selection rate (against the highest-rate group). */
  impactRatio: ImpactRatio;
  /** Impact ratio below 4/5 (29 CFR 1607.4(D)); null when the impact ratio is. */
  adverseImpact: boolean | null;
}

export interface FairnessReport {
  minCount: number;
  overall: Rates;
  groups: GroupReport[];
  /** Selection rate, between groups. */
  demographicParityDifference: Gap;
  demographicParityRatio: Gap;
  /** The larger of the TPR and FPR differences, between groups. */
  equalizedOddsDifference: Gap;
  /** The smaller of the TPR and FPR ratios, between groups. */
  equalizedOddsRatio: Gap;
  /** TPR, between groups. */
  equalOpportunityDifference: Gap;
}

/**
 * The fairness report of a set of groups (one attribute, or intersections). Every group reports
 * its n; a rate whose denominator is empty or below `minCount` is null with its reason and is left
 * out of the gaps, which say how many groups they compared.
 * @example fairnessReport(countByGroup(rows, ['sex']), { minCount: 30 }).demographicParityRatio
 */
export function fairnessReport(groups: readonly GroupCounts[], options: { minCount?: number } = {}): FairnessReport {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  const rated = groups.map((g) => ({ group: g, rates: ratesOf(g.counts, { minCount }) }));
  const overall = ratesOf(
    groups.reduce((sum, g) => mergeCounts(sum, g.counts), { tp: 0, fp: 0, tn: 0, fn: 0 }),
    { minCount },
  );
  const selection = disparity(
    rated.map((r) => r.rates.selectionRate),
    'between_groups',
  );
  const tpr = disparity(
    rated.map((r) => r.rates.tpr),
    'between_groups',
  );
  const fpr = disparity(
    rated.map((r) => r.rates.fpr),
    'between_groups',
  );
  // The highest selection rate, compared exactly as counts: selected_g / n_g against selected_top / n_top.
  let top: GroupCounts | null = null;
  for (const { group, rates } of rated) {
    if (rates.selectionRate.value !== null && (top === null || rates.selectionRate.value > selected(top.counts) / total(top.counts)))
      top = group;
  }
  return {
    minCount,
    overall,
    groups: rated.map(({ group, rates }) => {
      const impact = impactAgainst(group.counts, rates.selectionRate, top?.counts ?? null);
      return {
        attributes: group.attributes,
        counts: group.counts,
        ...rates,
        impactRatio: { ...impact.ratio, convention: 'against_reference_group', referenceGroup: top?.attributes ?? null },
        adverseImpact: impact.adverse,
      };
    }),
    demographicParityDifference: selection.difference,
    demographicParityRatio: selection.ratio,
    equalizedOddsDifference: worse(tpr.difference, fpr.difference, Math.max),
    equalizedOddsRatio: worse(tpr.ratio, fpr.ratio, Math.min),
    equalOpportunityDifference: tpr.difference,
  };
}

const selected = (c: ConfusionCounts) => c.tp + c.fp;
const total = (c: ConfusionCounts) => c.tp + c.fp + c.tn + c.fn;

/** The impact ratio against the highest-rate group, and whether it falls below four fifths. */
function impactAgainst(counts: ConfusionCounts, own: Estimate, top: ConfusionCounts | null): { ratio: Estimate; adverse: boolean | null } {
  if (own.value === null) return { ratio: own, adverse: null };
  if (top === null || selected(top) === 0) return { ratio: notEstimated('all_rates_zero'), adverse: null };
  // In whole numbers, so a group at exactly 4/5 of the top rate is not read as below it by rounding.
  const adverse = BigInt(selected(counts)) * BigInt(total(top)) * 5n < BigInt(selected(top)) * BigInt(total(counts)) * 4n;
  return { ratio: estimated(selected(counts) / total(counts) / (selected(top) / total(top))), adverse };
}
