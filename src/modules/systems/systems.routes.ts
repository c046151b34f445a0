// HTTP for the AI system inventory: the systems themselves, their views and timeline. Model
// versions, data sources and import/export are in systems-records.routes.ts, registered from here.

import type { Static, TSchema } from 'typebox';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { systemHistory } from '../../ledger/history.js';
import { parseHistoryKinds } from '../../ledger/system-index.js';
import {
  type App,
  type AppDeps,
  errorResponses,
  expectedVersion,
  IdParams,
  NoContent,
  Page,
  requestContext,
  setEtag,
} from '../../server/http.js';
import { presentPhaseOwnerNamed, presentSystemDetail, presentSystemNamed, type SystemRow } from './systems.presenter.js';
import { getSystem, listPhaseOwners, listSystems, summarizeSystems, systemTimeline } from './systems.repository.js';
import {
  AssignPhaseOwnerBody,
  ChangeOwnerBody,
  ChangeRiskTierBody,
  ChangeStatusBody,
  CreateSystemBody,
  HistoryPageView,
  HistoryQuery,
  ListSystemsQuery,
  PhaseOwnerView,
  PhaseParams,
  SummaryView,
  SystemDetailView,
  SystemView,
  TimelineEntryView,
  TimelineQuery,
  TriageBody,
  UnassignPhaseOwnerBody,
  UpdateSystemBody,
} from './systems.schema.js';
import {
  assignPhaseOwner,
  changeRiskTier,
  changeSystemOwner,
  changeSystemStatus,
  createSystem,
  triageShadowSystem,
  unassignPhaseOwner,
  updateSystem,
} from './systems.service.js';
import { systemsRecordRoutes } from './systems-records.routes.js';

const READ = { roles: 'any', scope: 'read' } as const;
const CREATE = { roles: ['admin', 'governance_lead', 'contributor'], scope: 'write' } as const;
/** The service narrows system_owner to the owner of the system concerned. */
const EDIT = { roles: ['admin', 'governance_lead', 'system_owner'], scope: 'write' } as const;
const GOVERN = { roles: ['admin', 'governance_lead'], scope: 'write' } as const;
const tags = ['systems'];

/** Actions check the version only when the caller sends one (If-Match or body.version). */
export async function systemsRoutes(app: App, deps: AppDeps) {
  const { store } = deps;

  app.get(
    '/api/v1/systems',
    {
      schema: {
        operationId: 'listSystems',
        summary: 'List AI systems',
        tags,
        querystring: ListSystemsQuery,
        response: { 200: Page(SystemView), ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => listSystems(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.get(
    '/api/v1/systems/summary',
    {
      schema: {
        operationId: 'summarizeSystems',
        summary: 'Counts of systems by status and risk tier',
        tags,
        response: { 200: SummaryView, ...errorResponses },
      },
      config: { access: READ },
    },
    async () => summarizeSystems(store.db),
  );

  app.post(
    '/api/v1/systems',
    {
      schema: {
        operationId: 'createSystem',
        summary: 'Register an AI system',
        tags,
        body: CreateSystemBody,
        response: { 201: SystemView, ...errorResponses },
      },
      config: { access: CREATE, etag: true },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      const row = await store.transact((trx) => createSystem(trx, { ctx, input: req.body }));
      setEtag(reply, Number(row.version));
      const caller = { id: ctx.actor.userId, name: ctx.actor.displayName };
      return reply.status(201).send(await presentSystemNamed(store.db, row, caller));
    },
  );

  app.get(
    '/api/v1/systems/:id',
    {
      schema: {
        operationId: 'getSystem',
        summary: 'One AI system with its phase owners',
        tags,
        params: IdParams,
        response: { 200: SystemDetailView, ...errorResponses },
      },
      config: { access: READ, etag: true },
    },
    async (req, reply) => {
      const row = await getSystem(store.db, req.params.id);
      const phaseOwners = await listPhaseOwners(store.db, row.id);
      setEtag(reply, Number(row.version));
      return presentSystemDetail(store.db, row, phaseOwners);
    },
  );

  /**
   * A change of the system row, the same for all five: who may call it, the version the caller read
   * (If-Match or body.version, required), one use case in one transaction, the new version's ETag and
   * the system with its people named.
   */
  function systemChangeRoute<Body extends TSchema>(
    method: 'PATCH' | 'POST',
    url: string,
    spec: { operationId: string; summary: string; body: Body; access: typeof EDIT | typeof GOVERN },
    change: (trx: Tx, args: { ctx: RequestContext; systemId: string; expectedVersion: number }, body: Static<Body>) => Promise<SystemRow>,
  ) {
    app.route({
      method,
      url,
      schema: {
        operationId: spec.operationId,
        summary: spec.summary,
        tags,
        params: IdParams,
        body: spec.body,
        response: { 200: SystemView, ...errorResponses },
      },
      config: { access: spec.access, ifMatch: 'required', etag: true },
      handler: async (req, reply) => {
        const body = req.body as Static<Body> & { version?: number };
        const ctx = requestContext(req);
        const args = { ctx, systemId: req.params.id, expectedVersion: expectedVersion(req, body.version) };
        const row = await store.transact((trx) => change(trx, args, body));
        setEtag(reply, Number(row.version));
        return presentSystemNamed(store.db, row, { id: ctx.actor.userId, name: ctx.actor.displayName });
      },
    });
  }

  systemChangeRoute(
    'PATCH',
    '/api/v1/systems/:id',
    { operationId: 'updateSystem', summary: "Change a system's descriptive fields", body: UpdateSystemBody, access: EDIT },
    (trx, args, { version: _version, rationale, ...changes }) => updateSystem(trx, { ...args, changes, rationale }),
  );

  systemChangeRoute(
    'POST',
    '/api/v1/systems/:id/owner',
    { operationId: 'changeSystemOwner', summary: "Change a system's owner", body: ChangeOwnerBody, access: GOVERN },
    (trx, args, body) => changeSystemOwner(trx, { ...args, ownerId: body.ownerId, rationale: body.rationale }),
  );

  systemChangeRoute(
    'POST',
    '/api/v1/systems/:id/status',
    { operationId: 'changeSystemStatus', summary: "Change a system's lifecycle status", body: ChangeStatusBody, access: EDIT },
    (trx, args, body) =>
      changeSystemStatus(trx, { ...args, status: body.status, rationale: body.rationale, approvalRequestId: body.approvalRequestId }),
  );

  systemChangeRoute(
    'POST',
    '/api/v1/systems/:id/risk-tier',
    { operationId: 'changeRiskTier', summary: "Change a system's risk tier", body: ChangeRiskTierBody, access: GOVERN },
    (trx, args, body) =>
      changeRiskTier(trx, { ...args, euRiskTier: body.euRiskTier, orgRiskTier: body.orgRiskTier, rationale: body.rationale }),
  );

  systemChangeRoute(
    'POST',
    '/api/v1/systems/:id/triage',
    { operationId: 'triageShadowSystem', summary: 'Triage a shadow system', body: TriageBody, access: GOVERN },
    (trx, args, body) => triageShadowSystem(trx, { ...args, rationale: body.rationale }),
  );

  app.put(
    '/api/v1/systems/:id/phase-owners/:phase',
    {
      schema: {
        operationId: 'assignPhaseOwner',
        summary: 'Assign an owner for a lifecycle phase',
        tags,
        params: PhaseParams,
        body: AssignPhaseOwnerBody,
        response: { 200: PhaseOwnerView, ...errorResponses },
      },
      config: { access: EDIT },
    },
    async (req) => {
      const owner = await store.transact((trx) =>
        assignPhaseOwner(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          phase: req.params.phase,
          userId: req.body.userId,
          rationale: req.body.rationale,
        }),
      );
      return presentPhaseOwnerNamed(store.db, owner);
    },
  );

  app.delete(
    '/api/v1/systems/:id/phase-owners/:phase',
    {
      schema: {
        operationId: 'unassignPhaseOwner',
        summary: 'Remove a phase owner',
        tags,
        params: PhaseParams,
        body: UnassignPhaseOwnerBody,
        response: { 204: NoContent, ...errorResponses },
      },
      config: { access: EDIT },
    },
    async (req, reply) => {
      await store.transact((trx) =>
        unassignPhaseOwner(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          phase: req.params.phase,
          rationale: req.body.rationale,
        }),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/systems/:id/timeline',
    {
      schema: {
        operationId: 'systemTimeline',
        summary: "A system's timeline",
        tags,
        params: IdParams,
        querystring: TimelineQuery,
        response: { 200: Page(TimelineEntryView), ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => {
      await getSystem(store.db, req.params.id);
      return systemTimeline(store.db, req.params.id, { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
    },
  );

  app.get(
    '/api/v1/systems/:id/history',
    {
      schema: {
        operationId: 'systemHistory',
        tags,
        summary:
          "A system's whole history from the ledger: its changes, approvals and signatures, exceptions, incidents, oversight, decisions, appeals, model versions, change records",
        params: IdParams,
        querystring: HistoryQuery,
        response: { 200: HistoryPageView, ...errorResponses },
      },
      config: { access: READ },
    },
    async (req) => {
      await getSystem(store.db, req.params.id);
      const { kind, from, to, order, cursor, limit, offset } = req.query;
      return systemHistory(store.db, {
        systemId: req.params.id,
        kinds: parseHistoryKinds(kind),
        from,
        to,
        order: order ?? 'asc',
        cursor,
        limit: limit ?? 50,
        offset: offset ?? 0,
      });
    },
  );

  await systemsRecordRoutes(app, deps);
}
