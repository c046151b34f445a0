// Human oversight over HTTP: the roster, pause / restrict / resume, and the runtime status that
// production AI systems check before acting (served from the in-memory RuntimeCache).

import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.js';
import { type App, type AppDeps, errorResponses, expectedVersion, requestContext, setEtag } from '../../server/http.js';
import {
  ActionBody,
  RestrictBody,
  RosterAddBody,
  RosterEntryView,
  RosterList,
  RosterParams,
  RosterRemoveBody,
  RosterUpdateBody,
  RuntimeDetailView,
  RuntimeStatusView,
  SystemParams,
} from './oversight.schema.js';
import {
  addRosterOfficer,
  listRoster,
  pauseSystem,
  removeRosterOfficer,
  restrictSystem,
  resumeSystem,
  showRuntime,
  updateRosterOfficer,
} from './oversight.service.js';

const MANAGERS = ['admin', 'governance_lead'] as const;
const READERS = ['admin', 'governance_lead', 'auditor', 'oversight_officer', 'system_owner'] as const;
/** How long the runtime route may reuse a resolved token: revocation takes effect within this. */
const RUNTIME_TOKEN_CACHE_MS = 1_000;

/** If-Match or body version, when the caller sent one; emergency actions do not demand it. */
function optionalVersion(req: FastifyRequest, bodyVersion: number | undefined): number | undefined {
  return req.headers['if-match'] === undefined && bodyVersion === undefined ? undefined : expectedVersion(req, bodyVersion);
}

export async function oversightRoutes(app: App, deps: AppDeps) {
  const { store } = deps;
  const cache = deps.services.runtimeCache;

  app.get(
    '/api/v1/systems/:id/runtime',
    {
      schema: {
        operationId: 'getRuntimeStatus',
        tags: ['oversight'],
        summary: 'What the AI system must do now: active, restricted (with conditions) or paused',
        params: SystemParams,
        response: { 200: RuntimeStatusView, ...errorResponses },
      },
      config: { access: { roles: 'any', scope: ['ingest', 'read'] }, actorCacheMs: RUNTIME_TOKEN_CACHE_MS, etag: 'if-none-match' },
    },
    async (req, reply) => {
      const state = await cache.get(req.params.id);
      if (!state) throw new AppError('not_found', `AI system ${req.params.id} does not exist`);
      const etag = `"${state.version}"`;
      reply.header('etag', etag).header('cache-control', 'private, no-cache');
      if (req.headers['if-none-match'] === etag) return reply.status(304).send(null as never);
      return {
        systemId: state.systemId,
        state: state.state,
        conditions: state.conditions,
        version: state.version,
        checkedAt: new Date().toISOString(),
        failSafeDefault: state.runtimeDefault,
      };
    },
  );

  const actionSchema = (body: typeof ActionBody | typeof RestrictBody, operationId: string, summary: string) => ({
    operationId,
    tags: ['oversight'],
    summary,
    params: SystemParams,
    body,
    response: { 200: RuntimeDetailView, 202: RuntimeDetailView, ...errorResponses },
  });
  const actorAccess = { access: { roles: 'any', scope: 'write' }, ifMatch: 'optional', etag: true } as const;

  app.post(
    '/api/v1/systems/:id/runtime/pause',
    { schema: actionSchema(ActionBody, 'pauseSystem', 'Pause the system (roster officers with pause authority)'), config: actorAccess },
    async (req, reply) => {
      const view = await store.transact((trx) =>
        pauseSystem(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          reason: req.body.reason,
          expectedVersion: optionalVersion(req, req.body.version),
        }),
      );
      await cache.refresh(req.params.id);
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post(
    '/api/v1/systems/:id/runtime/restrict',
    {
      schema: actionSchema(RestrictBody, 'restrictSystem', 'Restrict the system to conditions (roster officers with restrict authority)'),
      config: actorAccess,
    },
    async (req, reply) => {
      const body = req.body as typeof req.body & { conditions: Record<string, unknown> };
      const view = await store.transact((trx) =>
        restrictSystem(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          reason: body.reason,
          conditions: body.conditions,
          expectedVersion: optionalVersion(req, body.version),
        }),
      );
      await cache.refresh(req.params.id);
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post(
    '/api/v1/systems/:id/runtime/resume',
    {
      schema: actionSchema(ActionBody, 'resumeSystem', 'Resume; a high-risk system needs a second officer to confirm (202 until then)'),
      config: actorAccess,
    },
    async (req, reply) => {
      const result = await store.transact((trx) =>
        resumeSystem(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          reason: req.body.reason,
          expectedVersion: optionalVersion(req, req.body.version),
        }),
      );
      await cache.refresh(req.params.id);
      setEtag(reply, result.runtime.version);
      return reply
        .status(result.pendingConfirmation ? 202 : 200)
        .send({ ...result.runtime, pendingConfirmation: result.pendingConfirmation });
    },
  );

  app.get(
    '/api/v1/systems/:id/runtime/detail',
    {
      schema: {
        operationId: 'showRuntime',
        summary: "A system's runtime state with its history",
        tags: ['oversight'],
        params: SystemParams,
        response: { 200: RuntimeDetailView, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' }, etag: true },
    },
    async (req, reply) => {
      const view = await showRuntime(store.db, req.params.id);
      setEtag(reply, view.version);
      return view;
    },
  );

  app.get(
    '/api/v1/systems/:id/oversight/roster',
    {
      schema: {
        operationId: 'listRoster',
        summary: "A system's oversight roster",
        tags: ['oversight'],
        params: SystemParams,
        response: { 200: RosterList, ...errorResponses },
      },
      config: { access: { roles: READERS, scope: 'read' } },
    },
    async (req) => ({ items: await listRoster(store.db, req.params.id) }),
  );

  app.post(
    '/api/v1/systems/:id/oversight/roster',
    {
      schema: {
        operationId: 'addRosterOfficer',
        summary: "Add an oversight officer to a system's roster",
        tags: ['oversight'],
        params: SystemParams,
        body: RosterAddBody,
        response: { 201: RosterEntryView, ...errorResponses },
      },
      config: { access: { roles: MANAGERS, scope: 'write' }, etag: true },
    },
    async (req, reply) => {
      const entry = await store.transact((trx) =>
        addRosterOfficer(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          input: { ...req.body, training: req.body.training ?? '' },
        }),
      );
      setEtag(reply, entry.version);
      return reply.status(201).send(entry);
    },
  );

  app.put(
    '/api/v1/systems/:id/oversight/roster/:userId',
    {
      schema: {
        operationId: 'updateRosterOfficer',
        summary: "Change an officer's powers on a system's roster",
        tags: ['oversight'],
        params: RosterParams,
        body: RosterUpdateBody,
        response: { 200: RosterEntryView, ...errorResponses },
      },
      config: { access: { roles: MANAGERS, scope: 'write' }, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const entry = await store.transact((trx) =>
        updateRosterOfficer(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          userId: req.params.userId,
          version: expectedVersion(req, req.body.version),
          input: { authorities: req.body.authorities, competence: req.body.competence, training: req.body.training ?? '' },
        }),
      );
      setEtag(reply, entry.version);
      return entry;
    },
  );

  app.delete(
    '/api/v1/systems/:id/oversight/roster/:userId',
    {
      schema: {
        operationId: 'removeRosterOfficer',
        summary: "Remove an officer from a system's roster",
        tags: ['oversight'],
        params: RosterParams,
        body: RosterRemoveBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
      config: { access: { roles: MANAGERS, scope: 'write' } },
    },
    async (req, reply) => {
      await store.transact((trx) =>
        removeRosterOfficer(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          userId: req.params.userId,
          reason: req.body.reason,
        }),
      );
      return reply.status(204).send(null);
    },
  );
}
