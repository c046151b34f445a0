// Hostile input on every route of the OpenAPI document: huge integers, leap seconds, impossible
// dates, lone surrogates, JSON nested 5,000 deep, malformed and over-long ids. No answer may be a
// 5xx, every refusal uses the error envelope, and nothing reaches the ledger.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { ROLES, TOKEN_SCOPES } from '../context.js';
import { ERROR_STATUS } from '../errors.js';
import { isDateTime, MAX_JSON_DEPTH } from './input.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const LEAP_SECOND = '2016-12-31T23:59:60Z';
const IMPOSSIBLE_DATE = '2026-02-30T10:00:00Z';
const LONE_SURROGATE = '\ud800';
const DEEP = 5_000;
/** JSON text nested DEEP levels, in the shape the field expects (an object or any value). */
const deepJson = (asObject: boolean, levels = DEEP) =>
  asObject ? `${'{"a":'.repeat(levels)}{}${'}'.repeat(levels)}` : `${'['.repeat(levels)}${']'.repeat(levels)}`;

const typeOf = (schema: Schema) => [schema.type].flat().find((t) => t !== 'null');
const isFreeForm = (schema: Schema) =>
  !schema.anyOf &&
  !schema.oneOf &&
  !schema.enum &&
  schema.const === undefined &&
  (typeOf(schema) === undefined || (typeOf(schema) === 'object' && !schema.properties && !schema.patternProperties));

/** A value the schema accepts, as small as possible. */
/** A well-formed id (path ids are UUIDs) that no record has. */
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/** The document's shared shapes (components.schemas), for the fields that reference one. */
let components: Record<string, Schema> = {};
const deref = (schema: Schema): Schema =>
  schema.$ref ? deref(components[schema.$ref.replace('#/components/schemas/', '')] ?? {}) : schema;

function sample(given: Schema): unknown {
  const schema = deref(given);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return sample(alternatives[0]);
  switch (typeOf(schema)) {
    case 'string':
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'email') return 'walk@example.test';
      if (schema.format === 'uri') return 'https://example.test/walk';
      if (schema.format === 'uuid') return NO_SUCH_ID;
      if (schema.pattern === '^[0-9a-f]{64}$') return 'a'.repeat(64);
      return 'w'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}));
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key] ?? {})]));
    default:
      return {};
  }
}

/** A hostile value for one field, and the `details.field` a 400 must name (a prefix for deep JSON). */
interface Hostile {
  /** JSON text put where the field's value goes. */
  json: string;
  /** As a query/path value. */
  text: string;
  what: string;
  field: string;
}

function hostileValues(schema: Schema, field: string): Hostile[] {
  const out: Hostile[] = [];
  const add = (what: string, value: unknown, at = field) => out.push({ what, json: JSON.stringify(value), text: String(value), field: at });
  if (isFreeForm(schema)) {
    const asObject = typeOf(schema) === 'object';
    out.push({ what: `JSON nested ${DEEP} deep`, json: deepJson(asObject), text: '', field });
    add('a lone surrogate inside', asObject ? { note: LONE_SURROGATE } : [LONE_SURROGATE], `${field}.${asObject ? 'note' : '0'}`);
    return out;
  }
  switch (typeOf(schema)) {
    case 'string':
      if (schema.format === 'date-time') {
        add('a leap second', LEAP_SECOND);
        add('an impossible date', IMPOSSIBLE_DATE);
      }
      add('a lone surrogate', `walk${LONE_SURROGATE}`);
      break;
    case 'integer':
      add('1e21', 1e21);
      add('2^53+1', 2 ** 53 + 1);
      break;
  }
  return out;
}

/** Every field of a body schema reachable through properties and array items, with its path. */
// Fields behind a shared shape ($ref) are walked as one free-form field: the batch routes name a
// bad record their own way (records[i].field, every one of them), tested in their own files.
function fieldsOf(schema: Schema, path: string[] = []): Array<{ path: string[]; schema: Schema }> {
  const out = path.length > 0 ? [{ path, schema }] : [];
  if (isFreeForm(schema)) return out;
  for (const [key, child] of Object.entries(schema.properties ?? {})) out.push(...fieldsOf(child, [...path, key]));
  for (const child of Object.values(schema.patternProperties ?? {})) out.push(...fieldsOf(child, [...path, 'walkKey']));
  if (typeOf(schema) === 'array' && schema.items) out.push(...fieldsOf(schema.items, [...path, '0']));
  return out;
}

/** The schema one step below `schema` along `key`. */
function childSchema(schema: Schema, key: string): Schema {
  if (typeOf(schema) === 'array') return schema.items ?? {};
  return schema.properties?.[key] ?? Object.values(schema.patternProperties ?? {})[0] ?? {};
}

/** The base body with the value at `path` replaced by raw JSON text (too deep for JSON.stringify to
 * build); containers missing on the way are filled with valid samples, so only that field is wrong. */
function bodyWith(schema: Schema, base: unknown, path: string[], json: string): string {
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  let nodeSchema = schema;
  for (const key of path.slice(0, -1)) {
    nodeSchema = childSchema(nodeSchema, key);
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = sample(nodeSchema);
    if (Array.isArray(node[key]) && (node[key] as unknown[]).length === 0)
      (node[key] as unknown[]).push(sample(childSchema(nodeSchema, '0')));
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = '__walk_hostile__';
  return JSON.stringify(copy).replace('"__walk_hostile__"', () => json);
}

/** encodeURIComponent, except that a lone surrogate becomes the bytes a careless client sends for it. */
const percentEncode = (text: string) => text.split(LONE_SURROGATE).map(encodeURIComponent).join('%ED%A0%80');

function assertEnvelope(res: LightMyRequestResponse, label: string): void {
  assert.ok(res.statusCode < 500, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (res.statusCode < 400) return;
  const error = res.json().error;
  assert.ok(error && typeof error.message === 'string', `${label}: no error envelope: ${res.body.slice(0, 300)}`);
  assert.ok(error.code in ERROR_STATUS, `${label}: unknown code ${error.code}`);
  assert.equal(ERROR_STATUS[error.code as keyof typeof ERROR_STATUS], res.statusCode, `${label}: ${error.code} with ${res.statusCode}`);
}

function assertRefused(res: LightMyRequestResponse, label: string, field: string, prefix = false): void {
  assertEnvelope(res, label);
  assert.equal(res.statusCode, 400, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const error = res.json().error;
  assert.equal(error.code, 'validation_failed', label);
  if (prefix) assert.ok(String(error.details.field).startsWith(field), `${label}: names ${error.details.field}, not ${field}`);
  else assert.equal(error.details.field, field, label);
}

for (const dialect of DIALECTS) {
  describe(`hostile input on every route [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;

    before(async () => {
      t = await createTestApp(dialect);
      // Every role, so no access policy answers before the input is checked (but external_auditor,
      // which puts an account on the auditor grant's route list instead of its roles).
      admin = await t.user(
        ROLES.filter((role) => role !== 'external_auditor'),
        { scopes: [...TOKEN_SCOPES] },
      );
    });
    after(() => t.close());

    let sent = 0;
    const send = (method: string, url: string, payload?: string) =>
      t.app.inject({
        method: method as 'GET',
        url,
        payload,
        // A fresh source address each time: the per-address limits (sign-in, public appeals) stay out of the way.
        remoteAddress: `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent++ & 255}`,
        headers: { authorization: `Bearer ${admin.token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      });

    test('no operation of the OpenAPI document answers 5xx; each hostile field is a 400 naming it; nothing is written', async () => {
      const doc = (await send('GET', '/api/v1/openapi.json')).json() as {
        paths: Record<string, Record<string, Operation>>;
        components: { schemas: Record<string, Schema> };
      };
      components = doc.components.schemas;
      const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => ({ path, method, op })),
      );
      const ledgerBefore = await ledgerSize(t.store);
      let walked = 0;
      let requests = 0;
      let accepted = 0;
      for (const { path, method, op } of operations) {
        const label = `${method.toUpperCase()} ${path}`;
        const parameters = op.parameters ?? [];
        const pathParams = parameters.filter((p) => p.in === 'path');
        const queryParams = parameters.filter((p) => p.in === 'query');
        const bodySchema = op.requestBody?.content['application/json']?.schema;
        const base = bodySchema ? JSON.stringify(sample(bodySchema)) : undefined;
        const urlWith = (values: Record<string, string> = {}, query = '') =>
          `${path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? NO_SUCH_ID)}${query}`;
        const call = async (url: string, payload = base) => {
          requests += 1;
          return send(method, url, payload);
        };

        // Malformed ids: undecodable percent-encoding, a lone surrogate, longer than any id.
        for (const p of pathParams) {
          for (const bad of ['%E0%A4%A', '%ED%A0%80', 'x'.repeat(101)]) {
            assertRefused(await call(urlWith({ [p.name]: bad })), `${label} ${p.name}=${bad.slice(0, 12)}`, 'url');
          }
          assertEnvelope(await call(urlWith()), `${label} unknown ${p.name}`);
        }
        // Every query parameter with every hostile value of its type; any parameter with a lone surrogate.
        for (const p of queryParams) {
          for (const hostile of hostileValues(p.schema, `querystring.${p.name}`)) {
            const others = queryParams.filter((q) => q.required && q.name !== p.name).map((q) => `&${q.name}=${sample(q.schema)}`);
            const res = await call(urlWith({}, `?${p.name}=${percentEncode(hostile.text)}${others.join('')}`));
            assertRefused(res, `${label} ${p.name}=${hostile.what}`, `querystring.${p.name}`);
          }
        }
        assertRefused(await call(urlWith({}, '?walk=%ED%A0%80')), `${label} ?walk=lone surrogate`, 'querystring.walk');
        // Every body field with every hostile value of its type.
        if (bodySchema) {
          const baseValue = JSON.parse(base as string);
          for (const field of fieldsOf(bodySchema)) {
            for (const hostile of hostileValues(field.schema, ['body', ...field.path].join('.'))) {
              const res = await call(urlWith(), bodyWith(bodySchema, baseValue, field.path, hostile.json));
              assertRefused(res, `${label} body.${field.path.join('.')}=${hostile.what}`, hostile.field, hostile.what.includes('deep'));
            }
          }
          // 1,000 levels: within the smallest body limit (the public intake's 8 KB), so depth is what refuses it.
          assertRefused(await call(urlWith(), deepJson(false, 1_000)), `${label} a body nested 1,000 deep`, 'body', true);
        }
        if (pathParams.length === 0 && queryParams.length === 0 && !bodySchema) {
          // An operation that needs no input may succeed (issuing a calendar token): its write is no refusal's.
          const size = await ledgerSize(t.store);
          const res = await call(urlWith());
          assertEnvelope(res, label);
          if (res.statusCode < 400) accepted += (await ledgerSize(t.store)) - size;
        }
        walked += 1;
      }
      assert.equal(walked, operations.length);
      assert.ok(walked >= 100, `the document lists ${walked} operations`);
      assert.ok(requests > walked * 3, `sent ${requests} requests`);
      assert.equal(await ledgerSize(t.store), ledgerBefore + accepted, 'a refused request wrote a ledger event');
    });

    test(`JSON up to ${MAX_JSON_DEPTH} levels deep is accepted in a free-form field; one level more is refused`, async () => {
      const nested = (levels: number) => `${'{"a":'.repeat(levels - 2)}{}${'}'.repeat(levels - 2)}`;
      const system = await buildSystem(t.store);
      const url = `/api/v1/systems/${system.id}/model-versions`;
      const post = (levels: number) =>
        t.app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
          // body (1) > parameters (2) > nested(levels - 2)
          payload: `{"label":"v${levels}","artifactSha256":"${'b'.repeat(64)}","parameters":${nested(levels)}}`,
        });
      const before = await ledgerSize(t.store);
      const refused = await post(MAX_JSON_DEPTH + 1);
      assertRefused(refused, 'one level too deep', 'body.parameters', true);
      assert.equal(await ledgerSize(t.store), before);
      const accepted = await post(MAX_JSON_DEPTH);
      assert.equal(accepted.statusCode, 201, accepted.body);
      assert.ok((await ledgerSize(t.store)) > before);
    });

    test('a lone surrogate in a decision output, a leap-second or impossible decidedAt are refused by name and nothing is recorded; a surrogate pair is kept', async () => {
      const system = await buildSystem(t.store);
      const batch = (output: string) =>
        JSON.stringify({
          records: [
            { decisionId: randomUUID(), systemId: system.id, decidedAt: '2026-11-27T10:00:00Z', inputDigest: 'a'.repeat(64), output },
          ],
        });
      const before = await ledgerSize(t.store);
      // JSON.stringify writes a lone surrogate as the escape \ud800, exactly what a client would send.
      const refused = await send('POST', '/api/v1/decisions/batch', batch(`label ${LONE_SURROGATE}`));
      assertRefused(refused, 'lone surrogate in output', 'body.records.0.output');
      // NUL is I-JSON but no text: PostgreSQL could not store it, so it is refused on both databases.
      assertRefused(await send('POST', '/api/v1/decisions/batch', batch('label \u0000')), 'NUL in output', 'body.records.0.output');
      assert.equal(await ledgerSize(t.store), before);
      for (const decidedAt of [LEAP_SECOND, IMPOSSIBLE_DATE]) {
        const record = JSON.parse(batch('ok'));
        record.records[0].decidedAt = decidedAt;
        const res = await send('POST', '/api/v1/decisions/batch', JSON.stringify(record));
        assert.equal(res.statusCode, 400, `${decidedAt}: ${res.body}`);
        assert.equal(res.json().error.details.field, 'records[0].decidedAt');
      }
      assert.equal(await ledgerSize(t.store), before);
      const kept = await send('POST', '/api/v1/decisions/batch', batch('label \ud83d\ude00'));
      assert.equal(kept.statusCode, 200, kept.body);
      assert.ok((await ledgerSize(t.store)) > before);
    });

    test('text that is not UTF-8, in a body or a query, is refused in the envelope', async () => {
      const before = await ledgerSize(t.store);
      const body = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/systems',
        payload: body,
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'invalid_json');
      const query = await send('GET', '/api/v1/systems?q=%ED%A0%80');
      assertRefused(query, 'lone surrogate in q', 'querystring.q');
      const malformed = await send('GET', '/api/v1/systems/%E0%A4%A');
      assertRefused(malformed, 'malformed path', 'url');
      assert.ok(malformed.headers['x-request-id'], 'a refused URL still carries its request id');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('the walk reaches every route the app registered', async () => {
      const doc = (await send('GET', '/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
      const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
      const registered = (t.app as unknown as { routesForMatrix: Array<{ method: string; url: string }> }).routesForMatrix
        .filter((r) => r.url !== '/api/v1/openapi.json')
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
      assert.deepEqual([...new Set(documented)].sort(), [...new Set(registered)].sort());
    });
  });
}

describe('the input rules themselves', () => {
  test('a date-time must exist: no leap second, no 30 February, no hour 24; a real one passes', () => {
    for (const bad of [
      LEAP_SECOND,
      IMPOSSIBLE_DATE,
      '2025-02-29T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T10:00:00+24:00',
      '2026-01-01',
    ]) {
      assert.equal(isDateTime(bad), false, bad);
    }
    for (const good of ['2024-02-29T23:59:59Z', '2026-01-01T10:00:00.123456+02:00', '2026-12-31t00:00:00z'])
      assert.equal(isDateTime(good), true, good);
  });
});
