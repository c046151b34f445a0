// Scheduled reviews over HTTP: the list (mine, by system, status, overdue), one review with its
// snapshot and digest, scheduling by hand, findings, signatures, completion; each system's
// cadences; and each person's calendar feed (its own token, read-only).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { WRITER_ROLES } from '../../context.js';
import {
  type App,
  type AppDeps,
  ErrorRef,
  errorResponses,
  expectedVersion,
  IdParams,
  Page,
  requestContext,
  setEtag,
} from '../../server/http.js';
import { prepareReview } from '../../workflows/prepare-review.js';
import { finishReview, signOffReview } from '../../workflows/review-sign-off.js';
import { setReviewCadence, systemCadences } from './review-cadences.service.js';
import { issueCalendarToken, reviewCalendar } from './review-feed.service.js';
import { getReview, listReviews } from './reviews.repository.js';
import {
  CadenceBody,
  CadenceList,
  CadenceParams,
  CalendarQuery,
  CalendarTokenView,
  CreateReviewBody,
  FindingsBody,
  ReviewQuery,
  ReviewView,
  SignBody,
  SignOffView,
} from './reviews.schema.js';
import { createReview } from './reviews.service.js';

const tags = ['reviews'];
const READ = { roles: 'any', scope: 'read' } as const;
const WRITE = { roles: WRITER_ROLES, scope: 'write' } as const;
const LEADS = { roles: ['admin', 'governance_lead'], scope: 'write' } as const;

/** Where addresses handed out point: PROOFLINE_PUBLIC_URL when set; otherwise the origin the request
 * reached (its scheme and Host), so a browser that came in elsewhere than the default gets an address
 * it can read. A Host that is not a plain host[:port] falls back to the default. */
export function baseUrlFor(req: FastifyRequest, config: Pick<Config, 'publicBaseUrl' | 'publicUrlConfigured'>): string {
  const host = req.host;
  if (config.publicUrlConfigured || !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host ?? '')) {
    return config.publicBaseUrl.replace(/\/+$/, '');
  }
  return `${req.protocol}://${host}`;
}

export function reviewsRoutes(app: App, { store, config }: AppDeps) {
  app.get(
    '/api/v1/reviews',
    {
      schema: {
        operationId: 'listReviews',
        summary: 'List reviews, soonest due first',
        tags,
        querystring: ReviewQuery,
        response: { 200: Page(ReviewView), ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => {
      const q = req.query;
      return listReviews(store.db, {
        personId: q.mine ? (requestContext(req).actor.userId ?? '') : undefined,
        systemId: q.systemId,
        status: q.status,
        overdue: q.overdue,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
    },
  );

  app.post(
    '/api/v1/reviews',
    {
      schema: {
        operationId: 'createReview',
        summary: 'Schedule a review by hand',
        tags,
        body: CreateReviewBody,
        response: { 201: ReviewView, ...errorResponses },
      },
      config: { access: LEADS },
    },
    async (req, reply) => {
      const created = await store.transact((trx) => createReview(trx, { ctx: requestContext(req), review: req.body }));
      return reply.status(201).send(await getReview(store.db, created.id));
    },
  );

  app.get(
    '/api/v1/reviews/:id',
    {
      schema: {
        operationId: 'getReview',
        summary: 'One review: its snapshot, digest, findings and signatures',
        tags,
        params: IdParams,
        response: { 200: ReviewView, ...errorResponses },
      },
      config: { access: READ, etag: true },
    },
    async (req, reply) => {
      const review = await getReview(store.db, req.params.id);
      setEtag(reply, review.version);
      return review;
    },
  );

  app.post(
    '/api/v1/reviews/:id/findings',
    {
      schema: {
        operationId: 'prepareReview',
        summary: "Attach the period's snapshot, findings and decision (the preparer)",
        tags,
        params: IdParams,
        body: FindingsBody,
        response: { 200: ReviewView, ...errorResponses },
      },
      config: { access: WRITE, ifMatch: 'required' },
    },
    async (req) => {
      const { metrics, findings, decision, actions, version } = req.body;
      await store.transact((trx) =>
        prepareReview(trx, {
          ctx: requestContext(req),
          reviewId: req.params.id,
          version: expectedVersion(req, version),
          input: { metrics: metrics ?? {}, findings, decision, actions },
        }),
      );
      return getReview(store.db, req.params.id);
    },
  );

  app.post(
    '/api/v1/reviews/:id/signatures',
    {
      schema: {
        operationId: 'signReview',
        summary: 'Sign the snapshot digest you read, with a rationale (the second signature completes the review)',
        tags,
        params: IdParams,
        body: SignBody,
        response: { 201: SignOffView, ...errorResponses },
      },
      config: { access: WRITE },
    },
    async (req, reply) => {
      const { exceptionId } = await store.transact((trx) =>
        signOffReview(trx, { ctx: requestContext(req), reviewId: req.params.id, ...req.body }),
      );
      return reply.status(201).send({ review: await getReview(store.db, req.params.id), exceptionId });
    },
  );

  app.post(
    '/api/v1/reviews/:id/complete',
    {
      schema: {
        operationId: 'completeReview',
        summary: 'Complete a review whose two signatures are in',
        tags,
        params: IdParams,
        response: { 200: SignOffView, ...errorResponses },
      },
      config: { access: WRITE },
    },
    async (req) => {
      const { exceptionId } = await store.transact((trx) => finishReview(trx, { ctx: requestContext(req), reviewId: req.params.id }));
      return { review: await getReview(store.db, req.params.id), exceptionId };
    },
  );

  app.get(
    '/api/v1/systems/:id/review-cadences',
    {
      schema: {
        operationId: 'systemReviewCadences',
        summary: "A system's review cadence per kind (its own or the default for its risk tier)",
        tags,
        params: IdParams,
        response: { 200: CadenceList, ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => ({ systemId: req.params.id, cadences: await systemCadences(store.db, req.params.id, config.reviewCadences) }),
  );

  app.put(
    '/api/v1/systems/:id/review-cadences/:kind',
    {
      schema: {
        operationId: 'setReviewCadence',
        summary: "Set a system's own cadence for one review kind (null: back to the default)",
        tags,
        params: CadenceParams,
        body: CadenceBody,
        response: { 200: CadenceList, ...errorResponses },
      },
      config: { access: LEADS },
    },
    async (req) => {
      const cadences = await store.transact((trx) =>
        setReviewCadence(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          kind: req.params.kind,
          months: req.body.months,
          rationale: req.body.rationale,
          defaults: config.reviewCadences,
        }),
      );
      return { systemId: req.params.id, cadences };
    },
  );

  app.post(
    '/api/v1/reviews/calendar-token',
    {
      schema: {
        operationId: 'issueCalendarToken',
        summary: 'Issue (or rotate) your calendar feed token',
        tags,
        response: { 201: CalendarTokenView, ...errorResponses },
      },
      config: { access: { roles: 'any', selfService: true, scope: 'write' } },
    },
    async (req, reply) => {
      const { token, createdAt } = await store.transact((trx) => issueCalendarToken(trx, { ctx: requestContext(req) }));
      const url = `${baseUrlFor(req, config)}/api/v1/reviews/calendar.ics?token=${encodeURIComponent(token)}`;
      return reply.status(201).send({ token, url, createdAt });
    },
  );

  app.get(
    '/api/v1/reviews/calendar.ics',
    {
      schema: {
        operationId: 'reviewCalendar',
        summary: 'Your open reviews and their due dates, as an iCalendar feed (read with the feed token)',
        tags,
        security: [],
        querystring: CalendarQuery,
        response: {
          200: { description: 'An iCalendar (RFC 5545) feed', content: { 'text/calendar': { schema: Type.String() } } },
          400: ErrorRef,
          401: ErrorRef,
        },
      },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const text = await reviewCalendar(store.db, { token: req.query.token, baseUrl: baseUrlFor(req, config) });
      return reply.type('text/calendar; charset=utf-8').send(text);
    },
  );
}
