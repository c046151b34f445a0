// Changing a monitor over HTTP: PATCH with If-Match (or `version`) and a reason.
import { type Static, Type } from 'typebox';
import {
  type App,
  type AppDeps,
  errorResponses,
  expectedVersion,
  IdParams,
  requestContext,
  StringEnum,
  setEtag,
} from '../../server/http.js';
import { MonitorView } from './alerts.schema.js';
import { presentMonitor } from './alerts.service.js';
import { updateMonitor } from './monitors.service.js';

const MONITOR_EDITORS = ['admin', 'governance_lead', 'system_owner'] as const;

export const UpdateMonitorBody = Type.Object(
  {
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'the version read, when If-Match is not sent' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    aggregation: Type.Optional(StringEnum(['avg', 'max', 'min', 'sum', 'count', 'last'] as const)),
    comparison: Type.Optional(StringEnum(['gt', 'gte', 'lt', 'lte'] as const)),
    threshold: Type.Optional(Type.Number()),
    windowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 31 * 24 * 3600 })),
    severity: Type.Optional(StringEnum(['low', 'medium', 'high', 'critical'] as const)),
    ownerId: Type.Optional(Type.String({ maxLength: 100 })),
    rationale: Type.String({ minLength: 1, maxLength: 4000, description: 'why' }),
  },
  { additionalProperties: false },
);

export function monitorEditRoutes(app: App, { store }: AppDeps) {
  app.patch(
    '/api/v1/monitors/:id',
    {
      schema: {
        operationId: 'updateMonitor',
        tags: ['monitoring'],
        summary: "Change a monitor's rule (threshold, window, comparison, severity, owner, name), saying why",
        params: IdParams,
        body: UpdateMonitorBody,
        response: { 200: MonitorView, ...errorResponses },
      },
      config: { access: { roles: MONITOR_EDITORS, scope: 'write' }, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, rationale, ...changes } = req.body as Static<typeof UpdateMonitorBody>;
      const row = await store.transact((trx) =>
        updateMonitor(trx, {
          ctx: requestContext(req),
          monitorId: req.params.id,
          expectedVersion: expectedVersion(req, version),
          changes,
          rationale,
        }),
      );
      setEtag(reply, Number(row.version));
      return presentMonitor(row);
    },
  );
}
