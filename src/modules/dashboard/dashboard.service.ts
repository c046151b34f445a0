// The dashboard: every headline figure of the governance programme in one read, each with the list
// filter it comes from (the query of an existing list endpoint) so the UI links a number to the
// rows behind it. Every count reads an index range or a count kept by triggers (migrations 1210 and
// 1710), never a scan of the inventory or the ledger; durations cover the last 90 days only.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { OPEN_REVIEW_STATUSES, reviewOverdue } from '../../governance/review-schedule.js';
import { lastVerification } from '../../ledger/verifications.js';

/** A list endpoint and the query that shows the rows a figure counts. `exact: false` when the list
 * shows more than the figure counts (no list filter says exactly this). */
export interface ListLink {
  path: string;
  query: Record<string, string>;
  exact: boolean;
}

export interface Figure {
  count: number;
  list: ListLink | null;
}

const link = (path: string, query: Record<string, string | number | boolean> = {}, exact = true): ListLink => ({
  path,
  query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
  exact,
});
const figure = (count: number | string | bigint, list: ListLink | null): Figure => ({ count: Number(count), list });

/** The exceptions lifecycle's open statuses (modules/exceptions/exceptions.policy.ts says the same). */
const OPEN_EXCEPTION = ['open', 'triaged', 'investigating', 'remediating', 'verifying'] as const;
const OVERSIGHT_ACTIONS = ['oversight.paused', 'oversight.restricted', 'oversight.resume_requested', 'oversight.resumed'] as const;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const DAY = 86_400_000;
const HOUR = 3_600_000;
export const TREND_WEEKS = 12;
const WINDOW_DAYS = 90;

const SYSTEMS = '/api/v1/systems';
const EXCEPTIONS = '/api/v1/exceptions';
const INCIDENTS = '/api/v1/incidents';
const APPROVALS = '/api/v1/approvals/requests';
const REVIEW_QUEUE = '/api/v1/decisions/review-queue';
const APPEALS = '/api/v1/appeals';
const EVENTS = '/api/v1/ledger/events';
const ALERTS = '/api/v1/alerts';
const REVIEWS = '/api/v1/reviews';
const FEEDBACK = '/api/v1/feedback';
/** The systems with the most open feedback the dashboard lists. */
export const FEEDBACK_TOP_SYSTEMS = 20;

type Db = Kysely<Database>;
const countAll = (db: Db) => db.fn.countAll<number>().as('n');

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);
const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);
const span = (from: string, to: string) => Date.parse(to) - Date.parse(from);

/** Monday 00:00 UTC of the week holding `date`. */
export function weekStart(date: Date): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

async function systemsFigures(db: Db) {
  const [groups, withoutOwner, untriagedShadow, withPhaseOwner] = await Promise.all([
    // Kept by triggers on ai_systems (migrations 1710, 0510): a few rows per pair (shards, summed
    // here), not the inventory.
    db
      .selectFrom('system_counts')
      .select((eb) => ['eu_risk_tier', 'status', eb.fn.sum<number>('n').as('n')])
      .groupBy(['eu_risk_tier', 'status'])
      .having((eb) => eb.fn.sum('n'), '>', 0)
      .execute(),
    db.selectFrom('ai_systems').select(countAll(db)).where('accountable_owner_id', 'is', null).executeTakeFirstOrThrow(),
    db
      .selectFrom('ai_systems')
      .select(countAll(db))
      .where('deployment_kind', '=', 'shadow')
      .where('triaged_at', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('dashboard_counters')
      .select((eb) => eb.fn.sum<number>('n').as('n'))
      .where('name', '=', 'systems_with_phase_owner')
      .executeTakeFirst(),
  ]);
  const total = groups.reduce((sum, g) => sum + Number(g.n), 0);
  const sumBy = (key: 'eu_risk_tier' | 'status') => {
    const sums = new Map<string, number>();
    for (const g of groups) sums.set(g[key], (sums.get(g[key]) ?? 0) + Number(g.n));
    return [...sums].sort(([a], [b]) => a.localeCompare(b));
  };
  const covered = Number(withPhaseOwner?.n ?? 0);
  return {
    total: figure(total, link(SYSTEMS)),
    byRiskTier: sumBy('eu_risk_tier').map(([euRiskTier, n]) => ({ euRiskTier, ...figure(n, link(SYSTEMS, { euRiskTier })) })),
    byStatus: sumBy('status').map(([status, n]) => ({ status, ...figure(n, link(SYSTEMS, { status })) })),
    byRiskTierAndStatus: groups
      .map((g) => ({
        euRiskTier: g.eu_risk_tier as string,
        status: g.status as string,
        ...figure(Number(g.n), link(SYSTEMS, { euRiskTier: g.eu_risk_tier, status: g.status })),
      }))
      .sort((a, b) => a.euRiskTier.localeCompare(b.euRiskTier) || a.status.localeCompare(b.status)),
    withoutOwner: figure(withoutOwner.n, link(SYSTEMS, { withoutOwner: true })),
    ownerCoverage: total === 0 ? null : round(1 - Number(withoutOwner.n) / total, 4),
    withPhaseOwner: figure(covered, null),
    withoutPhaseOwner: figure(total - covered, null),
    phaseOwnerCoverage: total === 0 ? null : round(covered / total, 4),
    untriagedShadow: figure(untriagedShadow.n, link(SYSTEMS, { untriagedShadow: true })),
  };
}

async function approvalsFigures(db: Db, now: Date, since: string) {
  const [pending, overdue, decided] = await Promise.all([
    db.selectFrom('approval_requests').select(countAll(db)).where('status', '=', 'pending').executeTakeFirstOrThrow(),
    // An emergency change's retrospective approval past its due date.
    db
      .selectFrom('approval_requests')
      .select(countAll(db))
      .where('status', '=', 'pending')
      .where('retrospective_due_at', '<', now.toISOString())
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('approval_requests')
      .select(['revised_at', 'completed_at'])
      .where('completed_at', '>=', since)
      .where('status', 'in', ['approved', 'rejected'])
      .execute(),
  ]);
  const hours = decided.map((r) => span(r.revised_at, r.completed_at as string) / HOUR);
  return {
    pending: figure(pending.n, link(APPROVALS, { status: 'pending' })),
    overdue: figure(overdue.n, link(APPROVALS, { status: 'pending' }, false)),
    decidedLast90Days: decided.length,
    medianHoursToDecide: round(median(hours)),
  };
}

async function namesOfSystems(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('ai_systems')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function exceptionsFigures(db: Db, now: Date, since: string) {
  const [groups, overdue, closed, recurring] = await Promise.all([
    // The (status, severity, due_at) index, open statuses only.
    db
      .selectFrom('exceptions')
      .select(['status', 'severity', countAll(db)])
      .where('status', 'in', [...OPEN_EXCEPTION])
      .groupBy(['status', 'severity'])
      .execute(),
    db
      .selectFrom('exceptions')
      .select(countAll(db))
      .where('status', 'in', [...OPEN_EXCEPTION])
      .where('due_at', '<', now.toISOString())
      .executeTakeFirstOrThrow(),
    db.selectFrom('exceptions').select(['detected_at', 'closed_at']).where('closed_at', '>=', since).execute(),
    db
      .selectFrom('exceptions')
      .select(['system_id', 'root_cause_key', countAll(db)])
      .select((eb) => eb.fn.max('root_cause_category').as('category'))
      .where('recurring', '=', 1)
      .groupBy(['system_id', 'root_cause_key'])
      .orderBy('n', 'desc')
      .orderBy('system_id')
      .limit(10)
      .execute(),
  ]);
  const systemNames = await namesOfSystems(
    db,
    recurring.map((r) => r.system_id),
  );
  const sum = (key: 'status' | 'severity', value: string) => groups.filter((g) => g[key] === value).reduce((s, g) => s + Number(g.n), 0);
  const open = groups.reduce((s, g) => s + Number(g.n), 0);
  return {
    open: figure(open, link(EXCEPTIONS, { open: true })),
    byStatus: OPEN_EXCEPTION.map((status) => ({ status, ...figure(sum('status', status), link(EXCEPTIONS, { status })) })),
    bySeverity: SEVERITIES.map((severity) => ({
      severity,
      ...figure(sum('severity', severity), link(EXCEPTIONS, { open: true, severity })),
    })),
    overdue: figure(overdue.n, link(EXCEPTIONS, { overdue: true })),
    closedLast90Days: closed.length,
    meanHoursToClose: round(mean(closed.map((r) => span(r.detected_at, r.closed_at as string) / HOUR))),
    // Each exception flagged recurring repeats a root cause seen before on the same system.
    recurringRootCauses: recurring.map((r) => ({
      systemId: r.system_id,
      systemName: systemNames.get(r.system_id) ?? '',
      category: (r.category as string | null) ?? null,
      ...figure(r.n, link(EXCEPTIONS, { systemId: r.system_id }, false)),
    })),
  };
}

async function oversightFigures(db: Db, now: Date) {
  const since = new Date(now.getTime() - 30 * DAY).toISOString();
  const [states, current, actions] = await Promise.all([
    db
      .selectFrom('system_runtime')
      .select(['state', countAll(db)])
      .where('state', 'in', ['paused', 'restricted'])
      .groupBy('state')
      .execute(),
    db
      .selectFrom('system_runtime')
      .innerJoin('ai_systems', 'ai_systems.id', 'system_runtime.system_id')
      .select(['system_runtime.system_id', 'ai_systems.name', 'system_runtime.state', 'system_runtime.updated_at'])
      .where('system_runtime.state', 'in', ['paused', 'restricted'])
      .orderBy('system_runtime.updated_at', 'desc')
      .limit(20)
      .execute(),
    // The (type, recorded_at) index: one range per action type.
    db
      .selectFrom('ledger_events')
      .select(['type', countAll(db)])
      .where('type', 'in', [...OVERSIGHT_ACTIONS])
      .where('recorded_at', '>=', since)
      .groupBy('type')
      .execute(),
  ]);
  const stateCount = (state: string) => Number(states.find((s) => s.state === state)?.n ?? 0);
  const actionCount = (type: string) => Number(actions.find((a) => a.type === type)?.n ?? 0);
  return {
    paused: figure(stateCount('paused'), null),
    restricted: figure(stateCount('restricted'), null),
    pausedOrRestrictedNow: current.map((r) => ({ systemId: r.system_id, name: r.name, state: r.state, since: r.updated_at })),
    actionsLast30Days: OVERSIGHT_ACTIONS.map((type) => ({ type, ...figure(actionCount(type), link(EVENTS, { type, from: since })) })),
  };
}

async function decisionsFigures(db: Db) {
  const [pending, reviewed] = await Promise.all([
    db.selectFrom('decisions').select(countAll(db)).where('review_status', '=', 'pending').executeTakeFirstOrThrow(),
    db.selectFrom('decisions').select(countAll(db)).where('review_status', 'in', ['confirmed', 'overridden']).executeTakeFirstOrThrow(),
  ]);
  const queued = Number(pending.n) + Number(reviewed.n);
  return {
    awaitingReview: figure(pending.n, link(REVIEW_QUEUE, { status: 'pending' })),
    reviewed: figure(reviewed.n, null),
    /** Of the decisions ever sent to human review, the share a person has reviewed. */
    shareReviewed: queued === 0 ? null : round(Number(reviewed.n) / queued, 4),
  };
}

async function appealsFigures(db: Db, now: Date, since: string) {
  const [open, overdue, resolved] = await Promise.all([
    db
      .selectFrom('appeals')
      .select(['status', countAll(db)])
      .where('status', 'in', ['received', 'in_review'])
      .groupBy('status')
      .execute(),
    db
      .selectFrom('appeals')
      .select(countAll(db))
      .where('status', 'in', ['received', 'in_review'])
      .where('due_at', '<', now.toISOString())
      .executeTakeFirstOrThrow(),
    db.selectFrom('appeals').select(['created_at', 'resolved_at']).where('resolved_at', '>=', since).execute(),
  ]);
  const byStatus = (status: string) => Number(open.find((o) => o.status === status)?.n ?? 0);
  return {
    open: figure(byStatus('received') + byStatus('in_review'), null),
    received: figure(byStatus('received'), link(APPEALS, { status: 'received' })),
    inReview: figure(byStatus('in_review'), link(APPEALS, { status: 'in_review' })),
    overdue: figure(overdue.n, link(APPEALS, { overdue: true })),
    resolvedLast90Days: resolved.length,
    medianDaysToResolve: round(median(resolved.map((r) => span(r.created_at, r.resolved_at as string) / DAY))),
  };
}

/** Feedback not yet converted into an exception: in all, per category, and per system (the
 * FEEDBACK_TOP_SYSTEMS with the most), each linked to its list; and how much came in the window. */
async function feedbackFigures(db: Db, since: string) {
  const open = db.selectFrom('feedback').where('exception_id', 'is', null);
  const [total, byCategory, bySystem, received] = await Promise.all([
    open.select(countAll(db)).executeTakeFirstOrThrow(),
    open
      .select(['category', countAll(db)])
      .groupBy('category')
      .orderBy('category')
      .execute(),
    db
      .selectFrom('feedback')
      .innerJoin('ai_systems', 'ai_systems.id', 'feedback.system_id')
      .select(['feedback.system_id', 'ai_systems.name', (eb) => eb.fn.countAll<number>().as('n')])
      .where('feedback.exception_id', 'is', null)
      .groupBy(['feedback.system_id', 'ai_systems.name'])
      .orderBy('n', 'desc')
      .orderBy('feedback.system_id')
      .limit(FEEDBACK_TOP_SYSTEMS)
      .execute(),
    db.selectFrom('feedback').select(countAll(db)).where('created_at', '>=', since).executeTakeFirstOrThrow(),
  ]);
  return {
    open: figure(total.n, link(FEEDBACK, { converted: false })),
    byCategory: byCategory.map((r) => ({
      category: r.category,
      ...figure(r.n, link(FEEDBACK, { category: r.category, converted: false })),
    })),
    bySystem: bySystem.map((r) => ({
      systemId: r.system_id,
      name: r.name,
      ...figure(r.n, link(FEEDBACK, { systemId: r.system_id, converted: false })),
    })),
    receivedLast90Days: Number(received.n),
  };
}

async function ledgerFigures(db: Db) {
  const [head, checkpoint, verification] = await Promise.all([
    db.selectFrom('ledger_head').select('size').where('id', '=', 1).executeTakeFirst(),
    db.selectFrom('ledger_checkpoints').select(['tree_size', 'created_at']).orderBy('tree_size', 'desc').limit(1).executeTakeFirst(),
    lastVerification(db),
  ]);
  return {
    size: figure(head?.size ?? 0, link(EVENTS)),
    lastCheckpoint: checkpoint ? { treeSize: Number(checkpoint.tree_size), createdAt: checkpoint.created_at } : null,
    lastVerification: verification,
  };
}

/** Weekly counts (weeks from Monday 00:00 UTC) of the last TREND_WEEKS weeks, this week last. */
async function trends(db: Db, now: Date) {
  const first = weekStart(new Date(now.getTime() - (TREND_WEEKS - 1) * 7 * DAY));
  const from = first.toISOString();
  const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => new Date(first.getTime() + i * 7 * DAY).toISOString());
  const bucket = (days: Array<{ day: string | null; n: number | string | bigint }>) => {
    const counts = new Array<number>(TREND_WEEKS).fill(0);
    for (const { day, n } of days) {
      if (!day) continue;
      const i = Math.floor((Date.parse(`${day}T00:00:00Z`) - first.getTime()) / (7 * DAY));
      if (i >= 0 && i < TREND_WEEKS) counts[i] += Number(n);
    }
    return counts;
  };
  // Counted per day in the database (the ISO text's date part), summed into weeks here.
  const perDay = <C extends 'completed_at' | 'created_at' | 'closed_at'>(column: C) =>
    sql<string>`substr(${sql.ref(column)}, 1, 10)`.as('day');
  const [decided, opened, closed, incidents, appeals] = await Promise.all([
    db
      .selectFrom('approval_requests')
      .select([perDay('completed_at'), countAll(db)])
      .where('completed_at', '>=', from)
      .where('status', 'in', ['approved', 'rejected'])
      .groupBy('day')
      .execute(),
    db
      .selectFrom('exceptions')
      .select([perDay('created_at'), countAll(db)])
      .where('created_at', '>=', from)
      .groupBy('day')
      .execute(),
    db
      .selectFrom('exceptions')
      .select([perDay('closed_at'), countAll(db)])
      .where('closed_at', '>=', from)
      .groupBy('day')
      .execute(),
    db
      .selectFrom('exceptions')
      .select([perDay('created_at'), countAll(db)])
      .where('kind', '=', 'incident')
      .where('created_at', '>=', from)
      .groupBy('day')
      .execute(),
    db
      .selectFrom('appeals')
      .select([perDay('created_at'), countAll(db)])
      .where('created_at', '>=', from)
      .groupBy('day')
      .execute(),
  ]);
  return {
    weeks,
    series: [
      { name: 'approvals_decided', counts: bucket(decided), list: link(APPROVALS, {}, false) },
      { name: 'exceptions_opened', counts: bucket(opened), list: link(EXCEPTIONS, {}, false) },
      { name: 'exceptions_closed', counts: bucket(closed), list: link(EXCEPTIONS, { status: 'closed' }, false) },
      { name: 'incidents', counts: bucket(incidents), list: link(INCIDENTS, {}, false) },
      { name: 'appeals', counts: bucket(appeals), list: link(APPEALS, {}, false) },
    ],
  };
}

/** Every figure but the incidents' next deadlines (those follow the incidents' own rule; the route
 * adds them through a workflow). */
/** Scheduled reviews: open, overdue (governance/review-schedule.ts's rule), and the systems flagged
 * for an overdue mandatory review on the inventory. */
async function reviewsFigures(db: Db, now: Date) {
  const nowIso = now.toISOString();
  const [open, overdue, systems] = await Promise.all([
    db
      .selectFrom('reviews')
      .select(countAll(db))
      .where('status', 'in', [...OPEN_REVIEW_STATUSES])
      .executeTakeFirstOrThrow(),
    db.selectFrom('reviews').select(countAll(db)).where(reviewOverdue(nowIso)).executeTakeFirstOrThrow(),
    db
      .selectFrom('reviews')
      .select((eb) => eb.fn.count<number>('reviews.system_id').distinct().as('n'))
      .where(reviewOverdue(nowIso))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    open: figure(open.n, link(REVIEWS, {}, false)),
    overdue: figure(overdue.n, link(REVIEWS, { overdue: true })),
    systemsWithOverdueReview: figure(systems.n, link(SYSTEMS, { reviewOverdue: true })),
  };
}

export async function loadDashboard(db: Db, now = new Date()) {
  const since = new Date(now.getTime() - WINDOW_DAYS * DAY).toISOString();
  const [systems, approvals, exceptions, openIncidents, oversight, decisions, appeals, ledger, trend, firing, reviews, feedback] =
    await Promise.all([
      systemsFigures(db),
      approvalsFigures(db, now, since),
      exceptionsFigures(db, now, since),
      db
        .selectFrom('exceptions')
        .select(countAll(db))
        .where('kind', '=', 'incident')
        .where('status', 'in', [...OPEN_EXCEPTION])
        .executeTakeFirstOrThrow(),
      oversightFigures(db, now),
      decisionsFigures(db),
      appealsFigures(db, now, since),
      ledgerFigures(db),
      trends(db, now),
      db.selectFrom('alerts').select(countAll(db)).where('status', '=', 'firing').executeTakeFirstOrThrow(),
      reviewsFigures(db, now),
      feedbackFigures(db, since),
    ]);
  return {
    generatedAt: now.toISOString(),
    windowDays: WINDOW_DAYS,
    systems,
    approvals,
    exceptions,
    incidents: { open: figure(openIncidents.n, link(INCIDENTS, { open: true })) },
    oversight,
    decisions,
    appeals,
    reviews,
    ledger,
    trends: trend,
    alerts: { firing: figure(firing.n, link(ALERTS, { status: 'firing' })) },
    feedback,
  };
}
