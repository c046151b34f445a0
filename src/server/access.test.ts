// The route × role matrix: every API route, called by each role and without credentials, answers
// as its declared policy says: 401 without credentials, 403 for roles it does not admit, and
// neither for roles it admits. Three rules hold whatever a route declares: auditors change nothing,
// only a handful of routes are public, and ingest routes take only the ingest-scoped API tokens of
// accounts allowed to report (never a session cookie, an auditor or an account without a role).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { signIn } from '../../test/sessions.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { ROLES, type Role, WRITER_ROLES } from '../context.js';
import { GRANT_ROUTES } from '../modules/auditor-grants/grant-access.js';
import { type Access, isIngest, isWrite } from './access.js';
import { buildApp } from './app.js';

interface RouteInfo {
  method: string;
  url: string;
  access: Access;
}

/** Routes any signed-in user may call whatever their roles (their own session, their own tokens). */
const SELF_SERVICE = new Set(['POST /api/v1/auth/logout']);

function concreteUrl(url: string): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => (name === 'caseNumber' ? 'APL-2026-000001' : randomUUID()));
}

function routesOf(t: TestApp): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const route of (t.app as unknown as { routesForMatrix: RouteInfo[] }).routesForMatrix ?? []) routes.push(route);
  return routes;
}

function admits(access: Access, role: Role | null, route?: string): boolean {
  if ('public' in access) return true;
  if (role === null) return false;
  // An external auditor without a grant is refused everywhere (auditor grants: grant-access.test.ts).
  if (role === 'external_auditor') return route !== undefined && GRANT_ROUTES[route]?.kind === 'session';
  if (role === 'auditor' && isWrite(access) && !access.selfService) return false;
  return access.roles === 'any' || access.roles.includes(role);
}

for (const dialect of DIALECTS) {
  describe(`route × role matrix [${dialect}]`, () => {
    let t: TestApp;
    const users = new Map<Role, TestUser>();
    const PASSWORD = 'matrix password 1';
    before(async () => {
      t = await createTestApp(dialect);
      for (const role of ROLES) users.set(role, await t.user([role], { scopes: ['read', 'write', 'ingest'], password: PASSWORD }));
    });
    after(() => t.close());

    test('an API route that declares no access policy cannot register', async () => {
      const app = await buildApp({ store: t.store, config: t.config, services: t.services });
      try {
        assert.throws(
          () => app.get('/api/v1/undeclared', async () => ({ ok: true })),
          /route GET \/api\/v1\/undeclared declares no access policy/,
        );
        app.get('/healthz-extra', async () => ({ ok: true })); // outside /api/v1 nothing is needed
      } finally {
        await app.close();
      }
    });

    test('no write route lists auditor among the roles it admits', () => {
      const routes = routesOf(t);
      assert.ok(routes.length >= 3, `found ${routes.length} routes`);
      for (const route of routes) {
        if ('public' in route.access || !isWrite(route.access) || route.access.selfService) continue;
        assert.ok(
          route.access.roles === 'any' || !route.access.roles.includes('auditor'),
          `${route.method} ${route.url} lists auditor among the roles that may change things`,
        );
        if (isIngest(route.access)) {
          assert.ok(
            route.access.roles !== 'any' && route.access.roles.every((role) => WRITER_ROLES.includes(role)),
            `${route.method} ${route.url} lets accounts that may not report write through it`,
          );
        }
      }
    });

    test('auditors are read-only: the server refuses an auditor on every write route, also those open to any signed-in person', async () => {
      const auditor = users.get('auditor')!;
      const writes = routesOf(t).filter(
        (route) =>
          !('public' in route.access) &&
          isWrite(route.access) &&
          !route.access.selfService &&
          !SELF_SERVICE.has(`${route.method} ${route.url}`),
      );
      const openToAnyone = writes.filter((route) => !('public' in route.access) && route.access.roles === 'any');
      assert.ok(openToAnyone.length > 0, 'some write routes are open to any signed-in person: only the auditor check guards them');
      const before = await ledgerSize(t.store);
      const failures: string[] = [];
      for (const route of writes) {
        const res = await t.call(auditor, route.method, concreteUrl(route.url), {});
        const code = res.statusCode === 403 ? res.json().error?.code : undefined;
        if (code !== 'forbidden') failures.push(`${route.method} ${route.url}: ${res.statusCode} ${code ?? res.body.slice(0, 80)}`);
      }
      assert.deepEqual(failures, []);
      assert.equal(await ledgerSize(t.store), before, 'an auditor wrote nothing');
    });

    test('ingest routes take only ingest-scoped API tokens of accounts allowed to report', async () => {
      const ingestRoutes = routesOf(t).filter((route) => isIngest(route.access));
      assert.deepEqual(
        ingestRoutes.map((route) => `${route.method} ${route.url}`),
        [
          'POST /api/v1/decisions/batch',
          'POST /api/v1/metrics/points',
          'POST /api/v1/alerts/alertmanager',
          'POST /api/v1/outcomes/batch',
          'POST /api/v1/feedback/tickets',
        ],
      );
      const roleless = await t.user([], { scopes: ['read', 'write', 'ingest'], password: PASSWORD });
      const contributorWithoutIngest = await t.user(['contributor'], { scopes: ['read', 'write'] });
      const failures: string[] = [];
      const expect = (what: string, res: { statusCode: number; json(): { error?: { code?: string } } }, code: string | null) => {
        const got = res.statusCode === 401 || res.statusCode === 403 ? res.json().error?.code : null;
        if (got !== code) failures.push(`${what}: ${res.statusCode} ${got ?? ''}, expected ${code ?? 'to be let through'}`);
      };
      for (const route of ingestRoutes) {
        const url = concreteUrl(route.url);
        const name = `${route.method} ${route.url}`;
        expect(`${name} without credentials`, await t.call(null, route.method, url, {}), 'unauthenticated');
        for (const role of ROLES) {
          const user = users.get(role) as TestUser;
          const allowed = role !== 'auditor' && role !== 'external_auditor';
          // An external auditor is refused by the grant's route list before anything else.
          const refusal = role === 'external_auditor' ? 'grant_route_refused' : 'forbidden';
          expect(`${name} as ${role} with an ingest token`, await t.call(user, route.method, url, {}), allowed ? null : refusal);
          // Whoever signs in with a browser session never reaches an ingest route, admins included.
          const session = await signIn(t, user.email, PASSWORD, `10.0.0.${ROLES.indexOf(role) + 1}`);
          const sessionRefusal = role === 'external_auditor' ? 'grant_route_refused' : 'token_required';
          expect(`${name} as ${role} with a session cookie`, await session.call(route.method, url, {}), sessionRefusal);
        }
        expect(`${name} as an account without a role`, await t.call(roleless, route.method, url, {}), 'forbidden');
        const rolelessSession = await signIn(t, roleless.email, PASSWORD, '10.0.1.1');
        expect(`${name} as an account without a role, session`, await rolelessSession.call(route.method, url, {}), 'token_required');
        expect(`${name} with a token lacking ingest`, await t.call(contributorWithoutIngest, route.method, url, {}), 'insufficient_scope');
      }
      assert.deepEqual(failures, []);
    });

    test('each route answers each role as declared (allowed, 403) and 401 without credentials', async () => {
      const failures: string[] = [];
      for (const route of routesOf(t)) {
        const url = concreteUrl(route.url);
        const anonymous = await t.call(null, route.method, url, route.method === 'GET' ? undefined : {});
        if ('public' in route.access) {
          if ([401, 403].includes(anonymous.statusCode))
            failures.push(`${route.method} ${route.url} is public but answered ${anonymous.statusCode}`);
          continue;
        }
        if (anonymous.statusCode !== 401)
          failures.push(`${route.method} ${route.url} without credentials: ${anonymous.statusCode}, expected 401`);
        for (const role of ROLES) {
          const res = await t.call(users.get(role)!, route.method, url, route.method === 'GET' ? undefined : {});
          const allowed = admits(route.access, role, `${route.method} ${route.url}`);
          if (allowed && [401, 403].includes(res.statusCode) && res.json().error?.code !== 'not_on_roster') {
            const code = res.json().error?.code;
            // Domain rules (four-eyes, per-system ownership) may still refuse an admitted role with a specific code.
            // A route whose scope the matrix tokens lack (ledger:stream, an endless stream) refuses them by scope.
            const scopeBeyondMatrix = ![route.access.scope].flat().some((scope) => ['read', 'write', 'ingest'].includes(scope));
            if (code === 'forbidden' || code === 'unauthenticated' || (code === 'insufficient_scope' && !scopeBeyondMatrix)) {
              failures.push(`${route.method} ${route.url} as ${role}: ${res.statusCode} ${code}, expected to be let through`);
            }
          }
          if (!allowed && res.statusCode !== 403) failures.push(`${route.method} ${route.url} as ${role}: ${res.statusCode}, expected 403`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
