// The grant holder's default-deny list, held against the whole API: every GET route of the OpenAPI
// document, called by an external auditor under a live grant, is either on GRANT_ROUTES (answered,
// and the read is a ledger event naming the grant) or refused with grant_route_refused (nothing
// written). A new route is therefore refused to grant holders until someone adds it to the list.
// Public routes (no credentials needed) answer a grant holder as they answer anyone, unlogged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { GRANT_ROUTES } from './grant-access.js';

/** An OpenAPI path (`/api/v1/systems/{id}`) as Fastify's route (`/api/v1/systems/:id`). */
const routeOf = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

for (const dialect of DIALECTS) {
  describe(`auditor grant route list [${dialect}]`, () => {
    let t: TestApp;
    let auditor: TestUser;
    let grantId: string;
    let systemId: string;

    /** A concrete URL for a route: the grant's system or grant for `:id`, and a plausible query. */
    function concrete(route: string): string {
      const id = route.startsWith('/api/v1/auditor-grants') ? grantId : route.startsWith('/api/v1/frameworks') ? 'iso42001' : systemId;
      const path = route.replace(/:(\w+)/g, (_m, name: string) => (name === 'seq' ? '1' : name === 'caseNumber' ? 'APL-2026-000001' : id));
      return path;
    }

    before(async () => {
      t = await createTestApp(dialect);
      const admin = await t.user(['admin']);
      systemId = (await buildSystem(t.store)).id;
      auditor = await t.user(['external_auditor']);
      const res = await t.call(admin, 'POST', '/api/v1/auditor-grants', {
        auditorId: auditor.id,
        systemId,
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        rationale: 'Walks every read route of the API as a grant holder',
      });
      assert.equal(res.statusCode, 201, res.body);
      grantId = res.json().id;
    });
    after(() => t.close());

    test('every GET route is on the list (answered and logged) or refused with grant_route_refused (nothing written)', async () => {
      const doc = (await t.call(null, 'GET', '/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
      const gets = Object.entries(doc.paths)
        .filter(([, ops]) => 'get' in ops)
        .map(([path]) => routeOf(path));
      assert.ok(gets.length > 50, `found ${gets.length} GET routes`);
      const matrix = (t.app as unknown as { routesForMatrix: Array<{ method: string; url: string; access: object }> }).routesForMatrix;
      const isPublic = new Set(matrix.filter((r) => 'public' in r.access).map((r) => `${r.method} ${r.url}`));
      const failures: string[] = [];
      let allowed = 0;
      for (const route of gets) {
        const url = concrete(route);
        const before = await ledgerSize(t.store);
        const res = await t.call(auditor, 'GET', url);
        const code = res.statusCode >= 400 ? res.json().error?.code : null;
        const grown = (await ledgerSize(t.store)) - before;
        const rule = GRANT_ROUTES[`GET ${route}`];
        if (isPublic.has(`GET ${route}`)) {
          if (rule) failures.push(`${route} is public: it needs no entry`);
          if (code === 'grant_route_refused' || grown !== 0)
            failures.push(`${route} is public: ${res.statusCode} ${code}, ${grown} events`);
          continue;
        }
        if (!rule) {
          if (res.statusCode !== 403 || code !== 'grant_route_refused')
            failures.push(`${route}: ${res.statusCode} ${code}, expected grant_route_refused`);
          if (grown !== 0) failures.push(`${route}: refused but wrote ${grown} events`);
          continue;
        }
        if (code === 'grant_route_refused') failures.push(`${route} is on the list but refused`);
        if (rule.kind === 'session') continue; // who is signed in: needs no grant, logs nothing
        allowed += 1;
        if (grown !== 1) {
          failures.push(`${route}: ${res.statusCode}, ${grown} events written, expected the one read event`);
          continue;
        }
        const event = await t.store.db
          .selectFrom('ledger_events')
          .select(['type', 'leaf'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        const data = JSON.parse(event.leaf).data;
        if (event.type !== 'auditor_grant.read' || data.grantId !== grantId || data.route !== route || data.status !== res.statusCode) {
          failures.push(`${route}: logged ${event.type} ${JSON.stringify(data)}`);
        }
      }
      assert.deepEqual(failures, []);
      assert.ok(allowed >= 20, `${allowed} routes answered a grant holder`);
    });

    test('every entry of the list is a real route of the API (no stale entry widens a future route)', async () => {
      const doc = (await t.call(null, 'GET', '/api/v1/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
      const known = new Set(
        Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${routeOf(path)}`)),
      );
      assert.deepEqual(
        Object.keys(GRANT_ROUTES).filter((key) => !known.has(key)),
        [],
      );
    });
  });
}
