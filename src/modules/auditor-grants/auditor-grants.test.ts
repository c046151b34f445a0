// Auditor grants (issue 12): an admin grants an external auditor read-only access to one system,
// framework and period until a date; the auditor reads and exports only within it, every read is a
// ledger event naming the grant, every write is refused, and expiry or revocation ends it all.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
const RATIONALE = 'External audit of the credit scoring system, 2026 engagement';

for (const dialect of DIALECTS) {
  describe(`auditor grants [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let resolver: TestUser;
    let inScope: string;
    let otherSystem: string;

    async function openException(systemId: string): Promise<string> {
      const res = await t.call(admin, 'POST', '/api/v1/exceptions', {
        systemId,
        kind: 'deviation',
        title: 'Model used outside its approved population',
        description: 'Scores were produced for applicants under 18.',
        severity: 'high',
        raisedBy: { type: 'person', ref: admin.email },
        ownerId: admin.id,
        resolverId: resolver.id,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id;
    }

    /** An external auditor (user with only external_auditor) and a live grant on `scope`. */
    async function auditorWithGrant(scope: Record<string, unknown> = { systemId: inScope }) {
      const auditor = await t.user(['external_auditor']);
      const res = await t.call(admin, 'POST', '/api/v1/auditor-grants', {
        auditorId: auditor.id,
        expiresAt: inDays(30),
        rationale: RATIONALE,
        ...scope,
      });
      assert.equal(res.statusCode, 201, res.body);
      return { auditor, grant: res.json() as { id: string; status: string } };
    }

    async function lastEvent() {
      return t.store.db.selectFrom('ledger_events').select(['type', 'leaf']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    }

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      resolver = await t.user(['admin']);
      inScope = (await buildSystem(t.store)).id;
      otherSystem = (await buildSystem(t.store)).id;
    });
    after(() => t.close());

    test('an admin grants access to a new auditor: the account holds external_auditor alone, the grant is a ledger event', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(admin, 'POST', '/api/v1/auditor-grants', {
        newAuditor: { email: `ext-${Date.now()}@audit.example`, displayName: 'Eve External', password: 'a long first password' },
        systemId: inScope,
        framework: 'iso42001',
        periodFrom: '2026-01-01T00:00:00Z',
        periodTo: inDays(1),
        expiresAt: inDays(90),
        rationale: RATIONALE,
      });
      assert.equal(res.statusCode, 201, res.body);
      const grant = res.json();
      assert.equal(grant.status, 'live');
      assert.equal(grant.auditorName, 'Eve External');
      const roles = await t.store.db.selectFrom('user_roles').select('role').where('user_id', '=', grant.auditorId).execute();
      assert.deepEqual(
        roles.map((r) => r.role),
        ['external_auditor'],
      );
      assert.equal(await ledgerSize(t.store), before + 2, 'user.created and auditor_grant.created');
      assert.equal((await lastEvent()).type, 'auditor_grant.created');
      const listed = await t.call(admin, 'GET', `/api/v1/auditor-grants?auditorId=${grant.auditorId}`);
      assert.equal(listed.json().total, 1);
    });

    test('only an admin grants, and a grant needs a rationale, an end within 180 days and an auditor holding nothing else', async () => {
      const auditor = await t.user(['external_auditor']);
      const governanceLead = await t.user(['governance_lead']);
      const internal = await t.user(['auditor']);
      const mixed = await t.user(['external_auditor', 'contributor']);
      const body = { auditorId: auditor.id, systemId: inScope, expiresAt: inDays(30), rationale: RATIONALE };
      const before = await ledgerSize(t.store);
      const refusals: Array<[TestUser, Record<string, unknown>, number, string]> = [
        [governanceLead, body, 403, 'forbidden'],
        [admin, { ...body, expiresAt: inDays(181) }, 400, 'validation_failed'],
        [admin, { ...body, expiresAt: inDays(-1) }, 400, 'validation_failed'],
        [admin, { ...body, rationale: 'because' }, 400, 'validation_failed'],
        [admin, { ...body, framework: 'cobit' }, 400, 'validation_failed'],
        [admin, { ...body, auditorId: internal.id }, 409, 'conflict'],
        [admin, { ...body, auditorId: mixed.id }, 409, 'conflict'],
      ];
      for (const [who, payload, status, code] of refusals) {
        const res = await t.call(who, 'POST', '/api/v1/auditor-grants', payload);
        assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
        assert.equal(res.json().error.code, code);
      }
      assert.equal(await ledgerSize(t.store), before, 'no refused grant wrote anything');
      assert.equal((await t.call(admin, 'POST', '/api/v1/auditor-grants', body)).statusCode, 201);
      const second = await t.call(admin, 'POST', '/api/v1/auditor-grants', body);
      assert.equal(second.json().error?.code, 'conflict', 'one live grant per auditor');
    });

    test('in scope: the system and its records are read, each read a ledger event naming the grant', async () => {
      const { auditor, grant } = await auditorWithGrant();
      const before = await ledgerSize(t.store);
      const res = await t.call(auditor, 'GET', `/api/v1/systems/${inScope}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await ledgerSize(t.store), before + 1);
      const event = await lastEvent();
      assert.equal(event.type, 'auditor_grant.read');
      const data = JSON.parse(event.leaf).data;
      assert.deepEqual(
        { grantId: data.grantId, method: data.method, route: data.route, status: data.status },
        { grantId: grant.id, method: 'GET', route: '/api/v1/systems/:id', status: 200 },
      );
    });

    test('out of scope: another system is refused with grant_scope and nothing of it leaks', async () => {
      const { auditor } = await auditorWithGrant();
      for (const url of [`/api/v1/systems/${otherSystem}`, `/api/v1/systems/${otherSystem}/history`, '/api/v1/systems']) {
        const before = await ledgerSize(t.store);
        const res = await t.call(auditor, 'GET', url);
        assert.equal(res.statusCode, 403, `${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'grant_scope');
        assert.ok(!res.body.includes('Test system'), 'no record in the refusal');
        assert.equal(await ledgerSize(t.store), before + 1, 'only the refused read itself is logged');
        assert.equal(JSON.parse((await lastEvent()).leaf).data.status, 403);
      }
    });

    test("lists are narrowed to the grant's system; asking for another system is refused", async () => {
      const mine = await openException(inScope);
      const theirs = await openException(otherSystem);
      const { auditor } = await auditorWithGrant();
      const list = await t.call(auditor, 'GET', '/api/v1/exceptions');
      assert.equal(list.statusCode, 200, list.body);
      const ids = list.json().items.map((e: { id: string }) => e.id);
      assert.ok(ids.includes(mine));
      assert.ok(!ids.includes(theirs), "another system's exception is not listed");
      assert.equal((await t.call(auditor, 'GET', `/api/v1/exceptions/${mine}`)).statusCode, 200);
      const other = await t.call(auditor, 'GET', `/api/v1/exceptions/${theirs}`);
      assert.equal(other.json().error?.code, 'grant_scope');
      const asked = await t.call(auditor, 'GET', `/api/v1/exceptions?systemId=${otherSystem}`);
      assert.equal(asked.json().error?.code, 'grant_scope');
      const events = await t.call(auditor, 'GET', '/api/v1/ledger/events?limit=500');
      assert.equal(events.statusCode, 200, events.body);
      const systems = new Set(events.json().items.map((e: { event: { data?: { systemId?: string } } }) => e.event.data?.systemId));
      assert.ok(!systems.has(otherSystem), "no event of another system in the auditor's ledger view");
    });

    test("control status is held to the grant's framework", async () => {
      const { auditor } = await auditorWithGrant({ systemId: inScope, framework: 'iso42001' });
      const ok = await t.call(auditor, 'GET', '/api/v1/controls/status?framework=iso42001');
      assert.equal(ok.statusCode, 200, ok.body);
      const other = await t.call(auditor, 'GET', '/api/v1/controls/status?framework=gdpr');
      assert.equal(other.json().error?.code, 'grant_scope');
    });

    test('every write is refused with grant_route_refused, and nothing is written', async () => {
      const { auditor } = await auditorWithGrant();
      const before = await ledgerSize(t.store);
      const writes: Array<[string, string, unknown]> = [
        ['POST', '/api/v1/exceptions', { systemId: inScope }],
        ['PATCH', `/api/v1/systems/${inScope}`, { name: 'renamed' }],
        ['POST', '/api/v1/tokens', { name: 'mine', scopes: ['read'] }],
        ['POST', '/api/v1/auditor-grants', { auditorId: auditor.id, expiresAt: inDays(1), rationale: RATIONALE }],
        ['POST', '/api/v1/ledger/notes', {}],
      ];
      for (const [method, url, body] of writes) {
        const res = await t.call(auditor, method, url, body);
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'grant_route_refused', `${method} ${url}`);
      }
      assert.equal(await ledgerSize(t.store), before, 'a refused write writes nothing, not even a read event');
    });

    test("evidence packs: the grant's system only, and the export names the grant", async () => {
      const { auditor, grant } = await auditorWithGrant();
      const refused = await t.call(auditor, 'POST', '/api/v1/evidence-packs', { scope: 'system', id: otherSystem });
      assert.equal(refused.json().error?.code, 'grant_scope');
      const wide = await t.call(auditor, 'POST', '/api/v1/evidence-packs', { scope: 'organisation' });
      assert.equal(wide.json().error?.code, 'grant_scope');
      const packs = () => t.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', 'evidence_pack.generated').execute();
      const before = (await packs()).length;
      const res = await t.call(auditor, 'POST', '/api/v1/evidence-packs', { scope: 'system', id: inScope });
      assert.equal(res.statusCode, 200, res.body.slice(0, 200));
      const made = await packs();
      assert.equal(made.length, before + 1, 'only the in-scope pack was generated');
      assert.equal(JSON.parse(made[made.length - 1].leaf).data.auditorGrantId, grant.id);
    });

    test('after revocation or expiry every request is refused with its code, and nothing is written', async () => {
      const revoked = await auditorWithGrant();
      const shortWhy = await t.call(admin, 'POST', `/api/v1/auditor-grants/${revoked.grant.id}/revoke`, { rationale: 'no' });
      assert.equal(shortWhy.json().error?.code, 'validation_failed');
      const res = await t.call(admin, 'POST', `/api/v1/auditor-grants/${revoked.grant.id}/revoke`, {
        rationale: 'The engagement ended early',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'revoked');
      assert.equal((await lastEvent()).type, 'auditor_grant.revoked');
      const again = await t.call(admin, 'POST', `/api/v1/auditor-grants/${revoked.grant.id}/revoke`, { rationale: 'The engagement ended' });
      assert.equal(again.json().error?.code, 'invalid_transition');

      const expired = await auditorWithGrant();
      await t.store.transact((trx) =>
        trx
          .updateTable('auditor_grants')
          .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
          .where('id', '=', expired.grant.id)
          .execute(),
      );
      const never = await t.user(['external_auditor']);
      const before = await ledgerSize(t.store);
      const r1 = await t.call(revoked.auditor, 'GET', `/api/v1/systems/${inScope}`);
      assert.equal(r1.statusCode, 403);
      assert.equal(r1.json().error.code, 'grant_revoked');
      const r2 = await t.call(expired.auditor, 'GET', `/api/v1/systems/${inScope}`);
      assert.equal(r2.statusCode, 403);
      assert.equal(r2.json().error.code, 'grant_expired');
      const r3 = await t.call(expired.auditor, 'POST', '/api/v1/evidence-packs', { scope: 'system', id: inScope });
      assert.equal(r3.json().error?.code, 'grant_expired');
      assert.equal((await t.call(never, 'GET', `/api/v1/systems/${inScope}`)).json().error?.code, 'grant_expired');
      assert.equal(await ledgerSize(t.store), before, 'nothing written for a grant that is not live');

      // A new grant, ending sooner than the revoked one would have, is the one that counts.
      const renewed = await t.call(admin, 'POST', '/api/v1/auditor-grants', {
        auditorId: revoked.auditor.id,
        systemId: inScope,
        expiresAt: inDays(5),
        rationale: RATIONALE,
      });
      assert.equal(renewed.statusCode, 201, renewed.body);
      assert.equal((await t.call(revoked.auditor, 'GET', `/api/v1/systems/${inScope}`)).statusCode, 200);
    });

    test("the reads of a grant: its admin and its auditor see them, paginated; another's grant is out of scope", async () => {
      const { auditor, grant } = await auditorWithGrant();
      const other = await auditorWithGrant();
      await t.call(auditor, 'GET', `/api/v1/systems/${inScope}`);
      await t.call(auditor, 'GET', `/api/v1/systems/${inScope}/model-versions`);
      const page = await t.call(admin, 'GET', `/api/v1/auditor-grants/${grant.id}/reads?limit=1`);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().total, 2);
      assert.equal(page.json().items[0].route, '/api/v1/systems/:id');
      const own = await t.call(auditor, 'GET', `/api/v1/auditor-grants/${grant.id}/reads`);
      assert.equal(own.statusCode, 200, own.body);
      const mine = await t.call(auditor, 'GET', '/api/v1/auditor-grants');
      assert.deepEqual(
        mine.json().items.map((g: { id: string }) => g.id),
        [grant.id],
      );
      const theirs = await t.call(auditor, 'GET', `/api/v1/auditor-grants/${other.grant.id}/reads`);
      assert.equal(theirs.json().error?.code, 'grant_scope');
      const notAdmin = await t.call(resolver, 'GET', `/api/v1/auditor-grants/${grant.id}/reads`);
      assert.equal(notAdmin.statusCode, 200, 'resolver is an admin too');
      const lead = await t.user(['governance_lead']);
      assert.equal((await t.call(lead, 'GET', `/api/v1/auditor-grants/${grant.id}/reads`)).json().error?.code, 'forbidden');
    });
  });
}
