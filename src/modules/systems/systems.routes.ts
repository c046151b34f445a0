// HTTP for the AI system inventory: the systems themselves, their views and timeline. Model
// versions, data sources and import/export are in systems-records.routes.ts, registered from here.

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
import { presentPhaseOwnerNamed, presentSystemDetail, presentSystemNamed } from './systems.presenter.js';
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
      const row = await store.transact((trx) => createSystem(trx, { ctx: requestContext(req), input: req.body }));
      setEtag(reply, Number(row.version));
      return reply.status(201).send(await presentSystemNamed(store.db, row));
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

  app.patch(
    '/api/v1/systems/:id',
    {
      schema: {
        operationId: 'updateSystem',
        summary: "Change a system's descriptive fields",
        tags,
        params: IdParams,
        body: UpdateSystemBody,
        response: { 200: SystemView, ...errorResponses },
      },
      config: { access: EDIT, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, rationale, ...changes } = req.body;
      const row = await store.transact((trx) =>
        updateSystem(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          expectedVersion: expectedVersion(req, version),
          changes,
          rationale,
        }),
      );
      setEtag(reply, Number(row.version));
      return presentSystemNamed(store.db, row);
    },
  );

  app.post(
    '/api/v1/systems/:id/owner',
    {
      schema: {
        operationId: 'changeSystemOwner',
        summary: "Change a system's owner",
        tags,
        params: IdParams,
        body: ChangeOwnerBody,
        response: { 200: SystemView, ...errorResponses },
      },
      config: { access: GOVERN, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        changeSystemOwner(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          ownerId: req.body.ownerId,
          rationale: req.body.rationale,
          expectedVersion: expectedVersion(req, req.body.version),
        }),
      );
      setEtag(reply, Number(row.version));
      return presentSystemNamed(store.db, row);
    },
  );

  app.post(
    '/api/v1/systems/:id/status',
    {
      schema: {
        operationId: 'changeSystemStatus',
        summary: "Change a system's lifecycle status",
        tags,
        params: IdParams,
        body: ChangeStatusBody,
        response: { 200: SystemView, ...errorResponses },
      },
      config: { access: EDIT, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        changeSystemStatus(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          status: req.body.status,
          rationale: req.body.rationale,
          approvalRequestId: req.body.approvalRequestId,
          expectedVersion: expectedVersion(req, req.body.version),
        }),
      );
      setEtag(reply, Number(row.version));
      return presentSystemNamed(store.db, row);
    },
  );

  app.post(
    '/api/v1/systems/:id/risk-tier',
    {
      schema: {
        operationId: 'changeRiskTier',
        summary: "Change a system's risk tier",
        tags,
        params: IdParams,
        body: ChangeRiskTierBody,
        response: { 200: SystemView, ...errorResponses },
      },
      config: { access: GOVERN, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        changeRiskTier(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          euRiskTier: req.body.euRiskTier,
          orgRiskTier: req.body.orgRiskTier,
          rationale: req.body.rationale,
          expectedVersion: expectedVersion(req, req.body.version),
        }),
      );
      setEtag(reply, Number(row.version));
      return presentSystemNamed(store.db, row);
    },
  );

  app.post(
    '/api/v1/systems/:id/triage',
    {
      schema: {
        operationId: 'triageShadowSystem',
        summary: 'Triage a shadow system',
        tags,
        params: IdParams,
        body: TriageBody,
        response: { 200: SystemView, ...errorResponses },
      },
      config: { access: GOVERN, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        triageShadowSystem(trx, {
          ctx: requestContext(req),
          systemId: req.params.id,
          rationale: req.body.rationale,
          expectedVersion: expectedVersion(req, req.body.version),
        }),
      );
      setEtag(reply, Number(row.version));
      return presentSystemNamed(store.db, row);
    },
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
