// Performance per model version from labelled decisions: the confusion counts and, where rows carry a
// score, a score histogram for AUC. Both are sketches: two windows merge by adding them.
import { addScore, aucFromHistogram, mergeScoreHistograms, type ScoreHistogram, scoreHistogram } from './auc.js';
import { addDecision, type ConfusionCounts, type DecisionRow, emptyCounts, mergeCounts, type Rates, ratesOf } from './confusion.js';
import { checkMinCount, DEFAULT_MIN_COUNT, type Estimate } from './estimate.js';

/** The sketch of one model version's decisions. */
export interface PerformanceSketch {
  modelVersion: string | null;
  counts: ConfusionCounts;
  /** Scored rows only; a row without a score counts in `counts` alone. */
  scores: ScoreHistogram;
}

/** Sketches decisions per model version (null: rows that name none), ordered by version. */
export function sketchPerformance(rows: Iterable<DecisionRow>, bins?: number): PerformanceSketch[] {
  const byVersion = new Map<string | null, PerformanceSketch>();
  for (const row of rows) {
    const version = row.modelVersion ?? null;
    let sketch = byVersion.get(version);
    if (sketch === undefined) {
      sketch = { modelVersion: version, counts: emptyCounts(), scores: scoreHistogram(bins) };
      byVersion.set(version, sketch);
    }
    addDecision(sketch.counts, row.actual, row.predicted);
    if (row.score !== undefined) addScore(sketch.scores, row.score, row.actual);
  }
  return ordered(byVersion.values());
}

function ordered(sketches: Iterable<PerformanceSketch>): PerformanceSketch[] {
  return [...sketches].sort((a, b) =>
    a.modelVersion === b.modelVersion
      ? 0
      : a.modelVersion === null
        ? -1
        : b.modelVersion === null
          ? 1
          : a.modelVersion < b.modelVersion
            ? -1
            : 1,
  );
}

/** Two windows' sketches, together (same histogram bins). */
export function mergePerformance(a: readonly PerformanceSketch[], b: readonly PerformanceSketch[]): PerformanceSketch[] {
  const merged = new Map<string | null, PerformanceSketch>();
  for (const s of [...a, ...b]) {
    const seen = merged.get(s.modelVersion);
    merged.set(
      s.modelVersion,
      seen
        ? { modelVersion: s.modelVersion, counts: mergeCounts(seen.counts, s.counts), scores: mergeScoreHistograms(seen.scores, s.scores) }
        : s,
    );
  }
  return ordered(merged.values());
}

export interface PerformanceReport extends Rates {
  modelVersion: string | null;
  counts: ConfusionCounts;
  /** From the score histogram; `single_class` when no scored rows of both classes. */
  auc: Estimate & { maxError: number | null };
}

/** Rates and AUC per model version. */
export function performanceReport(sketches: readonly PerformanceSketch[], options: { minCount?: number } = {}): PerformanceReport[] {
  const minCount = checkMinCount(options.minCount ?? DEFAULT_MIN_COUNT);
  return sketches.map((s) => ({
    modelVersion: s.modelVersion,
    counts: s.counts,
    ...ratesOf(s.counts, { minCount }),
    auc: aucFromHistogram(s.scores, { minCount }),
  }));
}
