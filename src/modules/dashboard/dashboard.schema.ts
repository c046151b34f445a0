// The dashboard's response: every figure with the list filter it comes from.
import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const ListLink = Type.Object(
  {
    path: Type.String({ description: 'the list endpoint, e.g. /api/v1/exceptions' }),
    query: Type.Record(Type.String(), Type.String(), { description: 'its query parameters that show the rows counted' }),
    exact: Type.Boolean({ description: 'false when the list shows more rows than the figure counts' }),
  },
  { description: 'the list this figure comes from' },
);
const LinkRef = ListLink;
const figureFields = { count: Type.Integer(), list: Type.Union([LinkRef, Type.Null()]) };
export const Figure = Type.Object(figureFields);
const FigureRef = Figure;
const FigureOf = <K extends string>(key: K) =>
  Type.Object({ [key]: Type.String(), ...figureFields } as Record<K, ReturnType<typeof Type.String>>);

const Systems = Type.Object({
  total: FigureRef,
  byRiskTier: Type.Array(FigureOf('euRiskTier')),
  byStatus: Type.Array(FigureOf('status')),
  byRiskTierAndStatus: Type.Array(Type.Object({ euRiskTier: Type.String(), status: Type.String(), ...figureFields })),
  withoutOwner: FigureRef,
  ownerCoverage: Nullable(Type.Number({ description: 'share of systems with an accountable owner, 0..1' })),
  withPhaseOwner: FigureRef,
  withoutPhaseOwner: FigureRef,
  phaseOwnerCoverage: Nullable(Type.Number({ description: 'share of systems with at least one phase owner, 0..1' })),
  untriagedShadow: FigureRef,
});

const Approvals = Type.Object({
  pending: FigureRef,
  overdue: Type.Object(figureFields, { description: 'pending emergency changes whose retrospective approval is past due' }),
  decidedLast90Days: Type.Integer(),
  medianHoursToDecide: Nullable(Type.Number({ description: 'from the current revision to the decision, last 90 days' })),
});

const Exceptions = Type.Object({
  open: FigureRef,
  byStatus: Type.Array(FigureOf('status')),
  bySeverity: Type.Array(FigureOf('severity')),
  overdue: FigureRef,
  closedLast90Days: Type.Integer(),
  meanHoursToClose: Nullable(Type.Number({ description: 'from detection to closing, last 90 days' })),
  recurringRootCauses: Type.Array(
    Type.Object({ systemId: Type.String(), systemName: Type.String(), category: Nullable(Type.String()), ...figureFields }),
  ),
});

const IncidentDeadline = Type.Object({
  exceptionId: Type.String(),
  systemId: Type.String(),
  title: Type.String(),
  severity: Type.String(),
  deadlineKey: Type.String(),
  deadlineTitle: Type.String(),
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  provisional: Type.Boolean(),
  detail: Type.String({ description: 'the incident, e.g. /api/v1/incidents/{id}/deadlines' }),
});

const Incidents = Type.Object({
  open: FigureRef,
  overdueDeadlines: Type.Object(figureFields, { description: 'open incidents whose next reporting deadline has passed' }),
  nextDeadlines: Type.Array(IncidentDeadline, {
    description: 'open incidents by their next unfiled reporting deadline, soonest first (at most 20)',
  }),
});

const Oversight = Type.Object({
  paused: FigureRef,
  restricted: FigureRef,
  pausedOrRestrictedNow: Type.Array(
    Type.Object({ systemId: Type.String(), name: Type.String(), state: Type.String(), since: Type.String() }),
  ),
  actionsLast30Days: Type.Array(FigureOf('type')),
});

const Decisions = Type.Object({
  awaitingReview: FigureRef,
  reviewed: FigureRef,
  shareReviewed: Nullable(Type.Number({ description: 'of the decisions sent to human review, the share reviewed, 0..1' })),
});

const Appeals = Type.Object({
  open: FigureRef,
  received: FigureRef,
  inReview: FigureRef,
  overdue: FigureRef,
  resolvedLast90Days: Type.Integer(),
  medianDaysToResolve: Nullable(Type.Number()),
});

const Reviews = Type.Object({
  open: FigureRef,
  overdue: FigureRef,
  systemsWithOverdueReview: FigureRef,
});

const Feedback = Type.Object({
  open: FigureRef,
  byCategory: Type.Array(FigureOf('category')),
  bySystem: Type.Array(Type.Object({ systemId: Type.String(), name: Type.String(), ...figureFields }), {
    description: 'the systems with the most open feedback (not converted into an exception), most first',
  }),
  receivedLast90Days: Type.Integer(),
});

const Ledger = Type.Object({
  size: FigureRef,
  lastCheckpoint: Nullable(Type.Object({ treeSize: Type.Integer(), createdAt: Type.String() })),
  lastVerification: Nullable(
    Type.Object({
      verifiedAt: Type.String(),
      ok: Type.Boolean(),
      events: Type.Integer(),
      checkpointsChecked: Type.Integer(),
      problemKind: Nullable(Type.String()),
      problemSeq: Nullable(Type.Integer()),
      verifiedBy: Nullable(Type.String()),
      verifiedByName: Nullable(Type.String()),
      channel: Type.String({ description: 'api or cli' }),
    }),
  ),
});

const Alerts = Type.Object({
  firing: Type.Object(figureFields, { description: 'monitoring alerts firing now (not yet acknowledged or resolved)' }),
});

const Trends = Type.Object({
  weeks: Type.Array(Type.String(), { description: 'the Monday (00:00 UTC) each week starts, oldest first' }),
  series: Type.Array(Type.Object({ name: Type.String(), counts: Type.Array(Type.Integer()), list: LinkRef })),
});

export const DashboardView = Type.Object({
  generatedAt: Type.String(),
  windowDays: Type.Integer({ description: 'the window of the durations (time to decide, close, resolve)' }),
  systems: Systems,
  approvals: Approvals,
  exceptions: Exceptions,
  incidents: Incidents,
  oversight: Oversight,
  decisions: Decisions,
  appeals: Appeals,
  reviews: Reviews,
  ledger: Ledger,
  trends: Trends,
  alerts: Alerts,
  feedback: Feedback,
});
