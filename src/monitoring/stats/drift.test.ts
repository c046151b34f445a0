// Drift statistics against SciPy's values (testdata/scipy-vectors.json, written by scipy-vectors.py)
// and Evidently's vectors (testdata/upstream-vectors.json), the frozen baseline, and properties.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../errors.js';
import { chiSquareHomogeneity, chiSquareSurvival } from './chi-square.js';
import { jensenShannon, PSI_EMPTY_SHARE, psi } from './distances.js';
import { categoricalDrift, freezeNumericBaseline, fromSketches, numericDrift, numericDriftFromBaseline, sortedCopy } from './drift.js';
import type { Estimate } from './estimate.js';
import { KS_EXACT_MAX_N, kolmogorovSurvival, ksExactPValue, ksTwoSample } from './ks.js';
import { mergeCategoricalSketches, mergeNumericSketches, quantileEdges, sketchCategories, sketchSorted, sketchValues } from './sketches.js';
import { sortFloat64 } from './sort.js';

const testdata = (name: string) => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8'));
const scipy = testdata('scipy-vectors.json');
const upstream = testdata('upstream-vectors.json');

function close(actual: Estimate | number, expected: number, tolerance: number, what = '') {
  const value = typeof actual === 'number' ? actual : actual.value;
  assert.ok(value !== null, `${what}: null`);
  assert.ok(Math.abs(value - expected) <= tolerance, `${what}: expected ${expected}, got ${value}`);
}

function refusal(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

/** The same IEEE operations as scipy-vectors.py's golden(): the large samples need no file. */
const golden = (s: { n: number; step: number; factor: number }) =>
  Float64Array.from({ length: s.n }, (_, i) => ((i * s.step) % 1) * s.factor);

const repeat = (values: number[], times: number[]) => values.flatMap((v, i) => Array<string>(times[i]).fill(String(v)));

describe('two-sample Kolmogorov-Smirnov', () => {
  test('statistic and exact p-value equal scipy ks_2samp(method=exact) on small samples, ties included', () => {
    for (const c of scipy.ks_small_exact) {
      const result = ksTwoSample(sortedCopy(c.reference), sortedCopy(c.current));
      assert.equal(result.method, 'exact', c.name);
      close(result.statistic, c.statistic, 1e-12, c.name);
      close(result.pValue, c.pvalue, 1e-10 + 1e-9 * c.pvalue, c.name);
      const swapped = ksTwoSample(sortedCopy(c.current), sortedCopy(c.reference));
      close(swapped.pValue, c.pvalue, 1e-10, `${c.name} swapped`);
    }
  });

  test(`above ${KS_EXACT_MAX_N} values the p-value is the Kolmogorov limit, within 2% of scipy's auto method`, () => {
    for (const c of scipy.ks_large) {
      const result = ksTwoSample(sortedCopy(golden(c.reference)), sortedCopy(golden(c.current)));
      assert.equal(result.method, 'asymptotic');
      close(result.statistic, c.statistic, 1e-12, 'statistic');
      close(result.pValue, c.pvalue_kolmogorov_limit, 1e-9, 'limit');
      close(result.pValue, c.pvalue_scipy_auto, 0.02 * c.pvalue_scipy_auto + 1e-12, 'scipy auto');
    }
  });

  test('the Kolmogorov survival function equals scipy kstwobign.sf on both of its series', () => {
    for (const c of scipy.kolmogorov_sf) close(kolmogorovSurvival(c.x), c.sf, 1e-12, `x = ${c.x}`);
    assert.equal(kolmogorovSurvival(0), 1);
    assert.equal(kolmogorovSurvival(-1), 1);
  });

  test('the exact p-value at the band edge: identical samples give 1, disjoint ones the smallest possible', () => {
    const a = Float64Array.of(1, 2, 3, 4);
    assert.deepEqual(ksTwoSample(a, a).pValue, { value: 1, reason: null });
    const disjoint = ksTwoSample(a, Float64Array.of(5, 6, 7));
    assert.deepEqual(disjoint.statistic, { value: 1, reason: null });
    // Only 2 of the C(7, 3) = 35 orderings put one sample wholly before the other.
    close(disjoint.pValue, 2 / 35, 1e-15);
    close(ksExactPValue(1, 3, 4), 2 / 35, 1e-15);
    // Far in the tail (here 2 / C(120, 60), about 2e-35) the p-value is 0 without the walk, as the walk reads it.
    const apart = ksTwoSample(
      Float64Array.from({ length: 60 }, (_, i) => i),
      Float64Array.from({ length: 60 }, (_, i) => 100 + i),
    );
    assert.deepEqual([apart.method, apart.pValue.value], ['exact', 0]);
    assert.ok(ksExactPValue(1, 60, 60) < 1e-15);
    const wide = ksTwoSample(
      Float64Array.from({ length: 10_000 }, (_, i) => i),
      Float64Array.from({ length: 10_000 }, (_, i) => 5000 + i),
    );
    assert.deepEqual([wide.method, wide.statistic.value, wide.pValue.value], ['exact', 0.5, 0]);
  });

  test('an empty sample is null with a reason; unsorted or NaN input is refused as validation_failed', () => {
    const empty = ksTwoSample(new Float64Array(0), Float64Array.of(1));
    assert.deepEqual(empty.statistic, { value: null, reason: 'empty_sample' });
    assert.deepEqual(empty.pValue, { value: null, reason: 'empty_sample' });
    assert.throws(() => ksTwoSample(Float64Array.of(2, 1), Float64Array.of(1)), refusal('validation_failed'));
    assert.throws(() => ksTwoSample(Float64Array.of(1, Number.NaN), Float64Array.of(1)), refusal('validation_failed'));
    assert.throws(() => numericDrift([1, Number.NaN], [1, 2]), refusal('validation_failed'));
  });
});

describe('chi-square, PSI and Jensen-Shannon', () => {
  test('the chi-square survival function equals scipy chi2.sf', () => {
    for (const c of scipy.chi2_sf) close(chiSquareSurvival(c.x, c.df), c.sf, 1e-9 * Math.max(1, c.sf) + 1e-13, `x=${c.x} df=${c.df}`);
    assert.equal(chiSquareSurvival(0, 3), 1);
  });

  test('the test of homogeneity equals scipy chi2_contingency(correction=False)', () => {
    for (const c of scipy.chi2_contingency) {
      const result = chiSquareHomogeneity(c.reference, c.current);
      close(result.statistic, c.statistic, 1e-9);
      close(result.pValue, c.pvalue, 1e-12);
      assert.equal(result.degreesOfFreedom, c.df);
    }
  });

  test("Evidently's PSI vector (categories 1, 2, 3: reference 3, 2, 2 against current 1, 2, 3) gives 2.93", () => {
    const v = upstream.evidently_psi;
    const drift = categoricalDrift(sketchCategories(v.reference.map(String)), sketchCategories(v.current.map(String)), { minCount: 1 });
    close(drift.psi, v.drift_score, v.abs);
    // By hand: the empty bin counts as PSI_EMPTY_SHARE.
    const third = 1 / 3;
    close(drift.psi, (third - PSI_EMPTY_SHARE) * Math.log(third / PSI_EMPTY_SHARE) + (third - 2 * third) * Math.log(0.5), 1e-12);
    assert.deepEqual(
      drift.categories.map((c) => [c.category, c.reference, c.current]),
      [
        ['1', 0, 1],
        ['2', 2, 1],
        ['3', 1, 1],
      ],
    );
  });

  test('Jensen-Shannon distance equals scipy jensenshannon(base=2)', () => {
    for (const c of scipy.jensenshannon_base2) {
      // Shares as counts out of 1000: the distance reads shares.
      close(
        jensenShannon(
          c.p.map((x: number) => Math.round(x * 1000)),
          c.q.map((x: number) => Math.round(x * 1000)),
        ),
        c.distance,
        1e-12,
      );
    }
  });

  test('categorical drift is a two-sample test: a new category is counted, not an infinite statistic', () => {
    const drift = categoricalDrift({ a: 50, b: 50 }, { a: 40, b: 40, c: 20 }, { minCount: 1 });
    assert.equal(drift.chiSquare.degreesOfFreedom, 2);
    assert.ok(drift.chiSquare.pValue.value !== null && drift.chiSquare.pValue.value < 1e-4);
    assert.ok(Number.isFinite(drift.psi.value));
    const same = categoricalDrift({ a: 10, b: 10, c: 10 }, { a: 10, b: 10, c: 10 }, { minCount: 1 });
    assert.deepEqual(same.chiSquare.pValue, { value: 1, reason: null });
    assert.deepEqual(same.psi, { value: 0, reason: null });
    assert.deepEqual(same.jensenShannon, { value: 0, reason: null });
  });

  test('drift over an empty or too small sample, or one category only, is null with its reason', () => {
    const empty = categoricalDrift({ a: 3 }, {}, { minCount: 1 });
    assert.deepEqual(
      [empty.psi.reason, empty.jensenShannon.reason, empty.chiSquare.pValue.reason],
      ['empty_sample', 'empty_sample', 'empty_sample'],
    );
    const small = categoricalDrift({ a: 3, b: 4 }, { a: 5, b: 1 });
    assert.deepEqual([small.psi.reason, small.chiSquare.statistic.reason], ['below_min_count', 'below_min_count']);
    const single = categoricalDrift({ a: 40 }, { a: 50 });
    assert.equal(single.chiSquare.pValue.reason, 'single_category');
    assert.deepEqual(single.psi, { value: 0, reason: null });
    const numeric = numericDrift([], [1, 2, 3], { minCount: 1 });
    assert.deepEqual(
      [numeric.psi.reason, numeric.jensenShannon.reason, numeric.ks.pValue.reason],
      ['empty_sample', 'empty_sample', 'empty_sample'],
    );
    const few = numericDrift([1, 2, 3], [1, 2, 3]);
    assert.deepEqual([few.psi.reason, few.ks.statistic.reason], ['below_min_count', 'below_min_count']);
    assert.deepEqual(psi([0, 0], [1, 2]), { value: null, reason: 'empty_sample' });
  });

  test('mismatched bins, counts that are not whole, bad edges and bin numbers are refused as validation_failed', () => {
    assert.throws(() => psi([1, 2], [1, 2, 3]), refusal('validation_failed'));
    assert.throws(() => jensenShannon([1, -2], [1, 2]), refusal('validation_failed'));
    assert.throws(() => chiSquareHomogeneity([1, 2], [1]), refusal('validation_failed'));
    assert.throws(() => chiSquareHomogeneity([1, 2.5], [1, 2]), refusal('validation_failed'));
    assert.throws(() => sketchValues([1], [2, 1]), refusal('validation_failed'));
    assert.throws(() => sketchValues([1], [1, Number.POSITIVE_INFINITY]), refusal('validation_failed'));
    assert.throws(() => sketchValues([Number.NaN], [1]), refusal('validation_failed'));
    assert.throws(() => quantileEdges(Float64Array.of(1), 0), refusal('validation_failed'));
    assert.throws(() => mergeNumericSketches({ edges: [1], counts: [1, 1] }, { edges: [2], counts: [1, 1] }), refusal('validation_failed'));
    assert.throws(() => fromSketches({ edges: [1], counts: [1, 1, 1] }, { edges: [1], counts: [1, 1] }), refusal('validation_failed'));
    assert.throws(() => numericDriftFromBaseline({ edges: [1, 2], counts: [1, -1, 1] }, [1]), refusal('validation_failed'));
  });
});

describe('numeric drift: bins, frozen baselines, properties', () => {
  test('bins are the reference quantiles; values on an edge count in the bin above it', () => {
    const sorted = sortedCopy([5, 1, 2, 2, 3, 4, 4, 4, 6, 7]);
    const edges = quantileEdges(sorted, 5);
    assert.deepEqual(edges, [2, 4, 6]);
    assert.deepEqual(sketchSorted(sorted, edges).counts, [1, 3, 4, 2]);
    assert.deepEqual(sketchValues([5, 1, 2, 2, 3, 4, 4, 4, 6, 7], edges).counts, [1, 3, 4, 2]);
    assert.deepEqual(quantileEdges(sortedCopy([3, 3, 3]), 4), []);
  });

  test('a frozen baseline gives the same PSI and Jensen-Shannon as its window did, and a binned KS no larger than the exact one', () => {
    const reference = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 3 + (i % 7));
    const current = Float64Array.from({ length: 4000 }, (_, i) => Math.sin(i * 1.3) * 3 + (i % 5) + 2);
    const fromWindow = numericDrift(reference, current);
    const baseline = freezeNumericBaseline(reference);
    assert.deepEqual(JSON.parse(JSON.stringify(baseline)), baseline, 'a baseline is plain data, stored as it is');
    const fromBaseline = numericDriftFromBaseline(baseline, current);
    assert.deepEqual(fromBaseline.psi, fromWindow.psi);
    assert.deepEqual(fromBaseline.jensenShannon, fromWindow.jensenShannon);
    assert.equal(fromWindow.ks.from, 'values');
    assert.equal(fromBaseline.ks.from, 'bins');
    assert.ok((fromBaseline.ks.statistic.value as number) <= (fromWindow.ks.statistic.value as number));
    assert.ok((fromBaseline.ks.pValue.value as number) >= (fromWindow.ks.pValue.value as number));
    assert.ok((fromWindow.psi.value as number) > 0.1, 'this current window has drifted');
  });

  const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 120 });
  const small = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 120 });

  test('PSI is at least 0, Jensen-Shannon and KS lie in [0, 1], a sample against itself shows no drift', () => {
    fc.assert(
      fc.property(fc.oneof(values, small), fc.oneof(values, small), fc.integer({ min: 1, max: 20 }), (a, b, bins) => {
        const drift = numericDrift(a, b, { bins, minCount: 1 });
        assert.ok((drift.psi.value as number) >= 0);
        assert.ok((drift.jensenShannon.value as number) >= 0 && (drift.jensenShannon.value as number) <= 1);
        const d = drift.ks.statistic.value as number;
        const p = drift.ks.pValue.value as number;
        assert.ok(d >= 0 && d <= 1 && p >= 0 && p <= 1, `D ${d} p ${p}`);
        const self = numericDrift(a, a, { bins, minCount: 1 });
        assert.deepEqual([self.psi.value, self.jensenShannon.value, self.ks.statistic.value, self.ks.pValue.value], [0, 0, 0, 1]);
        assert.equal(drift.n.reference, a.length);
        assert.equal(
          drift.current.counts.reduce((s, c) => s + c, 0),
          b.length,
        );
      }),
    );
  });

  test('drift does not depend on the order of the values, and two windows merged are the sketch of the whole', () => {
    fc.assert(
      fc.property(values, values, values, (reference, first, second) => {
        const edges = quantileEdges(sortedCopy(reference), 8);
        const whole = [...first, ...second];
        assert.deepEqual(mergeNumericSketches(sketchValues(first, edges), sketchValues(second, edges)), sketchValues(whole, edges));
        assert.deepEqual(numericDrift(reference, [...whole].reverse(), { minCount: 1 }), numericDrift(reference, whole, { minCount: 1 }));
        const categories = (xs: number[]) => xs.map((x) => String(Math.round(x) % 4));
        assert.deepEqual(
          mergeCategoricalSketches(sketchCategories(categories(first)), sketchCategories(categories(second))),
          sketchCategories(categories(whole)),
        );
      }),
    );
  });

  test('the exact KS p-value agrees with counting every ordering of two tiny samples', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (n, m, pick) => {
        // All C(n+m, n) orderings of n reference and m current values, and the D of each.
        const ds: number[] = [];
        const walk = (i: number, j: number, d: number) => {
          if (i === n && j === m) return void ds.push(d);
          if (i < n) walk(i + 1, j, Math.max(d, Math.abs((i + 1) / n - j / m)));
          if (j < m) walk(i, j + 1, Math.max(d, Math.abs(i / n - (j + 1) / m)));
        };
        walk(0, 0, 0);
        const d = ds[pick % ds.length];
        const share = ds.filter((x) => x >= d - 1e-12).length / ds.length;
        close(ksExactPValue(d, n, m), share, 1e-12, `n=${n} m=${m} d=${d}`);
      }),
    );
  });

  test("Evidently's chi-square vectors are a goodness of fit; drift's test of homogeneity differs on purpose", () => {
    const v = upstream.evidently_chi_square;
    const reference = sketchCategories(repeat(v.categories, v.reference_counts));
    const doubled = sketchCategories(repeat(v.categories, v.reference_counts_doubled));
    const current = sketchCategories(repeat(v.categories, v.current_counts));
    // Evidently reads the same p-value for both references, as if the reference were the population.
    // Two samples carry the reference's own noise too: a larger p-value, nearing Evidently's as the
    // reference grows (88, then 176 values).
    const p88 = categoricalDrift(reference, current).chiSquare.pValue.value as number;
    const p176 = categoricalDrift(doubled, current).chiSquare.pValue.value as number;
    assert.ok(p88 > p176 && p176 > v.p_value, `${p88} ${p176}`);
    close(p88, 0.8985262394026607, 1e-9, 'chi2_contingency of the 88 against 88');
  });

  test('the radix sort orders doubles exactly as Float64Array sort does: signs, zeros, infinities, subnormals, repeats', () => {
    const special = [
      -0,
      0,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      1,
      -1,
    ];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(...special), fc.integer({ min: -3, max: 3 })), {
          minLength: 4100,
          maxLength: 6000,
        }),
        (xs) => {
          const radix = sortFloat64(Float64Array.from(xs));
          const builtin = Float64Array.from(xs).sort();
          assert.ok(
            radix.every((x, i) => Object.is(x, builtin[i])),
            'same order, -0 before +0',
          );
        },
      ),
      { numRuns: 30 },
    );
    const sub = new Float64Array(10_000).map((_, i) => (i % 3) - 1 + i * 1e-9);
    assert.deepEqual(sortFloat64(sub.subarray(5000)), sub.slice(5000).sort(), 'a view into a larger buffer sorts in place');
    assert.throws(() => sortedCopy([1, Number.NaN]), refusal('validation_failed'));
  });
});
