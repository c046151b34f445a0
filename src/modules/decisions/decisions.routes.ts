// Decision records over HTTP: batch ingestion (ingest-scoped API tokens only), per-system settings, and the
// human review queue.
import { Type } from 'typebox';
import { WRITER_ROLES } from '../../context.js';
import { type App, type AppDeps, ErrorRef, errorResponses, IdParams, Page, PageQuery, requestContext } from '../../server/http.js';
import { reviewDecision } from '../../workflows/review-decision.js';
import {
  BatchBody,
  BatchReceiptView,
  DecisionView,
  DocumentedBatchBody,
  ReviewBody,
  SettingsBody,
  SettingsView,
} from './decisions.schema.js';
import { configureDecisionSettings, ingestDecisionBatch } from './decisions.service.js';
import { findDecision, listReviewQueue, namedDecision, presentDecision } from './review.service.js';

/** Room for the largest allowed batch (5,000 records of a few hundred bytes); more is a 413. */
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;
const QUEUE_READERS = ['reviewer', 'admin', 'governance_lead', 'auditor', 'oversight_officer'] as const;

export function decisionsRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/decisions/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        operationId: 'ingestDecisionBatch',
        tags: ['decisions'],
        summary: 'Record a batch of decisions: all or nothing; durable once acknowledged',
        body: BatchBody,
        response: { 200: BatchReceiptView, 413: ErrorRef, ...errorResponses },
      },
      // Any account that may change things reports; auditors and accounts without a role do not.
      config: { access: { roles: WRITER_ROLES, scope: 'ingest' }, documentedBody: DocumentedBatchBody },
    },
    async (req) => store.transact((trx) => ingestDecisionBatch(trx, { ctx: requestContext(req), records: req.body.records })),
  );

  app.put(
    '/api/v1/systems/:id/decision-settings',
    {
      schema: {
        operationId: 'configureDecisionSettings',
        summary: "Set how a system's decisions are recorded and reviewed",
        tags: ['decisions'],
        params: IdParams,
        body: SettingsBody,
        response: { 200: SettingsView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } },
    },
    async (req) =>
      store.transact((trx) => configureDecisionSettings(trx, { ctx: requestContext(req), systemId: req.params.id, input: req.body })),
  );

  app.get(
    '/api/v1/decisions/review-queue',
    {
      schema: {
        operationId: 'listReviewQueue',
        summary: 'Decisions waiting for human review',
        tags: ['decisions'],
        querystring: Type.Object(
          {
            systemId: Type.Optional(Type.String({ maxLength: 100 })),
            status: Type.Optional(
              Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('overridden')], { default: 'pending' }),
            ),
            ...PageQuery,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(DecisionView), ...errorResponses },
      },
      config: { access: { roles: QUEUE_READERS, scope: 'read' } },
    },
    async (req) =>
      listReviewQueue(store.db, {
        systemId: req.query.systemId,
        status: req.query.status ?? 'pending',
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      }),
  );

  app.get(
    '/api/v1/decisions/:id',
    {
      schema: {
        operationId: 'findDecision',
        summary: 'One recorded decision',
        tags: ['decisions'],
        params: IdParams,
        response: { 200: DecisionView, ...errorResponses },
      },
      config: { access: { roles: QUEUE_READERS, scope: 'read' } },
    },
    async (req) => namedDecision(store.db, presentDecision(await findDecision(store.db, req.params.id))),
  );

  app.post(
    '/api/v1/decisions/:id/review',
    {
      schema: {
        operationId: 'reviewDecision',
        summary: 'Review a decision (confirm or correct it)',
        tags: ['decisions'],
        params: IdParams,
        body: ReviewBody,
        response: { 200: DecisionView, ...errorResponses },
      },
      config: { access: { roles: ['reviewer'], scope: 'write' } },
    },
    async (req) =>
      store.transact((trx) =>
        reviewDecision(trx, {
          ctx: requestContext(req),
          input: { ...req.body, decisionId: req.params.id },
        }),
      ),
  );
}
