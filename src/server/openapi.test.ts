// The OpenAPI document is a contract: every operation is named, summarised and tagged; errors are
// one shared component; versions, creates, 204s and CSV are documented as the server behaves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { ROLES, TOKEN_SCOPES } from '../context.js';
import { REQUEST_KINDS, REQUEST_STATUSES } from '../governance/approvals.tables.js';
import { EU_RISK_TIERS, SYSTEM_STATUSES } from '../governance/system-states.js';
import { DecisionRecord } from '../modules/decisions/decisions.schema.js';
import { AI_TYPES, DEPLOYMENT_KINDS } from '../modules/systems/systems.tables.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, Json>;
}

function operations(document: Json): Array<{ method: string; path: string; op: Operation }> {
  return Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

function byId(document: Json, operationId: string): Operation {
  const found = operations(document).find(({ op }) => op.operationId === operationId);
  assert.ok(found, `no operation ${operationId}`);
  return found.op;
}

/** Writes that answer 428 precondition_required without If-Match or body.version. */
const VERSIONED_WRITES = [
  'updateSystem',
  'changeSystemOwner',
  'changeSystemStatus',
  'changeRiskTier',
  'triageShadowSystem',
  'updateDataSource',
  'transitionException',
  'recordRootCause',
  'verifyException',
  'completeCorrectiveAction',
  'transitionFollowUp',
  'updateIncident',
  'reviseRequest',
  'assignAppeal',
  'startAppealReview',
  'resolveAppeal',
  'updateRosterOfficer',
  'updateUser',
  'setUserRoles',
];

/** Operations that make a new resource under a collection: all answer 201. */
const CREATES = [
  'createSystem',
  'createUser',
  'createApiToken',
  'addLedgerNote',
  'openException',
  'addCorrectiveAction',
  'recordLesson',
  'addFollowUp',
  'openIncident',
  'fileIncidentReport',
  'subscribeWebhook',
  'createRequest',
  'createDelegation',
  'registerModelVersion',
  'addDataSource',
  'addRosterOfficer',
  'submitAppeal',
];

/** Response fields whose vocabulary is open by design (free text or an open list), so a string. */
const OPEN_VOCABULARIES = new Set([
  'ApprovalDecision.approverRole', // role@systemId for a role held for one system
  'System.orgRiskTier', // the organisation's own tiers
  'LedgerEvent.type',
  'TimelineEntry.type',
  'HistoryEntry.type',
  'HistoryEntry.subject.type',
  'ChangeRecord.changeKind',
  'Exception.links.type',
  'Exception.rootCause.category',
  'FeatureDrift.categories.category', // a categorical feature's own values, as the AI system reports them
  'DataSourcePopulation.stale.change.kind', // a change record's kind, open as ChangeRecord.changeKind
]);
const CLOSED_NAME = /(status|kind|tier|state|outcome|severity|channel|phase|role|decision|category|scope|type)s?$/i;

/** Where a component's string property that looks like a closed vocabulary is a plain string. */
function widenedStrings(name: string, schema: Json, path = name): string[] {
  const found: string[] = [];
  const props = (schema.properties ?? {}) as Record<string, Json>;
  for (const [key, value] of Object.entries(props)) {
    const where = `${path}.${key}`;
    const variants = ((value.anyOf as Json[] | undefined) ?? [value]).flatMap((v) => (v.type === 'array' ? [v.items as Json] : [v]));
    for (const v of variants) {
      if (v.type === 'object') found.push(...widenedStrings(name, v, where));
      else if (CLOSED_NAME.test(key) && v.type === 'string' && !v.enum && !OPEN_VOCABULARIES.has(where)) found.push(where);
    }
  }
  return found;
}

/** Every value of `node` (deep) for which `match` holds. */
function collect(node: unknown, match: (value: Json) => boolean, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const item of node) collect(item, match, out);
  else if (typeof node === 'object' && node !== null) {
    if (match(node as Json)) out.push(node as Json);
    for (const value of Object.values(node)) collect(value, match, out);
  }
  return out;
}

const SYSTEM = {
  name: 'Ticket ranker',
  purpose: 'Ranks tickets',
  intendedUse: 'Triage help',
  aiType: 'machine_learning',
  deploymentKind: 'internal',
};

for (const dialect of DIALECTS) {
  describe(`OpenAPI document [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let document: Json;
    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      const res = await t.call(null, 'GET', '/api/v1/openapi.json');
      assert.equal(res.statusCode, 200);
      document = res.json();
    });
    after(() => t.close());

    test('every operation has a unique operationId, a summary and tags', () => {
      const all = operations(document);
      assert.ok(all.length > 90, `only ${all.length} operations`);
      const seen = new Map<string, string>();
      for (const { method, path, op } of all) {
        const where = `${method} ${path}`;
        assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${where} has no operationId`);
        assert.ok(!seen.has(op.operationId!), `${where} reuses ${op.operationId} of ${seen.get(op.operationId!)}`);
        seen.set(op.operationId!, where);
        assert.ok((op.summary ?? '').length > 0, `${where} has no summary`);
        assert.ok((op.tags ?? []).length > 0, `${where} has no tags`);
      }
    });

    test('every write that requires a version documents If-Match and 428; the server answers 428 without one', async () => {
      for (const operationId of VERSIONED_WRITES) {
        const op = byId(document, operationId);
        assert.ok(op.responses['428'], `${operationId} does not document 428`);
        assert.ok(op.responses['409'], `${operationId} does not document 409`);
        assert.ok(
          op.parameters?.some((p) => p.in === 'header' && p.name === 'If-Match'),
          `${operationId} does not document If-Match`,
        );
      }
      assert.deepEqual(byId(document, 'updateSystem').responses['200'].headers, { ETag: { $ref: '#/components/headers/ETag' } });
      const created = (await t.call(admin, 'POST', '/api/v1/systems', SYSTEM)).json();
      const before = await ledgerSize(t.store);
      const res = await t.call(admin, 'PATCH', `/api/v1/systems/${created.id}`, { vendor: 'Acme' });
      assert.equal(res.statusCode, 428, res.body);
      assert.equal(res.json().error.code, 'precondition_required');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('every create answers 201 and documents 201; POST /systems answers 201 with its ETag', async () => {
      for (const operationId of CREATES) {
        const { responses } = byId(document, operationId);
        assert.ok(responses['201'], `${operationId} does not document 201`);
        assert.equal(responses['200'], undefined, `${operationId} documents 200`);
      }
      const before = await ledgerSize(t.store);
      const res = await t.call(admin, 'POST', '/api/v1/systems', { ...SYSTEM, name: 'Another ranker' });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers.etag, '"1"');
      assert.ok((await ledgerSize(t.store)) > before);
    });

    test('the error shape is one component, referenced by every error answer, never inlined', () => {
      const components = document.components as { schemas: Json; responses: Record<string, Json> };
      assert.ok(components.schemas.Error, 'no Error component');
      const text = JSON.stringify(document.paths);
      assert.ok(!text.includes('"required":["code","message","details"]'), 'an error object is inlined in paths');
      for (const { method, path, op } of operations(document)) {
        for (const [status, answer] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          assert.match(
            String(answer.$ref),
            /^#\/components\/responses\/\w+$/,
            `${method} ${path} ${status} is not a shared error response`,
          );
        }
        assert.ok(op.responses['500'], `${method} ${path} does not document 500`);
      }
      for (const answer of Object.values(components.responses)) {
        assert.deepEqual((answer.content as Json)['application/json'], { schema: { $ref: '#/components/schemas/Error' } });
      }
    });

    test('cookie writes document X-CSRF-Token; bodies document 413 and 415', () => {
      const op = byId(document, 'changeSystemStatus');
      assert.ok(op.parameters?.some((p) => p.in === 'header' && p.name === 'X-CSRF-Token'));
      assert.ok(op.responses['413'] && op.responses['415']);
      assert.ok(!byId(document, 'ingestDecisionBatch').parameters?.some((p) => p.name === 'X-CSRF-Token'), 'ingest takes no cookie');
      assert.ok(!byId(document, 'listSystems').parameters?.some((p) => p.name === 'X-CSRF-Token'), 'reads need no CSRF token');
    });

    test('DELETE phase-owners documents 204, the runtime status 304, the export text/csv; login 423 and 429', () => {
      assert.ok(byId(document, 'unassignPhaseOwner').responses['204']);
      assert.equal(byId(document, 'unassignPhaseOwner').responses['200'], undefined);
      assert.ok(byId(document, 'getRuntimeStatus').responses['304']);
      const content = byId(document, 'exportSystems').responses['200'].content as Json;
      assert.deepEqual(Object.keys(content).sort(), ['application/json', 'text/csv']);
      assert.ok(byId(document, 'login').responses['423'] && byId(document, 'login').responses['429']);
    });

    test('the document names its server and licence', () => {
      assert.equal((document.info as { license: { name: string } }).license.name, 'Apache-2.0');
      assert.ok((document.servers as unknown[]).length > 0);
    });

    test('shared shapes are components: ids, pages, views and the decision record are referenced, never inlined', () => {
      const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
      for (const name of ['Id', 'DecisionRecord', 'System', 'SystemPage', 'RecordedDecision', 'HistoryEntryCursorPage']) {
        assert.ok(schemas[name], `no component ${name}`);
      }
      assert.deepEqual(schemas.Id, { type: 'string', format: 'uuid', description: 'A UUID that Proofline assigned to the record' });
      const paths = JSON.stringify(document.paths);
      for (const [name, schema] of Object.entries(schemas)) {
        if (name === 'Error') continue;
        assert.ok(!paths.includes(JSON.stringify(schema)), `${name} is inlined in paths instead of referenced`);
        assert.ok(
          paths.includes(`"#/components/schemas/${name}"`) || JSON.stringify(schemas).includes(`"#/components/schemas/${name}"`),
          `${name} is never referenced`,
        );
      }
      // Every list answer is a page component (items + where the page is), never an inline page.
      const inlinePages = collect(
        document.paths,
        (s) =>
          typeof s.properties === 'object' &&
          'items' in (s.properties as Json) &&
          ('offset' in (s.properties as Json) || 'nextCursor' in (s.properties as Json)),
      );
      assert.deepEqual(inlinePages, [], 'an inline page shape in paths');
      assert.deepEqual(byId(document, 'listSystems').responses['200'].content, {
        'application/json': { schema: { $ref: '#/components/schemas/SystemPage' } },
      });
      const page = schemas.SystemPage as { properties: Record<string, Json>; required: string[] };
      assert.deepEqual(page.properties.items, { type: 'array', items: { $ref: '#/components/schemas/System' } });
      assert.deepEqual(page.required.sort(), ['items', 'limit', 'offset', 'total']);
      assert.deepEqual(Object.keys((schemas.HistoryEntryCursorPage as { properties: Json }).properties).sort(), [
        'items',
        'limit',
        'nextCursor',
        'offset',
      ]);
      // A uuid path id references Id; the keys that are not UUIDs (tokens, policies, frameworks) stay plain strings.
      for (const { method, path, op } of operations(document)) {
        for (const p of (op.parameters ?? []) as Array<{ name: string; in: string; schema: Json }>) {
          if (p.in !== 'path' || !/^(id|userId|actionId|followUpId)$/.test(p.name)) continue;
          const expected = /^\/api\/v1\/(tokens|approvals\/policies|frameworks)\/\{id\}/.test(path) ? undefined : '#/components/schemas/Id';
          assert.equal(p.schema.$ref, expected, `${method} ${path} ${p.name}`);
        }
      }
      assert.equal(((schemas.System as { properties: Record<string, Json> }).properties.id as Json).$ref, '#/components/schemas/Id');
      // The decision record is the real schema, and the batch's items reference it.
      assert.deepEqual(
        Object.keys((schemas.DecisionRecord as { properties: Json }).properties).sort(),
        Object.keys(DecisionRecord.properties).sort(),
      );
      const batch = byId(document, 'ingestDecisionBatch') as Operation & { requestBody: { content: Record<string, { schema: Json }> } };
      const records = (batch.requestBody.content['application/json'].schema.properties as Record<string, Json>).records;
      assert.deepEqual(records.items, { $ref: '#/components/schemas/DecisionRecord' });
    });

    test('the decision batch documents DecisionRecord yet still names every bad record in one answer; nothing is written', async () => {
      const ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      const system = await buildSystem(t.store);
      const good = { decisionId: 'D-1', systemId: system.id, decidedAt: new Date().toISOString(), inputRef: 'ref', output: { score: 1 } };
      const before = await ledgerSize(t.store);
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
        records: [
          good,
          { ...good, decisionId: 'D-2', confidence: 7 },
          { ...good, decisionId: 'D-3', decidedAt: 'yesterday', colour: 'red' },
        ],
      });
      assert.equal(res.statusCode, 400, res.body);
      const { error } = res.json();
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.details.badRecords, [1, 2]);
      assert.deepEqual(error.details.problems.map((p: { index: number; field: string }) => `${p.index}.${p.field}`).sort(), [
        '1.confidence',
        '2.colour',
        '2.decidedAt',
      ]);
      assert.equal(await ledgerSize(t.store), before);
    });

    test('response enums are the real unions, not widened strings', () => {
      const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
      const widened = Object.entries(schemas).flatMap(([name, schema]) => widenedStrings(name, schema));
      assert.deepEqual(widened, [], 'closed vocabularies answered as plain strings');
      const system = (schemas.System as { properties: Record<string, Json> }).properties;
      assert.deepEqual(system.status.enum, [...SYSTEM_STATUSES]);
      assert.deepEqual(system.euRiskTier.enum, [...EU_RISK_TIERS]);
      assert.deepEqual(system.aiType.enum, [...AI_TYPES]);
      assert.deepEqual(system.deploymentKind.enum, [...DEPLOYMENT_KINDS]);
      const summary = (schemas.ApprovalRequestSummary as { properties: Record<string, Json> }).properties;
      assert.deepEqual(summary.kind.enum, [...REQUEST_KINDS]);
      assert.deepEqual(summary.status.enum, [...REQUEST_STATUSES]);
      const whoAmI = (
        byId(document, 'getSession').responses['200'].content as Record<string, { schema: { properties: Record<string, Json> } }>
      )['application/json'].schema.properties;
      assert.deepEqual((whoAmI.roles.items as Json).enum, [...ROLES]);
      assert.deepEqual((whoAmI.scopes.items as Json).enum, [...TOKEN_SCOPES]);
    });

    test('a path id that is not a UUID is refused naming the field; nothing is written', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(admin, 'POST', '/api/v1/systems/not-a-uuid/status', {
        status: 'paused',
        rationale: 'Paused for the audit',
        version: 1,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'validation_failed');
      assert.equal(res.json().error.details.field, 'params.id');
      assert.equal(await ledgerSize(t.store), before);
    });

    for (const { name, method, url, body, field, allowed } of [
      {
        name: 'a query union',
        method: 'GET',
        url: '/api/v1/systems?status=banana',
        body: undefined,
        field: 'querystring.status',
        allowed: SYSTEM_STATUSES,
      },
      {
        name: 'an enum keyword in a body',
        method: 'POST',
        url: '/api/v1/exceptions',
        body: 'exception',
        field: 'body.severity',
        allowed: ['low', 'medium', 'high', 'critical'],
      },
      { name: 'an array item of a body', method: 'POST', url: '/api/v1/users', body: 'user', field: 'body.roles.0', allowed: ROLES },
    ] as const) {
      test(`an invalid value of ${name} is one issue naming the allowed values; nothing is written`, async () => {
        const system = await buildSystem(t.store);
        const payload =
          body === 'exception'
            ? {
                systemId: system.id,
                kind: 'deviation',
                title: 'Drift',
                description: 'Scores drifted',
                severity: 'urgent',
                raisedBy: { type: 'person', ref: 'an analyst' },
                ownerId: admin.id,
                resolverId: admin.id,
              }
            : body === 'user'
              ? { email: `someone-${Date.now()}@example.test`, displayName: 'Some One', roles: ['wizard'] }
              : undefined;
        const before = await ledgerSize(t.store);
        const res = await t.call(admin, method, url, payload);
        assert.equal(res.statusCode, 400, res.body);
        const { error } = res.json();
        assert.equal(error.code, 'validation_failed');
        assert.equal(error.details.field, field, res.body);
        assert.equal(error.details.issues.length, 1, res.body);
        assert.equal(error.message, `${field} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
        assert.equal(await ledgerSize(t.store), before);
      });
    }

    test('an invalid enum value is one issue naming the field and the allowed values; nothing is written', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(admin, 'POST', '/api/v1/systems', { ...SYSTEM, aiType: 'banana' });
      assert.equal(res.statusCode, 400, res.body);
      const { error } = res.json();
      assert.equal(error.code, 'validation_failed');
      assert.equal(error.details.field, 'body.aiType');
      assert.equal(error.details.issues.length, 1, res.body);
      assert.match(error.message, /^body\.aiType must be one of "[a-z_]+"(, "[a-z_]+")+$/);
      assert.ok(error.message.includes('"machine_learning"'), error.message);
      assert.equal(await ledgerSize(t.store), before);
    });
  });
}
