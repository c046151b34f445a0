import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, errorCode, RATIONALE, registerModel, requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS } from '../../../test/stores.js';
import { systemContext } from '../../context.js';
import { assertApprovalCompleted } from '../../governance/approval-gate.js';
import { decideApproval } from '../../workflows/decide-approval.js';
import { listQueue } from './queue.js';

// Each test gets its own app and database (beforeEach), so a broken rule fails only its own test.
for (const dialect of DIALECTS) {
  describe(`approval rules [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    let approver: TestUser;
    let approver2: TestUser;
    let lead: TestUser;
    let admin: TestUser;
    beforeEach(async () => {
      t = await createTestApp(dialect);
      [owner, requester, approver, approver2, lead, admin] = await Promise.all([
        t.user([]),
        t.user(['contributor']),
        t.user(['approver']),
        t.user(['approver']),
        t.user(['governance_lead']),
        t.user(['admin']),
      ]);
    });
    afterEach(() => t.close());

    const system = (overrides = {}) => buildSystem(t.store, { accountableOwnerId: owner.id, ...overrides });
    const decisionsOf = (id: string) => t.store.db.selectFrom('approval_decisions').selectAll().where('request_id', '=', id).execute();

    test('default policies ship, and editing one is itself a request that must be approved', async () => {
      const list = await t.call(lead, 'GET', '/api/v1/approvals/policies');
      assert.equal(list.statusCode, 200);
      const ids = list.json().items.map((p: { policyId: string }) => p.policyId);
      for (const id of ['system_use:*', 'model_deployment:high', 'policy_change:*', 'system_retirement:*']) assert.ok(ids.includes(id), id);

      const s = await system();
      const pinned = await requestApproval(t, requester, {
        kind: 'data_source_change',
        subjectId: s.id,
        change: { dataSource: { name: 'CRM export' } },
      });
      const change = await requestApproval(t, lead, {
        kind: 'policy_change',
        subjectId: 'data_source_change:*',
        change: { steps: [{ name: 'Approver', stage: 1, roles: ['approver'], required: 1 }] },
      });
      const still = await t.call(lead, 'GET', '/api/v1/approvals/policies/data_source_change:*');
      assert.equal(still.json().versions.length, 1, 'nothing changes before approval');
      assert.equal((await decide(t, admin, change.id)).statusCode, 200);
      const history = (await t.call(lead, 'GET', '/api/v1/approvals/policies/data_source_change:*')).json();
      assert.equal(history.versions.length, 2);
      assert.equal(history.versions[1].approvalRequestId, change.id);
      assert.equal(history.versions[1].steps.length, 1);
      const kept = (await t.call(requester, 'GET', `/api/v1/approvals/requests/${pinned.id}`)).json();
      assert.deepEqual(kept.policy, { id: 'data_source_change:*', version: 1 }, 'a request keeps the version it started under');
      assert.equal(kept.chain.steps.length, 2);
    });

    test('the requester never approves their own request', async () => {
      const both = await t.user(['contributor', 'approver']);
      const s = await system();
      const req = await requestApproval(t, both, { kind: 'intended_use_change', subjectId: s.id, change: { intendedUse: 'Fraud triage' } });
      assert.equal((await decide(t, owner, req.id)).statusCode, 200);
      const res = await decide(t, both, req.id);
      assert.equal(res.statusCode, 403);
      assert.equal(errorCode(res), 'self_approval_forbidden');
      assert.equal((await decisionsOf(req.id)).length, 1, 'the refused decision wrote nothing');
    });

    test('an admin approving their own request is refused too', async () => {
      const req = await requestApproval(t, admin, {
        kind: 'policy_change',
        subjectId: 'system_retirement:*',
        change: { steps: [{ name: 'Admin only', stage: 1, roles: ['admin'], required: 1 }] },
      });
      const res = await decide(t, admin, req.id);
      assert.equal(res.statusCode, 403);
      assert.equal(errorCode(res), 'self_approval_forbidden');
      const policy = (await t.call(admin, 'GET', '/api/v1/approvals/policies/system_retirement:*')).json();
      assert.equal(policy.versions.length, 1);
    });

    test('one person never fills two approvals of the same request', async () => {
      const ownerApprover = await t.user(['approver']);
      const s = await system({ accountableOwnerId: ownerApprover.id });
      const req = await requestApproval(t, requester, { kind: 'intended_use_change', subjectId: s.id, change: { intendedUse: 'Churn' } });
      assert.equal((await decide(t, ownerApprover, req.id)).statusCode, 200, 'fills the system owner step');
      const twice = await decide(t, ownerApprover, req.id);
      assert.equal(twice.statusCode, 403);
      assert.equal(errorCode(twice), 'duplicate_approver');
      assert.equal((await decide(t, approver, req.id)).statusCode, 200);
      assert.equal((await t.call(approver, 'GET', `/api/v1/approvals/requests/${req.id}`)).json().status, 'approved');
    });

    test('a rationale is required and must meet the configured minimum length', async () => {
      const s = await system();
      const req = await requestApproval(t, requester, { kind: 'system_retirement', subjectId: s.id });
      const empty = await decide(t, owner, req.id, { rationale: '   ' });
      assert.equal(empty.statusCode, 400);
      assert.equal(empty.json().error.details.field, 'rationale');
      const short = await decide(t, owner, req.id, { rationale: 'ok fine' });
      assert.equal(short.statusCode, 400);
      assert.equal(short.json().error.details.minimum, t.config.minRationaleLength);
      assert.equal((await decisionsOf(req.id)).length, 0);
    });

    test('approving content that changed: a stale digest is refused, and a revision restarts the chain', async () => {
      const s = await system();
      const req = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s.id,
        change: { intendedUse: 'Credit scoring v1' },
      });
      const stale = await t.call(owner, 'POST', `/api/v1/approvals/requests/${req.id}/decisions`, {
        decision: 'approve',
        rationale: RATIONALE,
        contentDigest: 'a'.repeat(64),
      });
      assert.equal(stale.statusCode, 409);
      assert.equal(errorCode(stale), 'content_changed');
      assert.equal((await decide(t, owner, req.id)).statusCode, 200);
      const revised = await t.call(requester, 'POST', `/api/v1/approvals/requests/${req.id}/revisions`, {
        reason: 'Scope widened to small businesses',
        change: { intendedUse: 'Credit scoring v2' },
        version: 2,
      });
      assert.equal(revised.statusCode, 200, revised.body);
      const view = revised.json();
      assert.notEqual(view.contentDigest, req.contentDigest);
      assert.equal(view.revision, 2);
      assert.equal(view.chain.steps[0].approvals, 0, 'the earlier approval no longer counts');
      assert.equal(view.decisions.length, 1, 'history keeps it');
      assert.equal(view.decisions[0].counts, false);
      const old = await t.call(owner, 'POST', `/api/v1/approvals/requests/${req.id}/decisions`, {
        decision: 'approve',
        rationale: RATIONALE,
        contentDigest: req.contentDigest,
      });
      assert.equal(errorCode(old), 'content_changed');
      assert.equal((await decide(t, owner, req.id)).statusCode, 200, 'the owner signs the new content');
      const done = await decide(t, approver, req.id);
      assert.equal(done.json().status, 'approved');
      const row = await t.store.db.selectFrom('ai_systems').select('intended_use').where('id', '=', s.id).executeTakeFirstOrThrow();
      assert.equal(row.intended_use, 'Credit scoring v2');
      const staleVersion = await t.call(requester, 'POST', `/api/v1/approvals/requests/${req.id}/revisions`, {
        reason: 'again, with the new scope',
        version: 1,
      });
      assert.equal(staleVersion.statusCode, 409);
    });

    test('deploying without a completed approval is refused, naming what is missing', async () => {
      const s = await system();
      const mv = await registerModel(t, s.id);
      await assert.rejects(
        t.store.transact((trx) => assertApprovalCompleted(trx, { systemId: s.id, kind: 'model_version.deploy', subjectId: mv.id })),
        (e: { code: string; details: { missing: string[] } }) =>
          e.code === 'approval_required' && e.details.missing.includes('approvalRequestId'),
      );
      const req = await requestApproval(t, requester, { kind: 'model_deployment', subjectId: mv.id });
      await decide(t, owner, req.id);
      await assert.rejects(
        t.store.transact((trx) =>
          assertApprovalCompleted(trx, { requestId: req.id, systemId: s.id, kind: 'model_version.deploy', subjectId: mv.id }),
        ),
        (e: { code: string; message: string }) => e.code === 'approval_required' && /Approver \(0\/1\)/.test(e.message),
      );
      const other = await registerModel(t, s.id);
      await assert.rejects(
        t.store.transact((trx) =>
          assertApprovalCompleted(trx, { requestId: req.id, systemId: s.id, kind: 'model_version.deploy', subjectId: other.id }),
        ),
        (e: { code: string }) => e.code === 'approval_required',
      );
      const row = await t.store.db.selectFrom('model_versions').select('status').where('id', '=', mv.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'registered');
    });

    test('an expired approval cannot be used, and an expired step shows as a renewal due', async () => {
      const s = await system();
      const mv = await registerModel(t, s.id);
      const req = await requestApproval(t, requester, { kind: 'model_deployment', subjectId: mv.id });
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      assert.equal((await decide(t, owner, req.id, { validUntil: inAnHour })).statusCode, 200);
      assert.equal((await decide(t, approver, req.id)).json().status, 'approved');
      const later = new Date(Date.now() + 2 * 3_600_000);
      await t.store.transact((trx) =>
        assertApprovalCompleted(trx, { requestId: req.id, systemId: s.id, kind: 'model_version.deploy', subjectId: mv.id }),
      );
      await assert.rejects(
        t.store.transact((trx) =>
          assertApprovalCompleted(trx, { requestId: req.id, systemId: s.id, kind: 'model_version.deploy', now: later }),
        ),
        (e: { code: string }) => e.code === 'approval_expired',
      );

      const s2 = await system();
      const req2 = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s2.id,
        change: { intendedUse: 'Renewed use' },
      });
      await decide(t, owner, req2.id, { validUntil: inAnHour });
      const ctxOf = (u: TestUser, roles: TestUser['roles']) => ({
        ...systemContext('test'),
        actor: { kind: 'user' as const, userId: u.id, email: u.email, displayName: u.email, roles, systemRoles: {} },
      });
      const approveAsApprover2 = () =>
        t.store.transact((trx) =>
          decideApproval(trx, {
            ctx: ctxOf(approver2, ['approver']),
            requestId: req2.id,
            input: { decision: 'approve', rationale: RATIONALE, contentDigest: req2.contentDigest },
            now: later,
          }),
        );
      await assert.rejects(
        approveAsApprover2(),
        (e: { code: string }) => e.code === 'forbidden',
        'the owner step reopened: its approval expired',
      );
      const queue = await listQueue(t.store.db, { approver: { userId: owner.id, roles: [], systemRoles: {} }, now: later });
      const due = queue.items.find((i) => i.requestId === req2.id);
      assert.ok(due?.renewalDue, 'shows as due for renewal');
      assert.ok(queue.counts.renewalsDue >= 1);
      const renewed = await t.store.transact((trx) =>
        decideApproval(trx, {
          ctx: ctxOf(owner, []),
          requestId: req2.id,
          input: { decision: 'approve', rationale: 'Renewing my approval, nothing changed', contentDigest: req2.contentDigest },
          now: later,
        }),
      );
      assert.equal(renewed.status, 'pending');
      assert.equal((await approveAsApprover2()).status, 'approved');
    });

    test('a step needing two approvers needs two distinct people', async () => {
      const change = await requestApproval(t, lead, {
        kind: 'policy_change',
        subjectId: 'risk_tier_change:limited',
        change: { steps: [{ name: 'Two approvers', stage: 1, roles: ['approver'], required: 2 }] },
      });
      assert.equal((await decide(t, admin, change.id)).json().status, 'approved');
      const s = await system({ euRiskTier: 'limited' });
      const req = await requestApproval(t, requester, { kind: 'risk_tier_change', subjectId: s.id, change: { euRiskTier: 'high' } });
      assert.equal((await t.call(approver, 'GET', `/api/v1/approvals/requests/${req.id}`)).json().policy.id, 'risk_tier_change:limited');
      assert.equal((await decide(t, approver, req.id)).json().status, 'pending');
      assert.equal(errorCode(await decide(t, approver, req.id)), 'duplicate_approver');
      assert.equal((await decide(t, approver2, req.id)).json().status, 'approved');
      const row = await t.store.db.selectFrom('ai_systems').select('eu_risk_tier').where('id', '=', s.id).executeTakeFirstOrThrow();
      assert.equal(row.eu_risk_tier, 'high');
    });

    test('a decision under delegation shows both names, and the delegation expires', async () => {
      const delegator = await t.user(['approver']);
      const delegate = await t.user([]);
      const endsAt = new Date(Date.now() + 86_400_000).toISOString();
      const d = await t.call(delegator, 'POST', '/api/v1/approvals/delegations', {
        delegateId: delegate.id,
        endsAt,
        reason: 'On leave this week',
      });
      assert.equal(d.statusCode, 201, d.body);
      const s = await system();
      const req = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s.id,
        change: { intendedUse: 'Delegated' },
      });
      await decide(t, owner, req.id);
      const queue = (await t.call(delegate, 'GET', '/api/v1/approvals/queue')).json();
      const item = queue.items.find((i: { requestId: string }) => i.requestId === req.id);
      assert.equal(item?.onBehalfOf, delegator.id);
      const res = await decide(t, delegate, req.id);
      assert.equal(res.statusCode, 200, res.body);
      const decision = res.json().decisions.at(-1);
      assert.equal(decision.approver.id, delegate.id);
      assert.equal(decision.onBehalfOf.id, delegator.id);
      assert.match(decision.onBehalfOf.name, /Test User/);
      const event = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'approval.granted')
        .where('subject_id', '=', req.id)
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(event.leaf);
      assert.equal(leaf.onBehalfOf, delegator.id);
      assert.equal(leaf.actor.id, delegate.id);

      const s2 = await system();
      const req2 = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s2.id,
        change: { intendedUse: 'Too late' },
      });
      await decide(t, owner, req2.id);
      await assert.rejects(
        t.store.transact((trx) =>
          decideApproval(trx, {
            ctx: {
              ...systemContext('test'),
              actor: { kind: 'user', userId: delegate.id, email: delegate.email, displayName: null, roles: [], systemRoles: {} },
            },
            requestId: req2.id,
            input: { decision: 'approve', rationale: RATIONALE, contentDigest: req2.contentDigest },
            now: new Date(Date.now() + 2 * 86_400_000),
          }),
        ),
        (e: { code: string }) => e.code === 'forbidden',
      );
    });

    test('rejecting ends the request and applies nothing', async () => {
      const s = await system();
      const req = await requestApproval(t, requester, { kind: 'system_retirement', subjectId: s.id });
      const res = await decide(t, owner, req.id, { decision: 'reject', rationale: 'Still serving customers, keep it' });
      assert.equal(res.json().status, 'rejected');
      assert.equal(errorCode(await decide(t, approver, req.id)), 'invalid_transition');
      const row = await t.store.db.selectFrom('ai_systems').select('status').where('id', '=', s.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'proposed');
    });

    test('lists filter by requester and by emergency; a request shows its subject as it is now next to what was signed', async () => {
      const [a, b] = [await system(), await system()];
      const mine = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: a.id,
        change: { intendedUse: 'Loans up to 10k' },
      });
      const theirs = await requestApproval(t, lead, {
        kind: 'intended_use_change',
        subjectId: b.id,
        change: { intendedUse: 'Loans up to 20k' },
      });
      const emergency = await t.call(lead, 'POST', `/api/v1/approvals/requests/${theirs.id}/emergency`, {
        reason: 'Regulator asked for it today',
      });
      assert.equal(emergency.statusCode, 200, emergency.body);

      const filed = (await t.call(lead, 'GET', `/api/v1/approvals/requests?requestedBy=${requester.id}`)).json();
      assert.deepEqual(
        filed.items.map((r: { id: string }) => r.id),
        [mine.id],
      );
      assert.equal(filed.items[0].requestedBy, requester.id);
      const urgent = (await t.call(lead, 'GET', '/api/v1/approvals/requests?emergency=true')).json();
      assert.deepEqual(
        urgent.items.map((r: { id: string }) => r.id),
        [theirs.id],
      );
      assert.equal(urgent.items[0].retrospectiveDueAt, emergency.json().retrospectiveDueAt);
      assert.ok(urgent.items[0].emergencyAt);
      const calm = (await t.call(lead, 'GET', '/api/v1/approvals/requests?emergency=false')).json();
      assert.deepEqual(
        calm.items.map((r: { id: string }) => r.id),
        [mine.id],
      );

      const view = (await t.call(lead, 'GET', `/api/v1/approvals/requests/${theirs.id}`)).json();
      assert.equal(view.content.subject.snapshot.intendedUse, 'Decision support for credit officers');
      assert.equal(view.currentSnapshot.intendedUse, 'Loans up to 20k', 'the emergency applied the change');
      const untouched = (await t.call(lead, 'GET', `/api/v1/approvals/requests/${mine.id}`)).json();
      assert.deepEqual(untouched.currentSnapshot, untouched.content.subject.snapshot);
    });
  });
}
