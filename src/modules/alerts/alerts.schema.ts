// Request and response shapes of monitoring: metric points, monitors and alerts.
import { Type } from 'typebox';
import { EU_RISK_TIERS } from '../../governance/system-states.js';
import { component, Id, StringEnum } from '../../server/http.js';
import { COMPUTED_METRICS } from './alerts.tables.js';

export const MAX_BATCH_POINTS = 20_000;

export const MetricPointShape = component(
  'MetricPoint',
  Type.Object(
    {
      systemId: Type.String({ maxLength: 100, description: 'the AI system measured' }),
      metric: Type.String({ maxLength: 100, description: 'e.g. latency_ms, error_count, prompt_injection_detections, drift_score' }),
      value: Type.Number(),
      at: Type.String({ format: 'date-time', description: 'when it was observed' }),
      labels: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 200 }))),
    },
    { additionalProperties: false },
  ),
);

/** Validated by the service so that one answer names every bad point (Ajv stops at the first). */
export const PointsBody = Type.Object(
  { points: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH_POINTS, description: `1 to ${MAX_BATCH_POINTS} MetricPoint` }) },
  { additionalProperties: false },
);
export const DocumentedPointsBody = Type.Object(
  {
    points: Type.Array(MetricPointShape, {
      minItems: 1,
      maxItems: MAX_BATCH_POINTS,
      description: 'the answer to a bad batch names every bad point (details.problems); nothing is recorded',
    }),
  },
  { additionalProperties: false },
);

export const PointsReceiptView = component(
  'MetricPointsReceipt',
  Type.Object({
    batchId: Id,
    count: Type.Integer(),
    digest: Type.String(),
    receivedAt: Type.String(),
    alertsFired: Type.Array(Id, { description: 'alerts this batch raised' }),
  }),
);

const Severity = StringEnum(['low', 'medium', 'high', 'critical'] as const);
const Rationale = Type.String({ minLength: 1, maxLength: 4000, description: 'why' });

export const MonitorBody = Type.Object(
  {
    systemId: Type.String({ maxLength: 100 }),
    modelVersionId: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          "a model version of the system: a computed monitor reads that version's outcomes; a points monitor reads only points whose `model_version` label is this id",
      }),
    ),
    group: Type.Optional(Type.String({ maxLength: 200, description: 'a label value the points must carry' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    source: StringEnum(['points', 'computed'] as const, {
      description: 'points sent to Proofline, or a statistic Proofline computes from recorded outcomes',
    }),
    metric: Type.String({
      minLength: 1,
      maxLength: 100,
      description: `a point metric's name; for a computed monitor one of ${COMPUTED_METRICS.join(', ')}`,
    }),
    aggregation: StringEnum(['avg', 'max', 'min', 'sum', 'count', 'last'] as const),
    comparison: StringEnum(['gt', 'gte', 'lt', 'lte'] as const),
    threshold: Type.Number(),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 31 * 24 * 3600 }),
    severity: Severity,
    ownerId: Type.String({ maxLength: 100 }),
    rationale: Rationale,
    forEvaluations: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description: 'flapping: evaluations in a row a breach must hold before it alerts (default 1)',
      }),
    ),
    clearEvaluations: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description: 'flapping: clear evaluations in a row that resolve an open alert (default 3)',
      }),
    ),
    feature: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]{0,49}$',
        description: 'a drift monitor (psi, js_distance, ks_statistic): score (the default) or a feature the system declares',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MonitorView = component(
  'Monitor',
  Type.Object({
    id: Id,
    systemId: Type.String(),
    modelVersionId: Type.Union([Type.String(), Type.Null()]),
    group: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    source: StringEnum(['points', 'computed'] as const),
    metric: Type.String(),
    aggregation: Type.String(),
    comparison: Type.String(),
    threshold: Type.Number(),
    windowSeconds: Type.Integer(),
    severity: Severity,
    ownerId: Type.String(),
    enabled: Type.Boolean(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
    forEvaluations: Type.Integer(),
    clearEvaluations: Type.Integer(),
    lastValue: Type.Union([Type.Number(), Type.Null()], { description: 'the value of the last evaluation' }),
    feature: Type.Union([Type.String(), Type.Null()], {
      description: "a drift monitor's feature (null: not a drift monitor; a drift monitor set before features were declared watches score)",
    }),
  }),
);

export const RationaleBody = Type.Object({ rationale: Rationale }, { additionalProperties: false });

export const AlertView = component(
  'Alert',
  Type.Object({
    id: Id,
    systemId: Type.String(),
    monitorId: Type.Union([Type.String(), Type.Null()]),
    title: Type.String(),
    severity: Severity,
    status: StringEnum(['firing', 'acknowledged', 'resolved'] as const),
    evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'the computed values that caused the alert' }),
    fireCount: Type.Integer(),
    firedAt: Type.String(),
    lastFiredAt: Type.String(),
    acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
    acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
    acknowledgementRationale: Type.Union([Type.String(), Type.Null()]),
    resolvedAt: Type.Union([Type.String(), Type.Null()]),
    exceptionId: Type.Union([Type.String(), Type.Null()]),
    source: StringEnum(['monitor', 'alertmanager'] as const),
    labels: Type.Record(Type.String(), Type.Unknown(), { description: "Alertmanager's labels and annotations; {} for a monitor's alert" }),
  }),
);

const Labels = Type.Record(Type.String(), Type.String());

export const AlertmanagerBody = Type.Object(
  {
    version: Type.Optional(Type.String()),
    groupKey: Type.Optional(Type.String()),
    truncatedAlerts: Type.Optional(Type.Integer()),
    status: Type.Optional(Type.String()),
    receiver: Type.Optional(Type.String()),
    groupLabels: Type.Optional(Labels),
    commonLabels: Type.Optional(Labels),
    commonAnnotations: Type.Optional(Labels),
    externalURL: Type.Optional(Type.String()),
    alerts: Type.Array(
      Type.Object({
        status: StringEnum(['firing', 'resolved'] as const),
        labels: Type.Record(Type.String(), Type.String(), {
          description: 'proofline_system names the AI system (its id or exact name); severity maps to low/medium/high/critical',
        }),
        annotations: Type.Optional(Labels),
        startsAt: Type.String(),
        endsAt: Type.Optional(Type.String()),
        generatorURL: Type.Optional(Type.String()),
        fingerprint: Type.String({ minLength: 1, maxLength: 200 }),
      }),
      { maxItems: 1000 },
    ),
  },
  { description: "Alertmanager's webhook notification (version 4)" },
);

export const AlertmanagerReceiptView = component(
  'AlertmanagerReceipt',
  Type.Object({
    fired: Type.Array(Id, { description: 'Proofline alerts opened' }),
    repeated: Type.Array(Id, { description: 'open alerts a repeat counted on' }),
    resolved: Type.Array(Id, { description: 'alerts resolved' }),
  }),
);

export const AlertActionBody = Type.Object(
  {
    action: StringEnum(['pause', 'restrict', 'open_incident'] as const),
    reason: Rationale,
    conditions: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'restrict only: the conditions the system runs under' }),
    ),
  },
  { additionalProperties: false },
);

export const AlertActionView = component(
  'AlertActionResult',
  Type.Object({
    alert: AlertView,
    action: StringEnum(['pause', 'restrict', 'open_incident'] as const),
    // The oversight feature's runtime states (a sibling feature: repeated, not imported).
    runtimeState: Type.Optional(StringEnum(['active', 'restricted', 'paused'] as const)),
    runtimeVersion: Type.Optional(Type.Integer()),
    incidentId: Type.Optional(Type.String()),
  }),
);

export const MonitorDefaultsBody = Type.Object(
  {
    ownerId: Type.String({ maxLength: 100 }),
    rationale: Rationale,
    fairnessAttribute: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'the group attribute for the impact ratio monitor' }),
    ),
    validatedErrorRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'the validated baseline for the error rate monitor' }),
    ),
  },
  { additionalProperties: false },
);

export const MonitorDefaultsView = component(
  'MonitorDefaultsApplied',
  Type.Object({ tier: StringEnum(EU_RISK_TIERS), created: Type.Array(MonitorView) }),
);
