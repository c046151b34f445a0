// Transparency pages over HTTP: a system owner or an admin edits what is published (each change a
// ledger event); anyone reads the published pages without signing in, rate-limited per address,
// and sees no internal id and nothing unpublished.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { displayNames, withNames } from '../../accounts/display-names.js';
import { type App, type AppDeps, ErrorRef, errorResponses, IdParams, Page, requestContext } from '../../server/http.js';
import { enforceRateLimit, SlidingWindowLimiter } from '../../server/rate-limit.js';
import { PublicationBody, PublicationView, PublicListQuery, PublicRefParams, PublicSystemView } from './transparency.schema.js';
import { findPublication, findPublicSystem, listPublicSystems, presentPublication, setPublication } from './transparency.service.js';

/** Public page reads per address per 15 minutes. */
export const PUBLIC_PAGES_LIMIT = 300;
const WINDOW_MS = 15 * 60_000;
const PUBLISHERS = ['admin', 'system_owner'] as const;

async function named(db: AppDeps['store']['db'], view: ReturnType<typeof presentPublication>) {
  return withNames(view, ['updatedBy'], await displayNames(db, [view.updatedBy]));
}

export function transparencyRoutes(app: App, deps: AppDeps) {
  publicPageRoutes(app, deps);
  const { store } = deps;

  app.get(
    '/api/v1/systems/:id/publication',
    {
      schema: {
        operationId: 'findPublication',
        summary: "A system's public page as staff see it, published or not",
        tags: ['transparency'],
        params: IdParams,
        response: { 200: PublicationView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req) => named(store.db, presentPublication(await findPublication(store.db, req.params.id))),
  );

  app.put(
    '/api/v1/systems/:id/publication',
    {
      schema: {
        operationId: 'setPublication',
        summary: "Create or change a system's public page (publish, edit, withdraw)",
        tags: ['transparency'],
        params: IdParams,
        body: PublicationBody,
        response: { 200: PublicationView, 201: PublicationView, ...errorResponses },
      },
      config: { access: { roles: PUBLISHERS, scope: 'write' } },
    },
    async (req, reply) => {
      const { published, rationale, version, ...text } = req.body;
      const view = await store.transact((trx) =>
        setPublication(trx, { ctx: requestContext(req), systemId: req.params.id, change: { published, text, rationale, version } }),
      );
      return reply.status(view.version === 1 ? 201 : 200).send(await named(store.db, view));
    },
  );
}

function publicPageRoutes(app: App, { store }: AppDeps) {
  // One budget for all public pages (named, so instances sharing limits on PostgreSQL share this one too).
  const limiter = new SlidingWindowLimiter(PUBLIC_PAGES_LIMIT, WINDOW_MS, undefined, 'public-pages');
  const limited = async (req: FastifyRequest, reply: FastifyReply) => enforceRateLimit(limiter, req, reply, 'requests');

  app.get(
    '/api/v1/public/systems',
    {
      onRequest: limited,
      schema: {
        operationId: 'listPublicSystems',
        summary: 'The AI systems this organisation publishes (no account needed)',
        tags: ['transparency'],
        security: [],
        querystring: PublicListQuery,
        response: { 200: Page(PublicSystemView), 400: ErrorRef, 429: ErrorRef },
      },
      config: { access: { public: true } },
    },
    async (req) => listPublicSystems(store.db, { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.get(
    '/api/v1/public/systems/:ref',
    {
      onRequest: limited,
      schema: {
        operationId: 'findPublicSystem',
        summary: "One published AI system's page and whether it is active, paused or restricted now",
        tags: ['transparency'],
        security: [],
        params: PublicRefParams,
        response: { 200: PublicSystemView, 400: ErrorRef, 404: ErrorRef, 429: ErrorRef },
      },
      config: { access: { public: true } },
    },
    async (req) => findPublicSystem(store.db, req.params.ref),
  );
}
