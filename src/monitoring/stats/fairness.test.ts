// Performance and fairness rates against fairlearn's published vectors (testdata/upstream-vectors.json),
// the null-with-reason and four-fifths rules, and properties over random decisions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../errors.js';
import { addDecision, type ConfusionCounts, type DecisionRow, emptyCounts, ratesOf } from './confusion.js';
import type { Estimate } from './estimate.js';
import { disparity, fairnessReport } from './fairness.js';
import { countByGroup, type GroupCounts, mergeGroupCounts } from './groups.js';

const vectors = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'testdata', 'upstream-vectors.json'), 'utf8'));

/** fairlearn prints six decimals; compare at that precision. */
function near(actual: Estimate | number | null, expected: number, digits = 6) {
  const value = typeof actual === 'number' || actual === null ? actual : actual.value;
  assert.ok(value !== null, `expected ${expected}, got null (${typeof actual === 'object' && actual ? actual.reason : ''})`);
  assert.ok(Math.abs(value - expected) <= 0.5 * 10 ** -digits + 1e-12, `expected ${expected}, got ${value}`);
}

/** The doctest's `0.4285...`: the printed digits are a truncation of the value. */
function truncated(actual: Estimate | number, expected: number) {
  const value = typeof actual === 'number' ? actual : actual.value;
  assert.ok(value !== null && value >= expected - 1e-12 && value - expected < 1e-4, `expected ${expected}..., got ${value}`);
}

function rowsOf(actual: number[], predicted: number[], attributes: Record<string, string[]> = {}): DecisionRow[] {
  return actual.map((a, i) => ({
    actual: a,
    predicted: predicted[i],
    attributes: Object.fromEntries(Object.entries(attributes).map(([name, values]) => [name, values[i]])),
  }));
}

function counts(tp: number, fp: number, tn: number, fn: number): ConfusionCounts {
  return { tp, fp, tn, fn };
}

function refusal(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

describe('performance and fairness rates', () => {
  test('fairlearn MetricFrame doctest: per-group TPR, FPR, selection rate and count, and the between-group gaps', () => {
    const v = vectors.fairlearn_metricframe_doctest;
    const report = fairnessReport(countByGroup(rowsOf(v.y_true, v.y_pred, { sf: v.sf_data }), ['sf']), { minCount: 1 });
    assert.equal(report.overall.n, v.overall.count);
    near(report.overall.tpr, v.overall.tpr);
    near(report.overall.fpr, v.overall.fpr);
    near(report.overall.selectionRate, v.overall.sel);
    assert.deepEqual(
      report.groups.map((g) => g.attributes.sf),
      ['a', 'b', 'c'],
    );
    for (const group of report.groups) {
      const expected = v.by_group[group.attributes.sf as string];
      assert.equal(group.n, expected.count);
      near(group.tpr, expected.tpr);
      near(group.fpr, expected.fpr);
      near(group.selectionRate, expected.sel);
    }
    near(report.demographicParityDifference, v.demographic_parity_difference);
    near(report.demographicParityRatio, v.demographic_parity_ratio);
    near(report.equalizedOddsDifference, v.equalized_odds_difference);
    near(report.equalizedOddsRatio, v.equalized_odds_ratio);
    near(report.equalOpportunityDifference, v.difference_between_groups.tpr);
    for (const gap of [report.demographicParityDifference, report.equalizedOddsRatio, report.equalOpportunityDifference]) {
      assert.equal(gap.convention, 'between_groups');
      assert.equal(gap.groupsCompared, 3);
    }
  });

  test('fairlearn MetricFrame doctest: differences and ratios between groups and to overall', () => {
    const v = vectors.fairlearn_metricframe_doctest;
    const groups = countByGroup(rowsOf(v.y_true, v.y_pred, { sf: v.sf_data }), ['sf']);
    const report = fairnessReport(groups, { minCount: 1 });
    for (const [metric, key] of [
      ['tpr', 'tpr'],
      ['fpr', 'fpr'],
      ['sel', 'selectionRate'],
    ] as const) {
      const rates = report.groups.map((g) => g[key]);
      const between = disparity(rates, 'between_groups');
      near(between.difference, v.difference_between_groups[metric]);
      near(between.ratio, v.ratio_between_groups[metric]);
      const toOverall = disparity(rates, 'to_overall', report.overall[key]);
      assert.equal(toOverall.ratio.convention, 'to_overall');
      near(toOverall.difference, v.difference_to_overall[metric]);
      near(toOverall.ratio, v.ratio_to_overall[metric]);
    }
  });

  test('fairlearn intersecting groups: precision and recall per combination of two attributes, each with its count', () => {
    const d = vectors.fairlearn_metricframe_doctest;
    const v = vectors.fairlearn_intersecting_groups;
    const groups = countByGroup(rowsOf(d.y_true, d.y_pred, { sf0: d.sf_data, sf1: v.g_2 }), ['sf0', 'sf1']);
    const report = fairnessReport(groups, { minCount: 1 });
    near(report.overall.precision, v.overall.precision);
    near(report.overall.tpr, v.overall.recall);
    assert.deepEqual(
      report.groups.map((g) => g.attributes),
      v.by_group.map((e: { sf0: string; sf1: string }) => ({ sf0: e.sf0, sf1: e.sf1 })),
    );
    report.groups.forEach((group, i) => {
      const expected = v.by_group[i];
      assert.equal(group.n, expected.count);
      near(group.tpr, expected.recall);
      // fairlearn reads precision 0 where scikit-learn's zero_division applies; here a group with no
      // predicted positive says so instead.
      if (group.counts.tp + group.counts.fp === 0) assert.deepEqual(group.precision, { value: null, reason: 'no_predicted_positives' });
      else near(group.precision, expected.precision);
    });
  });

  test('fairlearn control features: the error rate of each sensitive group within each control stratum', () => {
    const v = vectors.fairlearn_control_features;
    const rows = rowsOf(v.decision, v.prediction, { cf: v.control_feature, sf: v.sensitive_feature });
    const groups = countByGroup(rows, ['cf', 'sf']);
    for (const expected of v.accuracy_by_group) {
      const group = groups.find((g) => g.attributes.cf === expected.cf && g.attributes.sf === expected.sf)!;
      truncated(1 - (ratesOf(group.counts, { minCount: 1 }).errorRate.value as number), expected.accuracy);
    }
    for (const cf of ['H', 'L']) {
      const stratum = groups.filter((g) => g.attributes.cf === cf);
      const errorRates = stratum.map((g) => ratesOf(g.counts, { minCount: 1 }).errorRate);
      truncated(disparity(errorRates, 'between_groups').difference, v.difference_between_groups_by_cf[cf]);
      const overall = countByGroup(
        rows.filter((r) => r.attributes?.cf === cf),
        ['cf'],
      )[0];
      truncated(1 - (ratesOf(overall.counts, { minCount: 1 }).errorRate.value as number), v.accuracy_overall_by_cf[cf]);
    }
  });

  test('fairlearn rate vectors: TNR and selection rate', () => {
    for (const c of vectors.fairlearn_tnr.cases) {
      const [group] = countByGroup(rowsOf(c.y_true, c.y_pred), ['none']);
      near(ratesOf(group.counts, { minCount: 1 }).tnr, c.tnr);
    }
    const s = vectors.fairlearn_selection_rate;
    const [group] = countByGroup(rowsOf(s.y_true, s.y_pred), ['none']);
    near(ratesOf(group.counts, { minCount: 1 }).selectionRate, s.selection_rate);
  });

  test('a rate over nothing is null with its reason, never 0 (where fairlearn reads 0)', () => {
    const v = vectors.fairlearn_single_value_arrays;
    const [group] = countByGroup(rowsOf(v.y_true, v.y_pred), ['none']);
    const rates = ratesOf(group.counts, { minCount: 1 });
    near(rates.fpr, v.fairlearn.fpr);
    near(rates.tnr, v.fairlearn.tnr);
    // fairlearn: tpr 0 and fnr 0 with no actual positive at all. Here: no estimate, and why.
    assert.deepEqual(rates.tpr, { value: null, reason: 'no_actual_positives' });
    assert.deepEqual(rates.fnr, { value: null, reason: 'no_actual_positives' });
    assert.deepEqual(rates.precision, { value: null, reason: 'no_predicted_positives' });
    assert.equal(rates.n, 10);
    const empty = ratesOf(emptyCounts(), { minCount: 1 });
    assert.equal(empty.n, 0);
    for (const key of ['errorRate', 'selectionRate', 'tpr', 'fpr', 'fnr', 'tnr', 'precision'] as const) {
      assert.deepEqual(empty[key], { value: null, reason: 'empty_group' }, key);
    }
    const onlyPositives = ratesOf(counts(3, 0, 0, 1), { minCount: 1 });
    assert.deepEqual(onlyPositives.fpr, { value: null, reason: 'no_actual_negatives' });
    assert.deepEqual(onlyPositives.tnr, { value: null, reason: 'no_actual_negatives' });
    near(onlyPositives.tpr, 0.75);
  });

  test('below the minimum count a rate is null and left out of the gaps, which say how many groups they compared', () => {
    const groups: GroupCounts[] = [
      { attributes: { sex: 'F' }, counts: counts(20, 10, 60, 10) },
      { attributes: { sex: 'M' }, counts: counts(30, 20, 40, 10) },
      { attributes: { sex: 'X' }, counts: counts(1, 0, 2, 0) },
    ];
    const report = fairnessReport(groups, { minCount: 30 });
    const x = report.groups.find((g) => g.attributes.sex === 'X')!;
    assert.equal(x.n, 3);
    assert.deepEqual(x.selectionRate, { value: null, reason: 'below_min_count' });
    assert.deepEqual(x.impactRatio, {
      value: null,
      reason: 'below_min_count',
      convention: 'against_reference_group',
      referenceGroup: { sex: 'M' },
    });
    assert.equal(x.adverseImpact, null);
    // F: selection 0.3, TPR 20/30 = 0.667 (30 positives: enough); M: selection 0.5, TPR 30/40 = 0.75.
    near(report.demographicParityDifference, 0.2);
    assert.equal(report.demographicParityDifference.groupsCompared, 2);
    near(report.equalOpportunityDifference, 0.75 - 20 / 30);
    // F has 70 negatives, M 60: FPR 1/7 and 1/3. The worse of the two gaps is the FPR one.
    near(report.equalizedOddsDifference, 1 / 3 - 1 / 7);
    // One positive fewer and F's TPR has 29 rows: then equal opportunity has one group only.
    const fewer = fairnessReport([{ attributes: { sex: 'F' }, counts: counts(20, 10, 61, 9) }, groups[1]], { minCount: 30 });
    assert.deepEqual(fewer.groups[0].tpr, { value: null, reason: 'below_min_count' });
    assert.equal(fewer.equalOpportunityDifference.value, null);
    assert.equal(fewer.equalOpportunityDifference.reason, 'fewer_than_two_groups');
    assert.equal(fewer.equalOpportunityDifference.groupsCompared, 1);
    assert.equal(fewer.equalizedOddsDifference.reason, 'fewer_than_two_groups');
    assert.equal(fewer.equalizedOddsRatio.reason, 'fewer_than_two_groups');
    // At exactly the minimum the rate counts.
    near(fairnessReport([{ attributes: { sex: 'F' }, counts: counts(20, 10, 60, 10) }], { minCount: 30 }).groups[0].tpr, 20 / 30);
  });

  test('the impact ratio is against the highest-rate group; exactly four fifths is not adverse impact, just below is', () => {
    const report = fairnessReport(
      [
        { attributes: { g: 'top' }, counts: counts(50, 0, 50, 0) }, // selection 0.5
        { attributes: { g: 'at' }, counts: counts(40, 0, 60, 0) }, // 0.4 = 4/5 of 0.5
        { attributes: { g: 'below' }, counts: counts(3999, 0, 6001, 0) }, // 0.3999
        { attributes: { g: 'none' }, counts: counts(0, 0, 100, 0) }, // 0
      ],
      { minCount: 1 },
    );
    const byName = Object.fromEntries(report.groups.map((g) => [g.attributes.g, g]));
    // Each group's ratio says what it is measured against, and which group that is.
    for (const g of report.groups) {
      assert.equal(g.impactRatio.convention, 'against_reference_group');
      assert.deepEqual(g.impactRatio.referenceGroup, { g: 'top' });
    }
    assert.deepEqual(byName.top.impactRatio, {
      value: 1,
      reason: null,
      convention: 'against_reference_group',
      referenceGroup: { g: 'top' },
    });
    assert.equal(byName.top.adverseImpact, false);
    near(byName.at.impactRatio, 0.8);
    assert.equal(byName.at.adverseImpact, false);
    near(byName.below.impactRatio, 0.7998);
    assert.equal(byName.below.adverseImpact, true);
    assert.equal(byName.none.impactRatio.value, 0);
    assert.equal(byName.none.impactRatio.reason, null);
    assert.equal(byName.none.adverseImpact, true);
  });

  test('when every group selects no one, ratios are null (all_rates_zero) and the difference is 0', () => {
    const report = fairnessReport(
      [
        { attributes: { g: 'a' }, counts: counts(0, 0, 10, 5) },
        { attributes: { g: 'b' }, counts: counts(0, 0, 20, 5) },
      ],
      { minCount: 1 },
    );
    assert.deepEqual(report.demographicParityDifference.value, 0);
    assert.equal(report.demographicParityRatio.value, null);
    assert.equal(report.demographicParityRatio.reason, 'all_rates_zero');
    assert.equal(report.equalizedOddsRatio.reason, 'all_rates_zero');
    for (const g of report.groups) {
      // The highest rate is 0: a reference group exists, but nothing can be measured against it.
      assert.deepEqual(g.impactRatio, {
        value: null,
        reason: 'all_rates_zero',
        convention: 'against_reference_group',
        referenceGroup: { g: 'a' },
      });
      assert.equal(g.adverseImpact, null);
    }
    const single = fairnessReport([{ attributes: { g: 'a' }, counts: counts(1, 1, 1, 1) }], { minCount: 1 });
    assert.equal(single.demographicParityDifference.reason, 'fewer_than_two_groups');
    assert.deepEqual(
      disparity([{ value: 0.5, reason: null }], 'to_overall', { value: null, reason: 'empty_group' }).ratio.reason,
      'empty_group',
    );
  });

  test('to overall: no overall rate, no group, or an overall rate of 0 give null with the reason', () => {
    const half = { value: 0.5, reason: null } as const;
    assert.equal(disparity([half], 'to_overall').ratio.reason, 'empty_group');
    assert.equal(disparity([half], 'to_overall', { value: null, reason: 'below_min_count' }).difference.reason, 'below_min_count');
    const none = disparity([{ value: null, reason: 'below_min_count' }], 'to_overall', half);
    assert.deepEqual(
      [none.difference.reason, none.ratio.reason, none.ratio.groupsCompared],
      ['fewer_than_two_groups', 'fewer_than_two_groups', 0],
    );
    const zero = disparity(
      [
        { value: 0, reason: null },
        { value: 0, reason: null },
      ],
      'to_overall',
      { value: 0, reason: null },
    );
    assert.deepEqual([zero.difference.value, zero.ratio.value, zero.ratio.reason], [0, null, 'all_rates_zero']);
    const same = disparity([half, half], 'to_overall', half);
    assert.deepEqual([same.difference.value, same.ratio.value], [0, 1]);
  });

  test("equalized odds needs both gaps: null with the missing one's reason, and counts the groups both compared", () => {
    const base = [
      { attributes: { g: 'a' }, counts: counts(5, 2, 8, 5) },
      { attributes: { g: 'b' }, counts: counts(6, 1, 9, 4) },
    ];
    // Two groups: TPR 0.5 and 0.8, FPR 0.2 and 0.1. The worse difference is TPR's, the worse ratio FPR's.
    const two = fairnessReport([base[0], { attributes: { g: 'b' }, counts: counts(8, 1, 9, 2) }], { minCount: 1 });
    near(two.equalizedOddsDifference, 0.3);
    near(two.equalizedOddsRatio, 0.5);
    // c has positives only: a TPR, no FPR. Then the TPR gap compares 3 groups, the FPR gap 2.
    const report = fairnessReport([...base, { attributes: { g: 'c' }, counts: counts(3, 0, 0, 7) }], { minCount: 1 });
    assert.equal(report.equalOpportunityDifference.groupsCompared, 3);
    assert.equal(report.equalizedOddsDifference.groupsCompared, 2);
    assert.equal(report.equalizedOddsRatio.groupsCompared, 2);
    // With b's negatives gone as well, only a has an FPR: the TPR gap stands, equalized odds does not.
    const oneFpr = fairnessReport(
      [base[0], { attributes: { g: 'b' }, counts: counts(6, 0, 0, 4) }, { attributes: { g: 'c' }, counts: counts(3, 0, 0, 7) }],
      { minCount: 1 },
    );
    assert.equal(oneFpr.equalOpportunityDifference.reason, null);
    assert.deepEqual([oneFpr.equalizedOddsDifference.value, oneFpr.equalizedOddsDifference.reason], [null, 'fewer_than_two_groups']);
    assert.deepEqual([oneFpr.equalizedOddsRatio.value, oneFpr.equalizedOddsRatio.reason], [null, 'fewer_than_two_groups']);
  });

  test('a group below the minimum count is never the highest-rate group, however high its rate', () => {
    const report = fairnessReport(
      [
        { attributes: { g: 'a-small' }, counts: counts(3, 0, 0, 0) }, // selects everyone, but 3 rows
        { attributes: { g: 'b' }, counts: counts(20, 0, 20, 0) }, // 0.5
        { attributes: { g: 'c' }, counts: counts(10, 0, 30, 0) }, // 0.25
      ],
      { minCount: 30 },
    );
    assert.deepEqual(
      report.groups.map((g) => [g.attributes.g, g.impactRatio.value, g.adverseImpact]),
      [
        ['a-small', null, null],
        ['b', 1, false],
        ['c', 0.5, true],
      ],
    );
  });

  test('outcomes other than 0 and 1, counts that are not whole, and a minimum count below 1 are refused as validation_failed', () => {
    assert.throws(() => addDecision(emptyCounts(), 2, 1), refusal('validation_failed'));
    assert.throws(() => addDecision(emptyCounts(), 1, -1), refusal('validation_failed'));
    assert.throws(() => countByGroup([{ actual: 1, predicted: 0.5 }], ['g']), refusal('validation_failed'));
    assert.throws(() => countByGroup([{ actual: 1, predicted: 1 }], []), refusal('validation_failed'));
    assert.throws(() => ratesOf(counts(1, -1, 0, 0)), refusal('validation_failed'));
    assert.throws(() => ratesOf(counts(1.5, 0, 0, 0)), refusal('validation_failed'));
    for (const minCount of [0, -3, 2.5, Number.NaN]) {
      assert.throws(() => fairnessReport([], { minCount }), refusal('validation_failed'), String(minCount));
    }
    const c = emptyCounts();
    addDecision(c, 1, 0);
    assert.deepEqual(c, counts(0, 0, 0, 1));
  });

  test('a missing attribute is its own group, and values that look alike stay apart', () => {
    const groups = countByGroup(
      [
        { actual: 1, predicted: 1, attributes: { a: 'x:1', b: '' } },
        { actual: 1, predicted: 1, attributes: { a: 'x', b: '1:' } },
        { actual: 0, predicted: 1, attributes: { a: 'x' } },
        { actual: 0, predicted: 0 },
      ],
      ['a', 'b'],
    );
    assert.equal(groups.length, 4);
    assert.deepEqual(
      groups.map((g) => countOfGroup(g)),
      [1, 1, 1, 1],
    );
    assert.ok(groups.some((g) => g.attributes.a === null && g.attributes.b === null));
    const single = countByGroup(
      [
        { actual: 0, predicted: 0 },
        { actual: 1, predicted: 0, attributes: { a: 'null' } },
      ],
      ['a'],
    );
    assert.deepEqual(
      single.map((g) => g.attributes.a),
      [null, 'null'],
    );
  });
});

const countOfGroup = (g: GroupCounts) => g.counts.tp + g.counts.fp + g.counts.tn + g.counts.fn;

describe('fairness properties over random decisions', () => {
  const row = fc.record({
    actual: fc.integer({ min: 0, max: 1 }),
    predicted: fc.integer({ min: 0, max: 1 }),
    attributes: fc.record({ sex: fc.constantFrom('F', 'M', 'X'), age: fc.constantFrom('young', 'old') }),
  });
  const rows = fc.array(row, { maxLength: 300 });
  const minCount = fc.integer({ min: 1, max: 8 });

  test('ratios lie in [0, 1] and differences are at least 0, for single attributes and intersections', () => {
    fc.assert(
      fc.property(rows, minCount, fc.constantFrom(['sex'], ['age'], ['sex', 'age']), (rs, min, names) => {
        const report = fairnessReport(countByGroup(rs, names), { minCount: min });
        for (const ratio of [report.demographicParityRatio, report.equalizedOddsRatio]) {
          if (ratio.value !== null) assert.ok(ratio.value >= 0 && ratio.value <= 1, `ratio ${ratio.value}`);
        }
        for (const diff of [report.demographicParityDifference, report.equalizedOddsDifference, report.equalOpportunityDifference]) {
          if (diff.value !== null) assert.ok(diff.value >= 0 && diff.value <= 1, `difference ${diff.value}`);
        }
        for (const g of report.groups) {
          if (g.impactRatio.value !== null) assert.ok(g.impactRatio.value >= 0 && g.impactRatio.value <= 1);
          assert.equal(g.adverseImpact === null, g.impactRatio.value === null);
          // Four fifths is decided in whole numbers; away from the boundary it agrees with the ratio.
          if (g.impactRatio.value !== null && Math.abs(g.impactRatio.value - 0.8) > 1e-9)
            assert.equal(g.adverseImpact, g.impactRatio.value < 0.8);
          for (const key of ['errorRate', 'selectionRate', 'tpr', 'fpr', 'fnr', 'tnr', 'precision'] as const) {
            const e = g[key];
            assert.ok(e.value === null ? e.reason !== null : e.value >= 0 && e.value <= 1, `${key}`);
          }
        }
        assert.equal(
          report.groups.reduce((s, g) => s + g.n, 0),
          rs.length,
        );
      }),
    );
  });

  test('the report does not depend on the order of the rows', () => {
    fc.assert(
      fc.property(
        rows.chain((rs) => fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length }))),
        minCount,
        ([rs, shuffled], min) => {
          assert.deepEqual(
            fairnessReport(countByGroup(shuffled, ['sex', 'age']), { minCount: min }),
            fairnessReport(countByGroup(rs, ['sex', 'age']), { minCount: min }),
          );
        },
      ),
    );
  });

  test('two windows merged give the counts and the report of the whole', () => {
    fc.assert(
      fc.property(rows, rows, minCount, (first, second, min) => {
        const merged = mergeGroupCounts(['sex'], countByGroup(first, ['sex']), countByGroup(second, ['sex']));
        const whole = countByGroup([...first, ...second], ['sex']);
        assert.deepEqual(merged, whole);
        assert.deepEqual(fairnessReport(merged, { minCount: min }), fairnessReport(whole, { minCount: min }));
      }),
    );
  });
});
