// Side doors around approvals, tried and found shut (issue 8, items 3-5): going back to `proposed`
// to make ungoverned changes, retiring without the retirement chain, and approving or deploying a
// prohibited practice. Each refusal writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { decide, errorCode, RATIONALE, registerModel, requestApproval } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { governingKindOfStatusMove } from './governed-changes.js';

for (const dialect of DIALECTS) {
  describe(`governed transitions [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let approver: TestUser;
    let approver2: TestUser;
    let lead: TestUser;
    let requester: TestUser;
    before(async () => {
      t = await createTestApp(dialect);
      [owner, approver, approver2, lead, requester] = await Promise.all([
        t.user([]),
        t.user(['approver']),
        t.user(['approver']),
        t.user(['governance_lead']),
        t.user(['contributor']),
      ]);
    });
    after(() => t.close());

    const systemRow = (id: string) =>
      t.store.db
        .selectFrom('ai_systems')
        .select(['status', 'eu_risk_tier', 'intended_use', 'version'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();

    async function setStatus(user: TestUser, id: string, status: string, extra: Record<string, unknown> = {}) {
      const { version } = await systemRow(id);
      return t.call(user, 'POST', `/api/v1/systems/${id}/status`, { status, rationale: RATIONALE, version: Number(version), ...extra });
    }

    /** An approved system: owner and approver sign its system_use request. */
    async function approvedSystem(overrides: Record<string, unknown> = {}) {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, ...overrides });
      const req = await requestApproval(t, requester, { kind: 'system_use', subjectId: s.id });
      await decide(t, owner, req.id);
      await decide(t, approver, req.id);
      // The high-risk policy also asks the data-protection officer (a governance lead).
      if ((await systemRow(s.id)).status !== 'approved_for_use') await decide(t, lead, req.id);
      assert.equal((await systemRow(s.id)).status, 'approved_for_use');
      return s;
    }

    /** Expects a refusal with this code that wrote nothing. */
    async function refused(attempt: () => Promise<{ statusCode: number; body: string; json(): unknown }>, code: string) {
      const size = await ledgerSize(t.store);
      const res = await attempt();
      assert.equal(errorCode(res as never), code, res.body);
      assert.equal(await ledgerSize(t.store), size, 'a refused change writes nothing');
      return res;
    }

    test('leaving an approved state backwards needs its own approval; back in proposed, changes stay governed', async () => {
      const s = await approvedSystem({ euRiskTier: 'high' });
      await refused(() => setStatus(owner, s.id, 'proposed'), 'approval_required');
      // The governed way back: a system_use request naming the earlier status, signed by two people.
      const back = await requestApproval(t, requester, { kind: 'system_use', subjectId: s.id, change: { targetStatus: 'proposed' } });
      await decide(t, owner, back.id);
      await decide(t, approver, back.id);
      const done = await decide(t, lead, back.id);
      assert.equal(done.json().status, 'approved', done.body);
      assert.equal((await systemRow(s.id)).status, 'proposed');
      // Proposed again, but not new: its history says it was approved, so no first-assessment exemption.
      const { version } = await systemRow(s.id);
      await refused(
        () => t.call(owner, 'PATCH', `/api/v1/systems/${s.id}`, { intendedUse: 'Automated credit decisions', version: Number(version) }),
        'approval_required',
      );
      await refused(
        () =>
          t.call(lead, 'POST', `/api/v1/systems/${s.id}/risk-tier`, {
            euRiskTier: 'minimal',
            rationale: RATIONALE,
            version: Number(version),
          }),
        'approval_required',
      );
      const row = await systemRow(s.id);
      assert.equal(row.eu_risk_tier, 'high');
      assert.equal(row.intended_use, 'Decision support for credit officers');
    });

    test('a system never approved keeps its first-assessment exemption', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' });
      const res = await t.call(lead, 'POST', `/api/v1/systems/${s.id}/risk-tier`, {
        euRiskTier: 'minimal',
        rationale: RATIONALE,
        version: 1,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((await systemRow(s.id)).eu_risk_tier, 'minimal');
    });

    test('retirement goes through the system_retirement chain (owner + governance lead), never directly', async () => {
      const s = await approvedSystem();
      await refused(() => setStatus(owner, s.id, 'retired'), 'approval_required');
      await refused(() => setStatus(lead, s.id, 'retired'), 'approval_required');
      const req = await requestApproval(t, requester, { kind: 'system_retirement', subjectId: s.id });
      // A system_use approval cannot stand in for retirement.
      await refused(() => setStatus(owner, s.id, 'retired', { approvalRequestId: req.id }), 'approval_required');
      await decide(t, owner, req.id);
      const done = await decide(t, lead, req.id);
      assert.equal(done.json().status, 'approved', done.body);
      assert.equal((await systemRow(s.id)).status, 'retired');
    });

    test('a prohibited practice is never approved for use nor deployed, whoever signs', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'prohibited' });
      await refused(
        () =>
          t.call(owner, 'POST', '/api/v1/approvals/requests', {
            kind: 'system_use',
            subjectId: s.id,
            title: 'Use it',
            justification: 'We need it now',
          }),
        'prohibited_practice',
      );
      await refused(
        () =>
          t.call(owner, 'POST', '/api/v1/approvals/requests', {
            kind: 'system_use',
            subjectId: s.id,
            title: 'Production',
            justification: 'We need it now',
            change: { targetStatus: 'in_production' },
          }),
        'prohibited_practice',
      );
      await refused(() => setStatus(owner, s.id, 'approved_for_use'), 'prohibited_practice');
      const mv = await registerModel(t, s.id);
      await refused(
        () =>
          t.call(owner, 'POST', '/api/v1/approvals/requests', {
            kind: 'model_deployment',
            subjectId: mv.id,
            title: 'Deploy',
            justification: 'We need it now',
          }),
        'prohibited_practice',
      );
      // Not even the first-assessment exemption lowers the tier of a prohibited system.
      await refused(
        () => t.call(lead, 'POST', `/api/v1/systems/${s.id}/risk-tier`, { euRiskTier: 'minimal', rationale: RATIONALE, version: 1 }),
        'approval_required',
      );
      assert.equal((await systemRow(s.id)).eu_risk_tier, 'prohibited');
    });

    test('the way out of the prohibited tier: a reclassification with a legal rationale, through its own two-person chain', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'prohibited' });
      await refused(
        () =>
          t.call(owner, 'POST', '/api/v1/approvals/requests', {
            kind: 'risk_tier_change',
            subjectId: s.id,
            title: 'Reclassify',
            justification: 'Not emotion recognition',
            change: { euRiskTier: 'high' },
          }),
        'validation_failed',
      );
      const req = await requestApproval(t, requester, {
        kind: 'risk_tier_change',
        subjectId: s.id,
        change: { euRiskTier: 'high', legalRationale: 'Art. 5(1)(f) does not apply: the system is used for medical safety reasons' },
      });
      const view = (await t.call(lead, 'GET', `/api/v1/approvals/requests/${req.id}`)).json();
      assert.deepEqual(view.policy, { id: 'risk_tier_change:prohibited', version: 1 });
      assert.match(JSON.stringify(view), /Art\. 5\(1\)\(f\)/, 'the legal rationale is part of what is signed');
      assert.equal((await decide(t, lead, req.id)).json().status, 'pending', 'one signature is not enough');
      const done = await decide(t, approver2, req.id);
      assert.equal(done.json().status, 'approved', done.body);
      assert.equal((await systemRow(s.id)).eu_risk_tier, 'high');
    });
  });
}

describe('the governed status moves, as a table', () => {
  test('into use and retirement are governed; backwards out of an approved state too; protective moves are free', () => {
    assert.equal(governingKindOfStatusMove('in_validation', 'approved_for_use'), 'system_use');
    assert.equal(governingKindOfStatusMove('approved_for_use', 'in_production'), 'system_use');
    assert.equal(governingKindOfStatusMove('in_production', 'retired'), 'system_retirement');
    assert.equal(governingKindOfStatusMove('proposed', 'retired'), 'system_retirement');
    assert.equal(governingKindOfStatusMove('approved_for_use', 'proposed'), 'system_use');
    assert.equal(governingKindOfStatusMove('in_production', 'in_development'), 'system_use');
    assert.equal(governingKindOfStatusMove('paused', 'in_validation'), 'system_use');
    assert.equal(governingKindOfStatusMove('proposed', 'in_development'), null);
    assert.equal(governingKindOfStatusMove('in_production', 'paused'), null);
    assert.equal(governingKindOfStatusMove('in_production', 'restricted'), null);
  });
});
