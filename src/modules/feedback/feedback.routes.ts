// Feedback over HTTP: the signed-in form and API, the support-ticket path (ingest tokens), lists
// with filters, and the one action that converts feedback into an exception (a workflow).
import { WRITER_ROLES } from '../../context.js';
import { type App, type AppDeps, errorResponses, IdParams, Page, requestContext } from '../../server/http.js';
import { convertFeedbackToException } from '../../workflows/feedback-to-exception.js';
import { ConvertBody, ConvertedView, FeedbackQuery, FeedbackView, NewFeedbackBody, NewTicketBody } from './feedback.schema.js';
import { CONVERTERS, findFeedback, listFeedback, nameFeedback, presentFeedback, submitFeedback } from './feedback.service.js';

const tags = ['feedback'];
/** Feedback may name people and decisions: read by those who handle it, and auditors. */
const READERS = [...CONVERTERS, 'auditor'] as const;

export function feedbackRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/feedback',
    {
      schema: {
        operationId: 'submitFeedback',
        summary: 'Give feedback about an AI system (signed in, or an API token with write scope)',
        tags,
        body: NewFeedbackBody,
        response: { 201: FeedbackView, ...errorResponses },
      },
      config: { access: { roles: WRITER_ROLES, scope: 'write' } },
    },
    async (req, reply) => {
      const view = await store.transact((trx) => submitFeedback(trx, { ctx: requestContext(req), input: req.body, channel: 'internal' }));
      const [named] = await nameFeedback(store.db, [view]);
      return reply.code(201).send(named);
    },
  );

  app.post(
    '/api/v1/feedback/tickets',
    {
      schema: {
        operationId: 'submitSupportTicket',
        summary: 'Record a support ticket about an AI system, from a support-ticket system (ingest-scoped API tokens)',
        tags,
        body: NewTicketBody,
        response: { 201: FeedbackView, ...errorResponses },
      },
      config: { access: { roles: WRITER_ROLES, scope: 'ingest' } },
    },
    async (req, reply) => {
      const view = await store.transact((trx) => submitFeedback(trx, { ctx: requestContext(req), input: req.body, channel: 'ticket' }));
      const [named] = await nameFeedback(store.db, [view]);
      return reply.code(201).send(named);
    },
  );

  app.get(
    '/api/v1/feedback',
    {
      schema: {
        operationId: 'listFeedback',
        summary: 'List feedback and support tickets, newest first',
        tags,
        querystring: FeedbackQuery,
        response: { 200: Page(FeedbackView), ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => {
      const { limit = 50, offset = 0, ...filter } = req.query;
      return listFeedback(store.db, { ...filter, limit, offset });
    },
  );

  app.get(
    '/api/v1/feedback/:id',
    {
      schema: {
        operationId: 'findFeedback',
        summary: 'One piece of feedback',
        tags,
        params: IdParams,
        response: { 200: FeedbackView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => {
      const [named] = await nameFeedback(store.db, [presentFeedback(await findFeedback(store.db, req.params.id))]);
      return named;
    },
  );

  app.post(
    '/api/v1/feedback/:id/convert-to-exception',
    {
      schema: {
        operationId: 'convertFeedbackToException',
        summary: 'Open an exception raised from this feedback, linking both (once)',
        tags,
        params: IdParams,
        body: ConvertBody,
        response: { 201: ConvertedView, ...errorResponses },
      },
      config: { access: { roles: CONVERTERS, scope: 'write' } },
    },
    async (req, reply) => {
      const result = await store.transact((trx) =>
        convertFeedbackToException(trx, { ctx: requestContext(req), input: { feedbackId: req.params.id, ...req.body } }),
      );
      return reply.code(201).send(result);
    },
  );
}
