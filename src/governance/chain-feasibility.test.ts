// A chain nobody can complete is refused when the request is filed, saying who could fill the step
// (issue 8, item 15), instead of a request that waits forever.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
      assert.match(error.message, /"System owner"/);
      assert.match(error.message, /\(the requester\)/);
      assert.deepEqual(
        error.details.steps.map((step: { step: string; eligible: Array<{ id: string }> }) => [step.step, step.eligible.map((e) => e.id)]),
        [['System owner', [owner.id]]],
      );
      assert.equal(await ledgerSize(t.store), size, 'nothing written');
      // Someone who does not sign may file the same request.
      const ok = await requestApproval(t, requester, { kind: 'system_use', subjectId: s.id });
      assert.ok(ok.id);
    });
  });
}
