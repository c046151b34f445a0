// A chain nobody can complete is refused when the request is filed, saying who could fill the step
// (issue 8, item 15), instead of a request that waits forever.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { errorCode, requestApproval } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { canFill } from './chain-feasibility.js';

describe('chain feasibility: distinct people for every required signature', () => {
  test('one person cannot fill two steps; two people can; a step nobody may fill cannot be filled', () => {
    assert.equal(
      canFill([
        { required: 1, people: ['a'] },
        { required: 1, people: ['a'] },
      ]),
      false,
    );
    assert.equal(
      canFill([
        { required: 1, people: ['a', 'b'] },
        { required: 1, people: ['a'] },
      ]),
      true,
    );
    assert.equal(canFill([{ required: 2, people: ['a'] }]), false);
    assert.equal(
      canFill([
        { required: 2, people: ['a', 'b'] },
        { required: 1, people: ['b', 'c'] },
      ]),
      true,
    );
    assert.equal(canFill([{ required: 1, people: [] }]), false);
    assert.equal(canFill([]), true);
  });
});

for (const dialect of DIALECTS) {
  describe(`a chain that would deadlock is refused up front [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    before(async () => {
      t = await createTestApp(dialect);
      [owner, requester] = await Promise.all([t.user([]), t.user(['contributor']), t.user(['approver'])]);
    });
    after(() => t.close());

    test('the only system owner files a request: refused, naming the step and who can fill it; nothing written', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const size = await ledgerSize(t.store);
      const res = await t.call(owner, 'POST', '/api/v1/approvals/requests', {
        kind: 'system_use',
        subjectId: s.id,
        title: 'Use it',
        justification: 'Needed for the Q3 release',
      });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(errorCode(res), 'chain_unfillable');
      const error = res.json().error;
      const ownerName = await nameOf(t, owner);
      assert.match(
        error.message,
        new RegExp(`"System owner" needs 1 signature\\(s\\) and can be filled by ${ownerName} \\(the requester\\)[;.]`),
      );
      assert.doesNotMatch(error.message, /counts once/, 'the step is short of people by itself');
      assert.equal(error.details.countOnce, false);
      assert.deepEqual(error.details.steps, [{ step: 'System owner', required: 1, eligible: [{ id: owner.id, name: ownerName }] }]);
      assert.equal(await ledgerSize(t.store), size, 'nothing written');
      // Someone who does not sign may file the same request.
      const ok = await requestApproval(t, requester, { kind: 'system_use', subjectId: s.id });
      assert.ok(ok.id);
    });
  });
}

const nameOf = async (t: TestApp, user: TestUser) =>
  (await t.store.db.selectFrom('users').select('display_name').where('id', '=', user.id).executeTakeFirstOrThrow()).display_name;

for (const dialect of DIALECTS) {
  describe(`who may fill a step, as the feasibility check sees it [${dialect}]`, () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await createTestApp(dialect);
    });
    afterEach(() => t.close());

    const file = (user: TestUser, systemId: string) =>
      t.call(user, 'POST', '/api/v1/approvals/requests', {
        kind: 'intended_use_change',
        subjectId: systemId,
        title: 'Widen the use',
        justification: 'Needed for the Q3 release',
        change: { intendedUse: 'Fraud triage' },
      });

    test('a delegate acting only for the requester cannot fill the requester’s step: refused, and said so', async () => {
      const [owner, requester, delegate] = await Promise.all([t.user([]), t.user(['contributor', 'approver']), t.user([])]);
      const res = await t.call(requester, 'POST', '/api/v1/approvals/delegations', {
        delegateId: delegate.id,
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        reason: 'On parental leave until March',
      });
      assert.equal(res.statusCode, 201, res.body);
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const size = await ledgerSize(t.store);
      const refused = await file(requester, s.id);
      assert.equal(errorCode(refused), 'chain_unfillable', refused.body);
      const error = refused.json().error;
      assert.match(
        error.message,
        new RegExp(`"Approver" needs 1 signature\\(s\\) and can be filled by .*${await nameOf(t, delegate)} \\(only for the requester\\)`),
      );
      assert.deepEqual(
        error.details.steps.map((step: { step: string }) => step.step),
        ['Approver'],
      );
      assert.equal(await ledgerSize(t.store), size, 'nothing written');
      await t.user(['approver']);
      assert.equal((await file(requester, s.id)).statusCode, 201, 'another approver makes the chain complete-able');
    });

    test('enough people for each step, too few for the chain: each person counts once, and the message says so', async () => {
      // The accountable owner is also the only approver: the owner step and the approver step need two people.
      const [owner, requester] = await Promise.all([t.user(['approver']), t.user(['contributor'])]);
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const refused = await file(requester, s.id);
      assert.equal(errorCode(refused), 'chain_unfillable', refused.body);
      const error = refused.json().error;
      assert.match(error.message, /each person counts once across the chain/);
      assert.doesNotMatch(error.message, /only for the requester/, 'nobody here acts for the requester');
      assert.equal(error.details.countOnce, true);
      const ownerName = await nameOf(t, owner);
      assert.deepEqual(error.details.steps, [
        { step: 'System owner', required: 1, eligible: [{ id: owner.id, name: ownerName }] },
        { step: 'Approver', required: 1, eligible: [{ id: owner.id, name: ownerName }] },
      ]);
    });

    test('a step that nobody may fill says so', async () => {
      const requester = await t.user(['contributor']);
      await t.user(['approver']);
      const s = await buildSystem(t.store); // no accountable owner: nobody holds its system_owner role
      const refused = await file(requester, s.id);
      assert.equal(errorCode(refused), 'chain_unfillable', refused.body);
      assert.match(refused.json().error.message, /"System owner" needs 1 signature\(s\) and can be filled by nobody[;.]/);
      assert.deepEqual(refused.json().error.details.steps, [{ step: 'System owner', required: 1, eligible: [] }]);
    });
  });
}
