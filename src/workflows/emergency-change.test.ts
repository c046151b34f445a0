// An emergency change's content is frozen once applied: it cannot be revised, a retrospective
// approval signs exactly what was applied, and a retrospective rejection opens the follow-up (roll
// back or a new request) on the emergency's exception. Each test has its own database.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { decide, errorCode, RATIONALE, requestApproval } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';

for (const dialect of DIALECTS) {
  describe(`emergency changes: what was applied is what is decided [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    let approver: TestUser;
    let lead: TestUser;
    beforeEach(async () => {
      t = await createTestApp(dialect);
      [owner, requester, approver, lead] = await Promise.all([
        t.user([]),
        t.user(['contributor']),
        t.user(['approver']),
        t.user(['governance_lead']),
      ]);
    });
    afterEach(() => t.close());

    /** An intended-use change (X) applied by an emergency change. */
    const emergencyApplied = async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, intendedUse: 'Credit decisions' });
      const req = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s.id,
        change: { intendedUse: 'Change X' },
      });
      const res = await t.call(lead, 'POST', `/api/v1/approvals/requests/${req.id}/emergency`, { reason: 'Regulator deadline today' });
      assert.equal(res.statusCode, 200, res.body);
      return { system: s, request: req, exceptionId: res.json().exceptionId as string };
    };
    const requestRow = (id: string) =>
      t.store.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const intendedUse = async (id: string) =>
      (await t.store.db.selectFrom('ai_systems').select('intended_use').where('id', '=', id).executeTakeFirstOrThrow()).intended_use;

    test('revising a request whose emergency change was applied is refused (content_frozen), writing nothing', async () => {
      const { system, request } = await emergencyApplied();
      const applied = await requestRow(request.id);
      assert.equal(applied.applied_digest, request.contentDigest, 'the applied digest is kept');
      const before = await ledgerSize(t.store);
      const res = await t.call(requester, 'POST', `/api/v1/approvals/requests/${request.id}/revisions`, {
        reason: 'Actually we want Y',
        change: { intendedUse: 'Change Y' },
        version: Number(applied.version),
      });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(errorCode(res), 'content_frozen');
      assert.equal(await ledgerSize(t.store), before);
      const after = await requestRow(request.id);
      assert.equal(after.content_digest, request.contentDigest);
      assert.equal(Number(after.revision), 1);
      assert.equal(await intendedUse(system.id), 'Change X');
      // The retrospective approval signs X, which is what the system has.
      assert.equal((await decide(t, owner, request.id)).statusCode, 200);
      const done = await decide(t, approver, request.id);
      assert.equal(done.json().status, 'approved', done.body);
      assert.equal(await intendedUse(system.id), 'Change X');
    });

    test('a retrospective approval signs exactly the applied content; requesting changes of it is refused', async () => {
      const { request } = await emergencyApplied();
      const before = await ledgerSize(t.store);
      const changes = await decide(t, owner, request.id, { decision: 'request_changes', rationale: RATIONALE });
      assert.equal(errorCode(changes), 'content_frozen', changes.body);
      assert.equal(await ledgerSize(t.store), before);
      // A database written before content was frozen: the request was revised after its change was applied.
      const other = 'b'.repeat(64);
      await t.store.transact((trx) =>
        trx.updateTable('approval_requests').set({ content_digest: other, revision: 2 }).where('id', '=', request.id).execute(),
      );
      const signsOther = await decide(t, owner, request.id);
      assert.equal(signsOther.statusCode, 409, signsOther.body);
      assert.equal(errorCode(signsOther), 'content_frozen');
      assert.equal(signsOther.json().error.details.appliedDigest, request.contentDigest);
      assert.equal(await ledgerSize(t.store), before, 'nothing written');
      const decisions = await t.store.db.selectFrom('approval_decisions').select('id').where('request_id', '=', request.id).execute();
      assert.equal(decisions.length, 0);
      assert.equal((await requestRow(request.id)).status, 'pending');
    });

    test('a rejected retrospective approval opens the follow-up on the exception and tells its resolver', async () => {
      const { system, request, exceptionId } = await emergencyApplied();
      const res = await decide(t, owner, request.id, { decision: 'reject', rationale: 'This use was never assessed; roll it back' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().status, 'rejected');
      assert.equal(await intendedUse(system.id), 'Change X', 'the change stays applied until it is rolled back');

      const exception = await t.store.db.selectFrom('exceptions').selectAll().where('id', '=', exceptionId).executeTakeFirstOrThrow();
      assert.equal(exception.resolver_id, owner.id);
      const actions = await t.store.db.selectFrom('corrective_actions').selectAll().where('exception_id', '=', exceptionId).execute();
      assert.equal(actions.length, 1, 'the follow-up is a corrective action the exception cannot close without');
      assert.equal(actions[0].owner_id, owner.id);
      assert.equal(actions[0].status, 'open');
      assert.match(actions[0].description, /roll the emergency change back, or open a new request/);

      const event = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('type', '=', 'exception.emergency_rejected')
        .where('subject_id', '=', exceptionId)
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(event.leaf);
      assert.deepEqual(leaf.after.followUpRequired, ['roll_back', 'new_request']);
      assert.equal(leaf.after.correctiveActionId, actions[0].id);
      assert.equal(leaf.data.requestId, request.id);
      assert.equal(leaf.data.appliedDigest, request.contentDigest);

      const mail = await t.store.db
        .selectFrom('notifications')
        .select(['subject', 'body'])
        .where('target', '=', owner.email)
        .where('kind', '=', 'exception.emergency_rejected')
        .execute();
      assert.equal(mail.length, 1, 'the resolver is told');
      assert.ok(mail[0].body.includes(exceptionId));

      const again = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: system.id,
        change: { intendedUse: 'Credit decisions' },
      });
      assert.ok(again.id, 'a new request (here: the roll-back) can be opened');
    });
  });
}
