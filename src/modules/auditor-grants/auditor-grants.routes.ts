// Auditor grants over HTTP. Admins grant, list and revoke; an external auditor sees their own grant
// and the reads logged under it (grant-access.ts narrows their list and refuses another's grant).
import { hasRole } from '../../context.js';
import { AppError } from '../../errors.js';
import { actorOf } from '../../server/access.js';
import { type App, type AppDeps, errorResponses, IdParams, Page, requestContext } from '../../server/http.js';
import { findGrantRow, getGrant, listGrantReads, listGrants } from './auditor-grants.repository.js';
import { CreateGrantBody, GrantListQuery, GrantReadsQuery, GrantReadView, GrantView, RevokeGrantBody } from './auditor-grants.schema.js';
import { createAuditorGrant, revokeAuditorGrant } from './auditor-grants.service.js';

const tags = ['auditor-grants'];

export function auditorGrantsRoutes(app: App, { store }: AppDeps) {
  /** Admins see every grant; the auditor only their own (a not_found for another's, nothing leaks). */
  async function visibleGrant(req: Parameters<typeof actorOf>[0], id: string) {
    const actor = actorOf(req);
    const row = await findGrantRow(store.db, id);
    if (!row || (!hasRole(actor, 'admin') && row.auditor_id !== actor.userId)) {
      throw new AppError('not_found', `auditor grant ${id} does not exist`, { resource: 'auditor grant', id });
    }
    return row;
  }

  app.post(
    '/api/v1/auditor-grants',
    {
      schema: {
        operationId: 'createAuditorGrant',
        summary: "Grant an external auditor read-only access to a scope until a date (a new auditor's account may be made with it)",
        tags,
        body: CreateGrantBody,
        response: { 201: GrantView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'write' } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const id = await store.transact((trx) => createAuditorGrant(trx, { ctx, grant: req.body }));
      reply.status(201);
      return getGrant(store.db, id);
    },
  );

  app.get(
    '/api/v1/auditor-grants',
    {
      schema: {
        operationId: 'listAuditorGrants',
        summary: 'List auditor grants (an external auditor: their own)',
        tags,
        querystring: GrantListQuery,
        response: { 200: Page(GrantView), ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'read' } },
    },
    async (req) => {
      const actor = actorOf(req);
      const query = hasRole(actor, 'admin') ? req.query : { ...req.query, auditorId: actor.userId ?? '' };
      return listGrants(store.db, query);
    },
  );

  app.get(
    '/api/v1/auditor-grants/:id',
    {
      schema: {
        operationId: 'getAuditorGrant',
        summary: 'One auditor grant',
        tags,
        params: IdParams,
        response: { 200: GrantView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'read' } },
    },
    async (req) => {
      const row = await visibleGrant(req, req.params.id);
      return getGrant(store.db, row.id);
    },
  );

  app.post(
    '/api/v1/auditor-grants/:id/revoke',
    {
      schema: {
        operationId: 'revokeAuditorGrant',
        summary: "Revoke an auditor grant (the auditor's next request is refused)",
        tags,
        params: IdParams,
        body: RevokeGrantBody,
        response: { 200: GrantView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'write' } },
    },
    async (req) => {
      const ctx = requestContext(req);
      await store.transact((trx) => revokeAuditorGrant(trx, { ctx, grantId: req.params.id, rationale: req.body.rationale }));
      return getGrant(store.db, req.params.id);
    },
  );

  app.get(
    '/api/v1/auditor-grants/:id/reads',
    {
      schema: {
        operationId: 'listAuditorGrantReads',
        summary: 'The reads logged under an auditor grant, oldest first (each is a ledger event)',
        tags,
        params: IdParams,
        querystring: GrantReadsQuery,
        response: { 200: Page(GrantReadView), ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'read' } },
    },
    async (req) => {
      const row = await visibleGrant(req, req.params.id);
      return listGrantReads(store.db, row.id, { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
    },
  );
}
