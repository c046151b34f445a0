// A data source's reference population and group counts over HTTP: report (each report is
// evidence: a ledger event with the chi-square goodness of fit and the gap per group) and read.
import { type App, type AppDeps, errorResponses, IdParams, requestContext } from '../../server/http.js';
import { PopulationBody, PopulationView } from './data-source-populations.schema.js';
import { getDataSourcePopulation, reportDataSourcePopulation } from './data-source-populations.service.js';

const tags = ['systems'];

export function dataSourcePopulationRoutes(app: App, { store }: AppDeps) {
  app.put(
    '/api/v1/data-sources/:id/population',
    {
      schema: {
        operationId: 'reportDataSourcePopulation',
        summary: "Report a data source's group counts against its reference population (records its representativeness)",
        tags,
        params: IdParams,
        body: PopulationBody,
        response: { 200: PopulationView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } },
    },
    async (req) => {
      const { version, ...report } = req.body;
      return store.transact((trx) =>
        reportDataSourcePopulation(trx, { ctx: requestContext(req), dataSourceId: req.params.id, report, expectedVersion: version }),
      );
    },
  );

  app.get(
    '/api/v1/data-sources/:id/population',
    {
      schema: {
        operationId: 'getDataSourcePopulation',
        summary: "A data source's latest reported population and its representativeness",
        tags,
        params: IdParams,
        response: { 200: PopulationView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req) => getDataSourcePopulation(store.db, req.params.id),
  );
}
