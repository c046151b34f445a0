// AUC (exact and from a score histogram) against SciPy's Mann-Whitney U, and the performance
// report per model version.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../errors.js';
import { addScore, aucExact, aucFromHistogram, mergeScoreHistograms, scoreHistogram } from './auc.js';
import type { DecisionRow } from './confusion.js';
import { mergePerformance, performanceReport, sketchPerformance } from './performance.js';

const scipy = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'testdata', 'scipy-vectors.json'), 'utf8'));

function refusal(code: string) {
  return (error: unknown) => error instanceof AppError && error.code === code;
}

describe('AUC', () => {
  test('exact AUC equals U / (positives × negatives) of scipy mannwhitneyu, ties counted half', () => {
    for (const c of scipy.auc_mann_whitney) {
      const auc = aucExact(Float64Array.from(c.scores), Uint8Array.from(c.labels), { minCount: 1 });
      assert.ok(auc.value !== null && Math.abs(auc.value - c.auc) < 1e-12, `${auc.value} vs ${c.auc}`);
    }
  });

  test('from a histogram whose bins separate the scores, AUC is the exact one with maxError 0', () => {
    const [distinct, tied] = scipy.auc_mann_whitney;
    const h = scoreHistogram(100);
    distinct.scores.forEach((s: number, i: number) => {
      addScore(h, s, distinct.labels[i]);
    });
    const auc = aucFromHistogram(h, { minCount: 1 });
    assert.ok(auc.value !== null && Math.abs(auc.value - distinct.auc) < 1e-12);
    assert.equal(auc.maxError, 0);
    // Equal scores share a bin and count half, as in the exact AUC; maxError still bounds them.
    const t = scoreHistogram(10);
    tied.scores.forEach((s: number, i: number) => {
      addScore(t, s, tied.labels[i]);
    });
    const tiedAuc = aucFromHistogram(t, { minCount: 1 });
    assert.ok(tiedAuc.value !== null && Math.abs(tiedAuc.value - tied.auc) < 1e-12);
    assert.ok((tiedAuc.maxError as number) > 0);
  });

  test('one class only, or fewer than the minimum of either class, is null with its reason', () => {
    assert.deepEqual(aucExact(Float64Array.of(0.2, 0.4), Uint8Array.of(1, 1), { minCount: 1 }), { value: null, reason: 'single_class' });
    assert.deepEqual(aucExact(new Float64Array(0), new Uint8Array(0)), { value: null, reason: 'empty_group' });
    assert.deepEqual(aucExact(Float64Array.of(0.2, 0.4, 0.5), Uint8Array.of(1, 0, 1), { minCount: 2 }), {
      value: null,
      reason: 'below_min_count',
    });
    const h = scoreHistogram(4);
    assert.deepEqual(aucFromHistogram(h, { minCount: 1 }), { value: null, reason: 'single_class', maxError: null });
    assert.throws(() => aucExact(Float64Array.of(1), Uint8Array.of(1, 0)), refusal('validation_failed'));
    assert.throws(() => aucExact(Float64Array.of(Number.NaN), Uint8Array.of(1)), refusal('validation_failed'));
    assert.throws(() => scoreHistogram(0), refusal('validation_failed'));
    assert.throws(() => addScore(scoreHistogram(4), Number.NaN, 1), refusal('validation_failed'));
    assert.throws(() => sketchPerformance([{ actual: 1, predicted: 1, score: Number.NaN }]), refusal('validation_failed'));
    assert.throws(() => mergeScoreHistograms(scoreHistogram(4), scoreHistogram(5)), refusal('validation_failed'));
  });

  test('the histogram AUC is within its maxError of the exact AUC, whatever the scores', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -0.2, max: 1.2, noNaN: true }), fc.integer({ min: 0, max: 1 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 50 }),
        (rows, bins) => {
          const exact = aucExact(Float64Array.from(rows.map((r) => r[0])), Uint8Array.from(rows.map((r) => r[1])), { minCount: 1 });
          const h = scoreHistogram(bins);
          for (const [score, actual] of rows) addScore(h, score, actual);
          const binned = aucFromHistogram(h, { minCount: 1 });
          assert.equal(binned.reason, exact.reason);
          if (exact.value === null || binned.value === null) return;
          assert.ok(exact.value >= 0 && exact.value <= 1);
          assert.ok(
            Math.abs(binned.value - exact.value) <= (binned.maxError as number) + 1e-12,
            `${binned.value} ${exact.value} ${binned.maxError}`,
          );
        },
      ),
    );
  });
});

describe('performance per model version', () => {
  const rows: DecisionRow[] = [
    { actual: 1, predicted: 1, score: 0.9, modelVersion: 'v2' },
    { actual: 0, predicted: 1, score: 0.7, modelVersion: 'v2' },
    { actual: 0, predicted: 0, score: 0.2, modelVersion: 'v2' },
    { actual: 1, predicted: 0, score: 0.4, modelVersion: 'v2' },
    { actual: 1, predicted: 1, modelVersion: 'v1' },
    { actual: 0, predicted: 0 },
  ];

  test('each model version has its counts, rates and AUC where its rows carry scores; rows naming none are their own', () => {
    const report = performanceReport(sketchPerformance(rows), { minCount: 1 });
    assert.deepEqual(
      report.map((r) => [r.modelVersion, r.n]),
      [
        [null, 1],
        ['v1', 1],
        ['v2', 4],
      ],
    );
    const v2 = report[2];
    assert.deepEqual(v2.counts, { tp: 1, fp: 1, tn: 1, fn: 1 });
    assert.deepEqual(
      [v2.errorRate.value, v2.precision.value, v2.tpr.value, v2.fpr.value, v2.selectionRate.value],
      [0.5, 0.5, 0.5, 0.5, 0.5],
    );
    // Positives score 0.9 and 0.4, negatives 0.7 and 0.2: three of four pairs ordered right.
    assert.equal(v2.auc.value, 0.75);
    assert.deepEqual(report[1].auc, { value: null, reason: 'single_class', maxError: null });
    assert.deepEqual(report[1].fpr, { value: null, reason: 'no_actual_negatives' });
  });

  test('two windows merged give the report of the whole, whatever the row order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            actual: fc.integer({ min: 0, max: 1 }),
            predicted: fc.integer({ min: 0, max: 1 }),
            score: fc.double({ min: 0, max: 1, noNaN: true }),
            modelVersion: fc.constantFrom('v1', 'v2'),
          }),
          { maxLength: 100 },
        ),
        fc.nat(),
        (all, cut) => {
          const at = all.length === 0 ? 0 : cut % all.length;
          const merged = mergePerformance(sketchPerformance(all.slice(0, at), 20), sketchPerformance(all.slice(at), 20));
          assert.deepEqual(merged, sketchPerformance(all, 20));
          assert.deepEqual(performanceReport(sketchPerformance([...all].reverse(), 20)), performanceReport(sketchPerformance(all, 20)));
        },
      ),
    );
  });
});
