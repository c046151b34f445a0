// Monitoring over HTTP: metric points in batches (ingest-scoped API tokens only), monitors, and the
// alerts' lifecycle (acknowledge with a rationale, resolve).
import { WRITER_ROLES } from '../../context.js';
import { type App, type AppDeps, ErrorRef, errorResponses, IdParams, requestContext } from '../../server/http.js';
import {
  AlertView,
  DocumentedPointsBody,
  MonitorBody,
  MonitorView,
  PointsBody,
  PointsReceiptView,
  RationaleBody,
} from './alerts.schema.js';
import {
  acknowledgeAlert,
  createMonitor,
  disableMonitor,
  findAlert,
  findMonitor,
  ingestMetricPoints,
  presentAlert,
  presentMonitor,
  resolveAlert,
} from './alerts.service.js';

const POINTS_BODY_LIMIT = 8 * 1024 * 1024;
const MONITOR_EDITORS = ['admin', 'governance_lead', 'system_owner'] as const;
const ALERT_HANDLERS = ['admin', 'governance_lead', 'system_owner', 'oversight_officer'] as const;
const READERS = ['admin', 'governance_lead', 'system_owner', 'oversight_officer', 'auditor'] as const;

export function alertsRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/metrics/points',
    {
      bodyLimit: POINTS_BODY_LIMIT,
      schema: {
        operationId: 'ingestMetricPoints',
        tags: ['monitoring'],
        summary: 'Record a batch of metric points: all or nothing; monitors are evaluated at once',
        body: PointsBody,
        response: { 200: PointsReceiptView, 413: ErrorRef, ...errorResponses },
      },
      config: { access: { roles: WRITER_ROLES, scope: 'ingest' }, documentedBody: DocumentedPointsBody },
    },
    async (req) => store.transact((trx) => ingestMetricPoints(trx, { ctx: requestContext(req), points: req.body.points })),
  );

  app.post(
    '/api/v1/monitors',
    {
      schema: {
        operationId: 'createMonitor',
        tags: ['monitoring'],
        summary: 'Set a monitor on a system: a metric, a comparison and a threshold over a window',
        body: MonitorBody,
        response: { 201: MonitorView, ...errorResponses },
      },
      config: { access: { roles: MONITOR_EDITORS, scope: 'write' } },
    },
    async (req, reply) => {
      const monitor = await store.transact((trx) => createMonitor(trx, { ctx: requestContext(req), input: req.body }));
      return reply.code(201).send(monitor);
    },
  );

  app.get(
    '/api/v1/monitors/:id',
    {
      schema: {
        operationId: 'findMonitor',
        tags: ['monitoring'],
        summary: 'One monitor',
        params: IdParams,
        response: { 200: MonitorView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => presentMonitor(await findMonitor(store.db, req.params.id)),
  );

  app.post(
    '/api/v1/monitors/:id/disable',
    {
      schema: {
        operationId: 'disableMonitor',
        tags: ['monitoring'],
        summary: 'Stop a monitor, saying why',
        params: IdParams,
        body: RationaleBody,
        response: { 200: MonitorView, ...errorResponses },
      },
      config: { access: { roles: MONITOR_EDITORS, scope: 'write' } },
    },
    async (req) =>
      store.transact((trx) => disableMonitor(trx, { ctx: requestContext(req), monitorId: req.params.id, rationale: req.body.rationale })),
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      schema: {
        operationId: 'findAlert',
        tags: ['monitoring'],
        summary: 'One alert, with the values that caused it',
        params: IdParams,
        response: { 200: AlertView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => presentAlert(await findAlert(store.db, req.params.id)),
  );

  for (const [action, run, summary] of [
    ['acknowledge', acknowledgeAlert, 'Acknowledge a firing alert, saying why'],
    ['resolve', resolveAlert, 'Resolve an alert, saying why'],
  ] as const) {
    app.post(
      `/api/v1/alerts/:id/${action}`,
      {
        schema: {
          operationId: `${action}Alert`,
          tags: ['monitoring'],
          summary,
          params: IdParams,
          body: RationaleBody,
          response: { 200: AlertView, ...errorResponses },
        },
        config: { access: { roles: ALERT_HANDLERS, scope: 'write' } },
      },
      async (req) => store.transact((trx) => run(trx, { ctx: requestContext(req), alertId: req.params.id, rationale: req.body.rationale })),
    );
  }
}
