// Approvals over HTTP: policies, requests, decisions, emergency changes, queues, delegations,
// change records and version comparison. Thin: access, schema, one transaction, one use case.

import { Type } from 'typebox';
import { compareModelVersions, compareVersions, listChangeRecords, presentChangeRecord } from '../../governance/change-records.service.js';
import { getPolicyHistory, listPolicies } from '../../governance/policies.js';
import { listRequests, loadRequestState } from '../../governance/requests.repository.js';
import { actorOf } from '../../server/access.js';
import { type App, type AppDeps, errorResponses, expectedVersion, IdParams, Page, requestContext, setEtag } from '../../server/http.js';
import { decideApproval } from '../../workflows/decide-approval.js';
import { proceedWithEmergency } from '../../workflows/emergency-change.js';
import { presentDelegation, presentRequest, presentRequestSummary } from './approvals.presenter.js';
import {
  ChangeRecordQuery,
  ChangeRecordView,
  CompareQuery,
  CompareView,
  CreateRequestBody,
  DecisionBody,
  DelegationBody,
  DelegationView,
  EmergencyView,
  ModelVersionCompareQuery,
  ModelVersionCompareView,
  PolicyHistoryView,
  PolicyView,
  QueueView,
  ReasonBody,
  RequestListQuery,
  RequestSummary,
  RequestView,
  ReviseRequestBody,
} from './approvals.schema.js';
import { createDelegation, listDelegations, revokeDelegation } from './delegations.service.js';
import { listQueue } from './queue.js';
import { createRequest, reviseRequest, withdrawRequest } from './requests.service.js';

const read = { roles: 'any', scope: 'read' } as const;
const write = { roles: 'any', scope: 'write' } as const;
const tags = ['approvals'];

export function approvalsRoutes(app: App, { store, config }: AppDeps) {
  const detail = async (id: string) => presentRequest(store.db, await loadRequestState(store.db, id));

  app.get(
    '/api/v1/approvals/policies',
    { schema: { tags, response: { 200: Type.Object({ items: Type.Array(PolicyView) }), ...errorResponses } }, config: { access: read } },
    async () => ({
      items: await listPolicies(store.db),
    }),
  );

  app.get(
    '/api/v1/approvals/policies/:id',
    { schema: { tags, params: IdParams, response: { 200: PolicyHistoryView, ...errorResponses } }, config: { access: read } },
    async (req) => ({ policyId: req.params.id, versions: await getPolicyHistory(store.db, req.params.id) }),
  );

  app.post(
    '/api/v1/approvals/requests',
    { schema: { tags, body: CreateRequestBody, response: { 200: RequestView, ...errorResponses } }, config: { access: write } },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        createRequest(trx, { ctx: requestContext(req), input: req.body, minRationaleLength: config.minRationaleLength }),
      );
      setEtag(reply, Number(row.version));
      return detail(row.id);
    },
  );

  app.get(
    '/api/v1/approvals/requests',
    {
      schema: { tags, querystring: RequestListQuery, response: { 200: Page(RequestSummary), ...errorResponses } },
      config: { access: read },
    },
    async (req) => {
      const page = await listRequests(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
      return { ...page, items: page.items.map(presentRequestSummary) };
    },
  );

  app.get(
    '/api/v1/approvals/requests/:id',
    { schema: { tags, params: IdParams, response: { 200: RequestView, ...errorResponses } }, config: { access: read } },
    async (req, reply) => {
      const view = await detail(req.params.id);
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/revisions',
    {
      schema: { tags, params: IdParams, body: ReviseRequestBody, response: { 200: RequestView, ...errorResponses } },
      config: { access: write },
    },
    async (req, reply) => {
      const version = expectedVersion(req, req.body.version);
      const row = await store.transact((trx) =>
        reviseRequest(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          change: req.body.change,
          reason: req.body.reason,
          minRationaleLength: config.minRationaleLength,
          expectedVersion: version,
        }),
      );
      setEtag(reply, Number(row.version));
      return detail(row.id);
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/decisions',
    {
      schema: { tags, params: IdParams, body: DecisionBody, response: { 200: RequestView, ...errorResponses } },
      config: { access: write },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        decideApproval(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          input: req.body,
          minRationaleLength: config.minRationaleLength,
        }),
      );
      setEtag(reply, Number(row.version));
      return detail(row.id);
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/withdraw',
    { schema: { tags, params: IdParams, body: ReasonBody, response: { 200: RequestView, ...errorResponses } }, config: { access: write } },
    async (req) => {
      const row = await store.transact((trx) =>
        withdrawRequest(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          reason: req.body.reason,
          minRationaleLength: config.minRationaleLength,
        }),
      );
      return detail(row.id);
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/emergency',
    {
      schema: { tags, params: IdParams, body: ReasonBody, response: { 200: EmergencyView, ...errorResponses } },
      config: { access: write },
    },
    async (req) => {
      const result = await store.transact((trx) =>
        proceedWithEmergency(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          reason: req.body.reason,
          minRationaleLength: config.minRationaleLength,
          reviewHours: config.emergencyReviewHours,
        }),
      );
      return { ...result, request: presentRequestSummary(result.request) };
    },
  );

  app.get(
    '/api/v1/approvals/queue',
    { schema: { tags, response: { 200: QueueView, ...errorResponses } }, config: { access: read } },
    async (req) => {
      const actor = actorOf(req);
      return listQueue(store.db, { approver: { userId: actor.userId ?? '', roles: actor.roles, systemRoles: actor.systemRoles } });
    },
  );

  app.post(
    '/api/v1/approvals/delegations',
    { schema: { tags, body: DelegationBody, response: { 200: DelegationView, ...errorResponses } }, config: { access: write } },
    async (req) =>
      presentDelegation(
        await store.transact((trx) =>
          createDelegation(trx, { ctx: requestContext(req), input: req.body, minRationaleLength: config.minRationaleLength }),
        ),
      ),
  );

  app.get(
    '/api/v1/approvals/delegations',
    {
      schema: { tags, response: { 200: Type.Object({ items: Type.Array(DelegationView) }), ...errorResponses } },
      config: { access: read },
    },
    async (req) => ({ items: (await listDelegations(store.db, actorOf(req).userId ?? '')).map(presentDelegation) }),
  );

  app.post(
    '/api/v1/approvals/delegations/:id/revoke',
    { schema: { tags, params: IdParams, response: { 200: DelegationView, ...errorResponses } }, config: { access: write } },
    async (req) =>
      presentDelegation(await store.transact((trx) => revokeDelegation(trx, { ctx: requestContext(req), delegationId: req.params.id }))),
  );

  app.get(
    '/api/v1/change-records',
    {
      schema: { tags, querystring: ChangeRecordQuery, response: { 200: Page(ChangeRecordView), ...errorResponses } },
      config: { access: read },
    },
    async (req) => {
      const page = await listChangeRecords(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
      return { ...page, items: page.items.map(presentChangeRecord) };
    },
  );

  app.get(
    '/api/v1/model-versions/compare',
    {
      schema: {
        tags,
        summary: 'Any two model versions of one system side by side, from the ledger',
        querystring: ModelVersionCompareQuery,
        response: { 200: ModelVersionCompareView, ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => compareModelVersions(store.db, { from: req.query.from, to: req.query.to }),
  );

  for (const [path, subjectType] of [
    ['/api/v1/systems/:id/versions/compare', 'ai_system'],
    ['/api/v1/model-versions/:id/versions/compare', 'model_version'],
  ] as const) {
    app.get(
      path,
      {
        schema: { tags, params: IdParams, querystring: CompareQuery, response: { 200: CompareView, ...errorResponses } },
        config: { access: read },
      },
      async (req) => compareVersions(store.db, { subjectType, subjectId: req.params.id, from: req.query.from, to: req.query.to }),
    );
  }
}
