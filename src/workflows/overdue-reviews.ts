// Overdue reviews escalate like exceptions (modules/exceptions' ESCALATION_LEVELS): at the due date
// the review's own people (preparer and the signatories yet to sign), a day later the system's
// accountable owner, two days later the governance leads (levels 2 and 3 are configuration:
// PROOFLINE_REVIEW_ESCALATION_HOURS); by email and by webhook (`escalation`).
// Each (review, due date, level) is escalated once (review_escalations' primary key).
import { systemContext } from '../context.js';
import type { Store, Tx } from '../db/store.js';
import { reviewOverdue } from '../governance/review-schedule.js';
import { appendEvent } from '../ledger/ledger.service.js';
import { ESCALATION_LEVELS } from '../modules/exceptions/escalation.service.js';
import { enqueueEmail, enqueueWebhooks } from '../notifications/notifications.service.js';

type Level = (typeof ESCALATION_LEVELS)[number];

interface OverdueReview {
  id: string;
  system_id: string;
  kind: string;
  due_at: string;
  preparer_id: string;
  reviewer_id: string;
  second_signatory_id: string;
  status: string;
}

async function recipientIds(trx: Tx, review: OverdueReview, level: Level): Promise<string[]> {
  if (level.audience === 'owner') {
    const signed = await trx.selectFrom('review_signatures').select('signer_id').where('review_id', '=', review.id).execute();
    const done = new Set(signed.map((s) => s.signer_id));
    // Before findings only the preparer can act; then the signatories still to sign.
    if (review.status === 'prepared') return [review.preparer_id];
    return [review.reviewer_id, review.second_signatory_id].filter((id) => !done.has(id));
  }
  if (level.audience === 'system_owner') {
    const system = await trx.selectFrom('ai_systems').select('accountable_owner_id').where('id', '=', review.system_id).executeTakeFirst();
    return system?.accountable_owner_id ? [system.accountable_owner_id] : [];
  }
  const leads = await trx
    .selectFrom('user_roles')
    .select('user_id')
    .where('role', '=', 'governance_lead')
    .where('scope', '=', '')
    .execute();
  return leads.map((l) => l.user_id);
}

async function escalateOne(trx: Tx, review: OverdueReview, level: Level, now: string): Promise<boolean> {
  const already = await trx
    .selectFrom('review_escalations')
    .select('level')
    .where('review_id', '=', review.id)
    .where('due_at', '=', review.due_at)
    .where('level', '=', level.level)
    .executeTakeFirst();
  if (already) return false;
  const ids = await recipientIds(trx, review, level);
  const recipients =
    ids.length === 0
      ? []
      : await trx
          .selectFrom('users')
          .select(['id', 'email'])
          .where('id', 'in', ids)
          .where('status', '=', 'active')
          .orderBy('email')
          .execute();
  await trx
    .insertInto('review_escalations')
    .values({
      review_id: review.id,
      due_at: review.due_at,
      level: level.level,
      recipients: JSON.stringify(recipients.map((r) => r.id)),
      escalated_at: now,
    })
    .execute();
  const title = `Overdue ${review.kind} review of system ${review.system_id}`;
  const subject = `[Proofline] Overdue (level ${level.level}): ${title}`;
  const body = [
    title,
    `Review: ${review.id} (status ${review.status})`,
    `Due: ${review.due_at}`,
    `Escalation level ${level.level} of ${ESCALATION_LEVELS.length}: sent to the ${level.audience.replaceAll('_', ' ')}.`,
  ].join('\n');
  for (const r of recipients) await enqueueEmail(trx, { to: r.email, kind: 'escalation', subject, body });
  const payload = {
    level: level.level,
    audience: level.audience,
    itemType: 'review',
    itemId: review.id,
    systemId: review.system_id,
    title,
    dueAt: review.due_at,
    recipients: recipients.map((r) => r.email),
  };
  await enqueueWebhooks(trx, { kind: 'escalation', payload });
  await appendEvent(trx, systemContext('escalation'), {
    type: 'review.escalated',
    subject: { type: 'review', id: review.id },
    after: payload,
    data: { systemId: review.system_id, escalatedAt: now, noRecipients: recipients.length === 0 },
  });
  return true;
}

/** The job: every level reached by an overdue review and not yet sent. */
export async function escalateOverdueReviews(
  store: Store,
  { now = new Date(), escalationHours }: { now?: Date; escalationHours?: readonly [number, number] } = {},
): Promise<{ escalated: number }> {
  const nowIso = now.toISOString();
  const levels: Level[] = escalationHours
    ? ESCALATION_LEVELS.map((l) => (l.level === 1 ? l : { ...l, afterMs: escalationHours[l.level - 2] * 3_600_000 }))
    : [...ESCALATION_LEVELS];
  const overdue = await store.db
    .selectFrom('reviews')
    .select(['id', 'system_id', 'kind', 'due_at', 'preparer_id', 'reviewer_id', 'second_signatory_id', 'status'])
    .where(reviewOverdue(nowIso))
    .orderBy('due_at')
    .execute();
  let escalated = 0;
  for (const review of overdue) {
    for (const level of levels.filter((l) => Date.parse(review.due_at) + l.afterMs <= now.getTime())) {
      if (await store.transact((trx) => escalateOne(trx, review, level, nowIso))) escalated += 1;
    }
  }
  return { escalated };
}
