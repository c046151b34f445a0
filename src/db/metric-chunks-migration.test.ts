// Migration 20261201_2300 stores metric points in chunks (one row per series per batch): existing
// points keep their times, values and labels, one chunk per series and time of receipt, and read
// back through today's reads as they were written.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { buildSystem } from '../../test/factories.js';
import { createTestStore, DIALECTS } from '../../test/stores.js';
import { metricSeries } from '../modules/alerts/alerts.reads.js';
import { decodeChunk } from '../modules/alerts/metric-chunks.js';
import { migrateToLatest, migrateUpTo } from './migrate.js';
import type { Store } from './store.js';

const BEFORE = '20261201_2100_dashboard_more_counters';
const FIRST = '2026-11-29T10:00:00.000Z';
const SECOND = '2026-11-29T11:00:00.000Z';

for (const dialect of DIALECTS) {
  describe(`metric points are stored in chunks [${dialect}]`, () => {
    let store: Store;
    let systemId: string;

    before(async () => {
      store = await createTestStore(dialect, { migrate: false });
      await migrateUpTo(store.writer, BEFORE);
      systemId = (await buildSystem({ ...store, transact: (fn) => store.transact(fn, { sequenced: true }) })).id;
      const row = (id: string, metric: string, at: string, value: number, labels: string, receivedAt: string) => ({
        id,
        system_id: systemId,
        metric,
        labels,
        value,
        at,
        received_at: receivedAt,
      });
      // biome-ignore lint/suspicious/noExplicitAny: the table as it was, not as today's types say
      const writer = store.writer as unknown as Kysely<any>;
      await writer
        .insertInto('metric_points')
        .values([
          // The first batch: two points of one series out of time order, one of another series.
          row('p-2', 'error_rate', '2026-11-29T10:05:00.000Z', 0.25, '{"region":"us"}', FIRST),
          row('p-1', 'error_rate', '2026-11-29T10:01:00.000Z', 0.5, '{"region":"eu"}', FIRST),
          row('p-3', 'latency_ms', '2026-11-29T10:01:00.000Z', 120, '{}', FIRST),
          // The second batch: one point of the first series.
          row('p-4', 'error_rate', '2026-11-29T10:30:00.000Z', 0.75, '{"region":"eu"}', SECOND),
        ])
        .execute();
      await migrateToLatest(store.writer);
    });
    after(() => store.close());

    test('existing points become one chunk per series and batch, with their times, values and labels', async () => {
      const chunks = await store.db.selectFrom('metric_chunks').selectAll().where('system_id', '=', systemId).orderBy('id').execute();
      assert.deepEqual(
        chunks.map((c) => [c.metric, c.received_at, Number(c.point_count), c.first_at, c.last_at]),
        [
          ['error_rate', FIRST, 2, '2026-11-29T10:01:00.000Z', '2026-11-29T10:05:00.000Z'],
          ['latency_ms', FIRST, 1, '2026-11-29T10:01:00.000Z', '2026-11-29T10:01:00.000Z'],
          ['error_rate', SECOND, 1, '2026-11-29T10:30:00.000Z', '2026-11-29T10:30:00.000Z'],
        ],
      );
      const first = decodeChunk(chunks[0].points);
      assert.deepEqual(first.at, [Date.parse('2026-11-29T10:01:00.000Z'), Date.parse('2026-11-29T10:05:00.000Z')]);
      assert.deepEqual(first.value, [0.5, 0.25]);
      assert.deepEqual(
        first.labels.map((i) => first.labelSets[i]),
        [{ region: 'eu' }, { region: 'us' }],
      );
      assert.deepEqual([Number(chunks[0].value_sum), Number(chunks[0].value_min), Number(chunks[0].value_max)], [0.75, 0.25, 0.5]);
      const tables = await store.db.introspection.getTables();
      assert.ok(!tables.some((t) => t.name === 'metric_points'), 'the old table is gone');
    });

    test("the migrated points read back through today's series summary", async () => {
      const series = await metricSeries(store.db, {
        systemId,
        metric: 'error_rate',
        from: '2026-11-29T10:00:00.000Z',
        to: '2026-11-29T11:00:00.000Z',
        buckets: 2,
      });
      assert.equal(series.bucket, 'hour');
      assert.deepEqual(series.buckets, [{ at: '2026-11-29T10:00:00.000Z', count: 3, avg: 0.5, min: 0.25, max: 0.75 }]);
    });
  });
}
