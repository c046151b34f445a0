// Webhook subscriptions as recorded use cases: who subscribed which URL to which events, and who
// turned it off. The signing secret is shown once, at creation, and never written to the ledger.
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError, notFound } from '../errors.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { createWebhookSubscription } from './notifications.service.js';

function requireHttpUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('validation_failed', 'url: is not a valid URL', { field: 'url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new AppError('validation_failed', 'url: must be http or https', { field: 'url' });
  }
  return parsed.toString();
}

export async function subscribeWebhook(trx: Tx, { ctx, input }: { ctx: RequestContext; input: { url: string; events: string[] } }) {
  const events = [...new Set(input.events)].sort();
  if (events.length === 0) throw new AppError('validation_failed', 'events: name at least one event kind, or "*"', { field: 'events' });
  const created = await createWebhookSubscription(trx, { url: requireHttpUrl(input.url), events, createdBy: ctx.actor.userId });
  await appendEvent(trx, ctx, {
    type: 'webhook.subscribed',
    subject: { type: 'webhook_subscription', id: created.id },
    after: { url: created.url, events },
  });
  return { id: created.id, url: created.url, events, active: true, secret: created.secret };
}

export async function deactivateWebhook(trx: Tx, { ctx, id, reason }: { ctx: RequestContext; id: string; reason: string }) {
  const row = await trx
    .selectFrom('webhook_subscriptions')
    .select(['id', 'url', 'events', 'active'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('webhook_subscription', id);
  if (row.active === 0) throw new AppError('invalid_transition', 'the subscription is already inactive');
  await trx.updateTable('webhook_subscriptions').set({ active: 0 }).where('id', '=', id).execute();
  await appendEvent(trx, ctx, {
    type: 'webhook.deactivated',
    subject: { type: 'webhook_subscription', id },
    before: { active: true },
    after: { active: false },
    reason,
  });
  return { id, url: row.url, events: JSON.parse(row.events) as string[], active: false };
}
