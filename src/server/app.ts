// Assembles the HTTP API: plugins, the access hook, error mapping, OpenAPI, and every feature's routes.
import type { IncomingMessage } from 'node:http';
import cookie from '@fastify/cookie';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ValidateFunction } from 'ajv';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { authRoutes } from '../accounts/auth.routes.js';
import { oidcRoutes } from '../accounts/oidc.routes.js';
import { tokenRoutes } from '../accounts/tokens.routes.js';
import { usersRoutes } from '../accounts/users.routes.js';
import { evidenceRoutes } from '../evidence/evidence.routes.js';
import { frameworksRoutes } from '../frameworks/frameworks.routes.js';
import { ledgerRoutes } from '../ledger/ledger.routes.js';
import { ledgerStreamRoutes } from '../ledger/stream.routes.js';
import { alertsReadRoutes } from '../modules/alerts/alerts.reads.routes.js';
import { alertsRoutes } from '../modules/alerts/alerts.routes.js';
import { monitorEditRoutes } from '../modules/alerts/monitors.routes.js';
import { appealsRoutes } from '../modules/appeals/appeals.routes.js';
import { approvalsRoutes } from '../modules/approvals/approvals.routes.js';
import { auditorGrantsRoutes } from '../modules/auditor-grants/auditor-grants.routes.js';
import { installGrantHooks } from '../modules/auditor-grants/grant-access.js';
import { controlsRoutes } from '../modules/controls/controls.routes.js';
import { soaRoutes } from '../modules/controls/soa.routes.js';
import { dashboardRoutes } from '../modules/dashboard/dashboard.routes.js';
import { decisionsRoutes } from '../modules/decisions/decisions.routes.js';
import { featuresRoutes } from '../modules/decisions/features.routes.js';
import { exceptionsRoutes } from '../modules/exceptions/exceptions.routes.js';
import { incidentsRoutes } from '../modules/exceptions/incidents.routes.js';
import { feedbackRoutes } from '../modules/feedback/feedback.routes.js';
import { monitoringRoutes } from '../modules/monitoring/monitoring.routes.js';
import { oversightRoutes } from '../modules/oversight/oversight.routes.js';
import { reviewsRoutes } from '../modules/reviews/reviews.routes.js';
import { dataSourcePopulationRoutes } from '../modules/systems/data-source-populations.routes.js';
import { systemsRoutes } from '../modules/systems/systems.routes.js';
import { transparencyRoutes } from '../modules/transparency/transparency.routes.js';
import { webhooksRoutes } from '../notifications/webhooks.routes.js';
import { type Access, makeAccessHook } from './access.js';
import { checkCallerBeforeSending, checkingCaller } from './caller-check.js';
import { errorHandler } from './errors.js';
import { healthRoutes } from './health.routes.js';
import { type App, type AppDeps, ErrorSchema, type RoutePlugin } from './http.js';
import { boundIntegers, installInputChecks } from './input.js';
import { metricsRoutes, observeRequests } from './metrics.js';
import { componentSchemas, openApiOptions } from './openapi.js';
import { OneLinePerRequest, requestIdOf, traceBindings } from './request-id.js';
import { bodyAjv, textAjv } from './validation.js';
import { registerWebUi } from './web.js';

const serializerFor = SerializerSelector();

/** Every feature's routes, registered in this order. */
const FEATURE_ROUTES: RoutePlugin[] = [
  healthRoutes,
  metricsRoutes,
  authRoutes,
  oidcRoutes,
  usersRoutes,
  tokenRoutes,
  ledgerRoutes,
  ledgerStreamRoutes,
  frameworksRoutes,
  systemsRoutes,
  exceptionsRoutes,
  incidentsRoutes,
  webhooksRoutes,
  approvalsRoutes,
  oversightRoutes,
  decisionsRoutes,
  featuresRoutes,
  appealsRoutes,
  transparencyRoutes,
  dashboardRoutes,
  alertsRoutes,
  controlsRoutes,
  soaRoutes,
  evidenceRoutes,
  monitoringRoutes,
  auditorGrantsRoutes,
  alertsReadRoutes,
  monitorEditRoutes,
  reviewsRoutes,
  feedbackRoutes,
  dataSourcePopulationRoutes,
];

export async function buildApp(deps: AppDeps, logger: Logger | false = false): Promise<App> {
  const app = Fastify({
    loggerInstance: logger === false ? undefined : logger,
    logger: logger === false ? false : undefined,
    bodyLimit: deps.config.bodyLimitBytes,
    // X-Request-Id when well-formed, else a fresh UUID; the trace id of a traceparent is logged too.
    genReqId: requestIdOf,
    requestIdHeader: false,
    logController: new OneLinePerRequest({ requestIdLogLabel: 'requestId' }),
    childLoggerFactory: (parent, bindings, options, rawReq) => {
      // Logging off (PROOFLINE_LOG_LEVEL=silent): no line is ever written, so no request needs a
      // child logger of its own (a pino child serialises its bindings when made).
      if (parent.level === 'silent') return parent;
      const trace = traceBindings(rawReq as IncomingMessage);
      return parent.child(trace.traceId ? { ...bindings, ...trace } : bindings, options);
    },
    trustProxy: false,
    frameworkErrors: errorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // Bodies are JSON and must carry the right types; query strings and path params are text and
  // are coerced to the schema's types. Unknown fields are refused, never silently dropped.
  // Compiled on a route's first request, like the serialisers below: an idle server holds no
  // validator of a route nobody called.
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : textAjv;
    let compiled: ValidateFunction | null = null;
    const validate = (data: unknown): boolean => {
      compiled ??= ajv.compile(schema);
      const valid = compiled(data) as boolean;
      validate.errors = compiled.errors;
      return valid;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate;
  });
  // Answers reference one shared schema, the error; the other shared shapes are listed for the
  // document only. Giving each route's serialiser every shared shape made start-up check all of
  // them once per route (seconds of CPU); it gets the one it references.
  // Each (route, status) serialiser is compiled when first used: most error statuses of most
  // routes never answer in a process's life, and compiling all of them at start held megabytes of
  // generated code in an idle server.
  const serialize = serializerFor({ Error: ErrorSchema }, {});
  app.setSerializerCompiler((route) => {
    let compiled: ((data: unknown) => string) | null = null;
    return (data: unknown) => {
      compiled ??= serialize({ ...route, httpStatus: route.httpStatus ?? 'default' }) as (data: unknown) => string;
      return compiled(data);
    };
  });
  installInputChecks(app);
  app.decorateRequest('actor', null);
  app.decorateRequest('callerCheck', null);
  app.decorateRequest('callerRechecked', false);
  const enforceAccess = makeAccessHook(deps.store);
  app.decorate('policies', deps.services.policies);
  app.decorate('sharedRateLimits', deps.services.rateLimits);
  app.setErrorHandler(errorHandler);
  const webUi = await registerWebUi(app, deps.config.webRoot);
  app.setNotFoundHandler((req, reply) => {
    if (webUi.answerWithShell(req, reply)) return;
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, details: {} } });
  });
  // Every API route must declare its access policy; the list also feeds the route × role matrix test.
  const routesForMatrix: Array<{ method: string; url: string; access: Access }> = [];
  const checksCallers = deps.store.dialect === 'postgres';
  app.decorate('routesForMatrix', routesForMatrix);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} declares no access policy`);
    for (const part of [route.schema?.body, route.schema?.querystring, route.schema?.params]) boundIntegers(part);
    for (const method of [route.method].flat()) if (method !== 'HEAD') routesForMatrix.push({ method, url: route.url, access });
    // The caller check exists only where writes check the auth epoch themselves (PostgreSQL);
    // on SQLite every request reads its caller first and needs neither wrapper nor hook.
    if (checksCallers) route.handler = checkingCaller(route.handler, deps.store, enforceAccess);
  });
  observeRequests(app, deps.services.metrics);
  // Callback hooks, not async ones: every request runs them, and a promise each is measurable.
  app.addHook('onSend', (req, reply, _payload, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  if (checksCallers) {
    const checkCaller = checkCallerBeforeSending(deps.store, enforceAccess);
    app.addHook('onSend', (req, reply, payload, done) => {
      if (!req.callerCheck || req.callerCheck.checked) return done(null, payload);
      checkCaller(req, reply, payload).then(
        (checked) => done(null, checked),
        (error: Error) => done(error),
      );
    });
  }

  await app.register(cookie);
  app.addSchema(ErrorSchema);
  await app.register(swagger, openApiOptions(deps.config));
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.addHook('onRequest', enforceAccess);
  installGrantHooks(app, deps.store);

  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { access: { public: true } } }, async () => app.swagger());

  for (const plugin of FEATURE_ROUTES) await plugin(app, deps);
  // The shapes the routes share (ids, pages, views), listed once in the document.
  for (const schema of componentSchemas()) app.addSchema(schema);
  return app;
}
