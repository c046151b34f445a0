// Live control status and gap analysis over HTTP: read-only, evaluated on the records when asked.
import { type App, type AppDeps, errorResponses } from '../../server/http.js';
import { ControlGapReport, ControlStatusQuery, ControlStatusReport } from './controls.schema.js';
import { controlStatusJson, loadControlGaps } from './controls.service.js';

/** Anyone signed in may read the organisation's control status, as they read the dashboard. */
const read = { access: { roles: 'any' as const, scope: 'read' as const } };

export function controlsRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/controls/status',
    {
      schema: {
        operationId: 'loadControlStatus',
        summary: "Live status of a framework's controls, for the organisation or one AI system, with the records and reasons",
        tags: ['controls'],
        querystring: ControlStatusQuery,
        response: { 200: ControlStatusReport, ...errorResponses },
      },
      config: read,
    },
    // Sent as the bytes the service keeps with its cached evaluation (the shape of ControlStatusReport).
    async (req, reply) => {
      const json = await controlStatusJson(store, { framework: req.query.framework, systemId: req.query.system });
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.get(
    '/api/v1/controls/gaps',
    {
      schema: {
        operationId: 'loadControlGaps',
        summary: 'Gap analysis: every failing evidence condition, on which system, who owns fixing it and where to act',
        tags: ['controls'],
        querystring: ControlStatusQuery,
        response: { 200: ControlGapReport, ...errorResponses },
      },
      config: read,
    },
    async (req) => loadControlGaps(store.db, { framework: req.query.framework, systemId: req.query.system }),
  );
}
