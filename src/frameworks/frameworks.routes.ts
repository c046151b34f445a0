// The framework catalogs over HTTP: the list, and each framework's controls with their crosswalk
// links and the event types that evidence them. Read-only data shipped with the code.
import type { App } from '../server/http.js';
import { errorResponses, Page } from '../server/http.js';
import { ControlQuery, ControlView, FrameworkList, FrameworkParams } from './frameworks.schema.js';
import { listControls, listFrameworks } from './frameworks.service.js';

/** Any signed-in account may read the catalogs; they hold no data of the organisation. */
const read = { access: { roles: 'any' as const, scope: 'read' as const } };

export function frameworksRoutes(app: App) {
  app.get(
    '/api/v1/frameworks',
    {
      schema: {
        operationId: 'listFrameworks',
        summary: 'List the framework catalogs (ISO/IEC 42001, NIST AI RMF, EU AI Act, GDPR, DORA)',
        tags: ['frameworks'],
        response: { 200: FrameworkList, ...errorResponses },
      },
      config: read,
    },
    async () => ({ items: listFrameworks() }),
  );

  app.get(
    '/api/v1/frameworks/:id/controls',
    {
      schema: {
        operationId: 'listControls',
        summary: "A framework's controls, with crosswalk links and the event types that evidence each",
        tags: ['frameworks'],
        params: FrameworkParams,
        querystring: ControlQuery,
        response: { 200: Page(ControlView), ...errorResponses },
      },
      config: read,
    },
    async (req) =>
      listControls({ framework: req.params.id, kind: req.query.kind, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );
}
