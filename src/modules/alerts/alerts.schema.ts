// Request and response shapes of monitoring: metric points, monitors and alerts.
import { Type } from 'typebox';
import { component, Id, StringEnum } from '../../server/http.js';

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
    modelVersionId: Type.Optional(Type.String({ maxLength: 100 })),
    group: Type.Optional(Type.String({ maxLength: 200, description: 'a label value the points must carry' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    source: StringEnum(['points', 'computed'] as const, { description: 'points sent to Proofline; computed statistics come later' }),
    metric: Type.String({ minLength: 1, maxLength: 100 }),
    aggregation: StringEnum(['avg', 'max', 'min', 'sum', 'count', 'last'] as const),
    comparison: StringEnum(['gt', 'gte', 'lt', 'lte'] as const),
    threshold: Type.Number(),
    windowSeconds: Type.Integer({ minimum: 1, maximum: 31 * 24 * 3600 }),
    severity: Severity,
    ownerId: Type.String({ maxLength: 100 }),
    rationale: Rationale,
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
  }),
);
