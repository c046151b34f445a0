// Shared HTTP pieces: the typed app, common schemas (pages, ids, errors) and version checks.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import type { Config, Policies } from '../config.js';
import type { RequestContext } from '../context.js';
import type { Store } from '../db/store.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { actorOf } from './access.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Everything a route plugin may use; built once at start-up (src/services.ts). */
export interface AppDeps {
  store: Store;
  config: Config;
  services: Services;
}

export type RoutePlugin = (app: App, deps: AppDeps) => void | Promise<void>;

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  },
  { $id: 'Error' },
);

/** Where an operation answers with an error, the document references this one shape. */
export const ErrorRef = Type.Ref('Error');

/** A 204 answer: done, no body. */
export const NoContent = Type.Null({ description: 'Done; no body' });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export interface PageOf<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

/** Who is calling, from where, under which configured policies (decorated on the app by buildApp). */
export function requestContext(req: FastifyRequest): RequestContext {
  return { actor: actorOf(req), requestId: String(req.id), sourceAddress: req.ip ?? null, policies: req.server.policies };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** services.policies, for requestContext. */
    policies: Policies;
  }
  interface FastifyContextConfig {
    /** The route reads If-Match (or body.version): 'required' answers 428 without one. Declared so
     * the OpenAPI document describes it; expectedVersion refuses to run on a route that did not. */
    ifMatch?: 'required' | 'optional';
    /** The route sends an ETag (setEtag); 'if-none-match' also answers 304 when it still matches. */
    etag?: true | 'if-none-match';
  }
}

/** A route that reads or sends versions without declaring it would leave the document wrong. */
function assertDeclared(req: FastifyRequest, what: 'ifMatch' | 'etag'): void {
  if (!req.routeOptions.config?.[what]) throw new Error(`route ${req.method} ${req.routeOptions.url} must declare config.${what}`);
}

/** Optimistic concurrency: the version the client last saw, from If-Match or the body. */
export function expectedVersion(req: FastifyRequest, bodyVersion: number | undefined): number {
  assertDeclared(req, 'ifMatch');
  const header = req.headers['if-match'];
  if (typeof header === 'string') {
    const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
    if (!match) throw new AppError('validation_failed', 'If-Match must be the ETag from a previous read, e.g. "3"', { field: 'If-Match' });
    return Number(match[1]);
  }
  if (bodyVersion !== undefined) return bodyVersion;
  throw new AppError(
    'precondition_required',
    'send If-Match with the ETag you read, or the version field, so a stale update cannot overwrite someone else',
    { field: 'If-Match' },
  );
}

export function setEtag(reply: FastifyReply, version: number): void {
  assertDeclared(reply.request, 'etag');
  reply.header('etag', `"${version}"`);
}

/** The errors most operations can answer; the OpenAPI transform (openapi.ts) adds the rest it can infer. */
export const errorResponses = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef };
