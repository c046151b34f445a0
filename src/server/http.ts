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
import { type Static, type TEnum, type TSchema, Type } from 'typebox';
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

/** The name a shared shape is published under; non-enumerable, so no validator, serialiser or
 * JSON copy sees it, and TypeBox keeps it on Optional/Union/Array/Intersect of the shape but not
 * on a derived one (Omit, Pick, Partial), which stays inline. */
const COMPONENT_NAME = '~proofline.component';
const COMPONENTS = new Map<string, TSchema>();

/** Publishes a schema as a shared shape: the OpenAPI document lists it once under
 * components.schemas as `name` and references it with `$ref` wherever it appears (openapi.ts).
 * Validation and the inferred types are those of the schema itself. One name, one shape: naming a
 * different schema the same throws at start-up. */
export function component<T extends TSchema>(name: string, schema: T): T {
  const known = COMPONENTS.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(schema)) throw new Error(`two different schemas are published as ${name}`);
  if (!known) COMPONENTS.set(name, schema);
  Object.defineProperty(schema, COMPONENT_NAME, { value: name, enumerable: false, configurable: true });
  return schema;
}

/** The component name of a schema published with component(), else undefined. */
export function componentNameOf(schema: unknown): string | undefined {
  return typeof schema === 'object' && schema !== null ? (schema as Record<string, string | undefined>)[COMPONENT_NAME] : undefined;
}

/** Every shape published so far, by name. */
export function publishedComponents(): ReadonlyMap<string, TSchema> {
  return COMPONENTS;
}

/** A 204 answer: done, no body. */
export const NoContent = Type.Null({ description: 'Done; no body' });

/** The id of a record Proofline creates (systems, requests, exceptions, users, ...): a UUID. A
 * path id that is not one answers 400 `validation_failed` naming the field. */
export const Id = component('Id', Type.String({ format: 'uuid', description: 'A UUID that Proofline assigned to the record' }));

/** A response field holding one of a closed list of strings: `{ type: 'string', enum }`, typed as
 * the union of the list (serialised as a plain string; requests use unions of literals, whose
 * refusal names the allowed values, src/server/errors.ts). */
export const StringEnum = <const T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Enum([...values], { type: 'string', ...options }) as unknown as TEnum<[...T]>;

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** The key of a record whose id is not a UUID (an approval policy `<kind>:<tier>`, an API token). */
export const KeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

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

function publishedName(item: TSchema, helper: string): string {
  const name = componentNameOf(item);
  if (!name) throw new Error(`${helper}(item): publish the item schema with component() first, so its page has a name`);
  return name;
}

/** A list answer (`<Item>Page`): one page of items, how many there are in all, and where the page
 * starts (send `offset` + `limit` for the next one). */
export const Page = <T extends TSchema>(item: T) =>
  component(
    `${publishedName(item, 'Page')}Page`,
    Type.Object({
      items: Type.Array(item),
      total: Type.Integer({ description: 'how many items match in all' }),
      limit: Type.Integer({ description: 'the most items a page holds' }),
      offset: Type.Integer({ description: 'how many matching items come before this page' }),
    }),
  );

/** A list read in keyset order (`<Item>CursorPage`): send `nextCursor` as `cursor` for the next
 * page; it is null on the last one. */
export const CursorPage = <T extends TSchema>(item: T) =>
  component(
    `${publishedName(item, 'CursorPage')}CursorPage`,
    Type.Object({
      items: Type.Array(item),
      limit: Type.Integer({ description: 'the most items a page holds' }),
      offset: Type.Integer({ description: 'how many matching items were skipped' }),
      nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'send as `cursor` for the next page; null on the last one' }),
    }),
  );

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
    /** What the OpenAPI document shows as the body, when the validated `schema.body` leaves part of
     * it to the use case (the decision batch checks each record itself to name every bad one). */
    documentedBody?: TSchema;
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
