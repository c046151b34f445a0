// Users and roles over HTTP. Policies: admins manage users and roles; admins, auditors and
// governance leads read them (an auditor reads everything and changes nothing); every user may
// rename themselves and change their own password, except read-only accounts (WRITER_ROLES).
// The use cases enforce the same rules again.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { WRITER_ROLES } from '../context.js';
import { notFound } from '../errors.js';
import { SESSION_COOKIE } from '../server/access.js';
import { type App, type AppDeps, errorResponses, expectedVersion, IdParams, Page, requestContext, setEtag } from '../server/http.js';
import { actorFromSession } from './actors.js';
import { getUserView, listUsers } from './users.repository.js';
import {
  ChangePasswordBody,
  CreateUserBody,
  DeactivateBody,
  SetRolesBody,
  UpdateUserBody,
  UserListQuery,
  UserView,
} from './users.schema.js';
import { changeOwnPassword, createUser, deactivateUser, setUserRoles, updateUser } from './users.service.js';

const READERS = ['admin', 'auditor', 'governance_lead'] as const;

export function usersRoutes(app: App, { store }: AppDeps) {
  /** The user as it is now, with its version as the ETag. */
  async function currentUser(reply: FastifyReply, id: string) {
    const view = await getUserView(store.db, id);
    if (!view) throw notFound('user', id);
    setEtag(reply, view.version);
    return view;
  }

  app.get(
    '/api/v1/users',
    {
      schema: {
        operationId: 'listUsers',
        summary: 'List users',
        tags: ['users'],
        querystring: UserListQuery,
        response: { 200: Page(UserView), ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => listUsers(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.get(
    '/api/v1/users/:id',
    {
      schema: {
        operationId: 'getUser',
        summary: 'One user',
        tags: ['users'],
        params: IdParams,
        response: { 200: UserView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' }, etag: true },
    },
    async (req, reply) => currentUser(reply, req.params.id),
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        operationId: 'createUser',
        summary: 'Create a user',
        tags: ['users'],
        body: CreateUserBody,
        response: { 201: UserView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'write' }, etag: true },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const created = await store.transact((trx) => createUser(trx, { ctx, user: req.body }));
      reply.status(201);
      return currentUser(reply, created.id);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        operationId: 'updateUser',
        summary: "Change a user's name or email",
        tags: ['users'],
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: UserView, ...errorResponses },
      },
      config: { access: { roles: WRITER_ROLES, scope: 'write' }, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const version = expectedVersion(req, req.body.version);
      await store.transact((trx) =>
        updateUser(trx, { ctx, userId: req.params.id, displayName: req.body.displayName, expectedVersion: version }),
      );
      return currentUser(reply, req.params.id);
    },
  );

  app.put(
    '/api/v1/users/:id/roles',
    {
      schema: {
        operationId: 'setUserRoles',
        summary: "Set a user's global roles",
        tags: ['users'],
        params: IdParams,
        body: SetRolesBody,
        response: { 200: UserView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'write' }, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const version = expectedVersion(req, req.body.version);
      await store.transact((trx) =>
        setUserRoles(trx, {
          ctx,
          userId: req.params.id,
          roles: { roles: req.body.roles, systemRoles: req.body.systemRoles ?? {} },
          reason: req.body.reason,
          expectedVersion: version,
        }),
      );
      return currentUser(reply, req.params.id);
    },
  );

  app.post(
    '/api/v1/users/:id/deactivate',
    {
      schema: {
        operationId: 'deactivateUser',
        summary: 'Deactivate a user',
        tags: ['users'],
        params: IdParams,
        body: DeactivateBody,
        response: { 200: UserView, ...errorResponses },
      },
      config: { access: { roles: ['admin'], scope: 'write' }, ifMatch: 'optional', etag: true },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      // Deactivation is a one-way transition, not an overwrite: a version is checked when sent.
      const version = req.headers['if-match'] || req.body.version !== undefined ? expectedVersion(req, req.body.version) : undefined;
      await store.transact((trx) => deactivateUser(trx, { ctx, userId: req.params.id, reason: req.body.reason, expectedVersion: version }));
      return currentUser(reply, req.params.id);
    },
  );

  app.post(
    '/api/v1/users/me/password',
    {
      schema: {
        operationId: 'changeOwnPassword',
        summary: 'Change your own password',
        tags: ['users'],
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
      config: { access: { roles: 'any', scope: 'write', selfService: true } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const sessionId = req.cookies[SESSION_COOKIE];
      const session = sessionId && ctx.actor.kind === 'user' ? await actorFromSession(store.db, sessionId) : null;
      await store.transact((trx) => changeOwnPassword(trx, { ctx, ...req.body, keepSessionHash: session?.sessionIdHash ?? null }));
      return reply.status(204).send(null);
    },
  );
}
