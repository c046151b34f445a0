// GET /api/v1/dashboard: the figures every signed-in role sees first, each linked to its list.
import { displayNames, nameOf } from '../../accounts/display-names.js';
import { type App, type AppDeps, errorResponses } from '../../server/http.js';
import { nextIncidentDeadlines } from '../../workflows/incident-deadlines-due.js';
import { DashboardView } from './dashboard.schema.js';
import { loadDashboard } from './dashboard.service.js';

const INCIDENTS = '/api/v1/incidents';
const SHOWN_DEADLINES = 20;

export function dashboardRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/dashboard',
    {
      schema: {
        operationId: 'loadDashboard',
        summary: 'The governance dashboard: every headline figure with the list filter it comes from',
        tags: ['dashboard'],
        response: { 200: DashboardView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async () => {
      const now = new Date();
      const [dashboard, deadlines] = await Promise.all([loadDashboard(store.db, now), nextIncidentDeadlines(store.db, now)]);
      const verification = dashboard.ledger.lastVerification;
      const names = await displayNames(store.db, [verification?.verifiedBy]);
      return {
        ...dashboard,
        incidents: {
          ...dashboard.incidents,
          overdueDeadlines: { count: deadlines.overdue, list: { path: INCIDENTS, query: { overdue: 'true' }, exact: false } },
          nextDeadlines: deadlines.items
            .slice(0, SHOWN_DEADLINES)
            .map((d) => ({ ...d, detail: `${INCIDENTS}/${encodeURIComponent(d.exceptionId)}/deadlines` })),
        },
        ledger: {
          ...dashboard.ledger,
          lastVerification: verification && { ...verification, verifiedByName: nameOf(names, verification.verifiedBy) },
        },
      };
    },
  );
}
