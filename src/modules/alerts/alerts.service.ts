// Monitoring: metric points in batches (all or nothing, every bad point named), monitors over them,
// and the alerts a breach raises (firing -> acknowledged -> resolved). A breach is evaluated on
// ingest, in the same transaction, so an alert exists as soon as its points are acknowledged; while
// an alert is open, further breaches of its monitor only count on it (deduplication).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import { hasSystemRole, type RequestContext, systemContext } from '../../context.js';
import { insertRows, type Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { isDateTime } from '../../server/input.js';
import {
  type Aggregation,
  type AlertSeverity,
  type AlertsTable,
  COMPUTED_METRICS,
  type Comparison,
  type MetricChunksTable,
  type MonitorSource,
  type MonitorsTable,
} from './alerts.tables.js';

export { MAX_BATCH_POINTS } from './alerts.schema.js';

import { MAX_BATCH_POINTS } from './alerts.schema.js';
import { aggregateWindow, type ChunkPoint, encodeChunk } from './metric-chunks.js';
import { monitoredFeature } from './monitor-features.js';

const MAX_PROBLEMS_REPORTED = 200;
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_.:]{0,99}$/;

export interface PointProblem {
  index: number;
  field: string;
  message: string;
}

export interface MetricPoint {
  systemId: string;
  metric: string;
  value: number;
  at: string;
  labels?: Record<string, string>;
}

function checkPoint(point: unknown, index: number, problems: PointProblem[]): void {
  if (point === null || typeof point !== 'object' || Array.isArray(point)) {
    problems.push({ index, field: '', message: 'must be an object' });
    return;
  }
  const p = point as Record<string, unknown>;
  if (typeof p.systemId !== 'string' || p.systemId.length === 0) problems.push({ index, field: 'systemId', message: 'is required' });
  if (typeof p.metric !== 'string' || !METRIC_NAME.test(p.metric)) {
    problems.push({ index, field: 'metric', message: 'must be a metric name (letters, digits, _ . :; at most 100)' });
  }
  if (typeof p.value !== 'number' || !Number.isFinite(p.value))
    problems.push({ index, field: 'value', message: 'must be a finite number' });
  if (typeof p.at !== 'string' || !isDateTime(p.at)) problems.push({ index, field: 'at', message: 'must be an ISO 8601 date-time' });
  if (p.labels !== undefined) {
    const labels = p.labels;
    const ok =
      labels !== null &&
      typeof labels === 'object' &&
      !Array.isArray(labels) &&
      Object.entries(labels).length <= 20 &&
      Object.values(labels).every((v) => typeof v === 'string' && v.length <= 200);
    if (!ok) problems.push({ index, field: 'labels', message: 'must be an object of at most 20 string labels' });
  }
}

function rejectBatch(problems: PointProblem[]): AppError {
  problems.sort((a, b) => a.index - b.index);
  const badPoints = [...new Set(problems.map((p) => p.index))];
  const first = problems[0];
  return new AppError(
    'validation_failed',
    `${badPoints.length} of the batch's points are malformed (first: points[${first.index}].${first.field} ${first.message}); nothing was recorded`,
    {
      field: `points[${first.index}]${first.field ? `.${first.field}` : ''}`,
      badPoints: badPoints.slice(0, MAX_PROBLEMS_REPORTED),
      problems: problems.slice(0, MAX_PROBLEMS_REPORTED),
      problemCount: problems.length,
    },
  );
}

export interface PointsReceipt {
  batchId: string;
  count: number;
  digest: string;
  receivedAt: string;
  /** Alerts this batch raised (new ones only; a breach of an open alert's monitor is counted on it). */
  alertsFired: string[];
}

/**
 * Ids for one batch's metric chunks in the layout of a version-7 UUID (RFC 9562): the batch's
 * millisecond, then 62 random bits drawn once per batch, then a counter. A random (v4) id would put
 * each insert at a random place in the primary key's index; these follow one another, so a batch
 * appends one contiguous run of entries. Unique: the counter within the batch, time and 62 random bits across batches.
 */
export function timeOrderedIds(now: Date): () => string {
  const time = now.getTime().toString(16).padStart(12, '0').slice(-12);
  const random = randomBytes(8).toString('hex');
  const variant = ((Number.parseInt(random[3], 16) & 0x3) | 0x8).toString(16);
  const prefix = `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 13)}`;
  let counter = 0;
  return () => {
    if (counter > 0xffffff) throw new Error('timeOrderedIds: more than 16,777,216 ids in one batch');
    return `${prefix}${(counter++).toString(16).padStart(6, '0')}`;
  };
}

export async function ingestMetricPoints(
  trx: Tx,
  { ctx, points, now = new Date() }: { ctx: RequestContext; points: unknown[]; now?: Date },
): Promise<PointsReceipt> {
  if (points.length === 0) throw new AppError('validation_failed', 'points: a batch needs at least one point', { field: 'points' });
  if (points.length > MAX_BATCH_POINTS) {
    throw new AppError('validation_failed', `points: at most ${MAX_BATCH_POINTS} points per batch`, { field: 'points' });
  }
  const problems: PointProblem[] = [];
  for (const [index, point] of points.entries()) checkPoint(point, index, problems);
  if (problems.length > 0) throw rejectBatch(problems);
  const typed = points as MetricPoint[];
  const systemIds = [...new Set(typed.map((p) => p.systemId))];
  const known = new Set<string>();
  for (let i = 0; i < systemIds.length; i += 500) {
    const rows = await trx
      .selectFrom('ai_systems')
      .select('id')
      .where('id', 'in', systemIds.slice(i, i + 500))
      .execute();
    for (const row of rows) known.add(row.id);
  }
  typed.forEach((p, index) => {
    if (!known.has(p.systemId)) problems.push({ index, field: 'systemId', message: `no AI system ${p.systemId}` });
  });
  if (problems.length > 0) throw rejectBatch(problems);

  const batchId = randomUUID();
  const receivedAt = now.toISOString();
  const nextId = timeOrderedIds(now);
  const series = new Map<string, { systemId: string; metric: string; points: ChunkPoint[] }>();
  for (const p of typed) {
    const key = `${p.systemId}\u0000${p.metric}`;
    let one = series.get(key);
    if (!one) {
      one = { systemId: p.systemId, metric: p.metric, points: [] };
      series.set(key, one);
    }
    one.points.push({ at: Date.parse(p.at), value: p.value, labels: p.labels });
  }
  const chunks: Array<Insertable<MetricChunksTable>> = [];
  for (const one of series.values()) {
    chunks.push({ id: nextId(), system_id: one.systemId, metric: one.metric, received_at: receivedAt, ...encodeChunk(one.points) });
  }
  await insertRows(trx, 'metric_chunks', chunks);
  const digest = createHash('sha256').update(JSON.stringify(points)).digest('hex');
  await appendEvent(trx, ctx, {
    type: 'metrics.batch_recorded',
    subject: { type: 'metric_batch', id: batchId },
    data: {
      count: typed.length,
      digest,
      digestAlgorithm: 'sha256(JSON of points as received)',
      systems: systemIds,
      ...(systemIds.length === 1 ? { systemId: systemIds[0] } : {}),
    },
  });
  const alertsFired = await evaluateMonitors(trx, { ctx, series: [...series.values()], now });
  return { batchId, count: typed.length, digest, receivedAt, alertsFired };
}

// ---- monitors ----

export interface MonitorInput {
  systemId: string;
  modelVersionId?: string;
  group?: string;
  name: string;
  source: MonitorSource;
  metric: string;
  aggregation: Aggregation;
  comparison: Comparison;
  threshold: number;
  windowSeconds: number;
  severity: AlertSeverity;
  ownerId: string;
  rationale: string;
  /** Flapping suppression: evaluations in a row a breach must hold before it alerts (default 1). */
  forEvaluations?: number;
  /** Evaluations in a row within the threshold that resolve an open alert (default 3). */
  clearEvaluations?: number;
  /** A drift monitor's feature: 'score' (the default) or a declared feature. */
  feature?: string;
}

export const DEFAULT_FOR_EVALUATIONS = 1;
export const DEFAULT_CLEAR_EVALUATIONS = 3;

const MONITOR_EDITORS = ['admin', 'governance_lead', 'system_owner'] as const;

export function mayEditMonitors(ctx: RequestContext, systemId: string): boolean {
  return ctx.actor.kind === 'system' || hasSystemRole(ctx.actor, systemId, ...MONITOR_EDITORS);
}

/** Who acknowledges and resolves an alert: an admin, a governance lead, or the owner or an oversight
 * officer of its system (globally or for that system); the system itself resolves what clears. Held
 * here, not only at the route, so the CLI and any workflow obey it too. */
const ALERT_HANDLERS = ['admin', 'governance_lead', 'system_owner', 'oversight_officer'] as const;

function requireAlertHandler(ctx: RequestContext, systemId: string, action: string): void {
  if (ctx.actor.kind === 'system' || hasSystemRole(ctx.actor, systemId, ...ALERT_HANDLERS)) return;
  throw new AppError('forbidden', `only an admin, a governance lead, or the system's owner or oversight officer may ${action} its alerts`);
}

export function requireRationale(rationale: string | undefined): string {
  const text = rationale?.trim() ?? '';
  if (text.length === 0) throw new AppError('validation_failed', 'rationale: say why', { field: 'rationale' });
  return text;
}

export async function createMonitor(trx: Tx, { ctx, input }: { ctx: RequestContext; input: MonitorInput }) {
  const rationale = requireRationale(input.rationale);
  if (!mayEditMonitors(ctx, input.systemId)) {
    throw new AppError('forbidden', "only an admin, the governance lead or the system's owner sets its monitors");
  }
  if (input.source === 'computed') {
    if (!(COMPUTED_METRICS as readonly string[]).includes(input.metric)) {
      throw new AppError('validation_failed', `metric: a computed monitor reads one of ${COMPUTED_METRICS.join(', ')}`, {
        field: 'metric',
        allowed: COMPUTED_METRICS,
      });
    }
    if (input.metric === 'impact_ratio' && !input.group) {
      throw new AppError('validation_failed', 'group: an impact ratio monitor names the group attribute it compares (e.g. sex)', {
        field: 'group',
      });
    }
  } else if (!METRIC_NAME.test(input.metric)) throw new AppError('validation_failed', 'metric: not a metric name', { field: 'metric' });
  for (const field of ['forEvaluations', 'clearEvaluations'] as const) {
    const n = input[field];
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 100)) {
      throw new AppError('validation_failed', `${field}: a whole number from 1 to 100`, { field });
    }
  }
  if (!Number.isFinite(input.threshold)) throw new AppError('validation_failed', 'threshold: must be a number', { field: 'threshold' });
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', input.systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', input.systemId);
  if (input.modelVersionId) {
    const model = await trx
      .selectFrom('model_versions')
      .select('id')
      .where('id', '=', input.modelVersionId)
      .where('system_id', '=', input.systemId)
      .executeTakeFirst();
    if (!model) throw notFound('model version', input.modelVersionId);
  }
  const owner = await trx.selectFrom('users').select('id').where('id', '=', input.ownerId).executeTakeFirst();
  if (!owner) throw notFound('user', input.ownerId);
  const feature = await monitoredFeature(trx, input);
  const at = new Date().toISOString();
  const row: Insertable<MonitorsTable> = {
    id: randomUUID(),
    system_id: input.systemId,
    model_version_id: input.modelVersionId ?? null,
    group_label: input.group ?? null,
    name: input.name,
    source: input.source,
    metric: input.metric,
    aggregation: input.aggregation,
    comparison: input.comparison,
    threshold: input.threshold,
    window_seconds: input.windowSeconds,
    severity: input.severity,
    owner_id: input.ownerId,
    enabled: 1,
    for_evaluations: input.forEvaluations ?? DEFAULT_FOR_EVALUATIONS,
    clear_evaluations: input.clearEvaluations ?? DEFAULT_CLEAR_EVALUATIONS,
    feature,
    created_at: at,
    updated_at: at,
  };
  await trx.insertInto('monitors').values(row).execute();
  const monitor = await findMonitor(trx, row.id);
  await appendEvent(trx, ctx, {
    type: 'monitor.created',
    subject: { type: 'monitor', id: monitor.id },
    after: presentMonitor(monitor),
    data: { systemId: monitor.system_id, rationale },
  });
  return presentMonitor(monitor);
}

export async function disableMonitor(
  trx: Tx,
  { ctx, monitorId, rationale }: { ctx: RequestContext; monitorId: string; rationale: string },
) {
  const why = requireRationale(rationale);
  const monitor = await findMonitor(trx, monitorId);
  if (!mayEditMonitors(ctx, monitor.system_id)) {
    throw new AppError('forbidden', "only an admin, the governance lead or the system's owner sets its monitors");
  }
  if (monitor.enabled !== 1) throw new AppError('invalid_transition', 'the monitor is already disabled');
  await trx
    .updateTable('monitors')
    .set((eb) => ({ enabled: 0, updated_at: new Date().toISOString(), version: eb('version', '+', 1) }))
    .where('id', '=', monitorId)
    .execute();
  const after = await findMonitor(trx, monitorId);
  await appendEvent(trx, ctx, {
    type: 'monitor.disabled',
    subject: { type: 'monitor', id: monitorId },
    before: presentMonitor(monitor),
    after: presentMonitor(after),
    data: { systemId: monitor.system_id, rationale: why },
  });
  return presentMonitor(after);
}

export async function findMonitor(trx: Tx, id: string): Promise<Selectable<MonitorsTable>> {
  const row = await trx.selectFrom('monitors').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('monitor', id);
  return row;
}

export function presentMonitor(m: Selectable<MonitorsTable>) {
  return {
    id: m.id,
    systemId: m.system_id,
    modelVersionId: m.model_version_id,
    group: m.group_label,
    name: m.name,
    source: m.source,
    metric: m.metric,
    aggregation: m.aggregation,
    comparison: m.comparison,
    threshold: m.threshold,
    windowSeconds: m.window_seconds,
    severity: m.severity,
    ownerId: m.owner_id,
    enabled: m.enabled === 1,
    createdAt: m.created_at,
    updatedAt: m.updated_at,
    version: m.version,
    forEvaluations: m.for_evaluations,
    clearEvaluations: m.clear_evaluations,
    lastValue: m.last_value,
    feature: m.feature,
  };
}

// ---- evaluation ----

export function breaches(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
  }
}

/** The label by which a metric point names its model version: the id the version was registered
 * under (as decision records carry it). A points monitor on a model version reads only such points. */
export const MODEL_VERSION_LABEL = 'model_version';

/** A point belongs to a monitor's group when any label has exactly that value, and to its model
 * version when its `model_version` label is exactly that version's id. */
function labelsMatch(labels: Record<string, string>, group: string | null, version: string | null): boolean {
  if (group && !Object.values(labels).includes(group)) return false;
  return !version || labels[MODEL_VERSION_LABEL] === version;
}

/** The values of a point monitor's window, ending at the series' newest point; null without points. */
async function pointWindow(trx: Tx, monitor: Selectable<MonitorsTable>) {
  const newest = await trx
    .selectFrom('metric_chunks')
    .select((eb) => [eb.fn.max('last_at').as('at'), eb.fn.max('received_at').as('received')])
    .where('system_id', '=', monitor.system_id)
    .where('metric', '=', monitor.metric)
    .executeTakeFirst();
  if (!newest?.at || !newest.received) return null;
  const to = String(newest.at);
  const from = new Date(Date.parse(to) - monitor.window_seconds * 1000).toISOString();
  const chunks = await trx
    .selectFrom('metric_chunks')
    .select(['first_at', 'last_at', 'point_count', 'value_sum', 'value_min', 'value_max', 'points'])
    .where('system_id', '=', monitor.system_id)
    .where('metric', '=', monitor.metric)
    .where('last_at', '>=', from)
    .where('first_at', '<=', to)
    .orderBy('id')
    .execute();
  const group = monitor.group_label;
  const version = monitor.model_version_id;
  const keep = group || version ? (labels: Record<string, string>) => labelsMatch(labels, group, version) : undefined;
  const window = aggregateWindow(chunks, { from: Date.parse(from), to: Date.parse(to), aggregation: monitor.aggregation, keep });
  if (!window) return null;
  const { value } = window;
  return {
    // A new batch of the series is a new evaluation; the same points are never counted twice.
    key: `points:${String(newest.received)}`,
    value,
    evidence: {
      metric: monitor.metric,
      aggregation: monitor.aggregation,
      value,
      window: { from, to, seconds: monitor.window_seconds },
      points: window.count,
      ...(version ? { modelVersionId: version } : {}),
    },
  };
}

/** Evaluates the enabled point monitors of these series over their windows (ending at the series'
 * newest point). Returns the ids of the alerts raised. */
export async function evaluateMonitors(
  trx: Tx,
  { ctx, series, now = new Date() }: { ctx: RequestContext; series: Array<{ systemId: string; metric: string }>; now?: Date },
): Promise<string[]> {
  const fired: string[] = [];
  for (const { systemId, metric } of series) {
    const monitors = await trx
      .selectFrom('monitors')
      .selectAll()
      .where('system_id', '=', systemId)
      .where('metric', '=', metric)
      .where('enabled', '=', 1)
      .where('source', '=', 'points')
      .execute();
    for (const monitor of monitors) {
      const window = await pointWindow(trx, monitor);
      if (!window) continue;
      const outcome = await recordEvaluation(trx, { ctx, monitor, evaluation: window, now });
      if (outcome.fired) fired.push(outcome.fired);
    }
  }
  return fired;
}

/** Evaluates one point monitor now (the evaluation job); null when its series has no points. */
export async function evaluatePointMonitor(
  trx: Tx,
  { ctx, monitor, now }: { ctx: RequestContext; monitor: Selectable<MonitorsTable>; now: Date },
) {
  const window = await pointWindow(trx, monitor);
  return window ? recordEvaluation(trx, { ctx, monitor, evaluation: window, now }) : null;
}

export interface Evaluation {
  /** Identifies what was evaluated: an evaluation with the key last counted is not counted again. */
  key: string;
  value: number;
  /** The computed values, stored with the alert. */
  evidence: Record<string, unknown>;
}

export interface EvaluationOutcome {
  breached: boolean;
  counted: boolean;
  /** A new alert raised by this evaluation. */
  fired: string | null;
  /** The open alert this evaluation resolved (clear for `clear_evaluations` in a row). */
  resolved: string | null;
}

/** Counts one evaluation of a monitor, with flapping suppression: a breach raises an alert once it
 * held for `for_evaluations` evaluations in a row (while an alert is open, a breach only counts
 * on it), and an open alert resolves itself once `clear_evaluations` evaluations in a row were
 * clear. Idempotent: the evaluation whose key was last counted changes nothing. */
export async function recordEvaluation(
  trx: Tx,
  { ctx, monitor, evaluation, now }: { ctx: RequestContext; monitor: Selectable<MonitorsTable>; evaluation: Evaluation; now: Date },
): Promise<EvaluationOutcome> {
  const breached = breaches(evaluation.value, monitor.comparison, monitor.threshold);
  if (monitor.evaluated_to === evaluation.key) return { breached, counted: false, fired: null, resolved: null };
  const breachStreak = breached ? monitor.breach_streak + 1 : 0;
  const clearStreak = breached ? 0 : monitor.clear_streak + 1;
  await trx
    .updateTable('monitors')
    .set({ breach_streak: breachStreak, clear_streak: clearStreak, evaluated_to: evaluation.key, last_value: evaluation.value })
    .where('id', '=', monitor.id)
    .execute();
  const evidence = {
    monitorId: monitor.id,
    ...evaluation.evidence,
    value: evaluation.value,
    comparison: monitor.comparison,
    threshold: monitor.threshold,
    evaluations: { breachedInARow: breachStreak, needed: monitor.for_evaluations },
  };
  if (breached) {
    if (breachStreak < monitor.for_evaluations) return { breached, counted: true, fired: null, resolved: null };
    const fired = await raiseAlert(trx, { ctx, monitor, evidence, now });
    return { breached, counted: true, fired, resolved: null };
  }
  if (clearStreak < monitor.clear_evaluations) return { breached, counted: true, fired: null, resolved: null };
  const open = await trx
    .selectFrom('alerts')
    .select('id')
    .where('monitor_id', '=', monitor.id)
    .where('status', 'in', ['firing', 'acknowledged'])
    .executeTakeFirst();
  if (!open) return { breached, counted: true, fired: null, resolved: null };
  await resolveAlert(trx, {
    ctx: systemContext('monitor-evaluation', ctx.policies),
    alertId: open.id,
    rationale: `${clearStreak} evaluations in a row within the threshold (last value ${evaluation.value})`,
    clearedBy: { value: evaluation.value, clearInARow: clearStreak },
  });
  return { breached, counted: true, fired: null, resolved: open.id };
}

/** A new firing alert, or null when the monitor already has an open one (its count goes up). */
async function raiseAlert(
  trx: Tx,
  {
    ctx,
    monitor,
    evidence,
    now,
  }: { ctx: RequestContext; monitor: Selectable<MonitorsTable>; evidence: Record<string, unknown>; now: Date },
): Promise<string | null> {
  const at = now.toISOString();
  const open = await trx
    .selectFrom('alerts')
    .select(['id', 'fire_count'])
    .where('monitor_id', '=', monitor.id)
    .where('status', 'in', ['firing', 'acknowledged'])
    .executeTakeFirst();
  if (open) {
    await trx
      .updateTable('alerts')
      .set({ fire_count: open.fire_count + 1, last_fired_at: at })
      .where('id', '=', open.id)
      .execute();
    return null;
  }
  const row: Insertable<AlertsTable> = {
    id: randomUUID(),
    system_id: monitor.system_id,
    monitor_id: monitor.id,
    external_key: null,
    title: `${monitor.name}: ${monitor.metric} ${monitor.aggregation} ${String(evidence.value)} ${monitor.comparison} ${monitor.threshold}`,
    severity: monitor.severity,
    status: 'firing',
    evidence: JSON.stringify(evidence),
    fire_count: 1,
    fired_at: at,
    last_fired_at: at,
    acknowledged_at: null,
    acknowledged_by: null,
    ack_rationale: null,
    resolved_at: null,
    exception_id: null,
  };
  await trx.insertInto('alerts').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'alert.fired',
    subject: { type: 'alert', id: row.id },
    data: { systemId: monitor.system_id, monitorId: monitor.id, severity: monitor.severity, evidence },
  });
  return row.id;
}

// ---- the alert's lifecycle ----

export async function findAlert(trx: Tx, id: string): Promise<Selectable<AlertsTable>> {
  const row = await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('alert', id);
  return row;
}

export function presentAlert(a: Selectable<AlertsTable>) {
  return {
    id: a.id,
    systemId: a.system_id,
    monitorId: a.monitor_id,
    title: a.title,
    severity: a.severity,
    status: a.status,
    evidence: JSON.parse(a.evidence) as Record<string, unknown>,
    fireCount: a.fire_count,
    firedAt: a.fired_at,
    lastFiredAt: a.last_fired_at,
    acknowledgedAt: a.acknowledged_at,
    acknowledgedBy: a.acknowledged_by,
    acknowledgementRationale: a.ack_rationale,
    resolvedAt: a.resolved_at,
    exceptionId: a.exception_id,
    source: a.external_key ? ('alertmanager' as const) : ('monitor' as const),
    labels: JSON.parse(a.labels) as Record<string, unknown>,
  };
}

export async function acknowledgeAlert(trx: Tx, { ctx, alertId, rationale }: { ctx: RequestContext; alertId: string; rationale: string }) {
  const why = requireRationale(rationale);
  const alert = await findAlert(trx, alertId);
  requireAlertHandler(ctx, alert.system_id, 'acknowledge');
  if (alert.status !== 'firing')
    throw new AppError('invalid_transition', `the alert is ${alert.status}; only a firing alert is acknowledged`);
  const at = new Date().toISOString();
  await trx
    .updateTable('alerts')
    .set({ status: 'acknowledged', acknowledged_at: at, acknowledged_by: ctx.actor.userId, ack_rationale: why })
    .where('id', '=', alertId)
    .execute();
  await appendEvent(trx, ctx, {
    type: 'alert.acknowledged',
    subject: { type: 'alert', id: alertId },
    data: { systemId: alert.system_id, rationale: why },
  });
  return presentAlert(await findAlert(trx, alertId));
}

export async function resolveAlert(
  trx: Tx,
  { ctx, alertId, rationale, clearedBy }: { ctx: RequestContext; alertId: string; rationale: string; clearedBy?: Record<string, unknown> },
) {
  const why = requireRationale(rationale);
  const alert = await findAlert(trx, alertId);
  requireAlertHandler(ctx, alert.system_id, 'resolve');
  if (alert.status === 'resolved') throw new AppError('invalid_transition', 'the alert is already resolved');
  await trx.updateTable('alerts').set({ status: 'resolved', resolved_at: new Date().toISOString() }).where('id', '=', alertId).execute();
  await appendEvent(trx, ctx, {
    type: 'alert.resolved',
    subject: { type: 'alert', id: alertId },
    data: {
      systemId: alert.system_id,
      rationale: why,
      acknowledged: alert.status === 'acknowledged',
      ...(clearedBy ? { automatic: true, clearedBy } : {}),
    },
  });
  return presentAlert(await findAlert(trx, alertId));
}

/** Links the exception a workflow opened for this alert. */
export async function attachException(trx: Tx, { alertId, exceptionId }: { alertId: string; exceptionId: string }): Promise<void> {
  await trx.updateTable('alerts').set({ exception_id: exceptionId }).where('id', '=', alertId).execute();
}
