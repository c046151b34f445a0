// HTTP for what hangs off a system (model versions, data sources) and for bulk import/export.
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { type App, type AppDeps, errorResponses, expectedVersion, IdParams, requestContext, setEtag } from '../../server/http.js';
import { addDataSource, listDataSources, updateDataSource } from './data-sources.service.js';
import { deployModelVersion, listModelVersions, registerModelVersion } from './model-versions.service.js';
import { exportSystems, type ImportFormat, importSystems, jsonRows, parseImport } from './systems.import.js';
import {
  presentDataSourceNamed,
  presentDataSourcesNamed,
  presentModelVersionNamed,
  presentModelVersionsNamed,
} from './systems.presenter.js';
import { getSystem } from './systems.repository.js';
import {
  AddDataSourceBody,
  DataSourceView,
  DeployModelVersionBody,
  ExportQuery,
  ImportQuery,
  ImportReportView,
  ModelVersionView,
  RegisterModelVersionBody,
  UpdateDataSourceBody,
} from './systems.schema.js';

const READ = { roles: 'any', scope: 'read' } as const;
const EDIT = { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } as const;
const GOVERN = { roles: ['admin', 'governance_lead'], scope: 'write' } as const;
const tags = ['systems'];

/** Imports may be large; every other route keeps the configured limit. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024;

export async function systemsRecordRoutes(app: App, { store }: AppDeps) {
  app.get(
    '/api/v1/systems/:id/model-versions',
    {
      schema: {
        operationId: 'listModelVersions',
        summary: "A system's model versions",
        tags,
        params: IdParams,
        response: { 200: Type.Array(ModelVersionView), ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => {
      await getSystem(store.db, req.params.id);
      return presentModelVersionsNamed(store.db, await listModelVersions(store.db, req.params.id));
    },
  );

  app.post(
    '/api/v1/systems/:id/model-versions',
    {
      schema: {
        operationId: 'registerModelVersion',
        summary: 'Register a model version',
        tags,
        params: IdParams,
        body: RegisterModelVersionBody,
        response: { 201: ModelVersionView, ...errorResponses },
      },
      config: { access: EDIT },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        registerModelVersion(trx, { ctx: requestContext(req), systemId: req.params.id, input: req.body }),
      );
      return reply.status(201).send(await presentModelVersionNamed(store.db, row));
    },
  );

  app.post(
    '/api/v1/model-versions/:id/deploy',
    {
      schema: {
        operationId: 'deployModelVersion',
        summary: 'Deploy a model version',
        tags,
        params: IdParams,
        body: DeployModelVersionBody,
        response: { 200: ModelVersionView, ...errorResponses },
      },
      config: { access: EDIT },
    },
    async (req) => {
      const row = await store.transact((trx) =>
        deployModelVersion(trx, { ctx: requestContext(req), modelVersionId: req.params.id, approvalRequestId: req.body.approvalRequestId }),
      );
      return presentModelVersionNamed(store.db, row);
    },
  );

  app.get(
    '/api/v1/systems/:id/data-sources',
    {
      schema: {
        operationId: 'listDataSources',
        summary: "A system's data sources",
        tags,
        params: IdParams,
        response: { 200: Type.Array(DataSourceView), ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => {
      await getSystem(store.db, req.params.id);
      return presentDataSourcesNamed(store.db, await listDataSources(store.db, req.params.id));
    },
  );

  app.post(
    '/api/v1/systems/:id/data-sources',
    {
      schema: {
        operationId: 'addDataSource',
        summary: 'Add a data source to a system',
        tags,
        params: IdParams,
        body: AddDataSourceBody,
        response: { 201: DataSourceView, ...errorResponses },
      },
      config: { access: EDIT, etag: true },
    },
    async (req, reply) => {
      const { rationale, ...input } = req.body;
      const row = await store.transact((trx) =>
        addDataSource(trx, { ctx: requestContext(req), systemId: req.params.id, input, rationale }),
      );
      setEtag(reply, Number(row.version));
      return reply.status(201).send(await presentDataSourceNamed(store.db, row));
    },
  );

  app.patch(
    '/api/v1/data-sources/:id',
    {
      schema: {
        operationId: 'updateDataSource',
        summary: 'Change a data source',
        tags,
        params: IdParams,
        body: UpdateDataSourceBody,
        response: { 200: DataSourceView, ...errorResponses },
      },
      config: { access: EDIT, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, rationale, ...changes } = req.body;
      const row = await store.transact((trx) =>
        updateDataSource(trx, {
          ctx: requestContext(req),
          dataSourceId: req.params.id,
          expectedVersion: expectedVersion(req, version),
          changes,
          rationale,
        }),
      );
      setEtag(reply, Number(row.version));
      return presentDataSourceNamed(store.db, row);
    },
  );

  app.get(
    '/api/v1/systems/export',
    {
      schema: {
        operationId: 'exportSystems',
        summary: 'Export the inventory, or the systems matching the list filters, as CSV or JSON (the import format)',
        tags,
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The matching systems by name in the import format: CSV for format=csv, else a JSON array',
            content: {
              'text/csv': { schema: Type.String({ description: 'A header row, then one row per system' }) },
              'application/json': { schema: Type.Array(Type.Record(Type.String(), Type.Unknown())) },
            },
          },
          ...errorResponses,
        },
      },
      config: { access: READ },
    },
    async (req, reply) => {
      const { format = 'json', ...filter } = req.query;
      const text = await exportSystems(store.db, format, filter);
      return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').send(text);
    },
  );

  // The text/csv parser lives in its own encapsulated scope, so it applies to this route only.
  await app.register(async (scope: App) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/v1/systems/import',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          operationId: 'importSystems',
          summary: 'Import systems from CSV or JSON: all or nothing, or a dry run',
          tags,
          querystring: ImportQuery,
          // Rows are checked one by one by the import, which reports every bad row with its line.
          body: Type.Unknown({ description: 'text/csv: the CSV file; application/json: an array of systems' }),
          response: { 200: ImportReportView, ...errorResponses },
        },
        config: { access: GOVERN },
      },
      async (req) => {
        const isText = typeof req.body === 'string';
        const format: ImportFormat = req.query.format ?? (isText ? 'csv' : 'json');
        const rows = isText ? parseImport(req.body as string, format) : format === 'json' ? jsonRows(req.body) : null;
        if (!rows) throw new AppError('validation_failed', 'format=csv needs a text/csv body', { field: 'format' });
        const dryRun = req.query.dryRun ?? false;
        const ctx = requestContext(req);
        const report = await store.transact((trx) => importSystems(trx, { ctx, rows, dryRun }));
        if (!dryRun && report.invalid.length > 0) {
          throw new AppError('validation_failed', `${report.invalid.length} row(s) are invalid; nothing was imported`, {
            field: 'body',
            valid: report.valid,
            invalid: report.invalid.slice(0, 1000),
            imported: 0,
          });
        }
        return report;
      },
    );
  });
}
