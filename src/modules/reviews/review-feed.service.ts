// Each person's calendar of the reviews they prepare or sign: an iCalendar feed read with a token
// of its own (a calendar application cannot send a bearer header). The token only reads that feed;
// only its SHA-256 is stored, and issuing a new one replaces the old.
import { createHash, randomBytes } from 'node:crypto';
import type * as IcalGenerator from 'ical-generator';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { OPEN_REVIEW_STATUSES } from '../../governance/review-schedule.js';
import { onFirstUse } from '../../lazy.js';
import { appendEvent } from '../../ledger/ledger.service.js';

const icalGenerator = onFirstUse<typeof IcalGenerator>('ical-generator');

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Issues (or rotates) the caller's feed token; the token is shown once. */
export async function issueCalendarToken(trx: Tx, { ctx }: { ctx: RequestContext }): Promise<{ token: string; createdAt: string }> {
  const userId = ctx.actor.userId;
  if (userId === null) throw new AppError('forbidden', 'a calendar feed belongs to a person');
  const token = `plcal_${randomBytes(24).toString('base64url')}`;
  const createdAt = new Date().toISOString();
  const replaced = await trx.deleteFrom('review_feed_tokens').where('user_id', '=', userId).executeTakeFirst();
  await trx
    .insertInto('review_feed_tokens')
    .values({ user_id: userId, token_hash: sha256Hex(token), created_at: createdAt })
    .execute();
  await appendEvent(trx, ctx, {
    type: 'review.calendar_token_issued',
    subject: { type: 'user', id: userId },
    data: { replaced: Number(replaced.numDeletedRows) > 0 },
  });
  return { token, createdAt };
}

/** The feed of the person holding `token`: their open reviews, each on its due date. A token that
 * is unknown or rotated away answers `unauthenticated`, the same for both. */
export async function reviewCalendar(db: Kysely<Database>, { token, baseUrl }: { token: string; baseUrl: string }): Promise<string> {
  const holder = await db
    .selectFrom('review_feed_tokens')
    .innerJoin('users', 'users.id', 'review_feed_tokens.user_id')
    .select(['users.id', 'users.status'])
    .where('review_feed_tokens.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (holder?.status !== 'active') throw new AppError('unauthenticated', 'no calendar feed for this token');
  const me = holder.id;
  const rows = await db
    .selectFrom('reviews')
    .innerJoin('ai_systems', 'ai_systems.id', 'reviews.system_id')
    .select([
      'reviews.id',
      'reviews.kind',
      'reviews.due_at',
      'reviews.status',
      'reviews.preparer_id',
      'reviews.period_from',
      'reviews.period_to',
      'ai_systems.name',
    ])
    .where('reviews.status', 'in', [...OPEN_REVIEW_STATUSES])
    .where((eb) =>
      eb.or([eb('reviews.preparer_id', '=', me), eb('reviews.reviewer_id', '=', me), eb('reviews.second_signatory_id', '=', me)]),
    )
    .orderBy('reviews.due_at')
    .limit(1000)
    .execute();
  const calendar = icalGenerator().default({ name: 'Proofline reviews', prodId: { company: 'Proofline', product: 'reviews' } });
  for (const r of rows) {
    const due = new Date(r.due_at);
    calendar.createEvent({
      id: `review-${r.id}@proofline`,
      start: due,
      end: new Date(due.getTime() + 30 * 60_000),
      summary: `${r.preparer_id === me ? 'Prepare' : 'Sign'} the ${r.kind} review of ${r.name} (due)`,
      description: `Period ${r.period_from.slice(0, 10)} to ${r.period_to.slice(0, 10)}; status ${r.status}.`,
      url: `${baseUrl.replace(/\/$/, '')}/reviews/${r.id}`,
    });
  }
  return calendar.toString();
}
