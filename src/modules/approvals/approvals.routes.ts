// Approvals over HTTP: policies, requests, decisions, emergency changes, queues, delegations,
// change records and version comparison. Thin: access, schema, one transaction, one use case.

import { Type } from 'typebox';
import { compareModelVersions, compareVersions, listChangeRecords } from '../../governance/change-records.service.js';
import { getPolicyHistory, listPolicies } from '../../governance/policies.js';
import { listRequests, loadRequestState } from '../../governance/requests.repository.js';
import { actorOf } from '../../server/access.js';
import {
  type App,
  type AppDeps,
  errorResponses,
  expectedVersion,
  IdParams,
  KeyParams,
  Page,
  requestContext,
  setEtag,
} from '../../server/http.js';
import { decideApproval } from '../../workflows/decide-approval.js';
import { proceedWithEmergency } from '../../workflows/emergency-change.js';
import {
  presentChangeRecordsNamed,
  presentDelegationNamed,
  presentDelegationsNamed,
  presentRequest,
  presentRequestSummary,
} from './approvals.presenter.js';
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

export function approvalsRoutes(app: App, { store }: AppDeps) {
  const detail = async (id: string) => presentRequest(store.db, await loadRequestState(store.db, id));

  app.get(
    '/api/v1/approvals/policies',
    {
      schema: {
        operationId: 'listPolicies',
        summary: 'List approval policies',
        tags,
        response: { 200: Type.Object({ items: Type.Array(PolicyView) }), ...errorResponses },
      },
      config: { access: read },
    },
    async () => ({
      items: await listPolicies(store.db),
    }),
  );

  app.get(
    '/api/v1/approvals/policies/:id',
    {
      schema: {
        operationId: 'getPolicyHistory',
        summary: 'An approval policy and its versions',
        tags,
        params: KeyParams,
        response: { 200: PolicyHistoryView, ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => ({ policyId: req.params.id, versions: await getPolicyHistory(store.db, req.params.id) }),
  );

  app.post(
    '/api/v1/approvals/requests',
    {
      schema: {
        operationId: 'createRequest',
        summary: 'File an approval request',
        tags,
        body: CreateRequestBody,
        response: { 201: RequestView, ...errorResponses },
      },
      config: { access: write, etag: true },
    },
    async (req, reply) => {
      const row = await store.transact((trx) => createRequest(trx, { ctx: requestContext(req), input: req.body }));
      setEtag(reply, Number(row.version));
      return reply.status(201).send(await detail(row.id));
    },
  );

  app.get(
    '/api/v1/approvals/requests',
    {
      schema: {
        operationId: 'listRequests',
        summary: 'List approval requests',
        tags,
        querystring: RequestListQuery,
        response: { 200: Page(RequestSummary), ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => {
      const page = await listRequests(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
      return { ...page, items: page.items.map(presentRequestSummary) };
    },
  );

  app.get(
    '/api/v1/approvals/requests/:id',
    {
      schema: {
        operationId: 'getRequest',
        summary: 'One approval request with its steps and decisions',
        tags,
        params: IdParams,
        response: { 200: RequestView, ...errorResponses },
      },
      config: { access: read, etag: true },
    },
    async (req, reply) => {
      const view = await detail(req.params.id);
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/revisions',
    {
      schema: {
        operationId: 'reviseRequest',
        summary: 'Revise a pending approval request',
        tags,
        params: IdParams,
        body: ReviseRequestBody,
        response: { 200: RequestView, ...errorResponses },
      },
      config: { access: write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const version = expectedVersion(req, req.body.version);
      const row = await store.transact((trx) =>
        reviseRequest(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          change: req.body.change,
          reason: req.body.reason,
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
      schema: {
        operationId: 'decideApproval',
        summary: 'Approve or reject an approval request',
        tags,
        params: IdParams,
        body: DecisionBody,
        response: { 200: RequestView, ...errorResponses },
      },
      config: { access: write, etag: true },
    },
    async (req, reply) => {
      const row = await store.transact((trx) =>
        decideApproval(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          input: req.body,
        }),
      );
      setEtag(reply, Number(row.version));
      return detail(row.id);
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/withdraw',
    {
      schema: {
        operationId: 'withdrawRequest',
        summary: 'Withdraw an approval request',
        tags,
        params: IdParams,
        body: ReasonBody,
        response: { 200: RequestView, ...errorResponses },
      },
      config: { access: write },
    },
    async (req) => {
      const row = await store.transact((trx) =>
        withdrawRequest(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          reason: req.body.reason,
        }),
      );
      return detail(row.id);
    },
  );

  app.post(
    '/api/v1/approvals/requests/:id/emergency',
    {
      schema: {
        operationId: 'proceedWithEmergency',
        summary: 'Apply a change before approval as an emergency',
        tags,
        params: IdParams,
        body: ReasonBody,
        response: { 200: EmergencyView, ...errorResponses },
      },
      config: { access: write },
    },
    async (req) => {
      const result = await store.transact((trx) =>
        proceedWithEmergency(trx, {
          ctx: requestContext(req),
          requestId: req.params.id,
          reason: req.body.reason,
        }),
      );
      return { ...result, request: presentRequestSummary(result.request) };
    },
  );

  app.get(
    '/api/v1/approvals/queue',
    {
      schema: {
        operationId: 'listQueue',
        summary: 'Approval requests waiting for you',
        tags,
        response: { 200: QueueView, ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => {
      const actor = actorOf(req);
      return listQueue(store.db, { approver: { userId: actor.userId ?? '', roles: actor.roles, systemRoles: actor.systemRoles } });
    },
  );

  app.post(
    '/api/v1/approvals/delegations',
    {
      schema: {
        operationId: 'createDelegation',
        summary: 'Delegate your approvals for a period',
        tags,
        body: DelegationBody,
        response: { 201: DelegationView, ...errorResponses },
      },
      config: { access: write },
    },
    async (req, reply) => {
      const delegation = await store.transact((trx) => createDelegation(trx, { ctx: requestContext(req), input: req.body }));
      return reply.status(201).send(await presentDelegationNamed(store.db, delegation));
    },
  );

  app.get(
    '/api/v1/approvals/delegations',
    {
      schema: {
        operationId: 'listDelegations',
        summary: 'List delegations',
        tags,
        response: { 200: Type.Object({ items: Type.Array(DelegationView) }), ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => ({ items: await presentDelegationsNamed(store.db, await listDelegations(store.db, actorOf(req).userId ?? '')) }),
  );

  app.post(
    '/api/v1/approvals/delegations/:id/revoke',
    {
      schema: {
        operationId: 'revokeDelegation',
        summary: 'Revoke a delegation',
        tags,
        params: IdParams,
        response: { 200: DelegationView, ...errorResponses },
      },
      config: { access: write },
    },
    async (req) =>
      presentDelegationNamed(
        store.db,
        await store.transact((trx) => revokeDelegation(trx, { ctx: requestContext(req), delegationId: req.params.id })),
      ),
  );

  app.get(
    '/api/v1/change-records',
    {
      schema: {
        operationId: 'listChangeRecords',
        summary: 'List change records',
        tags,
        querystring: ChangeRecordQuery,
        response: { 200: Page(ChangeRecordView), ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => {
      const page = await listChangeRecords(store.db, { ...req.query, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
      return { ...page, items: await presentChangeRecordsNamed(store.db, page.items) };
    },
  );

  app.get(
    '/api/v1/model-versions/compare',
    {
      schema: {
        operationId: 'compareModelVersions',
        tags,
        summary: 'Any two model versions of one system side by side, from the ledger',
        querystring: ModelVersionCompareQuery,
        response: { 200: ModelVersionCompareView, ...errorResponses },
      },
      config: { access: read },
    },
    async (req) => compareModelVersions(store.db, { from: req.query.from, to: req.query.to }),
  );

  for (const [path, subjectType, operationId] of [
    ['/api/v1/systems/:id/versions/compare', 'ai_system', 'compareSystemVersions'],
    ['/api/v1/model-versions/:id/versions/compare', 'model_version', 'compareModelVersionRevisions'],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          operationId,
          summary: 'Two recorded versions of one subject side by side, from the ledger',
          tags,
          params: IdParams,
          querystring: CompareQuery,
          response: { 200: CompareView, ...errorResponses },
        },
        config: { access: read },
      },
      async (req) => compareVersions(store.db, { subjectType, subjectId: req.params.id, from: req.query.from, to: req.query.to }),
    );
  }
}
