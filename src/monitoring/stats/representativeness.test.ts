// Representativeness of a data source against a declared population: SciPy's chisquare and
// Evidently's goodness-of-fit vectors, the gap per group, and what is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../errors.js';
import { chiSquareGoodnessOfFit } from './chi-square.js';
import { representativeness } from './representativeness.js';

const testdata = (name: string) => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8'));

function refusal(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

describe('representativeness', () => {
  test('the goodness of fit equals scipy chisquare, and each group reports its count, shares and gap', () => {
    for (const c of testdata('scipy-vectors.json').chi2_goodness_of_fit) {
      const names = c.observed.map((_: number, i: number) => `g${i}`);
      const result = representativeness(
        Object.fromEntries(names.map((n: string, i: number) => [n, c.observed[i]])),
        Object.fromEntries(names.map((n: string, i: number) => [n, c.shares[i]])),
        { minCount: 1 },
      );
      assert.ok(Math.abs((result.chiSquare.statistic.value as number) - c.statistic) < 1e-9);
      assert.ok(Math.abs((result.chiSquare.pValue.value as number) - c.pvalue) < 1e-12);
      assert.equal(result.chiSquare.degreesOfFreedom, names.length - 1);
    }
    const result = representativeness({ F: 40, M: 60 }, { F: 0.5, M: 0.5, X: 0 }, { minCount: 1 });
    assert.equal(result.n, 100);
    assert.deepEqual(
      result.groups.map((g) => [g.group, g.n, g.observedShare.value, g.referenceShare, g.gap.value]),
      [
        ['F', 40, 0.4, 0.5, 0.4 - 0.5],
        ['M', 60, 0.6, 0.5, 0.6 - 0.5],
        ['X', 0, 0, 0, 0],
      ],
    );
    assert.equal(result.chiSquare.degreesOfFreedom, 1, 'a group with a share of 0 adds no degree of freedom');
  });

  test("Evidently's chi-square vectors: current counts against the reference's shares give p = 0.67309", () => {
    const v = testdata('upstream-vectors.json').evidently_chi_square;
    for (const reference of [v.reference_counts, v.reference_counts_doubled]) {
      const total = reference.reduce((s: number, c: number) => s + c, 0);
      const test = chiSquareGoodnessOfFit(
        v.current_counts,
        reference.map((c: number) => c / total),
      );
      assert.ok(Math.abs((test.pValue.value as number) - v.p_value) <= v.abs, `${test.pValue.value}`);
    }
  });

  test('an empty or too small data source has no shares and no test: null with its reason', () => {
    const empty = representativeness({}, { F: 0.5, M: 0.5 });
    assert.equal(empty.n, 0);
    assert.deepEqual(empty.groups[0].gap, { value: null, reason: 'empty_sample' });
    assert.deepEqual(empty.chiSquare.pValue, { value: null, reason: 'empty_sample' });
    const small = representativeness({ F: 10, M: 5 }, { F: 0.5, M: 0.5 });
    assert.deepEqual(small.groups[1].observedShare, { value: null, reason: 'below_min_count' });
    assert.deepEqual(small.chiSquare.statistic, { value: null, reason: 'below_min_count' });
    assert.equal(small.groups[1].n, 5, 'the count is reported even when the share is not');
    assert.equal(representativeness({ all: 50 }, { all: 1 }).chiSquare.pValue.reason, 'single_category');
  });

  test('shares that do not add up to 1, a group outside the reference population, and counts that are not whole are refused as validation_failed', () => {
    assert.throws(() => representativeness({ F: 1 }, { F: 0.5, M: 0.4 }), refusal('validation_failed'));
    assert.throws(() => representativeness({ F: 1 }, { F: 1.5, M: -0.5 }), refusal('validation_failed'));
    assert.throws(() => representativeness({ F: 1, X: 1 }, { F: 0.5, M: 0.5 }), refusal('validation_failed'));
    assert.throws(() => representativeness({ F: -1 }, { F: 0.5, M: 0.5 }), refusal('validation_failed'));
    assert.throws(() => representativeness({ F: 1.5 }, { F: 0.5, M: 0.5 }), refusal('validation_failed'));
    assert.throws(() => chiSquareGoodnessOfFit([1, 2], [0.5, 0.5, 0]), refusal('validation_failed'));
    assert.throws(() => chiSquareGoodnessOfFit([1, 2], [1, 0]), refusal('validation_failed'));
  });

  test('gaps add up to 0 and the p-value lies in [0, 1], whatever the counts', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 8 }), (counts) => {
        const names = counts.map((_, i) => `g${i}`);
        const result = representativeness(
          Object.fromEntries(names.map((n, i) => [n, counts[i]])),
          Object.fromEntries(names.map((n) => [n, 1 / names.length])),
          { minCount: 1 },
        );
        const p = result.chiSquare.pValue.value;
        if (p !== null) assert.ok(p >= 0 && p <= 1);
        if (result.n > 0) assert.ok(Math.abs(result.groups.reduce((s, g) => s + (g.gap.value as number), 0)) < 1e-9);
      }),
    );
  });
});
