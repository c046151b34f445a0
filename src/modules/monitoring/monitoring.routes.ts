// Monitoring over HTTP: outcome batches (ingest-scoped API tokens only) and the performance and
// fairness reports of a system.
import { WRITER_ROLES } from '../../context.js';
import { type App, type AppDeps, ErrorRef, errorResponses, IdParams, requestContext } from '../../server/http.js';
import { freezeBaseline, systemDrift } from './drift.service.js';
import { declareFairnessAttributes, getFairnessDeclaration } from './fairness-declarations.service.js';
import {
  BaselineBody,
  BaselineView,
  DocumentedOutcomeBatchBody,
  DriftQuery,
  DriftView,
  FairnessDeclarationBody,
  FairnessDeclarationView,
  FairnessQuery,
  FairnessView,
  OutcomeBatchBody,
  OutcomeBatchReceipt,
  PerformanceQuery,
  PerformanceView,
} from './monitoring.schema.js';
import { ingestOutcomeBatch } from './outcomes.service.js';
import { systemFairness, systemPerformance } from './reports.service.js';

const BATCH_BODY_LIMIT = 4 * 1024 * 1024;
const REPORT_READERS = ['admin', 'governance_lead', 'auditor', 'system_owner'] as const;

export function monitoringRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/outcomes/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        operationId: 'ingestOutcomeBatch',
        tags: ['monitoring'],
        summary: 'Attach outcomes (and group attributes) to recorded decisions: all or nothing; durable once acknowledged',
        body: OutcomeBatchBody,
        response: { 201: OutcomeBatchReceipt, 413: ErrorRef, ...errorResponses },
      },
      config: { access: { roles: WRITER_ROLES, scope: 'ingest' }, documentedBody: DocumentedOutcomeBatchBody },
    },
    async (req, reply) => {
      const receipt = await store.transact((trx) => ingestOutcomeBatch(trx, { ctx: requestContext(req), records: req.body.records }));
      return reply.code(201).send(receipt);
    },
  );

  app.get(
    '/api/v1/systems/:id/monitoring/performance',
    {
      schema: {
        operationId: 'systemPerformance',
        tags: ['monitoring'],
        summary: "A system's performance per model version over a window",
        params: IdParams,
        querystring: PerformanceQuery,
        response: { 200: PerformanceView, ...errorResponses },
      },
      config: { access: { roles: REPORT_READERS, scope: 'read' } },
    },
    async (req) => ({
      systemId: req.params.id,
      versions: await systemPerformance(store.db, {
        systemId: req.params.id,
        window: { from: req.query.from, to: req.query.to },
        minCount: req.query.minCount,
      }),
    }),
  );

  app.get(
    '/api/v1/systems/:id/monitoring/fairness',
    {
      schema: {
        operationId: 'systemFairness',
        tags: ['monitoring'],
        summary: "A system's fairness per group (or intersection of groups) over a window",
        params: IdParams,
        querystring: FairnessQuery,
        response: { 200: FairnessView, ...errorResponses },
      },
      config: { access: { roles: REPORT_READERS, scope: 'read' } },
    },
    async (req) => ({
      systemId: req.params.id,
      ...(await systemFairness(store.db, {
        ctx: requestContext(req),
        systemId: req.params.id,
        groupBy: req.query.groupBy.split(','),
        window: { from: req.query.from, to: req.query.to },
        minCount: req.query.minCount,
      })),
    }),
  );

  app.post(
    '/api/v1/systems/:id/monitoring/baselines',
    {
      schema: {
        operationId: 'freezeBaseline',
        tags: ['monitoring'],
        summary: "Freeze a window's bins and counts as a drift baseline",
        params: IdParams,
        body: BaselineBody,
        response: { 201: BaselineView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } },
    },
    async (req, reply) => {
      const view = await store.transact((trx) =>
        freezeBaseline(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          feature: req.body.feature,
          window: { from: req.body.from, to: req.body.to },
        }),
      );
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/api/v1/systems/:id/monitoring/drift',
    {
      schema: {
        operationId: 'systemDrift',
        tags: ['monitoring'],
        summary: "Drift of a system's feature: a reference window or frozen baseline against the current window",
        params: IdParams,
        querystring: DriftQuery,
        response: { 200: DriftView, ...errorResponses },
      },
      config: { access: { roles: REPORT_READERS, scope: 'read' } },
    },
    async (req) =>
      systemDrift(store.db, {
        systemId: req.params.id,
        feature: req.query.feature,
        baselineId: req.query.baselineId,
        reference:
          req.query.referenceFrom !== undefined || req.query.referenceTo !== undefined
            ? { from: req.query.referenceFrom, to: req.query.referenceTo }
            : undefined,
        current: { from: req.query.from, to: req.query.to },
        minCount: req.query.minCount,
      }),
  );

  app.get(
    '/api/v1/systems/:id/fairness-attributes',
    {
      schema: {
        operationId: 'getFairnessDeclaration',
        tags: ['monitoring'],
        summary: 'The group attributes (and their values) a system declares for fairness measurement',
        params: IdParams,
        response: { 200: FairnessDeclarationView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req) => getFairnessDeclaration(store.db, req.params.id),
  );

  app.put(
    '/api/v1/systems/:id/fairness-attributes',
    {
      schema: {
        operationId: 'declareFairnessAttributes',
        tags: ['monitoring'],
        summary: "Declare which group attributes a system's outcomes may carry, with the values each may take, and why",
        params: IdParams,
        body: FairnessDeclarationBody,
        response: { 200: FairnessDeclarationView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } },
    },
    async (req) =>
      store.transact((trx) =>
        declareFairnessAttributes(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          attributes: req.body.attributes,
          rationale: req.body.rationale,
          expectedVersion: req.body.version,
        }),
      ),
  );
}
