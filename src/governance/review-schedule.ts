// The rules of scheduled reviews that more than one feature reads: when a review is overdue (the
// inventory flags the system, the dashboard counts it, the controls' "mandatory reviews are not
// overdue" condition fails on it) and which periods a cadence cuts the calendar into. The reviews
// feature stores the reviews; every reader asks this file instead of repeating the rule.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inList } from '../db/store.js';

/** The kinds the scheduler creates on a cadence; a `custom` review is created by hand. */
export const MANDATORY_REVIEW_KINDS = ['fairness', 'performance', 'risk'] as const;
/** A review is open until both signatures complete it. */
export const OPEN_REVIEW_STATUSES = ['prepared', 'findings'] as const;

/** THE overdue rule: a mandatory review still open after its due date. */
export const reviewOverdue = (now: string) => (eb: ExpressionBuilder<Database, 'reviews'>) =>
  eb.and([
    eb('reviews.status', 'in', [...OPEN_REVIEW_STATUSES]),
    eb('reviews.kind', 'in', [...MANDATORY_REVIEW_KINDS]),
    eb('reviews.due_at', '<', now),
  ]);

/** Whether the system of the row at hand (`ai_systems`) has an overdue mandatory review: a filter
 * of the inventory and a column of its page. */
export const hasOverdueReview = (now: string) => (eb: ExpressionBuilder<Database, 'ai_systems'>) =>
  eb.exists(eb.selectFrom('reviews').select('reviews.id').whereRef('reviews.system_id', '=', 'ai_systems.id').where(reviewOverdue(now)));

/** The same rule on one review already read. */
export function isReviewOverdue(review: { status: string; kind: string; due_at: string }, now: string): boolean {
  return (
    (OPEN_REVIEW_STATUSES as readonly string[]).includes(review.status) &&
    (MANDATORY_REVIEW_KINDS as readonly string[]).includes(review.kind) &&
    review.due_at < now
  );
}

/** The systems among `systemIds` (all, when omitted) with an overdue mandatory review. The ids go
 * as one parameter (`inList`): the statement's text is the same for a page of any size. */
export async function systemsWithOverdueReviews(db: Kysely<Database>, now: string, systemIds?: readonly string[]): Promise<Set<string>> {
  if (systemIds?.length === 0) return new Set();
  const rows = await db
    .selectFrom('reviews')
    .select('reviews.system_id')
    .distinct()
    .where(reviewOverdue(now))
    .$if(systemIds !== undefined, (q) => q.where(inList(db, 'reviews.system_id', systemIds as readonly string[])))
    .execute();
  return new Set(rows.map((r) => r.system_id));
}

/** A period of the calendar cut by a cadence of `months`: periods start at UTC month boundaries
 * counted from January 1970, so every system with the same cadence has the same periods and a
 * period is named by its start. */
export interface ReviewPeriod {
  from: string;
  to: string;
}

const monthStart = (index: number) => new Date(Date.UTC(1970 + Math.floor(index / 12), index % 12, 1)).toISOString();

/** The last period of `months` that ended at or before `now`. */
export function lastCompletedPeriod(now: Date, months: number): ReviewPeriod {
  const current = (now.getUTCFullYear() - 1970) * 12 + now.getUTCMonth();
  const start = Math.floor(current / months) * months - months;
  return { from: monthStart(start), to: monthStart(start + months) };
}
