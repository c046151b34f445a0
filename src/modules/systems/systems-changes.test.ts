import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, errorCode, requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

const RATIONALE = 'Reviewed at the governance board on Tuesday';

for (const dialect of DIALECTS) {
  describe(`change records of the inventory [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    let approver: TestUser;
    let lead: TestUser;
    let admin: TestUser;
    before(async () => {
      t = await createTestApp(dialect);
      [owner, requester, approver, lead, admin] = await Promise.all([
        t.user([]),
        t.user(['contributor']),
        t.user(['approver']),
        t.user(['governance_lead']),
        t.user(['admin']),
      ]);
    });
    after(() => t.close());

    const ledgerCount = () => ledgerSize(t.store);
    const recordsOf = (subjectId: string) =>
      t.store.db.selectFrom('change_records').selectAll().where('subject_id', '=', subjectId).orderBy('recorded_at').execute();
    /** A system past `proposed`: its intended use, data sources and EU tier are governed. */
    const inDevelopment = () => buildSystem(t.store, { accountableOwnerId: owner.id, status: 'in_development' });

    test('a direct description edit writes one change record with before, after, diff and rationale', async () => {
      const s = await inDevelopment();
      const res = await t.callCurrent(owner, 'PATCH', `/api/v1/systems/${s.id}`, {
        version: 1,
        description: 'Now explains its scores',
        rationale: 'Transparency notice for applicants',
      });
      assert.equal(res.statusCode, 200, res.body);
      const [record, ...more] = await recordsOf(s.id);
      assert.equal(more.length, 0);
      assert.equal(record.change_kind, 'system.updated');
      assert.equal(record.rationale, 'Transparency notice for applicants');
      assert.equal(JSON.parse(record.before).description, '');
      assert.equal(JSON.parse(record.after).description, 'Now explains its scores');
      assert.equal(Number(record.subject_version), 2);
      assert.deepEqual(
        JSON.parse(record.diff).find((d: { path: string }) => d.path === 'description'),
        { path: 'description', before: '', after: 'Now explains its scores' },
      );
      assert.equal(record.approval_request_id, null);
      assert.equal(record.exception_id, null);
      const timeline = (await t.callCurrent(admin, 'GET', `/api/v1/systems/${s.id}/timeline`)).json();
      assert.deepEqual(
        timeline.items.map((e: { type: string }) => e.type),
        ['system.updated', 'system.created'],
        'the timeline is not doubled by the change record',
      );
    });

    /** The newest ledger event, parsed, with its id column. */
    const lastEvent = async () => {
      const row = await t.store.db
        .selectFrom('ledger_events')
        .select(['leaf', 'event_id'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      return {
        eventId: row.event_id,
        ...(JSON.parse(row.leaf) as { type: string; before?: unknown; after?: unknown; data?: Record<string, unknown> }),
      };
    };

    test('a change writes its evidence once: one event that names its change record; a refusal writes nothing', async () => {
      const s = await inDevelopment();
      const before = await ledgerCount();
      const moved = await t.callCurrent(owner, 'POST', `/api/v1/systems/${s.id}/status`, { status: 'in_validation', rationale: RATIONALE });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(await ledgerCount(), before + 1, 'one ledger event for one change');
      const event = await lastEvent();
      const [record, ...more] = await recordsOf(s.id);
      assert.equal(more.length, 0);
      assert.equal(event.type, 'system.status_changed');
      assert.deepEqual([event.before, event.after], [{ status: 'in_development' }, { status: 'in_validation' }], 'the fields that changed');
      assert.equal(event.data?.changeRecordId, record.id, 'the event names its change record');
      assert.equal(record.event_id, event.eventId, 'the change record indexes that event');
      assert.deepEqual(JSON.parse(record.diff), [
        { path: 'status', before: 'in_development', after: 'in_validation' },
        { path: 'version', before: 1, after: 2 },
      ]);

      const stale = await t.call(
        owner,
        'POST',
        `/api/v1/systems/${s.id}/status`,
        { status: 'in_development', rationale: RATIONALE },
        { 'if-match': '"1"' },
      );
      assert.equal(errorCode(stale), 'version_conflict');
      assert.deepEqual(stale.json().error.details, { expectedVersion: 1, currentVersion: 2 });
      assert.equal(await ledgerCount(), before + 1, 'a refused change writes nothing');
      assert.equal((await recordsOf(s.id)).length, 1);
    });

    test('a stale data source version is refused with version_conflict, the same message as a system; nothing is written', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const added = await t.callCurrent(owner, 'POST', `/api/v1/systems/${s.id}/data-sources`, {
        name: 'CRM',
        kind: 'database',
        containsPersonalData: true,
      });
      assert.equal(added.statusCode, 201, added.body);
      const id = added.json().id as string;
      const updated = await t.call(owner, 'PATCH', `/api/v1/data-sources/${id}`, { provenance: 'vendor X' }, { 'if-match': '"1"' });
      assert.equal(updated.statusCode, 200, updated.body);
      const before = await ledgerCount();
      const stale = await t.call(owner, 'PATCH', `/api/v1/data-sources/${id}`, { provenance: 'vendor Y' }, { 'if-match': '"1"' });
      assert.equal(errorCode(stale), 'version_conflict');
      assert.equal(
        stale.json().error.message,
        `data source ${id} changed since you read it (you read version 1, it is now version 2); read it again`,
      );
      assert.equal(await ledgerCount(), before);
      const row = await t.store.db
        .selectFrom('data_sources')
        .select(['provenance', 'version'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([row.provenance, Number(row.version)], ['vendor X', 2]);
    });

    test('a model version change is one event filed under its system, naming its change record, and it compares by version', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const before = await ledgerCount();
      const reg = await t.callCurrent(owner, 'POST', `/api/v1/systems/${s.id}/model-versions`, {
        label: 'v1',
        artifactSha256: 'd'.repeat(64),
      });
      assert.equal(reg.statusCode, 201, reg.body);
      assert.equal(await ledgerCount(), before + 1);
      const event = await lastEvent();
      const [record] = await recordsOf(reg.json().id);
      assert.deepEqual(
        [event.type, event.data?.modelVersionId, event.data?.changeRecordId, record.event_id],
        ['model_version.registered', reg.json().id, record.id, event.eventId],
      );
      const edit = await t.callCurrent(owner, 'PATCH', `/api/v1/systems/${s.id}`, { version: 1, vendor: 'Acme', rationale: RATIONALE });
      assert.equal(edit.statusCode, 200, edit.body);
      const compare = (await t.callCurrent(lead, 'GET', `/api/v1/systems/${s.id}/versions/compare?from=1&to=2`)).json();
      assert.deepEqual([compare.from.state.version, compare.to.state.version], [1, 2], 'each version is the one its event made');
      assert.deepEqual(
        compare.diff.find((d: { path: string }) => d.path === 'version'),
        { path: 'version', before: 1, after: 2 },
      );
    });

    test('governed changes on an approved-track system are refused without their approval; nothing is written', async () => {
      const s = await inDevelopment();
      const source = await t.store.db.selectFrom('data_sources').select('id').where('system_id', '=', s.id).execute();
      assert.equal(source.length, 0);
      const countBefore = await ledgerCount();
      for (const [method, url, body, kind] of [
        ['POST', `/api/v1/systems/${s.id}/risk-tier`, { euRiskTier: 'high', rationale: RATIONALE }, 'risk_tier_change'],
        ['PATCH', `/api/v1/systems/${s.id}`, { version: 1, intendedUse: 'Something else' }, 'intended_use_change'],
        [
          'POST',
          `/api/v1/systems/${s.id}/data-sources`,
          { name: 'CRM', kind: 'database', containsPersonalData: true },
          'data_source_change',
        ],
      ] as const) {
        const res = await t.callCurrent(admin, method, url, body);
        assert.equal(res.statusCode, 409, `${url}: ${res.body}`);
        assert.equal(errorCode(res), 'approval_required');
        assert.equal(res.json().error.details.requestKind, kind);
      }
      assert.equal(await ledgerCount(), countBefore);
      assert.equal((await recordsOf(s.id)).length, 0);
      const row = await t.store.db
        .selectFrom('ai_systems')
        .select(['eu_risk_tier', 'version'])
        .where('id', '=', s.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual({ ...row, version: Number(row.version) }, { eu_risk_tier: 'unassessed', version: 1 });
      // The organisation's own tier is not governed.
      const org = await t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/risk-tier`, { orgRiskTier: 'amber', rationale: RATIONALE });
      assert.equal(org.statusCode, 200, org.body);
    });

    test('while proposed, the first assessment (tier, intended use, data sources) needs no approval', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const tier = await t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/risk-tier`, { euRiskTier: 'limited', rationale: RATIONALE });
      assert.equal(tier.statusCode, 200, tier.body);
      const ds = await t.callCurrent(owner, 'POST', `/api/v1/systems/${s.id}/data-sources`, {
        name: 'CRM',
        kind: 'database',
        containsPersonalData: true,
      });
      assert.equal(ds.statusCode, 201, ds.body);
      const [record] = await recordsOf(ds.json().id);
      assert.equal(record.change_kind, 'data_source.added');
      assert.equal(record.system_id, s.id);
      assert.equal(record.before, 'null');
    });

    test('a completed risk_tier_change approval applies the tier, with one change record naming it', async () => {
      const s = await inDevelopment();
      const req = await requestApproval(t, requester, { kind: 'risk_tier_change', subjectId: s.id, change: { euRiskTier: 'high' } });
      const done = await decide(t, lead, req.id);
      assert.equal(done.json().status, 'approved', done.body);
      const row = await t.store.db.selectFrom('ai_systems').select('eu_risk_tier').where('id', '=', s.id).executeTakeFirstOrThrow();
      assert.equal(row.eu_risk_tier, 'high');
      const records = await recordsOf(s.id);
      assert.equal(records.length, 1, 'one record per change, whoever applied it');
      assert.equal(records[0].change_kind, 'system.risk_tier_changed');
      assert.equal(records[0].approval_request_id, req.id);
      assert.ok(records[0].rationale.includes('Needed for the Q3 release'));
      const applied = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', req.id)
        .where('type', '=', 'approval.applied')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(applied.leaf).after.changeRecordId, records[0].id);
      // Used once: the same approval does not allow another direct change.
      const again = await t.callCurrent(admin, 'POST', `/api/v1/systems/${s.id}/risk-tier`, {
        euRiskTier: 'minimal',
        rationale: RATIONALE,
      });
      assert.equal(errorCode(again), 'approval_required');
    });

    test('a completed data_source_change approval adds the source, with one change record naming it', async () => {
      const s = await inDevelopment();
      const req = await requestApproval(t, requester, {
        kind: 'data_source_change',
        subjectId: s.id,
        change: { dataSource: { name: 'Bureau feed', kind: 'api', containsPersonalData: true } },
      });
      await decide(t, owner, req.id);
      assert.equal((await decide(t, approver, req.id)).json().status, 'approved');
      const [source, ...others] = await t.store.db.selectFrom('data_sources').selectAll().where('system_id', '=', s.id).execute();
      assert.equal(others.length, 0);
      assert.equal(source.name, 'Bureau feed');
      const records = await t.store.db.selectFrom('change_records').selectAll().where('system_id', '=', s.id).execute();
      assert.equal(records.length, 1);
      assert.equal(records[0].subject_id, source.id);
      assert.equal(records[0].approval_request_id, req.id);
      assert.ok(JSON.parse(records[0].diff).some((d: { path: string; after: unknown }) => d.path === 'name' && d.after === 'Bureau feed'));

      const update = await t.callCurrent(owner, 'PATCH', `/api/v1/data-sources/${source.id}`, { version: 1, provenance: 'vendor X' });
      assert.equal(errorCode(update), 'approval_required');
      assert.equal(update.json().error.details.requestKind, 'data_source_change');
    });

    test('an emergency risk-tier change is recorded under its exception and applies once', async () => {
      const s = await inDevelopment();
      const req = await requestApproval(t, requester, { kind: 'risk_tier_change', subjectId: s.id, change: { euRiskTier: 'prohibited' } });
      const res = await t.callCurrent(admin, 'POST', `/api/v1/approvals/requests/${req.id}/emergency`, {
        reason: 'Regulator letter received today',
      });
      assert.equal(res.statusCode, 200, res.body);
      const row = await t.store.db.selectFrom('ai_systems').select('eu_risk_tier').where('id', '=', s.id).executeTakeFirstOrThrow();
      assert.equal(row.eu_risk_tier, 'prohibited');
      const records = await recordsOf(s.id);
      assert.equal(records.length, 1);
      assert.equal(records[0].exception_id, res.json().exceptionId);
      assert.equal(records[0].approval_request_id, req.id);
      assert.equal(records[0].rationale, 'Regulator letter received today');
      assert.equal((await decide(t, lead, req.id)).json().status, 'approved');
      assert.equal((await recordsOf(s.id)).length, 1, 'the retrospective approval records nothing more');
    });

    test('model versions: registering records the parameters; versions still compare from the ledger', async () => {
      const s = await inDevelopment();
      const reg = await t.callCurrent(owner, 'POST', `/api/v1/systems/${s.id}/model-versions`, {
        label: 'v1',
        artifactSha256: 'c'.repeat(64),
        parameters: { threshold: 0.7 },
      });
      assert.equal(reg.statusCode, 201, reg.body);
      const mv = reg.json();
      const [registered] = await recordsOf(mv.id);
      assert.equal(registered.change_kind, 'model_version.registered');
      assert.deepEqual(JSON.parse(registered.after).parameters, { threshold: 0.7 });
      const req = await requestApproval(t, requester, { kind: 'model_deployment', subjectId: mv.id });
      await decide(t, owner, req.id);
      await decide(t, approver, req.id);
      const records = await recordsOf(mv.id);
      assert.deepEqual(
        records.map((r) => [r.change_kind, r.approval_request_id]),
        [
          ['model_version.registered', null],
          ['model_version.deployed', req.id],
        ],
      );
      const compare = await t.callCurrent(lead, 'GET', `/api/v1/model-versions/${mv.id}/versions/compare?from=1&to=2`);
      assert.equal(compare.statusCode, 200, compare.body);
      assert.ok(compare.json().diff.some((d: { path: string; after: unknown }) => d.path === 'status' && d.after === 'deployed'));
      assert.deepEqual(compare.json().from.state.parameters, { threshold: 0.7 });

      const edit = await t.callCurrent(owner, 'PATCH', `/api/v1/systems/${s.id}`, { version: 1, vendor: 'Acme', rationale: RATIONALE });
      assert.equal(edit.statusCode, 200, edit.body);
      const systemCompare = await t.callCurrent(lead, 'GET', `/api/v1/systems/${s.id}/versions/compare?from=1&to=2`);
      assert.equal(systemCompare.statusCode, 200, systemCompare.body);
      assert.deepEqual(
        systemCompare.json().diff.find((d: { path: string }) => d.path === 'vendor'),
        { path: 'vendor', before: null, after: 'Acme' },
      );
    });
  });
}
