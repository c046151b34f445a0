// The OpenAPI document as a product: what each route declares (operationId, summary, tags, its
// success answer, config.access / ifMatch / etag) plus what the server does to every request
// (errors, body limits, media types, CSRF on cookie writes) that no route repeats by hand.
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema, RouteOptions } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config.js';
import { type Access, isIngest, SESSION_COOKIE } from './access.js';
import { componentNameOf, ErrorRef, publishedComponents } from './http.js';

/** One description per error status; every operation's error answer references one of these. */
const ERROR_RESPONSES: Record<string, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The request is invalid: `validation_failed` names the field, or `invalid_json`.' },
  401: { name: 'Unauthorized', description: 'No valid credentials (`unauthenticated`, `invalid_credentials`).' },
  403: {
    name: 'Forbidden',
    description:
      'Signed in but not allowed: `forbidden`, `insufficient_scope`, `csrf_failed` (a cookie write without X-CSRF-Token), or a governance rule.',
  },
  404: { name: 'NotFound', description: 'No such resource (`not_found`).' },
  409: {
    name: 'Conflict',
    description: 'The state does not allow it: `version_conflict` (a stale If-Match or version), `invalid_transition`, `conflict`, ...',
  },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than allowed (`payload_too_large`).' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json` (`unsupported_media_type`).' },
  422: {
    name: 'Unprocessable',
    description:
      'Well-formed but naming what Proofline does not know, e.g. an Alertmanager alert for an unknown system (`alert_system_unknown`).',
  },
  423: { name: 'Locked', description: 'The account is locked after repeated failed sign-ins (`account_locked`).' },
  428: {
    name: 'PreconditionRequired',
    description: 'Send If-Match with the ETag you read, or the `version` field (`precondition_required`).',
  },
  429: { name: 'TooManyRequests', description: 'Too many attempts from this source; retry later (`rate_limited`).' },
  500: { name: 'InternalError', description: 'An unexpected error; `details.requestId` identifies it in the logs (`internal_error`).' },
  502: {
    name: 'BadGateway',
    description: 'A party Proofline relies on refused or could not be reached: the identity provider (`sso_provider_error`).',
  },
  /** Operations that answer a redirect on success (single sign-on) describe every other answer as an error. */
  default: { name: 'OtherError', description: 'Any other answer is an error in the one error shape.' },
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function methodsOf(route: RouteOptions): string[] {
  return [route.method].flat().map((m) => String(m).toUpperCase());
}

/** Cookie sessions reach every signed-in write except the ingest routes (machine tokens only). */
function takesCsrfToken(route: RouteOptions): boolean {
  const access = route.config?.access as Access | undefined;
  if (!access || 'public' in access || isIngest(access)) return false;
  return methodsOf(route).some((m) => !SAFE_METHODS.has(m));
}

const IF_MATCH =
  'The ETag from your last read (e.g. `"3"`); a stale one answers 409 `version_conflict`. The body field `version` may stand in for it.';

/** A copy of a schema in which every shape published with component() (but `self`) is a `$ref`
 * to it; the resolver turns `{ $ref: name }` into `#/components/schemas/name`. */
export function referenceComponents(node: unknown, self?: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => referenceComponents(item));
  if (typeof node !== 'object' || node === null) return node;
  const name = node === self ? undefined : componentNameOf(node);
  if (name) return { $ref: name };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, referenceComponents(value)]));
}

/** The published shapes as shared schemas for the app (`app.addSchema`), so the document lists
 * each once; nested published shapes are references too. */
export function componentSchemas(): Json[] {
  return [...publishedComponents()].map(([name, schema]) => ({ ...(referenceComponents(schema, schema) as Json), $id: name }));
}

/** Adds to one route's documentation what its declarations imply; validation never sees this copy. */
export function documentRoute({ schema = {}, url, route }: { schema?: FastifySchema; url: string; route: RouteOptions }) {
  if (!url.startsWith('/api/v1')) return { schema, url };
  const config = route.config ?? {};
  // A body the route checks partly itself (to name every problem, not Ajv's first) is documented
  // with the shape it really takes.
  if (config.documentedBody) schema = { ...schema, body: config.documentedBody };
  const access = config.access as Access | undefined;
  const response: Record<string, unknown> = { ...((schema.response as Record<string, unknown>) ?? {}) };
  const headers: Record<string, unknown> = {};
  const add = (status: number) => {
    response[status] ??= ErrorRef;
  };

  add(400);
  if (access && !('public' in access)) [401, 403].forEach(add);
  if (schema.params) add(404);
  if (schema.body) [413, 415].forEach(add);
  add(500);
  if (config.ifMatch) {
    add(409);
    if (config.ifMatch === 'required') add(428);
    const required = config.ifMatch === 'required' ? 'Required unless the body carries `version` (else 428). ' : '';
    headers['If-Match'] = Type.String({ description: `${required}${IF_MATCH}` });
  }
  if (config.etag === 'if-none-match') {
    headers['If-None-Match'] = Type.String({ description: 'The ETag you hold; 304 with no body while it is current.' });
    response[304] = Type.Null({ description: 'Not modified: the ETag you sent is current' });
  }
  if (takesCsrfToken(route)) {
    headers['X-CSRF-Token'] = Type.String({
      description: `Cookie sessions (${SESSION_COOKIE}) only: the csrfToken from sign-in; without it a cookie write answers 403 \`csrf_failed\`.`,
    });
  }
  const withHeaders = Object.keys(headers).length > 0 ? { headers: { type: 'object', properties: headers } } : {};
  return { schema: referenceComponents({ ...schema, ...withHeaders, response }) as FastifySchema, url };
}

type Json = Record<string, unknown>;
type Operation = { responses?: Record<string, Json>; operationId?: string };

/** Whole-document step: error answers become references to one described response each, and
 * operations that send an ETag describe the header on their success answers. */
export function shareErrorResponses(document: Json, etagOperations: ReadonlySet<string>): Json {
  const errorRef = '#/components/schemas/Error';
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const [status, answer] of Object.entries(operation.responses ?? {})) {
        const content = answer.content as Record<string, { schema?: Json }> | undefined;
        const known = ERROR_RESPONSES[status];
        if (known && content?.['application/json']?.schema?.$ref === errorRef) {
          operation.responses![status] = { $ref: `#/components/responses/${known.name}` };
        } else if (status.startsWith('2') && operation.operationId && etagOperations.has(operation.operationId)) {
          answer.headers = { ETag: { $ref: '#/components/headers/ETag' } };
        }
      }
    }
  }
  const components = (document.components ?? {}) as Json;
  components.responses = Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ name, description }) => [
      name,
      { description, content: { 'application/json': { schema: { $ref: errorRef } } } },
    ]),
  );
  components.headers = {
    ETag: {
      description: 'The resource\'s version, quoted (e.g. `"3"`): send it back as If-Match on the next write.',
      schema: { type: 'string' },
    },
  };
  return { ...document, components };
}

/** Names component schemas after their $id (Error, ...) instead of def-0, def-1. */
function componentName(json: Json, _baseUri: unknown, _fragment: unknown, i: number): string {
  return typeof json.$id === 'string' ? json.$id : `def-${i}`;
}

export function openApiOptions(config: Pick<Config, 'publicBaseUrl'>): SwaggerOptions {
  const etagOperations = new Set<string>();
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Proofline API',
        version: '1',
        description: 'Responsible-AI operations with a tamper-evident ledger.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: config.publicBaseUrl, description: 'This server' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token: plt_<id>_<secret>' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'The session cookie from sign-in; writes also need the X-CSRF-Token header.',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: componentName as never },
    transform: (input) => {
      const operationId = (input.schema as { operationId?: string } | undefined)?.operationId;
      if (operationId && input.route.config?.etag) etagOperations.add(operationId);
      return documentRoute(input);
    },
    transformObject: (input) => shareErrorResponses(('openapiObject' in input ? input.openapiObject : {}) as Json, etagOperations) as never,
  };
}
