// The dashboard: every headline figure of the governance programme in one read, each with the list
// filter it comes from (the query of an existing list endpoint) so the UI links a number to the
// rows behind it. Every count reads an index range or a count kept by triggers (migrations 1210,
// 1710 and 2100), never a scan of the inventory or the ledger; durations cover the last 90 days
// only, computed by the database (a mean with avg(), a median from its middle row or two).
import { type AliasableExpression, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../../db/schema.js';
import { hoursBetween } from '../../db/store.js';
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

/** Of `count` rows in order, where the middle one (odd count) or two (even count) are: a median
 * reads those rows only, not every row of the window. */
export function middleOf(count: number): { offset: number; limit: number } {
  return { offset: Math.floor((count - 1) / 2), limit: count % 2 === 0 ? 2 : 1 };
}

/** The median of the hours from column `from` to column `to` over `rows`, of which there are `count`:
 * read from the middle row or two in that order (null when there are none). */
async function medianHours<T extends keyof Database & string>(
  db: Db,
  rows: SelectQueryBuilder<Database, T, object>,
  count: number,
  [from, to]: [string, string],
): Promise<number | null> {
  if (count === 0) return null;
  const { offset, limit } = middleOf(count);
  const middle = await rows
    .select(hoursBetween(db, from, to).as('hours'))
    .orderBy('hours')
    .limit(limit)
    .offset(offset)
    .execute();
  return median(middle.map((r) => Number(r.hours)));
}
const round = (value: number | null, digits = 1) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

/** Monday 00:00 UTC of the week holding `date`. */
export function weekStart(date: Date): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

/** Counts kept by triggers in dashboard_counters (migrations 1710, 0510, 2100): each the sum of its
 * shards; a name with no row counts 0. */
async function counters<N extends string>(db: Db, names: N[]): Promise<Record<N, number>> {
  const rows = await db
    .selectFrom('dashboard_counters')
    .select(['name', (eb) => eb.fn.sum<number>('n').as('n')])
    .where('name', 'in', names)
    .groupBy('name')
    .execute();
  const sums = new Map(rows.map((r) => [r.name, Number(r.n)]));
  return Object.fromEntries(names.map((name) => [name, sums.get(name) ?? 0])) as Record<N, number>;
}

async function systemsFigures(db: Db) {
  const [groups, counts] = await Promise.all([
    // Kept by triggers on ai_systems (migrations 1710, 0510): a few rows per pair (shards, summed
    // here), not the inventory.
    db
      .selectFrom('system_counts')
      .select((eb) => ['eu_risk_tier', 'status', eb.fn.sum<number>('n').as('n')])
      .groupBy(['eu_risk_tier', 'status'])
      .having((eb) => eb.fn.sum('n'), '>', 0)
      .execute(),
    counters(db, ['systems_without_owner', 'systems_untriaged_shadow', 'systems_with_phase_owner']),
  ]);
  const total = groups.reduce((sum, g) => sum + Number(g.n), 0);
  const sumBy = (key: 'eu_risk_tier' | 'status') => {
    const sums = new Map<string, number>();
    for (const g of groups) sums.set(g[key], (sums.get(g[key]) ?? 0) + Number(g.n));
    return [...sums].sort(([a], [b]) => a.localeCompare(b));
  };
  const covered = counts.systems_with_phase_owner;
  const withoutOwner = counts.systems_without_owner;
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
    withoutOwner: figure(withoutOwner, link(SYSTEMS, { withoutOwner: true })),
    ownerCoverage: total === 0 ? null : round(1 - withoutOwner / total, 4),
    withPhaseOwner: figure(covered, null),
    withoutPhaseOwner: figure(total - covered, null),
    phaseOwnerCoverage: total === 0 ? null : round(covered / total, 4),
    untriagedShadow: figure(counts.systems_untriaged_shadow, link(SYSTEMS, { untriagedShadow: true })),
  };
}

async function approvalsFigures(db: Db, now: Date, since: string) {
  const decidedInWindow = db
    .selectFrom('approval_requests')
    .where('completed_at', '>=', since)
    .where('status', 'in', ['approved', 'rejected']);
  const [pending, overdue, decided] = await Promise.all([
    db.selectFrom('approval_requests').select(countAll(db)).where('status', '=', 'pending').executeTakeFirstOrThrow(),
    // An emergency change's retrospective approval past its due date.
    db
      .selectFrom('approval_requests')
      .select(countAll(db))
      .where('status', '=', 'pending')
      .where('retrospective_due_at', '<', now.toISOString())
      .executeTakeFirstOrThrow(),
    decidedInWindow.select(countAll(db)).executeTakeFirstOrThrow(),
  ]);
  const count = Number(decided.n);
  const hours = await medianHours(db, decidedInWindow, count, ['revised_at', 'completed_at']);
  return {
    pending: figure(pending.n, link(APPROVALS, { status: 'pending' })),
    overdue: figure(overdue.n, link(APPROVALS, { status: 'pending' }, false)),
    decidedLast90Days: count,
    medianHoursToDecide: round(hours),
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
    db
      .selectFrom('exceptions')
      .select([countAll(db), sql<number | string | null>`avg(${hoursBetween(db, 'detected_at', 'closed_at')})`.as('hours')])
      .where('closed_at', '>=', since)
      .executeTakeFirstOrThrow(),
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
    closedLast90Days: Number(closed.n),
    meanHoursToClose: closed.hours === null ? null : round(Number(closed.hours)),
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
    // The newest 20 first, then their names (not a join over every paused or restricted system).
    db
      .selectFrom((eb) =>
        eb
          .selectFrom('system_runtime')
          .select(['system_id', 'state', 'updated_at'])
          .where('state', 'in', ['paused', 'restricted'])
          .orderBy('updated_at', 'desc')
          .limit(20)
          .as('r'),
      )
      .innerJoin('ai_systems', 'ai_systems.id', 'r.system_id')
      .select(['r.system_id', 'ai_systems.name', 'r.state', 'r.updated_at'])
      .orderBy('r.updated_at', 'desc')
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
  const { decisions_review_pending: pending, decisions_reviewed: reviewed } = await counters(db, [
    'decisions_review_pending',
    'decisions_reviewed',
  ]);
  const queued = pending + reviewed;
  return {
    awaitingReview: figure(pending, link(REVIEW_QUEUE, { status: 'pending' })),
    reviewed: figure(reviewed, null),
    /** Of the decisions ever sent to human review, the share a person has reviewed. */
    shareReviewed: queued === 0 ? null : round(reviewed / queued, 4),
  };
}

async function appealsFigures(db: Db, now: Date, since: string) {
  const resolvedInWindow = db.selectFrom('appeals').where('resolved_at', '>=', since);
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
    resolvedInWindow.select(countAll(db)).executeTakeFirstOrThrow(),
  ]);
  const count = Number(resolved.n);
  const hours = await medianHours(db, resolvedInWindow, count, ['created_at', 'resolved_at']);
  const byStatus = (status: string) => Number(open.find((o) => o.status === status)?.n ?? 0);
  return {
    open: figure(byStatus('received') + byStatus('in_review'), null),
    received: figure(byStatus('received'), link(APPEALS, { status: 'received' })),
    inReview: figure(byStatus('in_review'), link(APPEALS, { status: 'in_review' })),
    overdue: figure(overdue.n, link(APPEALS, { overdue: true })),
    resolvedLast90Days: count,
    medianDaysToResolve: round(hours === null ? null : hours / 24),
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

/** Weekly counts (weeks from Monday 00:00 UTC) of the last TREND_WEEKS weeks, this week last. Each
 * week of a series is one range of an index on its timestamp (ISO 8601 text in UTC sorts as time),
 * all weeks of a series in one statement: counted in the index, nothing sorted or read out per row. */
async function trends(db: Db, now: Date) {
  const first = weekStart(new Date(now.getTime() - (TREND_WEEKS - 1) * 7 * DAY));
  const bounds = Array.from({ length: TREND_WEEKS + 1 }, (_, i) => new Date(first.getTime() + i * 7 * DAY).toISOString());
  const weeks = bounds.slice(0, TREND_WEEKS);
  const perWeek = async (count: (from: string, to: string) => AliasableExpression<{ n: number }>) => {
    const row = await db.selectNoFrom(weeks.map((from, i) => count(from, bounds[i + 1]).as(`w${i}`))).executeTakeFirstOrThrow();
    return weeks.map((_, i) => Number((row as Record<string, unknown>)[`w${i}`] ?? 0));
  };
  const [decided, opened, closed, incidents, appeals] = await Promise.all([
    perWeek((from, to) =>
      db
        .selectFrom('approval_requests')
        .select(countAll(db))
        .where('completed_at', '>=', from)
        .where('completed_at', '<', to)
        .where('status', 'in', ['approved', 'rejected']),
    ),
    perWeek((from, to) => db.selectFrom('exceptions').select(countAll(db)).where('created_at', '>=', from).where('created_at', '<', to)),
    perWeek((from, to) => db.selectFrom('exceptions').select(countAll(db)).where('closed_at', '>=', from).where('closed_at', '<', to)),
    perWeek((from, to) =>
      db
        .selectFrom('exceptions')
        .select(countAll(db))
        .where('kind', '=', 'incident')
        .where('created_at', '>=', from)
        .where('created_at', '<', to),
    ),
    perWeek((from, to) => db.selectFrom('appeals').select(countAll(db)).where('created_at', '>=', from).where('created_at', '<', to)),
  ]);
  return {
    weeks,
    series: [
      { name: 'approvals_decided', counts: decided, list: link(APPROVALS, {}, false) },
      { name: 'exceptions_opened', counts: opened, list: link(EXCEPTIONS, {}, false) },
      { name: 'exceptions_closed', counts: closed, list: link(EXCEPTIONS, { status: 'closed' }, false) },
      { name: 'incidents', counts: incidents, list: link(INCIDENTS, {}, false) },
      { name: 'appeals', counts: appeals, list: link(APPEALS, {}, false) },
    ],
  };
}

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

/** Every figure but the incidents' next deadlines (those follow the incidents' own rule; the route
 * adds them through a workflow). */
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
