// Decisions counted per group: one attribute (sex) or an intersection of several (sex × age band).
// The result is a list of mergeable confusion counts, ordered by group so that row order never shows.
import { AppError } from '../../errors.js';
import { addDecision, type ConfusionCounts, type DecisionRow, emptyCounts, mergeCounts } from './confusion.js';

export interface GroupCounts {
  /** The group: each attribute's value, null where the rows did not carry the attribute. */
  attributes: Record<string, string | null>;
  counts: ConfusionCounts;
}

/** A key that tells groups apart whatever their values hold (length-prefixed, null marked). */
export function groupKey(names: readonly string[], attributes: Readonly<Record<string, string | null | undefined>>): string {
  let key = '';
  for (const name of names) {
    const value = attributes[name];
    key += value == null ? '-;' : `${value.length}:${value};`;
  }
  return key;
}

function byKey(names: readonly string[], groups: Iterable<GroupCounts>): GroupCounts[] {
  return [...groups]
    .map((g) => [groupKey(names, g.attributes), g] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => g);
}

/**
 * Counts decisions per group of the named attributes; several names give their intersections.
 * @example countByGroup(rows, ['sex', 'age_band']) // one entry per (sex, age_band) present
 */
export function countByGroup(rows: Iterable<DecisionRow>, names: readonly string[]): GroupCounts[] {
  if (names.length === 0) throw new AppError('validation_failed', 'name at least one attribute to group by', { field: 'attributes' });
  const groups = new Map<string | null, GroupCounts>();
  const none: Record<string, string | undefined> = {};
  const single = names.length === 1 ? names[0] : null;
  for (const row of rows) {
    const attributes = row.attributes ?? none;
    // One attribute (the common case, and the bench's) keys by its value without building a string.
    const key = single === null ? groupKey(names, attributes) : (attributes[single] ?? null);
    let group = groups.get(key);
    if (group === undefined) {
      group = { attributes: Object.fromEntries(names.map((n) => [n, attributes[n] ?? null])), counts: emptyCounts() };
      groups.set(key, group);
    }
    addDecision(group.counts, row.actual, row.predicted);
  }
  return byKey(names, groups.values());
}

/** The groups of two windows together: counts of the same group add up. */
export function mergeGroupCounts(names: readonly string[], a: readonly GroupCounts[], b: readonly GroupCounts[]): GroupCounts[] {
  const merged = new Map<string, GroupCounts>();
  for (const group of [...a, ...b]) {
    const key = groupKey(names, group.attributes);
    const seen = merged.get(key);
    merged.set(key, seen ? { attributes: seen.attributes, counts: mergeCounts(seen.counts, group.counts) } : group);
  }
  return byKey(names, merged.values());
}
