// Metric points are stored in chunks, as time-series stores keep them: one row per series (system,
// metric) per batch, holding that batch's points of the series column by column (observation times
// in epoch milliseconds, values, and an index into the batch's distinct label sets), with the
// chunk's time range and a summary (count, sum, min, max) beside them. A batch of 10,000 points of
// one series is one row, not 10,000 rows and 20,000 index entries: ingestion costs what encoding
// the batch costs (issue 11's 100,000 points/s), and a chart over a month reads a few hundred rows,
// most of them summed from their summaries alone. Pure: no database here.

/** One point as a chunk keeps it: `at` in epoch milliseconds (UTC), labels as given. */
export interface ChunkPoint {
  at: number;
  value: number;
  labels?: Record<string, string>;
}

/** The columns of a `metric_chunks` row that come from its points. */
export interface EncodedChunk {
  first_at: string;
  last_at: string;
  point_count: number;
  value_sum: number;
  value_min: number;
  value_max: number;
  /** JSON, see {@link ChunkBody}. */
  points: string;
}

/** The `points` column: version 1. Points in ascending time (ties in the order received). */
export interface ChunkBody {
  v: 1;
  at: number[];
  value: number[];
  /** Per point: its index in `labelSets`. */
  labels: number[];
  labelSets: Array<Record<string, string>>;
}

/** Encodes one series' points of one batch (at least one point). */
export function encodeChunk(points: ChunkPoint[]): EncodedChunk {
  let ordered = points;
  for (let i = 1; i < points.length; i++) {
    if (points[i].at < points[i - 1].at) {
      // A stable sort keeps points of the same millisecond in the order received.
      ordered = points
        .map((p, index) => ({ p, index }))
        .sort((a, b) => a.p.at - b.p.at || a.index - b.index)
        .map((e) => e.p);
      break;
    }
  }
  const n = ordered.length;
  const at = new Array<number>(n);
  const value = new Array<number>(n);
  const labels = new Array<number>(n);
  const labelSets: Array<Record<string, string>> = [];
  const setIndex = new Map<string, number>();
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const p = ordered[i];
    // JSON writes -0 as 0; the summary says what the points say.
    const v = p.value === 0 ? 0 : p.value;
    at[i] = p.at;
    value[i] = v;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    const set = p.labels ?? {};
    const key = JSON.stringify(set);
    let index = setIndex.get(key);
    if (index === undefined) {
      index = labelSets.length;
      labelSets.push(set);
      setIndex.set(key, index);
    }
    labels[i] = index;
  }
  const body: ChunkBody = { v: 1, at, value, labels, labelSets };
  return {
    first_at: new Date(at[0]).toISOString(),
    last_at: new Date(at[n - 1]).toISOString(),
    point_count: n,
    value_sum: sum,
    value_min: min,
    value_max: max,
    points: JSON.stringify(body),
  };
}

export function decodeChunk(points: string): ChunkBody {
  const body = JSON.parse(points) as ChunkBody;
  if (body.v !== 1) throw new Error(`metric chunk: unknown format version ${String(body.v)}`);
  return body;
}

/** How a window's values are summarised into one (a monitor's aggregation). */
export type WindowAggregation = 'avg' | 'max' | 'min' | 'sum' | 'count' | 'last';

/** A stored chunk as the reads select it. */
export type StoredChunk = Omit<EncodedChunk, 'points'> & { points: string };

/**
 * A monitor's value over the points of these chunks observed in [from, to] (epoch ms, both
 * included) whose labels `keep` accepts, and how many points that was; null when there are none.
 * Chunks in the order received: `last` is the newest point, of the same millisecond the one
 * received last. Without a label filter, a chunk wholly inside the window is counted from its own
 * summary (except for `last`), without reading its points. Values are folded one by one, never
 * spread into a call: a window may hold millions.
 */
export function aggregateWindow(
  chunks: StoredChunk[],
  {
    from,
    to,
    aggregation,
    keep,
  }: { from: number; to: number; aggregation: WindowAggregation; keep?: (labels: Record<string, string>) => boolean },
): { value: number; count: number } | null {
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let lastAt = Number.NEGATIVE_INFINITY;
  let last = Number.NaN;
  const fromIso = new Date(from).toISOString();
  const toIso = new Date(to).toISOString();
  for (const chunk of chunks) {
    if (!keep && aggregation !== 'last' && chunk.first_at >= fromIso && chunk.last_at <= toIso) {
      count += Number(chunk.point_count);
      sum += Number(chunk.value_sum);
      min = Math.min(min, Number(chunk.value_min));
      max = Math.max(max, Number(chunk.value_max));
      continue;
    }
    const body = decodeChunk(chunk.points);
    const kept = keep ? body.labelSets.map(keep) : null;
    for (let i = 0; i < body.at.length; i++) {
      const at = body.at[i];
      if (at < from || at > to || (kept && !kept[body.labels[i]])) continue;
      const v = body.value[i];
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (at >= lastAt) {
        lastAt = at;
        last = v;
      }
    }
  }
  if (count === 0) return null;
  const value = { avg: sum / count, max, min, sum, count, last }[aggregation];
  return { value, count };
}

/** Count, sum, minimum and maximum of values, per bucket. */
export interface BucketSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
}

function addTo(buckets: Map<string, BucketSummary>, key: string, count: number, sum: number, min: number, max: number) {
  const b = buckets.get(key);
  if (!b) {
    buckets.set(key, { count, sum, min, max });
    return;
  }
  b.count += count;
  b.sum += sum;
  if (min < b.min) b.min = min;
  if (max > b.max) b.max = max;
}

/**
 * Summarises the points observed in [from, to) (ISO times) per bucket, a bucket being the first
 * `prefix` characters of a point's ISO time (a UTC second, minute, hour, day or month). A chunk that
 * lies within the window and within one bucket is added from its summary, without reading its points.
 */
export function summariseChunks(
  chunks: Array<Omit<EncodedChunk, 'points'> & { points: string }>,
  { from, to, prefix }: { from: string; to: string; prefix: number },
): Map<string, BucketSummary> {
  const buckets = new Map<string, BucketSummary>();
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  for (const chunk of chunks) {
    const bucket = chunk.first_at.slice(0, prefix);
    if (chunk.first_at >= from && chunk.last_at < to && chunk.last_at.slice(0, prefix) === bucket) {
      addTo(buckets, bucket, Number(chunk.point_count), Number(chunk.value_sum), Number(chunk.value_min), Number(chunk.value_max));
      continue;
    }
    const body = decodeChunk(chunk.points);
    for (let i = 0; i < body.at.length; i++) {
      const at = body.at[i];
      if (at < fromMs || at >= toMs) continue;
      const v = body.value[i];
      addTo(buckets, new Date(at).toISOString().slice(0, prefix), 1, v, v, v);
    }
  }
  return buckets;
}
