import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { decide, errorCode, RATIONALE, requestApproval } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { type HistoryEntry, summaryOf } from './history.js';
import { HISTORY_KINDS, systemIdOfLeaf } from './system-index.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`a system's history from the ledger [${dialect}]`, () => {
    let t: TestApp;
    let lead: TestUser;
    let owner: TestUser;
    let requester: TestUser;
    let approver: TestUser;
    let officer: TestUser;
    let resolver: TestUser;
    let verifier: TestUser;
    let ingest: TestUser;
    let auditor: TestUser;
    let systemId: string;
    const mv: Record<string, string> = {};
    const requests: Record<string, string> = {};
    let exceptionId: string;
    let appealId: string;

    const ok = async (res: { statusCode: number; body: string; json(): unknown }, status = 200) => {
      assert.equal(res.statusCode, status, res.body);
      return res.json() as Record<string, unknown> & { id: string; version: number };
    };
    const history = async (query = '') => {
      const limit = query.includes('limit=') ? '' : 'limit=500';
      const res = await t.call(auditor, 'GET', `/api/v1/systems/${systemId}/history?${limit}${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { items: HistoryEntry[]; nextCursor: number | null };
    };

    async function registerVersion(label: string, threshold: number) {
      const row = await ok(
        await t.call(owner, 'POST', `/api/v1/systems/${systemId}/model-versions`, {
          label,
          artifactSha256: String(threshold * 10)
            .repeat(64)
            .slice(0, 64),
          trainingDataRefs: [`s3://training/${label}`],
          parameters: { threshold },
        }),
        201,
      );
      mv[label] = row.id;
    }

    async function deployWithTwoSignatures(label: string) {
      const req = await requestApproval(t, requester, { kind: 'model_deployment', subjectId: mv[label] });
      requests[label] = req.id;
      await ok(await decide(t, owner, req.id));
      const done = await ok(await decide(t, approver, req.id));
      assert.equal(done.status, 'approved');
    }

    async function moveException(user: TestUser, to: string) {
      const current = (await t.call(user, 'GET', `/api/v1/exceptions/${exceptionId}`)).json();
      await ok(
        await t.call(user, 'POST', `/api/v1/exceptions/${exceptionId}/transitions`, {
          to,
          reason: `moving to ${to}`,
          version: current.version,
        }),
      );
    }

    before(async () => {
      t = await createTestApp(dialect);
      [lead, owner, requester, approver, officer, resolver, verifier, auditor] = await Promise.all([
        t.user(['governance_lead']),
        t.user([]),
        t.user(['contributor']),
        t.user(['approver']),
        t.user(['oversight_officer']),
        t.user(['contributor']),
        t.user(['reviewer']),
        t.user(['auditor']),
      ]);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      // Created by a person, so every entry of its history names one.
      const created = await ok(
        await t.call(lead, 'POST', '/api/v1/systems', {
          name: 'Credit scoring',
          purpose: 'Scores loan applications',
          intendedUse: 'Decision support for credit officers',
          aiType: 'machine_learning',
          deploymentKind: 'internal',
          status: 'in_development',
          euRiskTier: 'minimal',
          accountableOwnerId: owner.id,
        }),
        201,
      );
      systemId = created.id;

      // Model versions: v1.0 deployed (two signatures), then v1.1 deployed (v1.0 retired), v1.2 registered.
      await registerVersion('v1.0', 0.7);
      await deployWithTwoSignatures('v1.0');
      await registerVersion('v1.1', 0.8);
      await deployWithTwoSignatures('v1.1');
      await registerVersion('v1.2', 0.9);

      // An exception opened and closed.
      exceptionId = (
        await ok(
          await t.call(owner, 'POST', '/api/v1/exceptions', {
            systemId,
            kind: 'override',
            title: 'Applicants under 18 scored',
            description: 'Scores were produced for applicants under 18.',
            severity: 'high',
            raisedBy: { type: 'person', ref: owner.email },
            ownerId: owner.id,
            resolverId: resolver.id,
          }),
          201,
        )
      ).id;
      await moveException(owner, 'triaged');
      await moveException(owner, 'investigating');
      let current = (await t.call(owner, 'GET', `/api/v1/exceptions/${exceptionId}`)).json();
      await ok(
        await t.call(owner, 'PUT', `/api/v1/exceptions/${exceptionId}/root-cause`, {
          category: 'Data validation',
          text: 'No age check on input',
          version: current.version,
        }),
      );
      await moveException(owner, 'remediating');
      const action = await ok(
        await t.call(owner, 'POST', `/api/v1/exceptions/${exceptionId}/corrective-actions`, {
          description: 'Add an age check before scoring',
          ownerId: resolver.id,
          dueAt: new Date(Date.now() + 5 * DAY).toISOString(),
        }),
        201,
      );
      await ok(
        await t.call(resolver, 'POST', `/api/v1/exceptions/${exceptionId}/corrective-actions/${action.id}/complete`, {
          evidence: 'PR #123 merged; test added',
          version: action.version,
        }),
      );
      await moveException(resolver, 'verifying');
      current = (await t.call(owner, 'GET', `/api/v1/exceptions/${exceptionId}`)).json();
      await ok(
        await t.call(verifier, 'POST', `/api/v1/exceptions/${exceptionId}/verify`, {
          note: 'Replayed 50 cases: all refused',
          version: current.version,
        }),
      );
      await ok(
        await t.call(owner, 'POST', `/api/v1/exceptions/${exceptionId}/lessons`, { text: 'Enforce population limits in code' }),
        201,
      );
      await moveException(owner, 'closed');

      // A pause and a resume.
      await ok(
        await t.call(lead, 'POST', `/api/v1/systems/${systemId}/oversight/roster`, {
          userId: officer.id,
          authorities: ['pause', 'resume'],
          competence: 'Credit risk analyst, 8 years',
          training: 'AI oversight course 2026-01',
        }),
        201,
      );
      await ok(await t.call(officer, 'POST', `/api/v1/systems/${systemId}/runtime/pause`, { reason: 'scores drifted overnight' }));
      await ok(await t.call(officer, 'POST', `/api/v1/systems/${systemId}/runtime/resume`, { reason: 'retrained and validated' }));

      // A decision, appealed.
      await ok(
        await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
          records: [{ decisionId: 'D-1', systemId, decidedAt: '2026-11-01T09:00:00Z', inputRef: 'case/1', output: 'refused' }],
        }),
      );
      const filed = (await ok(
        await t.call(verifier, 'POST', '/api/v1/appeals', {
          systemId,
          decisionId: 'D-1',
          appellantName: 'Jane Doe',
          appellantContact: 'jane@example.test',
          statement: 'My income was not taken into account.',
        }),
        201,
      )) as unknown as { appeal: { id: string } };
      appealId = filed.appeal.id;
      await ok(await t.call(owner, 'POST', `/api/v1/appeals/${appealId}/start-review`, { version: 1 }));
      await ok(
        await t.call(owner, 'POST', `/api/v1/appeals/${appealId}/resolve`, {
          outcome: 'rejected',
          explanation: 'Income was read correctly; the decision stands.',
          links: [],
          version: 2,
        }),
      );
    });
    after(() => t.close());

    test('lists the requests with every signature, the exception, the pause and resume and the appeal, in time order with their actors', async () => {
      const { items, nextCursor } = await history();
      assert.equal(nextCursor, null);
      for (let i = 1; i < items.length; i++) {
        assert.ok(items[i].seq > items[i - 1].seq, 'oldest first, by ledger sequence');
        assert.ok(items[i].recordedAt >= items[i - 1].recordedAt, 'server time never goes back');
      }
      const nameless = items.filter((e) => e.actor.id === null);
      assert.deepEqual(
        nameless.map((e) => e.type),
        [],
        'every entry names the person who acted',
      );
      const types = items.map((e) => e.type);
      for (const type of [
        'system.created',
        'approval.requested',
        'approval.granted',
        'approval.completed',
        'approval.applied',
        'model_version.deployed',
        'model_version.retired',
        'exception.opened',
        'exception.closed',
        'corrective_action.completed',
        'exception.verified',
        'lesson.recorded',
        'oversight.paused',
        'oversight.resumed',
        'decisions.batch_recorded',
        'appeal.received',
        'appeal.resolved',
      ]) {
        assert.ok(types.includes(type), `history has ${type}`);
      }
      // A change's evidence is its own event, linked to its change record: no second event restates it.
      assert.ok(!types.includes('change.recorded'), 'no change.recorded event beside the change');
      const about = (requestId: string) => items.filter((e) => e.links.approvalRequestId === requestId);
      const grants = about(requests['v1.0']).filter((e) => e.type === 'approval.granted');
      assert.deepEqual(
        grants.map((g) => [g.actor.id, g.rationale, g.kind]),
        [
          [owner.id, RATIONALE, 'approval'],
          [approver.id, RATIONALE, 'approval'],
        ],
      );
      const applied = about(requests['v1.0']).find((e) => e.type === 'approval.applied');
      assert.equal(applied?.actor.id, approver.id, 'the person whose decision completed the chain applied it');
      assert.deepEqual(
        applied?.signers?.map((s) => s.id),
        [owner.id, approver.id],
      );
      const deployed = items.find((e) => e.type === 'model_version.deployed' && e.links.modelVersionId === mv['v1.0']);
      assert.equal(deployed?.actor.id, approver.id);
      assert.deepEqual(
        deployed?.signers?.map((s) => s.id),
        [owner.id, approver.id],
        'the change event names the signers',
      );
      assert.equal(deployed?.links.approvalRequestId, requests['v1.0']);
      const record = await t.store.db
        .selectFrom('change_records')
        .select(['id', 'event_id'])
        .where('subject_id', '=', mv['v1.0'])
        .where('change_kind', '=', 'model_version.deployed')
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [deployed?.links.changeRecordId, deployed?.eventId],
        [record.id, record.event_id],
        'the event names its change record',
      );
      const exceptionTypes = items.filter((e) => e.links.exceptionId === exceptionId && e.kind === 'exception').map((e) => e.type);
      assert.equal(exceptionTypes[0], 'exception.opened');
      assert.equal(exceptionTypes.at(-1), 'exception.closed');
      const closed = items.find((e) => e.type === 'exception.closed');
      assert.deepEqual([closed?.actor.id, closed?.rationale], [owner.id, 'moving to closed']);
      const paused = items.find((e) => e.type === 'oversight.paused');
      const resumed = items.find((e) => e.type === 'oversight.resumed');
      assert.deepEqual([paused?.kind, paused?.actor.id, paused?.rationale], ['oversight', officer.id, 'scores drifted overnight']);
      assert.deepEqual([resumed?.actor.id, resumed?.rationale], [officer.id, 'retrained and validated']);
      assert.ok((paused?.seq ?? 0) < (resumed?.seq ?? 0));
      const resolved = items.find((e) => e.type === 'appeal.resolved');
      assert.deepEqual(
        [resolved?.kind, resolved?.actor.id, resolved?.rationale, resolved?.links.appealId],
        ['appeal', owner.id, 'Income was read correctly; the decision stands.', appealId],
      );
      assert.ok(resolved?.links.decisionId, 'the appeal names the decision it concerns');
      const batch = items.find((e) => e.type === 'decisions.batch_recorded');
      assert.deepEqual([batch?.kind, batch?.actor.id], ['decision', ingest.id]);
    });

    test('each entry is the ledger row it says: its seq, leaf hash and system index', async () => {
      const { items } = await history();
      const rows = await t.store.db
        .selectFrom('ledger_events')
        .select(['seq', 'leaf', 'leaf_hash', 'system_id'])
        .where(
          'seq',
          'in',
          items.map((e) => e.seq),
        )
        .orderBy('seq')
        .execute();
      assert.equal(rows.length, items.length);
      for (const [i, row] of rows.entries()) {
        assert.equal(Buffer.from(row.leaf_hash).toString('hex'), items[i].leafHash);
        assert.equal(row.system_id, systemId);
        assert.equal(systemIdOfLeaf(row.leaf), row.system_id, 'the index column is the pure function of the leaf');
      }
      const everyRow = await t.store.db.selectFrom('ledger_events').select(['leaf', 'system_id']).execute();
      for (const row of everyRow) assert.equal(row.system_id, systemIdOfLeaf(row.leaf));
    });

    test('filters by kind (the SQL and the presented kind agree), by time, and pages by cursor both ways', async () => {
      const all = (await history()).items;
      for (const kind of HISTORY_KINDS) {
        const filtered = (await history(`&kind=${kind}`)).items;
        assert.deepEqual(
          filtered.map((e) => e.seq),
          all.filter((e) => e.kind === kind).map((e) => e.seq),
          `kind=${kind}`,
        );
      }
      const two = (await history('&kind=oversight,appeal')).items;
      assert.ok(two.length > 0 && two.every((e) => e.kind === 'oversight' || e.kind === 'appeal'));
      const bad = await t.call(auditor, 'GET', `/api/v1/systems/${systemId}/history?kind=gossip`);
      assert.equal(bad.statusCode, 400);
      assert.equal(errorCode(bad), 'validation_failed');

      const middle = all[Math.floor(all.length / 2)].recordedAt;
      const since = (await history(`&from=${encodeURIComponent(middle)}`)).items;
      assert.ok(since.length > 0 && since.every((e) => e.recordedAt >= middle));
      const until = (await history(`&to=${encodeURIComponent(middle)}`)).items;
      assert.ok(until.every((e) => e.recordedAt < middle));
      assert.equal(since.length + until.length, all.length);

      const paged: number[] = [];
      let cursor = '';
      for (;;) {
        const res = await t.call(auditor, 'GET', `/api/v1/systems/${systemId}/history?limit=7${cursor}`);
        const page = res.json() as { items: HistoryEntry[]; nextCursor: number | null };
        paged.push(...page.items.map((e) => e.seq));
        if (page.nextCursor === null) break;
        cursor = `&cursor=${page.nextCursor}`;
      }
      assert.deepEqual(
        paged,
        all.map((e) => e.seq),
      );
      const newest = (await history('&order=desc&limit=3')).items.map((e) => e.seq);
      assert.deepEqual(
        newest,
        all
          .slice(-3)
          .reverse()
          .map((e) => e.seq),
      );
      const missing = await t.call(auditor, 'GET', `/api/v1/systems/${randomUUID()}/history`);
      assert.equal(missing.statusCode, 404);
      assert.equal(errorCode(missing), 'not_found');
    });

    test('the applied change record names the person who completed the chain and the signers', async () => {
      const res = await t.call(auditor, 'GET', `/api/v1/change-records?subjectId=${mv['v1.0']}`);
      const records = (await ok(res)).items as Array<{
        changeKind: string;
        recordedBy: string | null;
        signedBy: Array<{ id: string }>;
        approvalRequestId: string | null;
      }>;
      assert.deepEqual(
        records.map((r) => [r.changeKind, r.recordedBy, r.signedBy.map((s) => s.id), r.approvalRequestId]),
        [
          ['model_version.registered', owner.id, [], null],
          ['model_version.deployed', approver.id, [owner.id, approver.id], requests['v1.0']],
          ['model_version.retired', approver.id, [owner.id, approver.id], requests['v1.1']],
        ],
      );
    });

    test('deploying v1.1 retired v1.0 with its own event naming v1.1 and the request; v1.0 still compares across its versions', async () => {
      const retired = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'model_version.retired')
        .where('system_id', '=', systemId)
        .execute();
      assert.equal(retired.length, 1, 'one retirement: v1.0 by v1.1');
      const leaf = JSON.parse(retired[0].leaf);
      assert.equal(leaf.data.modelVersionId, mv['v1.0']);
      assert.equal(leaf.data.supersededBy, mv['v1.1']);
      assert.equal(leaf.data.approvalRequestId, requests['v1.1']);
      assert.equal(leaf.actor.id, approver.id);
      const row = await t.store.db.selectFrom('model_versions').select('status').where('id', '=', mv['v1.0']).executeTakeFirstOrThrow();
      assert.equal(row.status, 'retired');
      const compare = await t.call(auditor, 'GET', `/api/v1/model-versions/${mv['v1.0']}/versions/compare?from=2&to=3`);
      assert.equal(compare.statusCode, 200, compare.body);
      assert.deepEqual(
        compare.json().diff.find((d: { path: string }) => d.path === 'status'),
        { path: 'status', before: 'deployed', after: 'retired' },
      );
    });

    test('any two model versions of the system compare: parameters, digest, training data, who registered and deployed them', async () => {
      const res = await t.call(auditor, 'GET', `/api/v1/model-versions/compare?from=${mv['v1.0']}&to=${mv['v1.1']}`);
      const body = await ok(res);
      const diff = body.diff as Array<{ path: string; before: unknown; after: unknown }>;
      const paths = diff.map((d) => d.path);
      for (const path of ['artifactSha256', 'parameters.threshold', 'trainingDataRefs', 'label', 'status']) {
        assert.ok(paths.includes(path), `diff has ${path}`);
      }
      assert.deepEqual(
        diff.find((d) => d.path === 'parameters.threshold'),
        { path: 'parameters.threshold', before: 0.7, after: 0.8 },
      );
      const from = body.from as Record<string, { by: { id: string }; signers: Array<{ id: string }>; supersededBy?: string } | null>;
      const to = body.to as typeof from;
      assert.equal(from.registered?.by.id, owner.id);
      assert.equal(from.deployed?.by.id, approver.id);
      assert.deepEqual(
        from.deployed?.signers.map((s) => s.id),
        [owner.id, approver.id],
      );
      assert.equal(from.retired?.supersededBy, mv['v1.1']);
      assert.equal(to.retired, null);

      const toDraft = await ok(await t.call(auditor, 'GET', `/api/v1/model-versions/compare?from=${mv['v1.0']}&to=${mv['v1.2']}`));
      assert.equal((toDraft.to as typeof from).deployed, null, 'v1.2 was never deployed');
      assert.equal((toDraft.to as typeof from).registered?.by.id, owner.id);
      assert.ok((toDraft.diff as Array<{ path: string }>).some((d) => d.path === 'artifactSha256'));

      const sizeBefore = await ledgerSize(t.store);
      const unknown = await t.call(auditor, 'GET', `/api/v1/model-versions/compare?from=${mv['v1.0']}&to=no-such-version`);
      assert.equal(unknown.statusCode, 404);
      assert.equal(errorCode(unknown), 'not_found');
      const other = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const elsewhere = await ok(
        await t.call(owner, 'POST', `/api/v1/systems/${other.id}/model-versions`, { label: 'v9', artifactSha256: 'f'.repeat(64) }),
        201,
      );
      const sizeMiddle = await ledgerSize(t.store);
      const crossed = await t.call(auditor, 'GET', `/api/v1/model-versions/compare?from=${mv['v1.0']}&to=${elsewhere.id}`);
      assert.equal(crossed.statusCode, 400);
      assert.equal(errorCode(crossed), 'validation_failed');
      assert.ok(sizeMiddle > sizeBefore);
      assert.equal(await ledgerSize(t.store), sizeMiddle, 'a comparison writes nothing');
    });

    test('an edit of the system says which fields it changed, not its event type', async () => {
      const other = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const patched = await t.call(
        lead,
        'PATCH',
        `/api/v1/systems/${other.id}`,
        { tags: ['retagged'], vendor: 'Acme', rationale: 'Retagged after the vendor review' },
        { 'if-match': `"${other.version}"` },
      );
      assert.equal(patched.statusCode, 200, patched.body);
      const res = await t.call(auditor, 'GET', `/api/v1/systems/${other.id}/history?kind=system`);
      const updated = (res.json() as { items: HistoryEntry[] }).items.find((e) => e.type === 'system.updated');
      assert.ok(updated, res.body);
      assert.match(updated.summary, /^.+ changed the (tags and vendor|vendor and tags)$/);
    });
  });
}

describe("a history entry's one-line summary", () => {
  const leaf = (type: string, after: Record<string, unknown>, before: Record<string, unknown> = {}) =>
    summaryOf({
      type,
      subject: { type: 'ai_system', id: 'sys-1' },
      before,
      after,
      data: {},
      actor: { kind: 'user', id: 'u-1', name: 'Ann Lee', email: 'ann@example.org' },
    } as Parameters<typeof summaryOf>[0]);

  test("a change of a system's fields names the fields that changed, as a reader names them", () => {
    assert.equal(leaf('system.updated', { description: 'Revision 2', tags: ['credit'] }), 'Ann Lee changed the description and tags');
    assert.equal(leaf('system.intended_use_changed', { intendedUse: 'Triage only' }), 'Ann Lee changed the intended use');
    assert.equal(leaf('system.owner_changed', { accountableOwnerId: 'u-2' }), 'Ann Lee changed the accountable owner');
    assert.equal(
      leaf('system.risk_tier_changed', { euRiskTier: 'high', orgRiskTier: 'tier-1', jurisdictions: ['EU'] }),
      'Ann Lee changed the EU risk tier, organisation risk tier and jurisdictions',
    );
    assert.equal(leaf('system.triaged', { triagedAt: '2026-12-01T10:00:00.000Z' }), 'Ann Lee triaged the shadow system');
    assert.equal(
      leaf('system.status_changed', { status: 'in_development' }, { status: 'proposed' }),
      'Ann Lee: system.status_changed (proposed -> in_development)',
    );
  });
});
