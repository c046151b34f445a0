// Notifications: queued in the outbox inside the domain transaction (so a rolled-back change
// notifies nobody), delivered after commit by deliverDueNotifications (email over SMTP, webhooks
// as HMAC-signed JSON), retried with exponential backoff.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type Nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Database } from '../db/schema.js';
import type { Store, Tx } from '../db/store.js';
import { onFirstUse } from '../lazy.js';

export const MAX_ATTEMPTS = 8;
export const BASE_BACKOFF_MS = 2_000;
const LEASE_MS = 60_000;

export interface EmailMessage {
  to: string;
  kind: string;
  subject: string;
  body: string;
}

export async function enqueueEmail(trx: Tx, message: EmailMessage): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await trx
    .insertInto('notifications')
    .values({
      id,
      channel: 'email',
      target: message.to,
      kind: message.kind,
      subject: message.subject,
      body: message.body,
      payload: '{}',
      subscription_id: null,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      created_at: now,
      sent_at: null,
    })
    .execute();
  return id;
}

/** Queues one delivery per active subscription that wants this event kind. */
export async function enqueueWebhooks(trx: Tx, event: { kind: string; payload: Record<string, unknown> }): Promise<string[]> {
  const subscriptions = await trx.selectFrom('webhook_subscriptions').select(['id', 'url', 'events']).where('active', '=', 1).execute();
  const now = new Date().toISOString();
  const ids: string[] = [];
  for (const sub of subscriptions) {
    const wanted = JSON.parse(sub.events) as string[];
    if (!wanted.includes('*') && !wanted.includes(event.kind)) continue;
    const id = randomUUID();
    ids.push(id);
    const body = JSON.stringify({ id, kind: event.kind, createdAt: now, data: event.payload });
    await trx
      .insertInto('notifications')
      .values({
        id,
        channel: 'webhook',
        target: sub.url,
        kind: event.kind,
        subject: event.kind,
        body,
        payload: body,
        subscription_id: sub.id,
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .execute();
  }
  return ids;
}

export async function createWebhookSubscription(trx: Tx, input: { url: string; events: string[]; createdBy: string | null }) {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  await trx
    .insertInto('webhook_subscriptions')
    .values({
      id,
      url: input.url,
      secret,
      events: JSON.stringify(input.events),
      active: 1,
      created_at: new Date().toISOString(),
      created_by: input.createdBy,
    })
    .execute();
  return { id, url: input.url, events: input.events, secret };
}

/** `X-Proofline-Signature: sha256=<hex>` over `<timestamp>.<body>`, so a replayed body with a new timestamp fails. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface Delivery {
  mailer: Transporter | null;
  from: string;
  fetchTimeoutMs?: number;
}

const nodemailer = onFirstUse<typeof Nodemailer>('nodemailer');

/** The SMTP transport, or null (no mail configured: nodemailer is then never loaded). */
export function createMailer(smtpUrl: string | null): Transporter | null {
  return smtpUrl ? nodemailer().createTransport(smtpUrl) : null;
}

async function claimDue(store: Store, limit: number) {
  return store.transact(async (trx) => {
    const now = new Date();
    const due = await trx
      .selectFrom('notifications')
      .select(['id', 'channel', 'target', 'subject', 'body', 'subscription_id', 'attempts'])
      .where((eb) => eb.or([eb('status', '=', 'pending'), eb('status', '=', 'sending')]))
      .where('next_attempt_at', '<=', now.toISOString())
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    if (due.length === 0) return [];
    // A lease: if this process dies mid-delivery, another picks the row up after LEASE_MS.
    await trx
      .updateTable('notifications')
      .set({ status: 'sending', next_attempt_at: new Date(now.getTime() + LEASE_MS).toISOString() })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .execute();
    return due;
  });
}

async function secretOf(db: Kysely<Database>, subscriptionId: string | null): Promise<string> {
  if (!subscriptionId) return '';
  const row = await db.selectFrom('webhook_subscriptions').select('secret').where('id', '=', subscriptionId).executeTakeFirst();
  return row?.secret ?? '';
}

async function send(store: Store, delivery: Delivery, item: Awaited<ReturnType<typeof claimDue>>[number]): Promise<void> {
  if (item.channel === 'email') {
    if (!delivery.mailer) throw new Error('no SMTP server configured (PROOFLINE_SMTP_URL)');
    await delivery.mailer.sendMail({ from: delivery.from, to: item.target, subject: item.subject, text: item.body });
    return;
  }
  const timestamp = String(Date.now());
  const secret = await secretOf(store.db, item.subscription_id);
  const response = await fetch(item.target, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-proofline-timestamp': timestamp,
      'x-proofline-signature': signWebhook(secret, timestamp, item.body),
      'x-proofline-delivery': item.id,
    },
    body: item.body,
    signal: AbortSignal.timeout(delivery.fetchTimeoutMs ?? 10_000),
  });
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
}

/** Delivers what is due; returns counts. Safe to run from several processes. */
export async function deliverDueNotifications(store: Store, delivery: Delivery, limit = 50) {
  const due = await claimDue(store, limit);
  let sent = 0;
  let failed = 0;
  for (const item of due) {
    try {
      await send(store, delivery, item);
      sent += 1;
      await store.transact((trx) =>
        trx
          .updateTable('notifications')
          .set({ status: 'sent', sent_at: new Date().toISOString(), attempts: item.attempts + 1, last_error: null })
          .where('id', '=', item.id)
          .execute(),
      );
    } catch (error) {
      failed += 1;
      const attempts = item.attempts + 1;
      const giveUp = attempts >= MAX_ATTEMPTS;
      const next = new Date(Date.now() + BASE_BACKOFF_MS * 2 ** (attempts - 1)).toISOString();
      await store.transact((trx) =>
        trx
          .updateTable('notifications')
          .set({
            status: giveUp ? 'failed' : 'pending',
            attempts,
            next_attempt_at: next,
            last_error: (error as Error).message.slice(0, 500),
          })
          .where('id', '=', item.id)
          .execute(),
      );
    }
  }
  return { sent, failed };
}
