// Request and response shapes of monitoring's reads for people: the alert list, a system's monitors,
// and a metric's points over time, downsampled for a chart.
import { Type } from 'typebox';
import { component, Id, PageQuery, StringEnum } from '../../server/http.js';
import { AlertView, MonitorView } from './alerts.schema.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const AlertListItem = component(
  'AlertListItem',
  Type.Object({
    ...AlertView.properties,
    systemName: Type.String(),
    acknowledgedByName: Nullable(Type.String()),
  }),
);

export const AlertsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(['firing', 'acknowledged', 'resolved'] as const)),
    severity: Type.Optional(StringEnum(['low', 'medium', 'high', 'critical'] as const)),
    systemId: Type.Optional(Type.String({ maxLength: 100 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const MonitorListItem = component('MonitorListItem', Type.Object({ ...MonitorView.properties, ownerName: Nullable(Type.String()) }));
export const MonitorList = Type.Object({ items: Type.Array(MonitorListItem) });

export const SeriesParams = Type.Object({ id: Id, name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const SeriesQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'points observed at or after (default: 7 days before `to`)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'points observed before (default: now)' })),
    buckets: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'the most points answered' })),
  },
  { additionalProperties: false },
);

export const SeriesBucket = component(
  'MetricBucket',
  Type.Object({
    at: Type.String({ description: "the bucket's start" }),
    count: Type.Integer(),
    avg: Type.Number(),
    min: Type.Number(),
    max: Type.Number(),
  }),
);
export const SeriesView = Type.Object({
  systemId: Type.String(),
  metric: Type.String(),
  from: Type.String(),
  to: Type.String(),
  bucket: StringEnum(['second', 'minute', 'hour', 'day', 'month'] as const, {
    description: 'the width of each bucket (UTC): the finest that keeps the answer within `buckets`',
  }),
  points: Type.Integer({ description: 'how many points the window holds' }),
  buckets: Type.Array(SeriesBucket, { description: 'oldest first; empty buckets are left out' }),
});
