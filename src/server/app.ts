// Assembles the HTTP API: plugins, the access hook, error mapping, OpenAPI, and every feature's routes.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import { ledgerRoutes } from '../ledger/ledger.routes.js';
import { authRoutes } from '../modules/auth/auth.routes.js';
import { tokenRoutes } from '../modules/auth/tokens.routes.js';
import { usersRoutes } from '../modules/users/users.routes.js';
import { makeAccessHook } from './access.js';
import { errorHandler } from './errors.js';
import { healthRoutes } from './health.routes.js';
import type { App, AppDeps, RoutePlugin } from './http.js';

/** Every feature's routes, registered in this order. */
const FEATURE_ROUTES: RoutePlugin[] = [healthRoutes, authRoutes, ledgerRoutes, usersRoutes, tokenRoutes];

export async function buildApp(deps: AppDeps, logger: Logger | false = false): Promise<App> {
  const app = Fastify({
    loggerInstance: logger === false ? undefined : logger,
    logger: logger === false ? false : undefined,
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: false,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
      plugins: [addFormats.default as never],
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.decorateRequest('actor', null);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, details: {} } }),
  );
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/v1') && !route.config?.access && !route.url.startsWith('/api/docs')) {
      throw new Error(`route ${route.method} ${route.url} declares no access policy`);
    }
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Proofline API', version: '1', description: 'Responsible-AI operations with a tamper-evident ledger.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token: plt_<id>_<secret>' },
          session: { type: 'apiKey', in: 'cookie', name: 'pl_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.addHook('preHandler', makeAccessHook(deps.store));

  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { access: { public: true } } }, async () => app.swagger());

  for (const plugin of FEATURE_ROUTES) await plugin(app, deps);
  return app;
}
