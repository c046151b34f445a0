// Metric chunks (pure): what is encoded decodes to the same points in time order, a window reads
// exactly the points in it, and a chart's summary is the same whether a chunk is added from its own
// summary or point by point.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { aggregateWindow, type ChunkPoint, decodeChunk, encodeChunk, summariseChunks, type WindowAggregation } from './metric-chunks.js';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const LABELS: Array<Record<string, string>> = [{}, { region: 'eu' }, { region: 'us', model_version: 'v2' }];
const arbitraryPoint = fc.record({
  at: fc.integer({ min: T0, max: T0 + 3 * 86_400_000 }),
  // -0 is stored as 0 (JSON has no -0), so the generated values have none.
  value: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => (v === 0 ? 0 : v)),
  labels: fc.constantFrom(...LABELS),
});
const arbitraryChunks = fc.array(fc.array(arbitraryPoint, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 });

/** The summary of every point one by one: what the chart must equal. */
function pointwise(chunks: ChunkPoint[][], from: string, to: string, prefix: number) {
  const out = new Map<string, { count: number; sum: number; min: number; max: number }>();
  for (const p of chunks.flat()) {
    const iso = new Date(p.at).toISOString();
    if (iso < from || iso >= to) continue;
    const key = iso.slice(0, prefix);
    const b = out.get(key) ?? { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
    b.count++;
    b.sum += p.value;
    b.min = Math.min(b.min, p.value);
    b.max = Math.max(b.max, p.value);
    out.set(key, b);
  }
  return out;
}

describe('metric chunks', () => {
  test('a chunk decodes to its points in ascending time, same-millisecond points in the order received, each with its labels', () => {
    const points = [
      { at: T0 + 2000, value: 3, labels: { region: 'us' } },
      { at: T0, value: 1, labels: { region: 'eu' } },
      { at: T0 + 2000, value: 4 },
      { at: T0, value: 2, labels: { region: 'eu' } },
    ];
    const chunk = encodeChunk(points);
    assert.equal(chunk.first_at, '2026-11-30T10:00:00.000Z');
    assert.equal(chunk.last_at, '2026-11-30T10:00:02.000Z');
    assert.deepEqual([chunk.point_count, chunk.value_sum, chunk.value_min, chunk.value_max], [4, 10, 1, 4]);
    const body = decodeChunk(chunk.points);
    assert.deepEqual(body.value, [1, 2, 3, 4]);
    assert.deepEqual(
      body.labels.map((i) => body.labelSets[i]),
      [{ region: 'eu' }, { region: 'eu' }, { region: 'us' }, {}],
    );
    assert.equal(body.labelSets.length, 3, 'each distinct label set is stored once');
  });

  test('-0 is stored as 0, in the points and in the summary', () => {
    const chunk = encodeChunk([{ at: T0, value: -0 }]);
    assert.ok(Object.is(decodeChunk(chunk.points).value[0], 0));
    assert.ok(Object.is(chunk.value_min, 0) && Object.is(chunk.value_max, 0));
  });

  test('an unknown format version is refused, not misread', () => {
    assert.throws(() => decodeChunk('{"v":2,"at":[],"value":[],"labels":[],"labelSets":[]}'), /unknown format version 2/);
  });

  test("a monitor's window folds exactly the points in [from, to] whose labels are kept; last is the newest, of one millisecond the last received (property)", () => {
    const aggregations: WindowAggregation[] = ['avg', 'max', 'min', 'sum', 'count', 'last'];
    fc.assert(
      fc.property(
        arbitraryChunks,
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.integer({ min: 0, max: 2 * 86_400_000 }),
        fc.constantFrom(...aggregations),
        fc.boolean(),
        (chunks, start, span, aggregation, filtered) => {
          const from = T0 + start;
          const to = from + span;
          const keep = filtered ? (labels: Record<string, string>) => labels.region !== 'us' : undefined;
          const got = aggregateWindow(
            chunks.map((c) => encodeChunk(c)),
            { from, to, aggregation, keep },
          );
          // Every point in the order received (chunk by chunk, each in time order), then by time.
          const points = chunks
            .flatMap((c) => c.map((p, i) => ({ ...p, i })).sort((a, b) => a.at - b.at || a.i - b.i))
            .map((p, order) => ({ ...p, order }))
            .filter((p) => p.at >= from && p.at <= to && (!keep || keep(p.labels)))
            .sort((a, b) => a.at - b.at || a.order - b.order);
          if (points.length === 0) {
            assert.equal(got, null);
            return;
          }
          assert.ok(got);
          const values = points.map((p) => p.value);
          const sum = values.reduce((x, y) => x + y, 0);
          const expected = {
            avg: sum / values.length,
            max: values.reduce((x, y) => Math.max(x, y)),
            min: values.reduce((x, y) => Math.min(x, y)),
            sum,
            count: values.length,
            last: values[values.length - 1],
          }[aggregation];
          assert.equal(got.count, values.length);
          assert.ok(
            Math.abs(got.value - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
            `${aggregation}: ${got.value} vs ${expected}`,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a window of millions of points is folded one by one (no call spreads them)', () => {
    const chunk = (offset: number) =>
      encodeChunk(Array.from({ length: 200_000 }, (_, i) => ({ at: T0 + offset + i, value: i % 1000, labels: { region: 'eu' } })));
    const chunks = [chunk(0), chunk(200_000), chunk(400_000)];
    const window = { from: T0, to: T0 + 600_000 };
    assert.deepEqual(aggregateWindow(chunks, { ...window, aggregation: 'max' }), { value: 999, count: 600_000 });
    assert.deepEqual(aggregateWindow(chunks, { ...window, aggregation: 'min', keep: (l) => l.region === 'eu' }), {
      value: 0,
      count: 600_000,
    });
  });

  test("a chart's buckets are the same whether chunks are added from their summaries or point by point (property)", () => {
    fc.assert(
      fc.property(
        arbitraryChunks,
        fc.constantFrom(13, 16, 10),
        fc.integer({ min: -3_600_000, max: 86_400_000 }),
        fc.integer({ min: 1, max: 3 * 86_400_000 }),
        (chunks, prefix, start, span) => {
          const from = new Date(T0 + start).toISOString();
          const to = new Date(T0 + start + span).toISOString();
          const got = summariseChunks(
            chunks.map((c) => encodeChunk(c)),
            { from, to, prefix },
          );
          const expected = pointwise(chunks, from, to, prefix);
          assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
          for (const [key, b] of expected) {
            const g = got.get(key);
            assert.ok(g);
            assert.deepEqual([g.count, g.min, g.max], [b.count, b.min, b.max]);
            assert.ok(Math.abs(g.sum - b.sum) <= 1e-6 * Math.max(1, Math.abs(b.sum)), `sum ${g.sum} vs ${b.sum}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
