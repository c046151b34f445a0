// A delegation carries no authority its delegator does not hold at the moment of the decision:
// active, still holding the step's role, for that system. Deactivating a user ends the delegations
// they gave and received. A delegate never decides for the requester, and a person counts once
// whether they fill a step in person or through a delegate. Each test has its own database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, errorCode, requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { setUserRoles } from '../../accounts/users.service.js';
import { systemContext } from '../../context.js';
import { createDelegation } from './delegations.service.js';

const IN_A_DAY = () => new Date(Date.now() + 86_400_000).toISOString();

for (const dialect of DIALECTS) {
  describe(`delegations carry only the delegator's authority [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let requester: TestUser;
    let admin: TestUser;
    beforeEach(async () => {
      t = await createTestApp(dialect);
      [owner, requester, admin] = await Promise.all([t.user([]), t.user(['contributor']), t.user(['admin'])]);
      // A bystander approver, so every request here can be completed and is accepted when filed
      // (chain_unfillable); these tests are about what a delegate may do when deciding.
      await t.user(['approver']);
    });
    afterEach(() => t.close());

    const delegate = async (from: TestUser, to: TestUser) => {
      const res = await t.call(from, 'POST', '/api/v1/approvals/delegations', {
        delegateId: to.id,
        endsAt: IN_A_DAY(),
        reason: 'On parental leave until March',
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string };
    };
    /** A request whose first stage (system owner) is done: the Approver step is open. */
    const atApproverStep = async (systemId?: string) => {
      const s = systemId ?? (await buildSystem(t.store, { accountableOwnerId: owner.id })).id;
      const req = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s,
        change: { intendedUse: 'Fraud triage' },
      });
      assert.equal((await decide(t, owner, req.id)).statusCode, 200);
      return req;
    };
    const queueOf = async (user: TestUser) =>
      (await t.call(user, 'GET', '/api/v1/approvals/queue')).json().items as Array<{ requestId: string; onBehalfOf: string | null }>;
    const statusOf = async (id: string) =>
      (await t.store.db.selectFrom('approval_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    const askedToDecide = async (user: TestUser, requestId: string) =>
      (
        await t.store.db
          .selectFrom('notifications')
          .select('id')
          .where('target', '=', user.email)
          .where('kind', '=', 'approval.waiting')
          .where('body', 'like', `%${requestId}%`)
          .execute()
      ).length > 0;
    /** Refused with `code`, writing nothing. */
    const refused = async (user: TestUser, requestId: string, code: string) => {
      const before = await ledgerSize(t.store);
      const res = await decide(t, user, requestId);
      assert.equal(errorCode(res), code, res.body);
      assert.equal(await ledgerSize(t.store), before, 'the refused decision wrote nothing');
      assert.equal(await statusOf(requestId), 'pending');
    };

    test('deactivating a user ends the delegations they gave and received, each as a ledger event; their delegate then cannot act for them', async () => {
      const a = await t.user(['approver']);
      const b = await t.user([]);
      const c = await t.user(['approver']);
      const given = await delegate(a, b);
      const received = await delegate(c, a);
      const before = await ledgerSize(t.store);
      const res = await t.call(admin, 'POST', `/api/v1/users/${a.id}/deactivate`, { reason: 'Left the company' });
      assert.equal(res.statusCode, 200, res.body);
      const rows = await t.store.db
        .selectFrom('approval_delegations')
        .select(['id', 'revoked_at'])
        .where('id', 'in', [given.id, received.id])
        .execute();
      assert.equal(rows.length, 2);
      for (const row of rows) assert.ok(row.revoked_at, `delegation ${row.id} ended`);
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['seq', 'type', 'subject_id', 'leaf'])
        .where('seq', '>=', before)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['user.deactivated', 'approval.delegation_ended', 'approval.delegation_ended'],
        'ended in the deactivation transaction, one event each',
      );
      const why = Object.fromEntries(events.slice(1).map((e) => [e.subject_id, JSON.parse(e.leaf).after.endedBecause]));
      assert.deepEqual(why, { [given.id]: 'delegator_deactivated', [received.id]: 'delegate_deactivated' });

      const req = await atApproverStep();
      assert.equal(await askedToDecide(b, req.id), false, 'the delegate of a deactivated approver is not asked');
      assert.ok(!(await queueOf(b)).some((i) => i.requestId === req.id), 'nor shown the step');
      await refused(b, req.id, 'forbidden');
    });

    test('a delegation still open from a deactivated delegator carries no authority at decision time', async () => {
      const a = await t.user(['approver']);
      const b = await t.user([]);
      await delegate(a, b);
      // A database written before deactivation ended delegations: the delegation is still open.
      await t.store.transact((trx) => trx.updateTable('users').set({ status: 'deactivated' }).where('id', '=', a.id).execute());
      const req = await atApproverStep();
      await refused(b, req.id, 'forbidden');
      assert.ok(!(await queueOf(b)).some((i) => i.requestId === req.id), 'not in the delegate queue');
      assert.equal(await askedToDecide(b, req.id), false);
    });

    test('a delegator who no longer holds the role gives their delegate no authority, and nobody is asked through them', async () => {
      const a = await t.user(['approver']);
      const b = await t.user([]);
      const d = await delegate(a, b);
      await t.store.transact((trx) =>
        setUserRoles(trx, { ctx: systemContext('test'), userId: a.id, roles: { roles: [], systemRoles: {} }, reason: 'Moved team' }),
      );
      const req = await atApproverStep();
      assert.equal(await askedToDecide(b, req.id), false, 'not notified through a role the delegator lost');
      assert.ok(!(await queueOf(b)).some((i) => i.requestId === req.id));
      await refused(b, req.id, 'forbidden');
      const row = await t.store.db.selectFrom('approval_delegations').select('revoked_at').where('id', '=', d.id).executeTakeFirstOrThrow();
      assert.equal(row.revoked_at, null, 'the delegation itself stays; it carries nothing while the role is gone');
    });

    test('a role held for one system delegates authority on that system only', async () => {
      const x = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const y = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const a = await t.user([]);
      const b = await t.user([]);
      await t.store.transact((trx) =>
        setUserRoles(trx, { ctx: systemContext('test'), userId: a.id, roles: { roles: [], systemRoles: { [x.id]: ['approver'] } } }),
      );
      await delegate(a, b);
      const onX = await atApproverStep(x.id);
      const onY = await atApproverStep(y.id);
      assert.equal(await askedToDecide(b, onX.id), true, 'asked for the system the role is held for');
      assert.equal(await askedToDecide(b, onY.id), false, 'not for another system');
      const queue = await queueOf(b);
      assert.equal(queue.find((i) => i.requestId === onX.id)?.onBehalfOf, a.id);
      assert.ok(!queue.some((i) => i.requestId === onY.id));
      await refused(b, onY.id, 'forbidden');
      const ok = await decide(t, b, onX.id);
      assert.equal(ok.statusCode, 200, ok.body);
      const decision = ok.json().decisions.at(-1);
      assert.equal(decision.onBehalfOf.id, a.id);
      assert.equal(decision.approverRole, `approver@${x.id}`);
      assert.equal(ok.json().status, 'approved');
    });

    test('a delegate never approves the requester’s own request on the requester’s behalf', async () => {
      const both = await t.user(['contributor', 'approver']);
      const b = await t.user([]);
      await delegate(both, b);
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const req = await requestApproval(t, both, { kind: 'intended_use_change', subjectId: s.id, change: { intendedUse: 'Own request' } });
      assert.equal((await decide(t, owner, req.id)).statusCode, 200);
      const decisions = () => t.store.db.selectFrom('approval_decisions').select('id').where('request_id', '=', req.id).execute();
      assert.equal((await decisions()).length, 1);
      await refused(b, req.id, 'self_approval_forbidden');
      assert.equal((await decisions()).length, 1, 'no decision row either');
    });

    test('a person counts once: a step filled through their delegate and another in person', async () => {
      // p is the system's accountable owner (system owner step) and holds the approver role.
      const p = await t.user(['approver']);
      const d = await t.user([]);
      const other = await t.user(['approver']);
      await delegate(p, d);
      const s = await buildSystem(t.store, { accountableOwnerId: p.id });
      const byDelegateFirst = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s.id,
        change: { intendedUse: 'Through the delegate first' },
      });
      const viaDelegate = await decide(t, d, byDelegateFirst.id);
      assert.equal(viaDelegate.statusCode, 200, viaDelegate.body);
      assert.equal(viaDelegate.json().decisions.at(-1).onBehalfOf.id, p.id, 'd filled the system owner step for p');
      await refused(p, byDelegateFirst.id, 'duplicate_approver');
      assert.equal((await decide(t, other, byDelegateFirst.id)).json().status, 'approved', 'someone else completes it');

      const s2 = await buildSystem(t.store, { accountableOwnerId: p.id });
      const inPersonFirst = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s2.id,
        change: { intendedUse: 'In person first' },
      });
      assert.equal((await decide(t, p, inPersonFirst.id)).statusCode, 200, 'p fills the system owner step in person');
      await refused(d, inPersonFirst.id, 'duplicate_approver');
      assert.ok(!(await queueOf(d)).some((i) => i.requestId === inPersonFirst.id), 'the delegate is not offered the second step');
    });
  });
}

// APR-101: who may delegate to whom, for what period and why; who revokes, and how often.
for (const dialect of DIALECTS) {
  describe(`making and revoking a delegation [${dialect}]`, () => {
    let t: TestApp;
    let delegator: TestUser;
    let delegateUser: TestUser;
    let admin: TestUser;
    beforeEach(async () => {
      t = await createTestApp(dialect);
      [delegator, delegateUser, admin] = await Promise.all([t.user(['approver']), t.user([]), t.user(['admin'])]);
    });
    afterEach(() => t.close());

    const delegationCount = async () => (await t.store.db.selectFrom('approval_delegations').select('id').execute()).length;
    /** The attempt is refused with `code` (and `field` when given), writing nothing. */
    const refused = async (attempt: () => Promise<LightMyRequestResponse>, code: string, field?: string) => {
      const [ledgerBefore, rowsBefore] = [await ledgerSize(t.store), await delegationCount()];
      const res = await attempt();
      assert.equal(errorCode(res), code, res.body);
      if (field !== undefined) assert.equal(res.json().error.details.field, field, res.body);
      assert.equal(await ledgerSize(t.store), ledgerBefore, 'the refusal wrote no ledger event');
      assert.equal(await delegationCount(), rowsBefore, 'nor a delegation');
    };
    const offer = (body: Record<string, unknown>) =>
      t.call(delegator, 'POST', '/api/v1/approvals/delegations', {
        delegateId: delegateUser.id,
        endsAt: IN_A_DAY(),
        reason: 'On leave for two weeks',
        ...body,
      });

    test('a delegation goes to another active user, for a period ending after it starts, with a reason; anything else writes nothing', async () => {
      await refused(() => offer({ delegateId: delegator.id }), 'validation_failed', 'delegateId');
      await refused(() => offer({ delegateId: randomUUID() }), 'validation_failed', 'delegateId');
      const gone = await t.user([]);
      const deactivated = await t.call(admin, 'POST', `/api/v1/users/${gone.id}/deactivate`, { reason: 'Left the company' });
      assert.equal(deactivated.statusCode, 200, deactivated.body);
      await refused(() => offer({ delegateId: gone.id }), 'validation_failed', 'delegateId');

      const startsAt = new Date(Date.now() + 86_400_000).toISOString();
      await refused(() => offer({ startsAt, endsAt: startsAt }), 'validation_failed', 'endsAt');
      await refused(() => offer({ startsAt, endsAt: new Date(Date.parse(startsAt) - 1000).toISOString() }), 'validation_failed', 'endsAt');
      await refused(() => offer({ endsAt: new Date(Date.now() - 1000).toISOString() }), 'validation_failed', 'endsAt');

      await refused(() => offer({ reason: '   ' }), 'validation_failed', 'reason');
      await refused(() => offer({ reason: 'ok' }), 'validation_failed', 'reason');

      const before = await ledgerSize(t.store);
      const ok = await offer({ startsAt, endsAt: new Date(Date.parse(startsAt) + 1000).toISOString() });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(await ledgerSize(t.store), before + 1, 'the delegation and its event');
      assert.equal(await delegationCount(), 1);
    });

    test('only a named person delegates', async () => {
      const before = await ledgerSize(t.store);
      await assert.rejects(
        t.store.transact((trx) =>
          createDelegation(trx, {
            ctx: systemContext('test'),
            input: { delegateId: delegateUser.id, endsAt: IN_A_DAY(), reason: 'On leave for two weeks' },
          }),
        ),
        (e: { code: string }) => e.code === 'forbidden',
      );
      assert.equal(await ledgerSize(t.store), before);
      assert.equal(await delegationCount(), 0);
    });

    test('only the delegator revokes a delegation, an admin or the delegate included, and only once', async () => {
      const made = await offer({});
      assert.equal(made.statusCode, 201, made.body);
      const id = made.json().id as string;
      const revokedAt = async () =>
        (await t.store.db.selectFrom('approval_delegations').select('revoked_at').where('id', '=', id).executeTakeFirstOrThrow())
          .revoked_at;
      const revoke = (user: TestUser) => () => t.call(user, 'POST', `/api/v1/approvals/delegations/${id}/revoke`);

      for (const someoneElse of [admin, delegateUser, await t.user(['approver'])]) {
        await refused(revoke(someoneElse), 'forbidden');
        assert.equal(await revokedAt(), null, 'still in force');
      }
      const before = await ledgerSize(t.store);
      const ok = await revoke(delegator)();
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(await ledgerSize(t.store), before + 1);
      const first = await revokedAt();
      assert.ok(first);
      await refused(revoke(delegator), 'invalid_transition');
      assert.equal(await revokedAt(), first, 'the first revocation stands');
    });
  });
}
