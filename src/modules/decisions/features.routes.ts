// A system's declared features over HTTP: read by anyone signed in, replaced by its owner, the
// governance lead or an admin (the use case holds the rule).
import { type App, type AppDeps, errorResponses, IdParams, requestContext } from '../../server/http.js';
import { FeatureDeclarationBody, FeatureDeclarationView } from './features.schema.js';
import { declareFeatures, getFeatureDeclaration } from './features.service.js';

export function featuresRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/systems/:id/features',
    {
      schema: {
        operationId: 'getFeatureDeclaration',
        tags: ['decisions'],
        summary: "The features a system's decision records carry (name, kind, categories), whose drift is watched",
        params: IdParams,
        response: { 200: FeatureDeclarationView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req) => getFeatureDeclaration(store.db, req.params.id),
  );

  app.put(
    '/api/v1/systems/:id/features',
    {
      schema: {
        operationId: 'declareFeatures',
        tags: ['decisions'],
        summary: "Declare the features a system's decision records carry, numeric or categorical, and why",
        params: IdParams,
        body: FeatureDeclarationBody,
        response: { 200: FeatureDeclarationView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } },
    },
    async (req) =>
      store.transact((trx) =>
        declareFeatures(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          features: req.body.features,
          rationale: req.body.rationale,
          expectedVersion: req.body.version,
        }),
      ),
  );
}
