import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

const RATIONALE = 'Reviewed at the governance board on Tuesday';

for (const dialect of DIALECTS) {
  describe(`AI system inventory [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let lead: TestUser;
    let auditor: TestUser;
    let contributor: TestUser;
    let owner: TestUser;

    const ledgerCount = () => ledgerSize(t.store);

    const newSystem = async (as: TestUser = admin, body: Record<string, unknown> = {}) => {
      const res = await t.callCurrent(as, 'POST', '/api/v1/systems', {
        name: `System ${Math.random().toString(36).slice(2, 8)}`,
        purpose: 'Ranks support tickets',
        intendedUse: 'Triage help for agents',
        aiType: 'machine_learning',
        deploymentKind: 'internal',
        ...body,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      lead = await t.user(['governance_lead']);
      auditor = await t.user(['auditor']);
      contributor = await t.user(['contributor']);
      owner = await t.user([]);
    });
    after(() => t.close());

    test('the factory still builds a proposed system with a created event', async () => {
      const system = await buildSystem(t.store, { tags: ['credit'] });
      assert.equal(system.status, 'proposed');
      const events = await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', system.id).execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['system.created'],
      );
    });

    test('system ids are UUIDs in the version-7 layout, increasing in creation order (creates append to the b-trees keyed by them)', async () => {
      const before = await ledgerCount();
      const first = await newSystem();
      const second = await newSystem();
      for (const id of [first.id, second.id]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.ok(second.id > first.id, `${second.id} sorts after ${first.id}`);
      const subjects = await t.store.db
        .selectFrom('ledger_events')
        .select('subject_id')
        .where('seq', '>=', before)
        .where('type', '=', 'system.created')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        subjects.map((row) => row.subject_id),
        [first.id, second.id],
        'each create writes its system.created event under that id',
      );
    });

    test('a system cannot leave proposed without an accountable owner, not even to in_development', async () => {
      const refused = await t.callCurrent(admin, 'POST', '/api/v1/systems', {
        name: 'No owner',
        purpose: 'p',
        intendedUse: 'u',
        aiType: 'generative',
        deploymentKind: 'internal',
        status: 'in_development',
      });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error.details.field, 'accountableOwnerId');

      const system = await newSystem();
      const countBefore = await ledgerCount();
      const res = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/status`, {
        status: 'in_development',
        rationale: RATIONALE,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.details.field, 'accountableOwnerId');
      assert.equal(await ledgerCount(), countBefore);
      const row = await t.store.db
        .selectFrom('ai_systems')
        .select(['status', 'version'])
        .where('id', '=', system.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'proposed');
      assert.equal(Number(row.version), 1);
    });

    test('the accountable owner must be an active user', async () => {
      const system = await newSystem();
      const res = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/owner`, {
        ownerId: 'team-data-science',
        rationale: RATIONALE,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.details.field, 'ownerId');
    });

    test('owner, status and risk tier changes need a rationale of the configured length; nothing is written without', async () => {
      const system = await newSystem();
      const countBefore = await ledgerCount();
      for (const [path, body] of [
        ['owner', { ownerId: owner.id, rationale: 'short' }],
        ['status', { status: 'paused', rationale: '   ' }],
        ['risk-tier', { euRiskTier: 'high', rationale: 'x' }],
      ] as const) {
        const res = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/${path}`, body);
        assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
        assert.equal(res.json().error.code, 'validation_failed');
        assert.equal(res.json().error.details.field, 'rationale');
      }
      assert.equal(await ledgerCount(), countBefore);
    });

    test('setting the owner grants system_owner for that system and removes it from the previous owner', async () => {
      const system = await newSystem();
      const first = await t.user([]);
      const res1 = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/owner`, { ownerId: first.id, rationale: RATIONALE });
      assert.equal(res1.statusCode, 200, res1.body);
      assert.equal(res1.json().accountableOwnerId, first.id);
      const res2 = await t.callCurrent(lead, 'POST', `/api/v1/systems/${system.id}/owner`, { ownerId: owner.id, rationale: RATIONALE });
      assert.equal(res2.statusCode, 200, res2.body);
      const roles = await t.store.db.selectFrom('user_roles').select(['user_id', 'role']).where('scope', '=', system.id).execute();
      assert.deepEqual(roles, [{ user_id: owner.id, role: 'system_owner' }]);
      const event = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', system.id)
        .where('type', '=', 'system.owner_changed')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(event.leaf);
      assert.equal(leaf.before.accountableOwnerId, first.id);
      assert.equal(leaf.after.accountableOwnerId, owner.id);
      assert.equal(leaf.reason, RATIONALE);
    });

    test('approved_for_use and in_production need a completed approval', async () => {
      const system = await newSystem(admin, { accountableOwnerId: owner.id, status: 'in_development' });
      const countBefore = await ledgerCount();
      for (const status of ['approved_for_use', 'in_production']) {
        const res = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/status`, { status, rationale: RATIONALE });
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().error.code, 'approval_required');
        assert.deepEqual(res.json().error.details.missing, ['approvalRequestId']);
        // The approvals module decides; until a request is completed, the gate refuses.
        const withRequest = await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/status`, {
          status,
          rationale: RATIONALE,
          approvalRequestId: 'req-unknown',
        });
        assert.equal(withRequest.statusCode, 409, withRequest.body);
        assert.equal(withRequest.json().error.code, 'approval_required');
      }
      const created = await t.callCurrent(admin, 'POST', '/api/v1/systems', {
        name: 'Straight to production',
        purpose: 'p',
        intendedUse: 'u',
        aiType: 'generative',
        deploymentKind: 'internal',
        status: 'in_production',
        accountableOwnerId: owner.id,
      });
      assert.equal(created.statusCode, 409);
      assert.equal(created.json().error.code, 'approval_required');
      assert.equal(await ledgerCount(), countBefore);
    });

    test('deploying a model version needs a completed approval; registering validates the digest', async () => {
      const system = await newSystem(admin, { accountableOwnerId: owner.id });
      const badDigest = await t.callCurrent(owner, 'POST', `/api/v1/systems/${system.id}/model-versions`, {
        label: 'v1',
        artifactSha256: 'abc',
      });
      assert.equal(badDigest.statusCode, 400);
      assert.equal(badDigest.json().error.details.field, 'artifactSha256');
      const reg = await t.callCurrent(owner, 'POST', `/api/v1/systems/${system.id}/model-versions`, {
        label: 'v1',
        artifactSha256: 'A'.repeat(64),
        trainingDataRefs: ['s3://bucket/train-2026-01'],
        parameters: { learningRate: 0.01 },
        notes: 'first',
      });
      assert.equal(reg.statusCode, 201, reg.body);
      assert.equal(reg.json().artifactSha256, 'a'.repeat(64));
      assert.equal(reg.json().registeredBy, owner.id);
      const countBefore = await ledgerCount();
      const deploy = await t.callCurrent(owner, 'POST', `/api/v1/model-versions/${reg.json().id}/deploy`, {});
      assert.equal(deploy.statusCode, 409, deploy.body);
      assert.equal(deploy.json().error.code, 'approval_required');
      assert.equal(await ledgerCount(), countBefore);
      const row = await t.store.db.selectFrom('model_versions').select('status').where('id', '=', reg.json().id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'registered');
    });

    test('a system_owner of another system is refused; the owner of this one may update it', async () => {
      const mine = await newSystem(admin, { accountableOwnerId: owner.id });
      const theirs = await newSystem(admin);
      const countBefore = await ledgerCount();
      for (const [method, url, body] of [
        ['PATCH', `/api/v1/systems/${theirs.id}`, { version: 1, purpose: 'changed' }],
        ['POST', `/api/v1/systems/${theirs.id}/model-versions`, { label: 'v1', artifactSha256: 'b'.repeat(64) }],
        ['POST', `/api/v1/systems/${theirs.id}/data-sources`, { name: 'CRM', kind: 'database', containsPersonalData: true }],
        ['POST', `/api/v1/systems/${theirs.id}/status`, { status: 'paused', rationale: RATIONALE }],
      ] as const) {
        const res = await t.callCurrent(owner, method, url, body);
        assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
        assert.equal(res.json().error.code, 'forbidden');
      }
      assert.equal(await ledgerCount(), countBefore);
      const ok = await t.callCurrent(owner, 'PATCH', `/api/v1/systems/${mine.id}`, { version: 1, purpose: 'Ranks and routes tickets' });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().version, 2);
      assert.equal(ok.headers.etag, '"2"');
    });

    test('an auditor reads but cannot write; a contributor may create only proposed or shadow systems', async () => {
      const system = await newSystem();
      const countBefore = await ledgerCount();
      const refused = await t.callCurrent(auditor, 'PATCH', `/api/v1/systems/${system.id}`, { version: 1, purpose: 'x' });
      assert.equal(refused.statusCode, 403);
      const refusedCreate = await t.callCurrent(auditor, 'POST', '/api/v1/systems', {
        name: 'A',
        purpose: 'p',
        intendedUse: 'u',
        aiType: 'other',
        deploymentKind: 'internal',
      });
      assert.equal(refusedCreate.statusCode, 403);
      const read = await t.callCurrent(auditor, 'GET', `/api/v1/systems/${system.id}`);
      assert.equal(read.statusCode, 200);
      assert.equal(read.json().name, system.name);

      const notProposed = await t.callCurrent(contributor, 'POST', '/api/v1/systems', {
        name: 'B',
        purpose: 'p',
        intendedUse: 'u',
        aiType: 'other',
        deploymentKind: 'internal',
        status: 'in_development',
        accountableOwnerId: owner.id,
      });
      assert.equal(notProposed.statusCode, 403, notProposed.body);
      assert.equal(await ledgerCount(), countBefore);
      await newSystem(contributor, { deploymentKind: 'shadow' });
      const updateByContributor = await t.callCurrent(contributor, 'PATCH', `/api/v1/systems/${system.id}`, { version: 1, purpose: 'x' });
      assert.equal(updateByContributor.statusCode, 403);
    });

    test('a stale version is a 409 and an unknown field a 400 naming it; neither writes', async () => {
      const system = await newSystem();
      const first = await t.callCurrent(admin, 'PATCH', `/api/v1/systems/${system.id}`, { version: 1, vendor: 'Acme' });
      assert.equal(first.statusCode, 200, first.body);
      const countBefore = await ledgerCount();
      const stale = await t.callCurrent(lead, 'PATCH', `/api/v1/systems/${system.id}`, { version: 1, vendor: 'Other' });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().error.code, 'version_conflict');
      const staleHeader = await t.callCurrent(lead, 'PATCH', `/api/v1/systems/${system.id}`, { vendor: 'Other' }, { 'if-match': '"1"' });
      assert.equal(staleHeader.statusCode, 409);
      const noVersion = await t.callCurrent(lead, 'PATCH', `/api/v1/systems/${system.id}`, { vendor: 'Other' });
      assert.equal(noVersion.statusCode, 428);
      const transitionWithoutVersion = await t.call(lead, 'POST', `/api/v1/systems/${system.id}/triage`, { rationale: RATIONALE });
      assert.equal(transitionWithoutVersion.statusCode, 428, 'a transition must name the version it was decided on');
      assert.equal(transitionWithoutVersion.json().error.code, 'precondition_required');
      const unknown = await t.callCurrent(admin, 'PATCH', `/api/v1/systems/${system.id}`, { version: 2, status: 'in_production' });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().error.details.field, 'body.status');
      assert.equal(await ledgerCount(), countBefore);
      const row = await t.store.db
        .selectFrom('ai_systems')
        .select(['vendor', 'status'])
        .where('id', '=', system.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { vendor: 'Acme', status: 'proposed' });
    });

    test('the timeline shows who, what, when, why, before and after, newest first and paginated', async () => {
      const system = await newSystem(lead, { tags: ['hr'] });
      await t.callCurrent(lead, 'PATCH', `/api/v1/systems/${system.id}`, { version: 1, tags: ['hr', 'screening'] });
      await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/owner`, { ownerId: owner.id, rationale: RATIONALE });
      await t.callCurrent(admin, 'POST', `/api/v1/systems/${system.id}/risk-tier`, {
        euRiskTier: 'high',
        rationale: 'Annex III point 4: employment',
      });
      await t.callCurrent(owner, 'POST', `/api/v1/systems/${system.id}/data-sources`, {
        name: 'ATS',
        kind: 'database',
        containsPersonalData: true,
      });
      const phaseWhy = 'Validation is led by the model risk team';
      await t.callCurrent(owner, 'PUT', `/api/v1/systems/${system.id}/phase-owners/validation`, { userId: lead.id, rationale: phaseWhy });
      const res = await t.callCurrent(auditor, 'GET', `/api/v1/systems/${system.id}/timeline?limit=3`);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json();
      assert.equal(page.total, 6);
      assert.deepEqual(
        page.items.map((e: { type: string }) => e.type),
        ['system.phase_owner_assigned', 'data_source.added', 'system.risk_tier_changed'],
      );
      assert.equal(page.items[0].reason, phaseWhy, 'a phase owner change says why');
      const phaseRecord = await t.store.db
        .selectFrom('change_records')
        .select('rationale')
        .where('system_id', '=', system.id)
        .where('change_kind', '=', 'system.phase_owner_assigned')
        .executeTakeFirstOrThrow();
      assert.equal(phaseRecord.rationale, phaseWhy, 'and its change record keeps the rationale');
      const tier = page.items[2];
      assert.equal(tier.reason, 'Annex III point 4: employment');
      assert.deepEqual(tier.before, { euRiskTier: 'unassessed' });
      assert.deepEqual(tier.after, { euRiskTier: 'high' });
      assert.equal(tier.actor.email, admin.email);
      assert.ok(tier.recordedAt);
      const rest = (await t.callCurrent(auditor, 'GET', `/api/v1/systems/${system.id}/timeline?limit=3&offset=3`)).json();
      assert.deepEqual(
        rest.items.map((e: { type: string }) => e.type),
        ['system.owner_changed', 'system.updated', 'system.created'],
      );
      assert.deepEqual(rest.items[1].before, { tags: ['hr'] });
      assert.deepEqual(rest.items[1].after, { tags: ['hr', 'screening'] });
      assert.equal(rest.items[1].actor.email, lead.email);
    });

    test('a shadow system is triaged once, with a rationale; data sources update with a version', async () => {
      const shadow = await newSystem(contributor, { deploymentKind: 'shadow' });
      const triage = await t.callCurrent(lead, 'POST', `/api/v1/systems/${shadow.id}/triage`, { rationale: RATIONALE });
      assert.equal(triage.statusCode, 200, triage.body);
      assert.ok(triage.json().triagedAt);
      const again = await t.callCurrent(lead, 'POST', `/api/v1/systems/${shadow.id}/triage`, { rationale: RATIONALE });
      assert.equal(again.statusCode, 409);

      const source = (
        await t.callCurrent(admin, 'POST', `/api/v1/systems/${shadow.id}/data-sources`, {
          name: 'Tickets',
          kind: 'database',
          containsPersonalData: false,
        })
      ).json();
      const updated = await t.callCurrent(admin, 'PATCH', `/api/v1/data-sources/${source.id}`, {
        version: 1,
        containsPersonalData: true,
        ownerId: owner.id,
      });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().containsPersonalData, true);
      const stale = await t.callCurrent(admin, 'PATCH', `/api/v1/data-sources/${source.id}`, { version: 1, name: 'x' });
      assert.equal(stale.statusCode, 409);
      const event = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'data_source.updated')
        .where('subject_id', '=', shadow.id)
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(event.leaf);
      assert.deepEqual(leaf.before, { containsPersonalData: false, ownerId: null });
      assert.equal(leaf.data.dataSourceId, source.id);
    });
  });
}
