import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSmtp, type TestSmtp } from '../../test/smtp.js';
import { createTestStore, DIALECTS } from '../../test/stores.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../test/webhook-receiver.js';
import type { Store } from '../db/store.js';
import {
  createMailer,
  createWebhookSubscription,
  deliverDueNotifications,
  enqueueEmail,
  enqueueWebhooks,
  signWebhook,
} from './notifications.service.js';

for (const dialect of DIALECTS) {
  describe(`notifications [${dialect}]`, () => {
    let store: Store;
    let smtp: TestSmtp;
    let receiver: WebhookReceiver;
    before(async () => {
      store = await createTestStore(dialect);
      smtp = await startSmtp();
      receiver = await startWebhookReceiver();
    });
    after(async () => {
      await store.close();
      await smtp.close();
      await receiver.close();
    });

    test('an email queued in a committed transaction arrives at a real SMTP server', async () => {
      await store.transact((trx) =>
        enqueueEmail(trx, { to: 'approver@example.test', kind: 'test', subject: 'Approval waiting', body: 'Please decide on request 42.' }),
      );
      const result = await deliverDueNotifications(store, { mailer: createMailer(smtp.url), from: 'proofline@example.test' });
      assert.equal(result.sent, 1);
      const mail = await smtp.waitFor((m) => m.to.includes('approver@example.test'));
      assert.equal(mail.subject, 'Approval waiting');
      assert.match(mail.text, /request 42/);
    });

    test('an email queued in a rolled-back transaction is never sent', async () => {
      const rollback = new Error('rolled back after queueing');
      let queued = false;
      await assert.rejects(
        store.transact(async (trx) => {
          await enqueueEmail(trx, { to: 'ghost@example.test', kind: 'test', subject: 'Never', body: 'x' });
          queued = true;
          throw rollback;
        }),
        (error) => error === rollback,
      );
      assert.ok(queued, 'the email was queued before the transaction failed');
      const rows = await store.db.selectFrom('notifications').select('id').where('target', '=', 'ghost@example.test').execute();
      assert.equal(rows.length, 0, 'the queued row went with the rollback');
      await deliverDueNotifications(store, { mailer: createMailer(smtp.url), from: 'p@example.test' });
      assert.ok(!smtp.messages.some((m) => m.to.includes('ghost@example.test')));
    });

    test('webhooks are HMAC-signed and retried with backoff after failures', async () => {
      const sub = await store.transact((trx) =>
        createWebhookSubscription(trx, { url: receiver.url, events: ['escalation'], createdBy: null }),
      );
      await store.transact((trx) => enqueueWebhooks(trx, { kind: 'escalation', payload: { item: 'x1' } }));
      await store.transact((trx) => enqueueWebhooks(trx, { kind: 'other-kind', payload: {} }));
      receiver.failNext(1);
      const first = await deliverDueNotifications(store, { mailer: null, from: 'p@example.test' });
      assert.equal(first.failed, 1);
      const row = await store.db
        .selectFrom('notifications')
        .select(['status', 'attempts', 'next_attempt_at'])
        .where('channel', '=', 'webhook')
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.ok(row.next_attempt_at > new Date().toISOString(), 'the retry waits');
      await store.transact((trx) =>
        trx
          .updateTable('notifications')
          .set({ next_attempt_at: new Date(0).toISOString() })
          .where('channel', '=', 'webhook')
          .execute(),
      );
      const second = await deliverDueNotifications(store, { mailer: null, from: 'p@example.test' });
      assert.equal(second.sent, 1);
      const [hook] = await receiver.waitFor(1);
      const timestamp = String(hook.headers['x-proofline-timestamp']);
      assert.equal(hook.headers['x-proofline-signature'], signWebhook(sub.secret, timestamp, hook.body));
      assert.equal(JSON.parse(hook.body).data.item, 'x1');
      assert.equal(receiver.received.length, 1, 'the subscription did not want other-kind');
    });
  });
}
