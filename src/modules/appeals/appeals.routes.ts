// Appeals over HTTP: staff intake and handling, and the public, unauthenticated intake form with
// its status lookup (rate-limited per address, small bodies, and answers that reveal nothing about
// any other case or whether a decision reference exists).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { systemContext } from '../../context.js';
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
import { enforceRateLimit, SlidingWindowLimiter } from '../../server/rate-limit.js';
import {
  AppealQuery,
  AppealView,
  AssignBody,
  LinkBody,
  PublicAppealBody,
  PublicAppealReceipt,
  PublicStatusParams,
  PublicStatusQuery,
  PublicStatusView,
  ResolveBody,
  StaffAppealBody,
  StaffAppealReceipt,
  VersionBody,
} from './appeals.schema.js';
import {
  assignAppeal,
  findAppeal,
  linkAppeal,
  listAppeals,
  namedAppeal,
  presentAppeal,
  publicAppealStatus,
  publicAppealSystem,
  resolveAppeal,
  startAppealReview,
  submitAppeal,
} from './appeals.service.js';

/** Per address: appeals filed, and status lookups, per 15 minutes. */
export const PUBLIC_INTAKE_LIMIT = 5;
export const PUBLIC_STATUS_LIMIT = 30;
const WINDOW_MS = 15 * 60_000;
export const PUBLIC_BODY_LIMIT = 8 * 1024;

const STAFF = ['admin', 'governance_lead', 'reviewer', 'oversight_officer', 'system_owner'] as const;
const READERS = ['admin', 'governance_lead', 'reviewer', 'oversight_officer', 'system_owner', 'auditor'] as const;

function limitBy(limiter: SlidingWindowLimiter) {
  return async (req: FastifyRequest, reply: FastifyReply) => enforceRateLimit(limiter, req, reply, 'requests');
}

export function appealsRoutes(app: App, deps: AppDeps) {
  publicAppealRoutes(app, deps);
  const { store } = deps;

  app.post(
    '/api/v1/appeals',
    {
      schema: {
        operationId: 'submitAppeal',
        tags: ['appeals'],
        summary: 'File an appeal on behalf of an affected person',
        body: StaffAppealBody,
        response: { 201: StaffAppealReceipt, ...errorResponses },
      },
      config: { access: { roles: STAFF, scope: 'write' } },
    },
    async (req, reply) => {
      const { systemId, decisionId, appellantName, appellantContact, statement, ownerId } = req.body;
      const receipt = await store.transact((trx) =>
        submitAppeal(trx, {
          ctx: requestContext(req),
          input: {
            systemRef: systemId,
            decisionRef: decisionId,
            appellantName,
            appellantContact: appellantContact ?? '',
            statement,
            ownerId,
            channel: 'staff',
          },
        }),
      );
      return reply.status(201).send(receipt);
    },
  );

  app.get(
    '/api/v1/appeals',
    {
      schema: {
        operationId: 'listAppeals',
        summary: 'List appeals',
        tags: ['appeals'],
        querystring: AppealQuery,
        response: { 200: Page(AppealView), ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => {
      const q = req.query;
      return listAppeals(store.db, {
        status: q.status,
        systemRef: q.systemId,
        ownerId: q.ownerId,
        overdue: q.overdue,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      });
    },
  );

  app.get(
    '/api/v1/appeals/:id',
    {
      schema: {
        operationId: 'findAppeal',
        tags: ['appeals'],
        summary: 'One appeal, by id or case number',
        params: IdParams,
        response: { 200: AppealView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' }, etag: true },
    },
    async (req, reply) => {
      const { row, links } = await findAppeal(store.db, req.params.id);
      setEtag(reply, row.version);
      return namedAppeal(store.db, presentAppeal(row, links));
    },
  );

  app.post(
    '/api/v1/appeals/:id/assign',
    {
      schema: {
        operationId: 'assignAppeal',
        summary: 'Assign an appeal to a reviewer',
        tags: ['appeals'],
        params: IdParams,
        body: AssignBody,
        response: { 200: AppealView, ...errorResponses },
      },
      config: { access: { roles: ['admin', 'governance_lead'], scope: 'write' }, ifMatch: 'required' },
    },
    async (req) =>
      store.transact((trx) =>
        assignAppeal(trx, {
          ctx: requestContext(req),
          appealId: req.params.id,
          ownerId: req.body.ownerId,
          version: expectedVersion(req, req.body.version),
        }),
      ),
  );

  app.post(
    '/api/v1/appeals/:id/start-review',
    {
      schema: {
        operationId: 'startAppealReview',
        summary: 'Start reviewing an appeal',
        tags: ['appeals'],
        params: IdParams,
        body: VersionBody,
        response: { 200: AppealView, ...errorResponses },
      },
      config: { access: { roles: STAFF, scope: 'write' }, ifMatch: 'required' },
    },
    async (req) =>
      store.transact((trx) =>
        startAppealReview(trx, { ctx: requestContext(req), appealId: req.params.id, version: expectedVersion(req, req.body.version) }),
      ),
  );

  app.post(
    '/api/v1/appeals/:id/resolve',
    {
      schema: {
        operationId: 'resolveAppeal',
        summary: 'Resolve an appeal',
        tags: ['appeals'],
        params: IdParams,
        body: ResolveBody,
        response: { 200: AppealView, ...errorResponses },
      },
      config: { access: { roles: STAFF, scope: 'write' }, ifMatch: 'required' },
    },
    async (req) =>
      store.transact((trx) =>
        resolveAppeal(trx, {
          ctx: requestContext(req),
          appealId: req.params.id,
          version: expectedVersion(req, req.body.version),
          resolution: { outcome: req.body.outcome, explanation: req.body.explanation, links: req.body.links ?? [] },
        }),
      ),
  );

  app.post(
    '/api/v1/appeals/:id/links',
    {
      schema: {
        operationId: 'linkAppeal',
        tags: ['appeals'],
        summary: 'Link overrides and lessons to an appeal',
        params: IdParams,
        body: LinkBody,
        response: { 200: AppealView, ...errorResponses },
      },
      config: { access: { roles: STAFF, scope: 'write' } },
    },
    async (req) => store.transact((trx) => linkAppeal(trx, { ctx: requestContext(req), appealId: req.params.id, links: req.body.links })),
  );
}

function publicAppealRoutes(app: App, { store }: AppDeps) {
  // One limiter per app instance (per server process).
  const intakeLimiter = new SlidingWindowLimiter(PUBLIC_INTAKE_LIMIT, WINDOW_MS);
  const statusLimiter = new SlidingWindowLimiter(PUBLIC_STATUS_LIMIT, WINDOW_MS);

  app.post(
    '/api/v1/public/appeals',
    {
      bodyLimit: PUBLIC_BODY_LIMIT,
      onRequest: limitBy(intakeLimiter),
      schema: {
        operationId: 'submitPublicAppeal',
        tags: ['appeals'],
        summary: 'Challenge a decision (no account needed)',
        security: [],
        body: PublicAppealBody,
        response: { 202: PublicAppealReceipt, 400: ErrorRef, 404: ErrorRef, 413: ErrorRef, 429: ErrorRef },
      },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      const ctx = { ...systemContext(String(req.id), req.server.policies), sourceAddress: req.ip };
      const b = req.body;
      const systemRef = await publicAppealSystem(store.db, b);
      const { appeal, secret } = await store.transact((trx) =>
        submitAppeal(trx, {
          ctx,
          input: {
            systemRef,
            decisionRef: b.decisionId,
            appellantName: b.name ?? '',
            appellantContact: b.contact ?? '',
            statement: b.statement,
            channel: 'public',
          },
        }),
      );
      // The same answer whether or not the reference matched a recorded decision.
      return reply.status(202).send({ caseNumber: appeal.caseNumber, secret, status: 'received' as const, dueAt: appeal.dueAt });
    },
  );

  app.get(
    '/api/v1/public/appeals/:caseNumber',
    {
      onRequest: limitBy(statusLimiter),
      schema: {
        operationId: 'publicAppealStatus',
        tags: ['appeals'],
        summary: "Your appeal's status (case number and secret)",
        security: [],
        params: PublicStatusParams,
        querystring: PublicStatusQuery,
        response: { 200: PublicStatusView, 404: ErrorRef, 429: ErrorRef },
      },
      config: { access: { public: true } },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store');
      return publicAppealStatus(store.db, req.params.caseNumber, req.query.secret);
    },
  );
}
