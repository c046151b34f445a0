// Escalation of overdue work: exceptions, corrective actions and follow-ups past their due date
// go first to their owner, then to the system's accountable owner, then to the governance leads,
// by email and by webhook (kind `escalation`). Each (item, due date, level) is escalated once.
import { randomUUID } from 'node:crypto';
import { systemContext } from '../../context.js';
import type { Store, Tx } from '../../db/store.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { enqueueEmail, enqueueWebhooks } from '../../notifications/notifications.service.js';
import { OPEN_STATUSES } from './exceptions.policy.js';
import type { EscalationsTable } from './exceptions.tables.js';

/** `owner_and_leads` and `leads_and_admins` widen: the item's owner and the system's accountable
 * owner stay on, joined by the governance leads (global or of the system), then also the admins. */
export type EscalationAudience = 'owner' | 'system_owner' | 'governance_lead' | 'owner_and_leads' | 'leads_and_admins';

/** When each level fires, counted from the due date. */
export const ESCALATION_LEVELS: ReadonlyArray<{ level: number; afterMs: number; audience: EscalationAudience }> = [
  { level: 1, afterMs: 0, audience: 'owner' },
  { level: 2, afterMs: 1 * 86_400_000, audience: 'system_owner' },
  { level: 3, afterMs: 2 * 86_400_000, audience: 'governance_lead' },
];

type ItemType = EscalationsTable['item_type'];

export interface OverdueItem {
  itemType: ItemType;
  itemId: string;
  exceptionId: string;
  systemId: string;
  title: string;
  ownerId: string;
  dueAt: string;
  /** What the message calls it: "Overdue" by default; an unacknowledged alert says so. */
  headline?: string;
}

async function overdueItems(store: Store, now: string): Promise<OverdueItem[]> {
  const exceptions = await store.db
    .selectFrom('exceptions')
    .select(['id', 'system_id', 'title', 'owner_id', 'due_at'])
    .where('status', 'in', [...OPEN_STATUSES])
    .where('due_at', '<=', now)
    .execute();
  const actions = await store.db
    .selectFrom('corrective_actions')
    .innerJoin('exceptions', 'exceptions.id', 'corrective_actions.exception_id')
    .select([
      'corrective_actions.id',
      'exceptions.id as exception_id',
      'exceptions.system_id',
      'corrective_actions.description',
      'corrective_actions.owner_id',
      'corrective_actions.due_at',
    ])
    .where('corrective_actions.status', '=', 'open')
    .where('exceptions.status', 'in', [...OPEN_STATUSES])
    .where('corrective_actions.due_at', '<=', now)
    .execute();
  const followUps = await store.db
    .selectFrom('follow_ups')
    .innerJoin('exceptions', 'exceptions.id', 'follow_ups.exception_id')
    .select([
      'follow_ups.id',
      'exceptions.id as exception_id',
      'exceptions.system_id',
      'follow_ups.description',
      'follow_ups.kind',
      'follow_ups.owner_id',
      'follow_ups.due_at',
    ])
    .where('follow_ups.status', '!=', 'done')
    .where('follow_ups.due_at', '<=', now)
    .execute();
  return [
    ...exceptions.map((e) => ({
      itemType: 'exception' as const,
      itemId: e.id,
      exceptionId: e.id,
      systemId: e.system_id,
      title: e.title,
      ownerId: e.owner_id,
      dueAt: e.due_at,
    })),
    ...actions.map((a) => ({
      itemType: 'corrective_action' as const,
      itemId: a.id,
      exceptionId: a.exception_id,
      systemId: a.system_id,
      title: `Corrective action: ${a.description}`,
      ownerId: a.owner_id,
      dueAt: a.due_at,
    })),
    ...followUps.map((f) => ({
      itemType: 'follow_up' as const,
      itemId: f.id,
      exceptionId: f.exception_id,
      systemId: f.system_id,
      title: `Follow-up (${f.kind}): ${f.description}`,
      ownerId: f.owner_id,
      dueAt: f.due_at,
    })),
  ];
}

async function recipientsFor(trx: Tx, item: OverdueItem, audience: EscalationAudience): Promise<Array<{ id: string; email: string }>> {
  let ids: string[];
  if (audience === 'owner_and_leads' || audience === 'leads_and_admins') {
    const system = await trx.selectFrom('ai_systems').select('accountable_owner_id').where('id', '=', item.systemId).executeTakeFirst();
    const roles = audience === 'owner_and_leads' ? ['governance_lead'] : ['governance_lead', 'admin'];
    const holders = await trx
      .selectFrom('user_roles')
      .select('user_id')
      .where('role', 'in', roles)
      .where('scope', 'in', ['', item.systemId])
      .execute();
    ids = [
      ...new Set([item.ownerId, ...(system?.accountable_owner_id ? [system.accountable_owner_id] : []), ...holders.map((h) => h.user_id)]),
    ];
  } else if (audience === 'owner') ids = [item.ownerId];
  else if (audience === 'system_owner') {
    const system = await trx.selectFrom('ai_systems').select('accountable_owner_id').where('id', '=', item.systemId).executeTakeFirst();
    ids = system?.accountable_owner_id ? [system.accountable_owner_id] : [];
  } else {
    const leads = await trx
      .selectFrom('user_roles')
      .select('user_id')
      .where('role', '=', 'governance_lead')
      .where('scope', '=', '')
      .execute();
    ids = leads.map((l) => l.user_id);
  }
  if (ids.length === 0) return [];
  return trx.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).where('status', '=', 'active').orderBy('email').execute();
}

/** Sends one level of one item's escalation, once: false when it was sent before. Also used by the
 * alerting workflow, whose unacknowledged alerts escalate on their own, faster levels. */
export async function escalateOne(
  trx: Tx,
  item: OverdueItem,
  level: { level: number; audience: EscalationAudience },
  now: string,
  levelCount = ESCALATION_LEVELS.length,
): Promise<boolean> {
  const already = await trx
    .selectFrom('escalations')
    .select('id')
    .where('item_type', '=', item.itemType)
    .where('item_id', '=', item.itemId)
    .where('due_at', '=', item.dueAt)
    .where('level', '=', level.level)
    .executeTakeFirst();
  if (already) return false;
  const recipients = await recipientsFor(trx, item, level.audience);
  const id = randomUUID();
  await trx
    .insertInto('escalations')
    .values({
      id,
      item_type: item.itemType,
      item_id: item.itemId,
      exception_id: item.exceptionId,
      level: level.level,
      due_at: item.dueAt,
      recipients: JSON.stringify(recipients.map((r) => r.id)),
      escalated_at: now,
    })
    .execute();
  const subject = `[Proofline] ${item.headline ?? 'Overdue'} (level ${level.level}): ${item.title}`;
  const body = [
    `${item.title}`,
    `Item: ${item.itemType} ${item.itemId} (exception ${item.exceptionId}, system ${item.systemId})`,
    `Due: ${item.dueAt}`,
    `Escalation level ${level.level} of ${levelCount}: sent to the ${level.audience.replaceAll('_', ' ')}.`,
  ].join('\n');
  for (const r of recipients) await enqueueEmail(trx, { to: r.email, kind: 'escalation', subject, body });
  const payload = {
    escalationId: id,
    level: level.level,
    audience: level.audience,
    itemType: item.itemType,
    itemId: item.itemId,
    exceptionId: item.exceptionId,
    systemId: item.systemId,
    title: item.title,
    dueAt: item.dueAt,
    recipients: recipients.map((r) => r.email),
  };
  await enqueueWebhooks(trx, { kind: 'escalation', payload });
  await appendEvent(trx, systemContext('escalation'), {
    type: 'escalation.sent',
    subject: { type: item.itemType, id: item.itemId },
    after: payload,
    data: { systemId: item.systemId, escalatedAt: now, noRecipients: recipients.length === 0 },
  });
  return true;
}

/** The escalation job: sends every level reached and not yet sent. Returns how many were sent. */
export async function escalateOverdue(store: Store, { now = new Date() }: { now?: Date } = {}): Promise<{ escalated: number }> {
  const nowIso = now.toISOString();
  let escalated = 0;
  for (const item of await overdueItems(store, nowIso)) {
    const reached = ESCALATION_LEVELS.filter((l) => Date.parse(item.dueAt) + l.afterMs <= now.getTime());
    for (const level of reached) {
      if (await store.transact((trx) => escalateOne(trx, item, level, nowIso))) escalated += 1;
    }
  }
  return { escalated };
}
