// Metric points (issue 11: 100,000 points/s): a point was a row of `metric_points`, with two index
// entries (its id and its series), so a batch of 10,000 points wrote 10,000 rows and 20,000 entries.
// Points are now stored in chunks, one row per series (system, metric) per batch: the batch's points
// of that series column by column in `points` (JSON: `{"v":1,"at":[epoch ms],"value":[…],"labels":
// [index into labelSets],"labelSets":[…]}`, ascending time, ties as received), with the chunk's time
// range and a summary. Existing points become one chunk per series and time of receipt (their batch)
// with the same times, values and labels; then `metric_points` is dropped. Frozen once merged: the
// encoder below is this migration's own copy of the format.
import type { Kysely } from 'kysely';

interface OldPoint {
  id: string;
  at: string;
  value: number;
  labels: string;
}

function chunkOf(points: OldPoint[]) {
  const sorted = points
    .map((p, index) => ({ at: Date.parse(p.at), value: Number(p.value), labels: p.labels, index }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  const labelSets: unknown[] = [];
  const indexOf = new Map<string, number>();
  const labels = sorted.map((p) => {
    const canonical = JSON.stringify(JSON.parse(p.labels));
    let index = indexOf.get(canonical);
    if (index === undefined) {
      index = labelSets.length;
      labelSets.push(JSON.parse(canonical));
      indexOf.set(canonical, index);
    }
    return index;
  });
  const values = sorted.map((p) => p.value);
  return {
    first_at: new Date(sorted[0].at).toISOString(),
    last_at: new Date(sorted[sorted.length - 1].at).toISOString(),
    point_count: sorted.length,
    value_sum: values.reduce((a, b) => a + b, 0),
    value_min: values.reduce((a, b) => Math.min(a, b)),
    value_max: values.reduce((a, b) => Math.max(a, b)),
    points: JSON.stringify({ v: 1, at: sorted.map((p) => p.at), value: values, labels, labelSets }),
  };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metric_chunks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('system_id', 'text', (c) => c.notNull().references('ai_systems.id'))
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('point_count', 'integer', (c) => c.notNull())
    .addColumn('value_sum', 'double precision', (c) => c.notNull())
    .addColumn('value_min', 'double precision', (c) => c.notNull())
    .addColumn('value_max', 'double precision', (c) => c.notNull())
    .addColumn('points', 'text', (c) => c.notNull())
    .execute();
  // A monitor's window and a chart read the chunks of one series that end at or after a time.
  await db.schema.createIndex('metric_chunks_series_idx').on('metric_chunks').columns(['system_id', 'metric', 'last_at']).execute();
  // A monitor's evaluation is keyed by its series' latest receipt.
  await db.schema.createIndex('metric_chunks_received_idx').on('metric_chunks').columns(['system_id', 'metric', 'received_at']).execute();

  // biome-ignore lint/suspicious/noExplicitAny: the tables as this migration knows them, not as today's types say
  const old = db as Kysely<any>;
  await old.schema.createIndex('metric_points_batch_tmp').on('metric_points').columns(['system_id', 'metric', 'received_at']).execute();
  const batches: Array<{ system_id: string; metric: string; received_at: string }> = await old
    .selectFrom('metric_points')
    .select(['system_id', 'metric', 'received_at'])
    .distinct()
    .orderBy('received_at')
    .orderBy('system_id')
    .orderBy('metric')
    .execute();
  let sequence = 0;
  for (const batch of batches) {
    const points: OldPoint[] = await old
      .selectFrom('metric_points')
      .select(['id', 'at', 'value', 'labels'])
      .where('system_id', '=', batch.system_id)
      .where('metric', '=', batch.metric)
      .where('received_at', '=', batch.received_at)
      .orderBy('id')
      .execute();
    // Ids in the layout the ingestion gives (UUID v7): the batch's millisecond first, so chunks ascend.
    const time = Date.parse(batch.received_at).toString(16).padStart(12, '0').slice(-12);
    const counter = (sequence++).toString(16).padStart(12, '0');
    const id = `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-${counter}`;
    await old
      .insertInto('metric_chunks')
      .values({ id, system_id: batch.system_id, metric: batch.metric, received_at: batch.received_at, ...chunkOf(points) })
      .execute();
  }
  await db.schema.dropTable('metric_points').execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
