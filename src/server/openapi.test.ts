// The OpenAPI document is a contract: every operation is named, summarised and tagged; errors are
// one shared component; versions, creates, 204s and CSV are documented as the server behaves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';

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
