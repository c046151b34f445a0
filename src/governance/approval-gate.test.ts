// APR-103: an approval signs the subject as it was. When the subject's substance changes after an
// approval (here a system's purpose, edited directly through the inventory), the approval no longer
// authorises anything until the request is revised and approved again.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { decide, errorCode, requestApproval } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { assertApprovalCompleted } from './approval-gate.js';

for (const dialect of DIALECTS) {
  describe(`the approval gate holds an approval to the subject it signed [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    let approver: TestUser;
    let admin: TestUser;
    beforeEach(async () => {
      t = await createTestApp(dialect);
      [owner, requester, approver, admin] = await Promise.all([
        t.user([]),
        t.user(['contributor']),
        t.user(['approver']),
        t.user(['admin']),
      ]);
    });
    afterEach(() => t.close());

    const systemRow = (id: string) =>
      t.store.db.selectFrom('ai_systems').select(['intended_use', 'purpose', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
    /** Edits the system's purpose through the inventory's own route: no approval is needed for it. */
    const changePurpose = async (systemId: string, purpose: string) => {
      const { version } = await systemRow(systemId);
      const res = await t.call(admin, 'PATCH', `/api/v1/systems/${systemId}`, { version: Number(version), purpose });
      assert.equal(res.statusCode, 200, res.body);
    };
    const statusOf = async (id: string) =>
      (await t.store.db.selectFrom('approval_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

    test('a subject changed after a step was approved makes the completing approval unusable (content_changed), writing nothing, until the request is revised', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const wanted = 'Fraud triage for card payments';
      const req = await requestApproval(t, requester, { kind: 'intended_use_change', subjectId: s.id, change: { intendedUse: wanted } });
      assert.equal((await decide(t, owner, req.id)).statusCode, 200, 'the system owner signs the system as it is');
      await changePurpose(s.id, 'Scores every payment, not only flagged ones');
      const intendedUseBefore = (await systemRow(s.id)).intended_use;

      const before = await ledgerSize(t.store);
      const completing = await decide(t, approver, req.id);
      assert.equal(completing.statusCode, 409, completing.body);
      assert.equal(errorCode(completing), 'content_changed');
      assert.equal(completing.json().error.details.subjectId, s.id);
      assert.equal(await ledgerSize(t.store), before, 'neither the decision nor the change was written');
      assert.equal(await statusOf(req.id), 'pending');
      assert.equal((await systemRow(s.id)).intended_use, intendedUseBefore, 'the intended use did not change');
      const decisions = await t.store.db.selectFrom('approval_decisions').select('id').where('request_id', '=', req.id).execute();
      assert.equal(decisions.length, 1, 'only the owner’s decision');

      const current = (await t.call(requester, 'GET', `/api/v1/approvals/requests/${req.id}`)).json();
      const revised = await t.call(requester, 'POST', `/api/v1/approvals/requests/${req.id}/revisions`, {
        version: current.version,
        reason: 'The purpose was widened; please sign the system as it is now',
        // No new change: the revision re-signs the same change against the system as it is now.
      });
      assert.equal(revised.statusCode, 200, revised.body);
      assert.deepEqual(revised.json().content.change.intendedUse, { from: intendedUseBefore, to: wanted }, 'the same change, re-signed');
      assert.equal((await decide(t, owner, req.id)).statusCode, 200);
      const done = await decide(t, approver, req.id);
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json().status, 'approved');
      assert.equal((await systemRow(s.id)).intended_use, wanted, 'the revised request, approved again, applies its change');
    });

    test('a completed approval fails the gate once its subject changed: content_changed', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const wanted = 'Churn prediction for retail customers';
      const req = await requestApproval(t, requester, { kind: 'intended_use_change', subjectId: s.id, change: { intendedUse: wanted } });
      assert.equal((await decide(t, owner, req.id)).statusCode, 200);
      assert.equal((await decide(t, approver, req.id)).json().status, 'approved');
      const gate = () =>
        t.store.transact((trx) =>
          assertApprovalCompleted(trx, { requestId: req.id, systemId: s.id, kind: 'intended_use_change', target: wanted }),
        );
      await gate(); // the change it approved (the intended use) is not a change of the subject

      await changePurpose(s.id, 'Also decides retention offers');
      const before = await ledgerSize(t.store);
      await assert.rejects(
        gate(),
        (e: { code: string; details: { requestId: string; subjectId: string } }) =>
          e.code === 'content_changed' && e.details.requestId === req.id && e.details.subjectId === s.id,
      );
      assert.equal(await ledgerSize(t.store), before);
    });
  });
}
