// HTTP for exceptions: open, list, show, move through the lifecycle, root cause, corrective
// actions, verification, lessons learned and follow-ups. Rules live in the services.
import { WRITER_ROLES } from '../../context.js';
import { type App, type AppDeps, errorResponses, expectedVersion, IdParams, Page, requestContext, setEtag } from '../../server/http.js';
import { listExceptions, loadExceptionDetail, presentExceptionsNamed } from './exceptions.repository.js';
import {
  ActionParams,
  CompleteActionBody,
  CorrectiveActionView,
  ExceptionDetailView,
  ExceptionListQuery,
  ExceptionView,
  FollowUpParams,
  FollowUpTransitionBody,
  FollowUpView,
  LessonWithFollowUpsView,
  NewCorrectiveActionBody,
  NewExceptionBody,
  NewFollowUpBody,
  NewLessonBody,
  RootCauseBody,
  TransitionBody,
  VerifyBody,
} from './exceptions.schema.js';
import { openException, recordRootCause, transitionException, verifyException } from './exceptions.service.js';
import { addCorrectiveAction, addFollowUp, completeCorrectiveAction, recordLesson, transitionFollowUp } from './remediation.service.js';

const tags = ['exceptions'];
const read = { access: { roles: 'any', scope: 'read' } } as const;
const write = { access: { roles: WRITER_ROLES, scope: 'write' } } as const;

export function exceptionsRoutes(app: App, { store }: AppDeps) {
  app.post(
    '/api/v1/exceptions',
    {
      schema: {
        operationId: 'openException',
        summary: 'Open an exception',
        tags,
        body: NewExceptionBody,
        response: { 201: ExceptionView, ...errorResponses },
      },
      config: { ...write, etag: true },
    },
    async (req, reply) => {
      const view = await store.transact((trx) => openException(trx, { ctx: requestContext(req), input: req.body }));
      setEtag(reply, view.version);
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/api/v1/exceptions',
    {
      schema: {
        operationId: 'listExceptions',
        summary: 'List exceptions',
        tags,
        querystring: ExceptionListQuery,
        response: { 200: Page(ExceptionView), ...errorResponses },
      },
      config: read,
    },
    async (req) => {
      const { limit = 50, offset = 0, ...filter } = req.query;
      const page = await listExceptions(store.db, { ...filter, limit, offset });
      return { ...page, items: await presentExceptionsNamed(store.db, page.items) };
    },
  );

  app.get(
    '/api/v1/exceptions/:id',
    {
      schema: {
        operationId: 'loadExceptionDetail',
        summary: 'One exception with its actions, lessons and follow-ups',
        tags,
        params: IdParams,
        response: { 200: ExceptionDetailView, ...errorResponses },
      },
      config: { ...read, etag: true },
    },
    async (req, reply) => {
      const detail = await loadExceptionDetail(store.db, req.params.id);
      setEtag(reply, detail.version);
      return detail;
    },
  );

  app.post(
    '/api/v1/exceptions/:id/transitions',
    {
      schema: {
        operationId: 'transitionException',
        summary: 'Move an exception to its next status',
        tags,
        params: IdParams,
        body: TransitionBody,
        response: { 200: ExceptionView, ...errorResponses },
      },
      config: { ...write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, ...body } = req.body;
      const input = { exceptionId: req.params.id, ...body, expectedVersion: expectedVersion(req, version) };
      const view = await store.transact((trx) => transitionException(trx, { ctx: requestContext(req), input }));
      setEtag(reply, view.version);
      return view;
    },
  );

  app.put(
    '/api/v1/exceptions/:id/root-cause',
    {
      schema: {
        operationId: 'recordRootCause',
        summary: "Record an exception's root cause",
        tags,
        params: IdParams,
        body: RootCauseBody,
        response: { 200: ExceptionView, ...errorResponses },
      },
      config: { ...write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, ...body } = req.body;
      const input = { exceptionId: req.params.id, ...body, expectedVersion: expectedVersion(req, version) };
      const view = await store.transact((trx) => recordRootCause(trx, { ctx: requestContext(req), input }));
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post(
    '/api/v1/exceptions/:id/verify',
    {
      schema: {
        operationId: 'verifyException',
        summary: "Verify an exception's resolution",
        tags,
        params: IdParams,
        body: VerifyBody,
        response: { 200: ExceptionView, ...errorResponses },
      },
      config: { ...write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const input = { exceptionId: req.params.id, note: req.body.note, expectedVersion: expectedVersion(req, req.body.version) };
      const view = await store.transact((trx) => verifyException(trx, { ctx: requestContext(req), input }));
      setEtag(reply, view.version);
      return view;
    },
  );

  app.post(
    '/api/v1/exceptions/:id/corrective-actions',
    {
      schema: {
        operationId: 'addCorrectiveAction',
        summary: 'Add a corrective action',
        tags,
        params: IdParams,
        body: NewCorrectiveActionBody,
        response: { 201: CorrectiveActionView, ...errorResponses },
      },
      config: { ...write, etag: true },
    },
    async (req, reply) => {
      const input = { exceptionId: req.params.id, ...req.body };
      const action = await store.transact((trx) => addCorrectiveAction(trx, { ctx: requestContext(req), input }));
      setEtag(reply, action.version);
      return reply.status(201).send(action);
    },
  );

  app.post(
    '/api/v1/exceptions/:id/corrective-actions/:actionId/complete',
    {
      schema: {
        operationId: 'completeCorrectiveAction',
        summary: 'Complete a corrective action',
        tags,
        params: ActionParams,
        body: CompleteActionBody,
        response: { 200: CorrectiveActionView, ...errorResponses },
      },
      config: { ...write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const input = {
        exceptionId: req.params.id,
        actionId: req.params.actionId,
        evidence: req.body.evidence,
        expectedVersion: expectedVersion(req, req.body.version),
      };
      const action = await store.transact((trx) => completeCorrectiveAction(trx, { ctx: requestContext(req), input }));
      setEtag(reply, action.version);
      return action;
    },
  );

  app.post(
    '/api/v1/exceptions/:id/lessons',
    {
      schema: {
        operationId: 'recordLesson',
        summary: 'Record a lesson learned',
        tags,
        params: IdParams,
        body: NewLessonBody,
        response: { 201: LessonWithFollowUpsView, ...errorResponses },
      },
      config: write,
    },
    async (req, reply) => {
      const input = { exceptionId: req.params.id, ...req.body };
      const lesson = await store.transact((trx) => recordLesson(trx, { ctx: requestContext(req), input }));
      return reply.status(201).send(lesson);
    },
  );

  app.post(
    '/api/v1/exceptions/:id/follow-ups',
    {
      schema: {
        operationId: 'addFollowUp',
        summary: 'Add a follow-up',
        tags,
        params: IdParams,
        body: NewFollowUpBody,
        response: { 201: FollowUpView, ...errorResponses },
      },
      config: { ...write, etag: true },
    },
    async (req, reply) => {
      const input = { exceptionId: req.params.id, ...req.body };
      const followUp = await store.transact((trx) => addFollowUp(trx, { ctx: requestContext(req), input }));
      setEtag(reply, followUp.version);
      return reply.status(201).send(followUp);
    },
  );

  app.post(
    '/api/v1/exceptions/:id/follow-ups/:followUpId/transitions',
    {
      schema: {
        operationId: 'transitionFollowUp',
        summary: 'Move a follow-up to its next status',
        tags,
        params: FollowUpParams,
        body: FollowUpTransitionBody,
        response: { 200: FollowUpView, ...errorResponses },
      },
      config: { ...write, ifMatch: 'required', etag: true },
    },
    async (req, reply) => {
      const { version, ...body } = req.body;
      const input = {
        exceptionId: req.params.id,
        followUpId: req.params.followUpId,
        ...body,
        expectedVersion: expectedVersion(req, version),
      };
      const followUp = await store.transact((trx) => transitionFollowUp(trx, { ctx: requestContext(req), input }));
      setEtag(reply, followUp.version);
      return followUp;
    },
  );
}
