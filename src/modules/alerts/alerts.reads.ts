// Monitoring's reads for people: the alert list across systems (filtered, one page at a time), a
// system's monitors, and a metric's points over a window summarised per UTC second, minute, hour,
// day or month (the ISO time's prefix names the bucket). Points are stored in chunks (one series'
// points of one batch, `metric-chunks.ts`), so a chart of a month of points is one indexed read of
// the chunks in the window, most of them added from their own summary.
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import type { PageOf } from '../../server/http.js';
import { presentAlert, presentMonitor } from './alerts.service.js';
import type { AlertSeverity, AlertStatus } from './alerts.tables.js';
import { summariseChunks } from './metric-chunks.js';

export interface AlertFilter {
  status?: AlertStatus;
  severity?: AlertSeverity;
  systemId?: string;
  limit?: number;
  offset?: number;
}

/** Alerts, most recently fired first, with the system's name and the acknowledger's. */
export async function listAlerts(db: Tx, filter: AlertFilter): Promise<PageOf<ReturnType<typeof presentListedAlert>>> {
  const limit = filter.limit ?? 50;
  const offset = filter.offset ?? 0;
  let base = db.selectFrom('alerts');
  if (filter.status) base = base.where('alerts.status', '=', filter.status);
  if (filter.severity) base = base.where('alerts.severity', '=', filter.severity);
  if (filter.systemId) base = base.where('alerts.system_id', '=', filter.systemId);
  const [rows, total] = await Promise.all([
    base
      .innerJoin('ai_systems', 'ai_systems.id', 'alerts.system_id')
      .leftJoin('users', 'users.id', 'alerts.acknowledged_by')
      .selectAll('alerts')
      .select(['ai_systems.name as system_name', 'users.display_name as acknowledged_by_name'])
      .orderBy('alerts.last_fired_at', 'desc')
      .orderBy('alerts.id')
      .limit(limit)
      .offset(offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(presentListedAlert), total: Number(total.n), limit, offset };
}

function presentListedAlert(row: Parameters<typeof presentAlert>[0] & { system_name: string; acknowledged_by_name: string | null }) {
  return { ...presentAlert(row), systemName: row.system_name, acknowledgedByName: row.acknowledged_by_name };
}

/** A system's monitors, enabled ones first, with the owner's name. */
export async function listMonitors(db: Tx, systemId: string) {
  const system = await db.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  const rows = await db
    .selectFrom('monitors')
    .leftJoin('users', 'users.id', 'monitors.owner_id')
    .selectAll('monitors')
    .select('users.display_name as owner_name')
    .where('monitors.system_id', '=', systemId)
    .orderBy('monitors.enabled', 'desc')
    .orderBy('monitors.metric')
    .orderBy('monitors.created_at')
    .execute();
  return { items: rows.map((row) => ({ ...presentMonitor(row), ownerName: row.owner_name })) };
}

const GRAINS = [
  { bucket: 'second', prefix: 19, ms: 1000 },
  { bucket: 'minute', prefix: 16, ms: 60_000 },
  { bucket: 'hour', prefix: 13, ms: 3_600_000 },
  { bucket: 'day', prefix: 10, ms: 86_400_000 },
  { bucket: 'month', prefix: 7, ms: 31 * 86_400_000 },
] as const;
const SUFFIX: Record<number, string> = { 19: '.000Z', 16: ':00.000Z', 13: ':00:00.000Z', 10: 'T00:00:00.000Z', 7: '-01T00:00:00.000Z' };
const DEFAULT_SPAN_MS = 7 * 86_400_000;

/** The finest UTC grain whose buckets over the window are no more than `buckets`. */
export function grainFor(spanMs: number, buckets: number) {
  return GRAINS.find((g) => Math.ceil(spanMs / g.ms) + 1 <= buckets) ?? GRAINS[GRAINS.length - 1];
}

export async function metricSeries(
  db: Tx,
  {
    systemId,
    metric,
    from,
    to,
    buckets = 200,
    now = new Date(),
  }: {
    systemId: string;
    metric: string;
    from?: string;
    to?: string;
    buckets?: number;
    now?: Date;
  },
) {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : new Date(end.getTime() - DEFAULT_SPAN_MS);
  if (start.getTime() >= end.getTime()) throw new AppError('validation_failed', 'from: must be before to', { field: 'from' });
  const system = await db.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  const grain = grainFor(end.getTime() - start.getTime(), buckets);
  const window = { from: start.toISOString(), to: end.toISOString(), prefix: grain.prefix };
  const chunks = await db
    .selectFrom('metric_chunks')
    .select(['first_at', 'last_at', 'point_count', 'value_sum', 'value_min', 'value_max', 'points'])
    .where('system_id', '=', systemId)
    .where('metric', '=', metric)
    .where('last_at', '>=', window.from)
    .where('first_at', '<', window.to)
    .execute();
  const summaries = [...summariseChunks(chunks, window)].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    systemId,
    metric,
    from: start.toISOString(),
    to: end.toISOString(),
    bucket: grain.bucket,
    points: summaries.reduce((sum, [, b]) => sum + b.count, 0),
    buckets: summaries.map(([bucket, b]) => ({
      at: `${bucket}${SUFFIX[grain.prefix]}`,
      count: b.count,
      avg: b.sum / b.count,
      min: b.min,
      max: b.max,
    })),
  };
}
