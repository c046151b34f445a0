// API tokens over HTTP. Policies: every user who may change things creates and revokes their own
// tokens (an auditor, who changes nothing, creates and revokes their own read-only tokens); admins also revoke
// anyone's; admins and auditors list everyone's, everyone else lists their own. Secrets are shown
// once, at creation.
import { AppError } from '../errors.js';
import { actorOf } from '../server/access.js';
import { type App, type AppDeps, errorResponses, KeyParams, Page, requestContext } from '../server/http.js';
import { createApiToken, revokeApiToken } from './auth.service.js';
import { listTokens } from './tokens.repository.js';
import { CreatedTokenView, CreateTokenBody, TokenListQuery, TokenView } from './tokens.schema.js';

export function tokenRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/tokens',
    {
      schema: {
        operationId: 'createApiToken',
        summary: 'Create an API token (the secret is shown once)',
        tags: ['tokens'],
        body: CreateTokenBody,
        response: { 201: CreatedTokenView, ...errorResponses },
      },
      // Self-service: auditors too, for their own read-only tokens (the use case holds them to that).
      config: { access: { roles: 'any', scope: 'write', selfService: true } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const userId = ctx.actor.userId;
      if (!userId) throw new AppError('forbidden', 'tokens belong to users');
      const created = await store.transact((trx) =>
        createApiToken(trx, {
          ctx,
          token: { userId, name: req.body.name, scopes: req.body.scopes, expiresInDays: req.body.expiresInDays ?? 90 },
        }),
      );
      reply.status(201);
      return created;
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        operationId: 'listTokens',
        summary: 'List API tokens',
        tags: ['tokens'],
        querystring: TokenListQuery,
        response: { 200: Page(TokenView), ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'read' } },
    },
    async (req) => {
      const actor = actorOf(req);
      const seesAll = actor.roles.includes('admin') || actor.roles.includes('auditor');
      if (!seesAll && req.query.userId && req.query.userId !== actor.userId) {
        throw new AppError('forbidden', 'only admins and auditors list the tokens of others');
      }
      const userId = seesAll ? req.query.userId : (actor.userId ?? '');
      return listTokens(store.db, { userId, status: req.query.status, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        operationId: 'revokeApiToken',
        summary: 'Revoke an API token',
        tags: ['tokens'],
        params: KeyParams,
        response: { 200: TokenView, ...errorResponses },
      },
      // Self-service: auditors too, for their own read-only tokens (the use case holds them to that).
      config: { access: { roles: 'any', scope: 'write', selfService: true } },
    },
    async (req) => {
      const ctx = requestContext(req);
      await store.transact((trx) => revokeApiToken(trx, { ctx, tokenId: req.params.id }));
      const page = await listTokens(store.db, { limit: 1, offset: 0, tokenId: req.params.id });
      return page.items[0];
    },
  );
}
