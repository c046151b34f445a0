// Monitoring's reads over HTTP for the web UI and other clients: the alert list, a system's
// monitors, and a metric's points over time (downsampled in the database).
import { type App, type AppDeps, errorResponses, IdParams, Page } from '../../server/http.js';
import { listAlerts, listMonitors, metricSeries } from './alerts.reads.js';
import { AlertListItem, AlertsQuery, MonitorList, SeriesParams, SeriesQuery, SeriesView } from './alerts.reads.schema.js';

const READERS = ['admin', 'governance_lead', 'system_owner', 'oversight_officer', 'auditor'] as const;

export function alertsReadRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/alerts',
    {
      schema: {
        operationId: 'listAlerts',
        tags: ['monitoring'],
        summary: 'Alerts across systems, most recently fired first, filtered by status, severity and system',
        querystring: AlertsQuery,
        response: { 200: Page(AlertListItem), ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => listAlerts(store.db, req.query),
  );

  app.get(
    '/api/v1/systems/:id/monitors',
    {
      schema: {
        operationId: 'listSystemMonitors',
        tags: ['monitoring'],
        summary: "A system's monitors, enabled ones first",
        params: IdParams,
        response: { 200: MonitorList, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => listMonitors(store.db, req.params.id),
  );

  app.get(
    '/api/v1/systems/:id/metrics/:name/points',
    {
      schema: {
        operationId: 'metricSeries',
        tags: ['monitoring'],
        summary: "A metric's points over a window, summarised per UTC second, minute, hour, day or month",
        params: SeriesParams,
        querystring: SeriesQuery,
        response: { 200: SeriesView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) =>
      metricSeries(store.db, {
        systemId: req.params.id,
        metric: req.params.name,
        from: req.query.from,
        to: req.query.to,
        buckets: req.query.buckets,
      }),
  );
}
