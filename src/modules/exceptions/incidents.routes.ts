// HTTP for incidents: open one with its harm and flags, reclassify it, see what is due when, and
// record each report filed to an authority against its deadline.
import { WRITER_ROLES } from '../../context.js';
import { type App, type AppDeps, errorResponses, expectedVersion, IdParams, Page, requestContext, setEtag } from '../../server/http.js';
import { listExceptions, presentExceptionsNamed } from './exceptions.repository.js';
import {
  DeadlinesView,
  ExceptionView,
  FileReportBody,
  IncidentListQuery,
  IncidentView,
  NewIncidentBody,
  ReportView,
  UpdateIncidentBody,
} from './exceptions.schema.js';
import { fileIncidentReport, incidentDeadlines, incidentView, openIncident, updateIncident } from './incidents.service.js';

const tags = ['incidents'];
const read = { access: { roles: 'any', scope: 'read' } } as const;
const write = { access: { roles: WRITER_ROLES, scope: 'write' } } as const;

export function incidentsRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/incidents',
    {
      schema: {
        operationId: 'openIncident',
        summary: 'Open an incident',
        tags,
        body: NewIncidentBody,
        response: { 201: IncidentView, ...errorResponses },
      },
      config: { ...write, etag: true },
    },
    async (req, reply) => {
      const view = await store.transact((trx) => openIncident(trx, { ctx: requestContext(req), input: req.body }));
      setEtag(reply, view.version);
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/v1/incidents',
    {
      schema: {
        operationId: 'listIncidents',
        summary: 'List incidents',
        tags,
        querystring: IncidentListQuery,
        response: { 200: Page(ExceptionView), ...errorResponses },
      },
      config: read,
    },
    async (req) => {
      const { limit = 50, offset = 0, ...filter } = req.query;
      const page = await listExceptions(store.db, { ...filter, kind: 'incident', limit, offset });
      return { ...page, items: await presentExceptionsNamed(store.db, page.items) };
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        operationId: 'getIncident',
        summary: 'One incident',
        tags,
        params: IdParams,
        response: { 200: IncidentView, ...errorResponses },
      },
      config: { ...read, etag: true },
    },
    async (req, reply) => {
      const view = await incidentView(store.db, req.params.id);
      setEtag(reply, view.version);
      return view;
    },
  );

  app.put(
    '/api/v1/incidents/:id',
    {
      schema: {
        operationId: 'updateIncident',
        summary: "Update an incident's classification and times",
        tags,
        params: IdParams,
        body: UpdateIncidentBody,
        response: { 200: IncidentView, ...errorResponses },
      },
      config: { ...write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, ...body } = req.body;
      const input = { exceptionId: req.params.id, ...body, expectedVersion: expectedVersion(req, version) };
      const view = await store.transact((trx) => updateIncident(trx, { ctx: requestContext(req), input }));
      setEtag(reply, view.version);
      return view;
    },
  );

  app.get(
    '/api/v1/incidents/:id/deadlines',
    {
      schema: {
        operationId: 'incidentDeadlines',
        summary: "An incident's reporting deadlines",
        tags,
        params: IdParams,
        response: { 200: DeadlinesView, ...errorResponses },
      },
      config: read,
    },
    async (req) => ({ items: await incidentDeadlines(store.db, req.params.id) }),
  );

  app.post(
    '/api/v1/incidents/:id/reports',
    {
      schema: {
        operationId: 'fileIncidentReport',
        summary: 'File an incident report with an authority',
        tags,
        params: IdParams,
        body: FileReportBody,
        response: { 201: ReportView, ...errorResponses },
      },
      config: write,
    },
    async (req, reply) => {
      const input = { exceptionId: req.params.id, ...req.body };
      const report = await store.transact((trx) => fileIncidentReport(trx, { ctx: requestContext(req), input }));
      return reply.status(201).send(report);
    },
  );
}
