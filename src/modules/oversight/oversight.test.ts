import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

for (const dialect of DIALECTS) {
  describe(`human oversight [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let lead: TestUser;
    let officerA: TestUser;
    let officerB: TestUser;
    let pauser: TestUser;
    let ingest: TestUser;

    const events = (subjectId: string, type: string) =>
      t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'leaf'])
        .where('subject_id', '=', subjectId)
        .where('type', '=', type)
        .execute();

    async function enrol(systemId: string, user: TestUser, authorities: string[]) {
      const res = await t.call(lead, 'POST', `/api/v1/systems/${systemId}/oversight/roster`, {
        userId: user.id,
        authorities,
        competence: 'Credit risk analyst, 8 years',
        training: 'AI oversight course 2026-01',
      });
      assert.equal(res.statusCode, 201, res.body);
    }

    async function overseenSystem(tier: 'high' | 'minimal') {
      const system = await buildSystem(t.store, { euRiskTier: tier });
      await enrol(system.id, officerA, ['pause', 'restrict', 'resume']);
      await enrol(system.id, officerB, ['resume']);
      await enrol(system.id, pauser, ['pause']);
      return system;
    }

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      lead = await t.user(['governance_lead']);
      officerA = await t.user(['oversight_officer']);
      officerB = await t.user(['oversight_officer']);
      pauser = await t.user([]);
      ingest = await t.user([], { scopes: ['ingest'] });
    });
    after(() => t.close());

    test('the roster is managed by the governance lead, as ledger events; others cannot add to it', async () => {
      const system = await overseenSystem('minimal');
      const list = await t.call(admin, 'GET', `/api/v1/systems/${system.id}/oversight/roster`);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list
          .json()
          .items.map((e: { userId: string }) => e.userId)
          .sort(),
        [officerA.id, officerB.id, pauser.id].sort(),
      );
      assert.equal((await events(system.id, 'oversight.officer_added')).length, 3);
      const byOfficer = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
        userId: admin.id,
        authorities: ['pause'],
        competence: 'none',
      });
      assert.equal(byOfficer.statusCode, 403);
      const stale = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/oversight/roster/${pauser.id}`, {
        authorities: ['pause', 'restrict'],
        competence: 'Operations lead',
        version: 7,
      });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().error.code, 'version_conflict');
    });

    test('acting without authority: not on roster, an admin not on roster, an officer lacking the authority', async () => {
      const system = await overseenSystem('minimal');
      const outsider = await t.user(['oversight_officer']);
      for (const [who, code] of [
        [outsider, 'not_on_roster'],
        [admin, 'not_on_roster'],
        [officerB, 'forbidden'],
      ] as const) {
        const res = await t.call(who, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, { reason: 'model drift detected' });
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error.code, code);
      }
      const restrict = await t.call(pauser, 'POST', `/api/v1/systems/${system.id}/runtime/restrict`, {
        reason: 'output drift detected',
        conditions: { humanReviewAll: true },
      });
      assert.equal(restrict.json().error.code, 'forbidden');
      const runtime = await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`);
      assert.equal(runtime.json().state, 'active');
      assert.equal((await events(system.id, 'oversight.paused')).length, 0);
    });

    test("rosters are per system: an officer on system A's roster cannot pause, restrict or resume system B", async () => {
      const systemA = await overseenSystem('minimal');
      const systemB = await buildSystem(t.store, { euRiskTier: 'minimal' });
      const officerOfB = await t.user(['oversight_officer']);
      await enrol(systemB.id, officerOfB, ['pause']);
      const ledgerBefore = await ledgerSize(t.store);
      for (const [action, body] of [
        ['pause', { reason: 'drift seen on A' }],
        ['restrict', { reason: 'drift seen on A', conditions: { humanReviewAll: true } }],
      ] as const) {
        const res = await t.call(officerA, 'POST', `/api/v1/systems/${systemB.id}/runtime/${action}`, body);
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().error.code, 'not_on_roster');
        assert.equal(res.json().error.details.systemId, systemB.id);
      }
      assert.equal(await ledgerSize(t.store), ledgerBefore);
      assert.equal((await t.call(ingest, 'GET', `/api/v1/systems/${systemB.id}/runtime`)).json().state, 'active');
      // B's own officer pauses it; A's officers still cannot resume it.
      assert.equal(
        (await t.call(officerOfB, 'POST', `/api/v1/systems/${systemB.id}/runtime/pause`, { reason: 'drift seen on B' })).statusCode,
        200,
      );
      const resume = await t.call(officerB, 'POST', `/api/v1/systems/${systemB.id}/runtime/resume`, { reason: 'fine on A, so resume B' });
      assert.equal(resume.statusCode, 403, resume.body);
      assert.equal(resume.json().error.code, 'not_on_roster');
      assert.equal((await t.call(ingest, 'GET', `/api/v1/systems/${systemB.id}/runtime`)).json().state, 'paused');
      assert.equal((await events(systemB.id, 'oversight.paused')).length, 1);
      assert.equal((await events(systemB.id, 'oversight.resumed')).length, 0);
      assert.equal((await events(systemA.id, 'oversight.paused')).length, 0);
    });

    test('pause is a ledger event with its reason; the runtime endpoint answers with an ETag and 304', async () => {
      const system = await overseenSystem('minimal');
      const paused = await t.call(pauser, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, { reason: 'complaints about bias' });
      assert.equal(paused.statusCode, 200, paused.body);
      assert.equal(paused.json().state, 'paused');
      const res = await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().state, 'paused');
      assert.equal(res.json().failSafeDefault, 'paused');
      assert.equal(res.headers.etag, '"1"');
      const again = await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`, undefined, { 'if-none-match': '"1"' });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');
      const [event] = await events(system.id, 'oversight.paused');
      assert.equal(JSON.parse(event.leaf).reason, 'complaints about bias');
      // The lifecycle status in the inventory is not touched by a pause.
      const row = await t.store.db.selectFrom('ai_systems').select('status').where('id', '=', system.id).executeTakeFirstOrThrow();
      assert.equal(row.status, system.status);
      const twice = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, { reason: 'pausing it again' });
      assert.equal(twice.json().error.code, 'invalid_transition');
    });

    test('a read token and a session-less ingest token may check; an unknown system is 404', async () => {
      const system = await buildSystem(t.store);
      const reader = await t.user([], { scopes: ['read'] });
      assert.equal((await t.call(reader, 'GET', `/api/v1/systems/${system.id}/runtime`)).statusCode, 200);
      assert.equal((await t.call(null, 'GET', `/api/v1/systems/${system.id}/runtime`)).statusCode, 401);
      assert.equal((await t.call(ingest, 'GET', `/api/v1/systems/${randomUUID()}/runtime`)).statusCode, 404);
    });

    test('the runtime detail and the roster of an unknown system are 404, of a known one 200', async () => {
      const system = await buildSystem(t.store, { euRiskTier: 'minimal' });
      for (const path of ['runtime/detail', 'oversight/roster']) {
        const known = await t.call(admin, 'GET', `/api/v1/systems/${system.id}/${path}`);
        assert.equal(known.statusCode, 200, known.body);
        const noSuchSystem = randomUUID();
        const unknown = await t.call(admin, 'GET', `/api/v1/systems/${noSuchSystem}/${path}`);
        assert.equal(unknown.statusCode, 404, `${path}: ${unknown.body}`);
        assert.equal(unknown.json().error.code, 'not_found');
        assert.equal(unknown.json().error.details.id, noSuchSystem);
      }
    });

    test('restrict records its conditions; a minimal-risk system resumes with one officer', async () => {
      const system = await overseenSystem('minimal');
      const res = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/restrict`, {
        reason: 'accuracy below threshold',
        conditions: { humanReviewAll: true, text: 'no automated refusals' },
      });
      assert.equal(res.statusCode, 200, res.body);
      const runtime = (await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`)).json();
      assert.equal(runtime.state, 'restricted');
      assert.deepEqual(runtime.conditions, { humanReviewAll: true, text: 'no automated refusals' });
      const resumed = await t.call(officerB, 'POST', `/api/v1/systems/${system.id}/runtime/resume`, { reason: 'retrained and validated' });
      assert.equal(resumed.statusCode, 200, resumed.body);
      assert.equal(resumed.json().state, 'active');
      assert.equal((await events(system.id, 'oversight.resumed')).length, 1);
    });

    test('resuming a high-risk system needs a second, different officer with resume authority', async () => {
      const system = await overseenSystem('high');
      await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, { reason: 'incident under investigation' });
      const first = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/resume`, { reason: 'the fix is deployed' });
      assert.equal(first.statusCode, 202, first.body);
      assert.equal(first.json().pendingConfirmation, true);
      assert.equal((await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`)).json().state, 'paused');
      const same = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/resume`, { reason: 'fix deployed, really' });
      assert.equal(same.statusCode, 403);
      assert.equal(same.json().error.code, 'second_person_required');
      const noAuthority = await t.call(pauser, 'POST', `/api/v1/systems/${system.id}/runtime/resume`, { reason: 'confirm the resume' });
      assert.equal(noAuthority.json().error.code, 'forbidden');
      assert.equal((await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`)).json().state, 'paused');
      const confirmed = await t.call(officerB, 'POST', `/api/v1/systems/${system.id}/runtime/resume`, { reason: 'reviewed the fix' });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal((await t.call(ingest, 'GET', `/api/v1/systems/${system.id}/runtime`)).json().state, 'active');
      const [resumed] = await events(system.id, 'oversight.resumed');
      const leaf = JSON.parse(resumed.leaf);
      assert.equal(leaf.data.requestedBy, officerA.id);
      assert.equal(leaf.data.confirmedBy, officerB.id);
      assert.equal((await events(system.id, 'oversight.resume_requested')).length, 1);
    });

    test('a stale version is refused when one is sent', async () => {
      const system = await overseenSystem('minimal');
      const res = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, {
        reason: 'output drift detected',
        version: 5,
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'version_conflict');
    });
  });
}
