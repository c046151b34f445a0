// Monitoring over HTTP: metric points in batches (ingest-scoped API tokens only), monitors, and the
// alerts' lifecycle (acknowledge with a rationale, resolve).
import { WRITER_ROLES } from '../../context.js';
import { AppError } from '../../errors.js';
import { deliverDueNotifications } from '../../notifications/notifications.service.js';
import { type App, type AppDeps, ErrorRef, errorResponses, IdParams, requestContext } from '../../server/http.js';
import { actOnAlert, recordAlertmanagerNotification, recordMetricPoints } from '../../workflows/alert-response.js';
import {
  AlertActionBody,
  AlertActionView,
  AlertmanagerBody,
  AlertmanagerReceiptView,
  AlertView,
  DocumentedPointsBody,
  MonitorBody,
  MonitorDefaultsBody,
  MonitorDefaultsView,
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
  presentAlert,
  presentMonitor,
  resolveAlert,
} from './alerts.service.js';
import { applyDefaultMonitors } from './monitor-defaults.js';

const POINTS_BODY_LIMIT = 8 * 1024 * 1024;
const MONITOR_EDITORS = ['admin', 'governance_lead', 'system_owner'] as const;
const ALERT_HANDLERS = ['admin', 'governance_lead', 'system_owner', 'oversight_officer'] as const;
const READERS = ['admin', 'governance_lead', 'system_owner', 'oversight_officer', 'auditor'] as const;

export function alertsRoutes(app: App, { store, services, config }: AppDeps) {
  // An alert's first escalation leaves at once after its commit, not at the next delivery tick.
  const deliverNow = (log: App['log']) =>
    void deliverDueNotifications(store, { mailer: services.mailer, from: config.mailFrom }).catch((error: unknown) =>
      log.warn({ err: error }, 'immediate delivery failed; the delivery job retries'),
    );

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
    async (req) => {
      const receipt = await store.transact((trx) => recordMetricPoints(trx, { ctx: requestContext(req), points: req.body.points }));
      if (receipt.alertsFired.length > 0) deliverNow(req.log);
      return receipt;
    },
  );

  app.post(
    '/api/v1/alerts/alertmanager',
    {
      schema: {
        operationId: 'receiveAlertmanagerNotification',
        tags: ['monitoring'],
        summary: "Record Prometheus Alertmanager's webhook notification as alerts on the systems their proofline_system label names",
        body: AlertmanagerBody,
        response: { 200: AlertmanagerReceiptView, 422: ErrorRef, ...errorResponses },
      },
      config: { access: { roles: WRITER_ROLES, scope: 'ingest' } },
    },
    async (req) => {
      try {
        const receipt = await store.transact((trx) =>
          recordAlertmanagerNotification(trx, { ctx: requestContext(req), notification: req.body }),
        );
        if (receipt.fired.length > 0) deliverNow(req.log);
        return receipt;
      } catch (error) {
        if (error instanceof AppError && error.code === 'alert_system_unknown') {
          req.log.warn(
            { code: error.code, unknown: error.details.unknown, receiver: req.body.receiver },
            'Alertmanager alerts refused: unknown system',
          );
        }
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/systems/:id/monitors/defaults',
    {
      schema: {
        operationId: 'applyDefaultMonitors',
        tags: ['monitoring'],
        summary: "Add the default monitors of the system's EU risk tier that it lacks",
        params: IdParams,
        body: MonitorDefaultsBody,
        response: { 201: MonitorDefaultsView, ...errorResponses },
      },
      config: { access: { roles: MONITOR_EDITORS, scope: 'write' } },
    },
    async (req, reply) => {
      const applied = await store.transact((trx) =>
        applyDefaultMonitors(trx, { ctx: requestContext(req), systemId: req.params.id, input: req.body }),
      );
      return reply.code(201).send(applied);
    },
  );

  app.post(
    '/api/v1/alerts/:id/actions',
    {
      schema: {
        operationId: 'actOnAlert',
        tags: ['monitoring'],
        summary: "Act on an alert: pause or restrict its system (the oversight roster's rules) or open an incident",
        params: IdParams,
        body: AlertActionBody,
        response: { 200: AlertActionView, ...errorResponses },
      },
      config: { access: { roles: ALERT_HANDLERS, scope: 'write' } },
    },
    async (req) => store.transact((trx) => actOnAlert(trx, { ctx: requestContext(req), alertId: req.params.id, ...req.body })),
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
