import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { startSmtp, type TestSmtp } from '../../../test/smtp.js';
import { DIALECTS } from '../../../test/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/webhook-receiver.js';
import { createMailer, deliverDueNotifications, signWebhook } from '../../notifications/notifications.service.js';
import { escalateOverdue } from './escalation.service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const dialect of DIALECTS) {
  describe(`escalation of overdue items [${dialect}]`, () => {
    let t: TestApp;
    let smtp: TestSmtp;
    let receiver: WebhookReceiver;
    let admin: TestUser;
    let itemOwner: TestUser;
    let systemOwner: TestUser;
    let lead: TestUser;
    let resolver: TestUser;
    let systemId: string;
    let secret: string;

    const deliver = () => deliverDueNotifications(t.store, { mailer: createMailer(smtp.url), from: 'proofline@example.test' });

    async function open(overrides: Record<string, unknown>) {
      const res = await t.call(itemOwner, 'POST', '/api/v1/exceptions', {
        systemId,
        kind: 'control_failure',
        title: 'Drift monitor stopped',
        description: 'No drift metrics for 3 days',
        severity: 'critical',
        raisedBy: { type: 'alert', ref: 'monitor:drift' },
        ownerId: itemOwner.id,
        resolverId: resolver.id,
        ...overrides,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; dueAt: string; version: number };
    }

    before(async () => {
      t = await createTestApp(dialect);
      smtp = await startSmtp();
      receiver = await startWebhookReceiver();
      admin = await t.user(['admin']);
      itemOwner = await t.user(['contributor']);
      systemOwner = await t.user(['system_owner']);
      lead = await t.user(['governance_lead']);
      resolver = await t.user(['contributor']);
      systemId = (await buildSystem(t.store, { accountableOwnerId: systemOwner.id })).id;
      const sub = await t.call(admin, 'POST', '/api/v1/webhooks', { url: receiver.url, events: ['escalation'] });
      assert.equal(sub.statusCode, 201, sub.body);
      secret = sub.json().secret;
    });
    after(async () => {
      await t.close();
      await smtp.close();
      await receiver.close();
    });

    test('an overdue exception escalates to the owner, then the system owner, then governance leads, each level once', async () => {
      const ex = await open({ detectedAt: new Date(Date.now() - 5 * DAY).toISOString() });
      const due = Date.parse(ex.dueAt);

      assert.deepEqual(await escalateOverdue(t.store, { now: new Date(due - HOUR) }), { escalated: 0 }, 'not yet due');
      assert.deepEqual(await escalateOverdue(t.store, { now: new Date(due + HOUR) }), { escalated: 1 });
      assert.deepEqual(await escalateOverdue(t.store, { now: new Date(due + 2 * HOUR) }), { escalated: 0 }, 'level 1 is not sent twice');
      await deliver();
      const toOwner = await smtp.waitFor((m) => m.to.includes(itemOwner.email));
      assert.match(toOwner.subject, /level 1/);
      assert.match(toOwner.text, new RegExp(ex.id));

      assert.deepEqual(await escalateOverdue(t.store, { now: new Date(due + DAY + HOUR) }), { escalated: 1 });
      assert.deepEqual(await escalateOverdue(t.store, { now: new Date(due + 2 * DAY + HOUR) }), { escalated: 1 });
      await deliver();
      const toSystemOwner = await smtp.waitFor((m) => m.to.includes(systemOwner.email));
      assert.match(toSystemOwner.subject, /level 2/);
      const toLead = await smtp.waitFor((m) => m.to.includes(lead.email));
      assert.match(toLead.subject, /level 3/);

      const hooks = await receiver.waitFor(3);
      const levels = hooks.map((h) => {
        const timestamp = String(h.headers['x-proofline-timestamp']);
        assert.equal(h.headers['x-proofline-signature'], signWebhook(secret, timestamp, h.body), 'signed with the subscription secret');
        const body = JSON.parse(h.body);
        assert.equal(body.kind, 'escalation');
        assert.equal(body.data.itemId, ex.id);
        return body.data.level;
      });
      assert.deepEqual(levels, [1, 2, 3]);

      const rows = await t.store.db
        .selectFrom('escalations')
        .select(['level', 'recipients'])
        .where('item_id', '=', ex.id)
        .orderBy('level')
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.level, JSON.parse(r.recipients)]),
        [
          [1, [itemOwner.id]],
          [2, [systemOwner.id]],
          [3, [lead.id]],
        ],
      );
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select('type')
        .where('subject_id', '=', ex.id)
        .where('type', '=', 'escalation.sent')
        .execute();
      assert.equal(events.length, 3);
      assert.deepEqual(await escalateOverdue(t.store, { now: new Date(due + 5 * DAY) }), { escalated: 0 }, 'nothing beyond level 3');
    });

    test('overdue corrective actions and follow-ups escalate to their own owners; closed-out exceptions do not', async () => {
      const ex = await open({ severity: 'low' });
      const action = await t.call(itemOwner, 'POST', `/api/v1/exceptions/${ex.id}/corrective-actions`, {
        description: 'Restart the drift monitor with alerting',
        ownerId: resolver.id,
        dueAt: new Date(Date.now() - 2 * HOUR).toISOString(),
      });
      assert.equal(action.statusCode, 201, action.body);
      const lesson = await t.call(itemOwner, 'POST', `/api/v1/exceptions/${ex.id}/lessons`, {
        text: 'Monitors need their own heartbeat',
        followUps: [
          {
            kind: 'training_need',
            description: 'Train on-call on monitor heartbeats',
            ownerId: systemOwner.id,
            dueAt: new Date(Date.now() - HOUR).toISOString(),
          },
        ],
      });
      assert.equal(lesson.statusCode, 201, lesson.body);
      const rejected = await open({ detectedAt: new Date(Date.now() - 3 * DAY).toISOString() });
      const rej = await t.call(itemOwner, 'POST', `/api/v1/exceptions/${rejected.id}/transitions`, {
        to: 'rejected',
        reason: 'a false alarm after all',
        version: rejected.version,
      });
      assert.equal(rej.statusCode, 200, rej.body);

      smtp.messages.length = 0;
      const result = await escalateOverdue(t.store, { now: new Date() });
      assert.equal(result.escalated, 2);
      await deliver();
      const actionMail = await smtp.waitFor((m) => m.to.includes(resolver.email));
      assert.match(actionMail.subject, /Corrective action: Restart the drift monitor/);
      const followUpMail = await smtp.waitFor((m) => m.to.includes(systemOwner.email));
      assert.match(followUpMail.subject, /Follow-up \(training_need\)/);
      const rows = await t.store.db
        .selectFrom('escalations')
        .select('item_type')
        .where('exception_id', 'in', [ex.id, rejected.id])
        .orderBy('item_type')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.item_type),
        ['corrective_action', 'follow_up'],
      );
    });

    test('webhook subscriptions are admin-only, listed without secrets, and can be deactivated', async () => {
      const denied = await t.call(lead, 'POST', '/api/v1/webhooks', { url: receiver.url, events: ['escalation'] });
      assert.equal(denied.statusCode, 403);
      const bad = await t.call(admin, 'POST', '/api/v1/webhooks', { url: 'ftp://example.test/x', events: ['escalation'] });
      assert.equal(bad.statusCode, 400);
      const list = await t.call(admin, 'GET', '/api/v1/webhooks?active=true');
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().total, 1);
      assert.equal(list.json().items[0].secret, undefined);
      const id = list.json().items[0].id;
      const off = await t.call(admin, 'POST', `/api/v1/webhooks/${id}/deactivate`, { reason: 'receiver retired' });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().active, false);
      const events = await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', id).orderBy('seq').execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['webhook.subscribed', 'webhook.deactivated'],
      );
    });
  });
}
