import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, registerModel, requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { startSmtp, type TestSmtp } from '../../../test/smtp.js';
import { DIALECTS } from '../../../test/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/webhook-receiver.js';
import { systemContext } from '../../context.js';
import { createMailer, createWebhookSubscription, deliverDueNotifications } from '../../notifications/notifications.service.js';
import { escalateOverdueApprovals } from '../../workflows/emergency-change.js';

for (const dialect of DIALECTS) {
  describe(`approval flows [${dialect}]`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    let receiver: WebhookReceiver;
    let owner: TestUser;
    let requester: TestUser;
    let riskOfficer: TestUser;
    let dpo: TestUser;
    let lead: TestUser;
    let admin: TestUser;
    before(async () => {
      t = await createTestApp(dialect);
      smtp = await startSmtp();
      receiver = await startWebhookReceiver();
      [owner, requester, riskOfficer, dpo, lead, admin] = await Promise.all([
        t.user([]),
        t.user(['contributor']),
        t.user(['approver']),
        t.user([]),
        t.user(['governance_lead']),
        t.user(['admin']),
      ]);
    });
    after(async () => {
      await t.close();
      await smtp.close();
      await receiver.close();
    });
    const deliver = () => deliverDueNotifications(t.store, { mailer: createMailer(smtp.url), from: 'proofline@example.test' });

    test('approvers are emailed over SMTP when a request waits for them', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const req = await requestApproval(t, requester, { kind: 'system_use', subjectId: s.id, title: 'Put the scorer to use' });
      await deliver();
      const mail = await smtp.waitFor((m) => m.to.includes(owner.email) && m.text.includes(req.id));
      assert.match(mail.subject, /Put the scorer to use/);
      assert.ok(mail.text.includes(req.contentDigest), 'the mail names the digest to sign');
      assert.ok(!smtp.messages.some((m) => m.to.includes(requester.email) && m.text.includes(req.id)), 'the requester is not asked');
      await decide(t, owner, req.id);
      await deliver();
      await smtp.waitFor((m) => m.to.includes(riskOfficer.email) && m.text.includes(req.id));
    });

    test('a high-risk deployment end to end, its whole trail read back from the ledger in order', async () => {
      const policy = await requestApproval(t, lead, {
        kind: 'policy_change',
        subjectId: 'model_deployment:high',
        change: {
          steps: [
            { name: 'System owner', stage: 1, roles: ['system_owner'], required: 1 },
            { name: 'Risk officer', stage: 2, roles: ['approver'], required: 1 },
            { name: 'Data-protection officer', stage: 2, userIds: [dpo.id], required: 1 },
          ],
        },
      });
      assert.equal((await decide(t, admin, policy.id)).json().status, 'approved');

      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' });
      const mv = await registerModel(t, s.id, 'credit-v7');
      const req = await requestApproval(t, requester, { kind: 'model_deployment', subjectId: mv.id, title: 'Deploy credit-v7' });
      const early = await decide(t, dpo, req.id);
      assert.equal(early.statusCode, 403, 'the second stage waits for the system owner');
      assert.equal((await decide(t, owner, req.id)).json().status, 'pending');
      assert.equal((await decide(t, riskOfficer, req.id)).json().status, 'pending', 'both second-stage steps are needed');
      const done = await decide(t, dpo, req.id);
      const view = done.json();
      assert.equal(view.status, 'approved');
      assert.ok(view.appliedAt);
      assert.deepEqual(view.policy, { id: 'model_deployment:high', version: 2 });
      assert.deepEqual(
        view.decisions.map((d: { approverRole: string }) => d.approverRole),
        [`system_owner@${s.id}`, 'approver', 'named'],
      );
      const row = await t.store.db
        .selectFrom('model_versions')
        .select(['status', 'deployed_at'])
        .where('id', '=', mv.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'deployed');

      const trail = await t.call(lead, 'GET', `/api/v1/ledger/events?subjectId=${req.id}&limit=100`);
      assert.equal(trail.statusCode, 200, trail.body);
      const events = trail.json().items as Array<{
        seq: number;
        type: string;
        event: { after?: Record<string, unknown>; reason?: string };
      }>;
      assert.deepEqual(
        events.map((e) => e.type),
        ['approval.requested', 'approval.granted', 'approval.granted', 'approval.granted', 'approval.completed', 'approval.applied'],
      );
      for (const granted of events.filter((e) => e.type === 'approval.granted')) {
        assert.equal(granted.event.after?.contentDigest, req.contentDigest, 'each decision names the digest it signed');
        assert.ok((granted.event.reason ?? '').length >= t.config.minRationaleLength);
      }
      const approvers = events
        .filter((e) => e.type === 'approval.granted')
        .map((e) => (e.event.after?.approver as { id: string } | undefined)?.id);
      assert.deepEqual(approvers, [owner.id, riskOfficer.id, dpo.id]);
      const seqs = events.map((e) => e.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        'in ledger order',
      );

      // The change's evidence is its own event (filed under the system), which names its change record.
      const deployed = await t.call(lead, 'GET', `/api/v1/ledger/events?subjectId=${s.id}&type=model_version.deployed`);
      const change = deployed.json().items[0];
      assert.equal(change.event.after.status, 'deployed');
      assert.equal(change.event.data.approvalRequestId, req.id);
      assert.ok(change.seq > events[4].seq && change.seq < events[5].seq, 'the effect is applied in the completing transaction');

      const records = (await t.call(lead, 'GET', `/api/v1/change-records?subjectId=${mv.id}`)).json();
      assert.equal(records.total, 1);
      assert.equal(records.items[0].eventId, change.event.id, 'the change record indexes that event');
      assert.equal(change.event.data.changeRecordId, records.items[0].id);
      assert.deepEqual(
        records.items[0].diff.find((d: { path: string }) => d.path === 'status'),
        { path: 'status', before: 'registered', after: 'deployed' },
      );
      const compare = await t.call(lead, 'GET', `/api/v1/model-versions/${mv.id}/versions/compare?from=1&to=2`);
      assert.equal(compare.statusCode, 200, compare.body);
      assert.ok(compare.json().diff.some((d: { path: string; after: unknown }) => d.path === 'status' && d.after === 'deployed'));
    });

    test('an emergency change opens an exception, and a missed retrospective approval escalates once', async () => {
      await t.store.transact((trx) =>
        createWebhookSubscription(trx, { url: receiver.url, events: ['approval.retrospective_overdue'], createdBy: null }),
      );
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const req = await requestApproval(t, requester, { kind: 'system_use', subjectId: s.id });
      const bypass = await t.call(lead, 'POST', `/api/v1/approvals/requests/${req.id}/emergency`, {
        reason: 'Regulator deadline today; fraud spike',
      });
      assert.equal(bypass.statusCode, 200, bypass.body);
      const { exceptionId, retrospectiveDueAt } = bypass.json();
      const exception = await t.store.db
        .selectFrom('exceptions')
        .select(['kind', 'system_id'])
        .where('id', '=', exceptionId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(exception, { kind: 'emergency_change', system_id: s.id });
      const system = await t.store.db.selectFrom('ai_systems').select('status').where('id', '=', s.id).executeTakeFirstOrThrow();
      assert.equal(system.status, 'approved_for_use');
      const record = await t.store.db
        .selectFrom('change_records')
        .select(['exception_id', 'approval_request_id'])
        .where('subject_id', '=', s.id)
        .executeTakeFirstOrThrow();
      assert.equal(record.exception_id, exceptionId);
      const hours = (Date.parse(retrospectiveDueAt) - Date.now()) / 3_600_000;
      assert.ok(hours > 47.9 && hours <= 48, 'due within the default 48 h');

      const ctx = systemContext('test');
      assert.equal((await t.store.transact((trx) => escalateOverdueApprovals(trx, { ctx, now: new Date() }))).escalated, 0, 'not yet due');
      const late = new Date(Date.now() + 49 * 3_600_000);
      assert.equal((await t.store.transact((trx) => escalateOverdueApprovals(trx, { ctx, now: late }))).escalated, 1);
      assert.equal((await t.store.transact((trx) => escalateOverdueApprovals(trx, { ctx, now: late }))).escalated, 0, 'once');
      await deliver();
      const mail = await smtp.waitFor((m) => m.to.includes(lead.email) && m.subject.startsWith('Overdue retrospective approval'));
      assert.ok(mail.text.includes(exceptionId));
      const [hook] = await receiver.waitFor(1);
      assert.equal(JSON.parse(hook.body).data.requestId, req.id);

      assert.equal((await decide(t, lead, req.id)).statusCode, 403, 'whoever made the emergency change does not approve it');
      await decide(t, owner, req.id);
      const retro = (await decide(t, riskOfficer, req.id)).json();
      assert.equal(retro.status, 'approved');
      const changes = await t.store.db.selectFrom('change_records').select('id').where('subject_id', '=', s.id).execute();
      assert.equal(changes.length, 1, 'the retrospective approval does not apply the change twice');
      const completed = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', req.id)
        .where('type', '=', 'approval.completed')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(completed.leaf).after.retrospective, true);
    });

    test('an emergency deployment deploys the model version at once, under its exception', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const mv = await registerModel(t, s.id);
      const req = await requestApproval(t, requester, { kind: 'model_deployment', subjectId: mv.id });
      const res = await t.call(admin, 'POST', `/api/v1/approvals/requests/${req.id}/emergency`, {
        reason: 'Hotfix for a discriminatory threshold',
      });
      assert.equal(res.statusCode, 200, res.body);
      const row = await t.store.db.selectFrom('model_versions').select('status').where('id', '=', mv.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'deployed');
      const record = await t.store.db
        .selectFrom('change_records')
        .select('exception_id')
        .where('subject_id', '=', mv.id)
        .executeTakeFirstOrThrow();
      assert.equal(record.exception_id, res.json().exceptionId);
    });

    test('two versions of a system are compared side by side from the ledger', async () => {
      const s = await buildSystem(t.store, { accountableOwnerId: owner.id, intendedUse: 'Credit decisions' });
      const req = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: s.id,
        change: { intendedUse: 'Credit and fraud decisions' },
      });
      await decide(t, owner, req.id);
      await decide(t, riskOfficer, req.id);
      const res = await t.call(lead, 'GET', `/api/v1/systems/${s.id}/versions/compare?from=1&to=2`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.to.state.intendedUse, 'Credit and fraud decisions');
      assert.ok(
        body.diff.some((d: { path: string; after: unknown }) => d.path === 'intendedUse' && d.after === 'Credit and fraud decisions'),
      );
      const missing = await t.call(lead, 'GET', `/api/v1/systems/${s.id}/versions/compare?from=1&to=9`);
      assert.equal(missing.statusCode, 404);
    });
  });
}
