// Reads of reviews for the API, the CLI and the calendar feed: one review with its signatures, and
// lists filtered by person, system, status and the overdue rule (governance/review-schedule.ts),
// with the people's display names beside their ids.
import type { Kysely, Selectable } from 'kysely';
import { displayNames, idsIn, withNames } from '../../accounts/display-names.js';
import type { Database } from '../../db/schema.js';
import { isReviewOverdue, reviewOverdue } from '../../governance/review-schedule.js';
import { findReview, presentReview } from './reviews.service.js';
import type { ReviewSignaturesTable, ReviewStatus, ReviewsTable } from './reviews.tables.js';

const REVIEW_PEOPLE = ['preparerId', 'reviewerId', 'secondSignatoryId'] as const;

function reviewView(row: Selectable<ReviewsTable>, signatures: Selectable<ReviewSignaturesTable>[], now: string) {
  return {
    ...presentReview(row),
    overdue: isReviewOverdue(row, now),
    signatures: signatures.map((s) => ({
      role: s.role,
      signerId: s.signer_id,
      snapshotDigest: s.snapshot_digest,
      rationale: s.rationale,
      signedAt: s.signed_at,
    })),
  };
}

async function named(db: Kysely<Database>, views: ReturnType<typeof reviewView>[]) {
  const ids = [...idsIn(views, REVIEW_PEOPLE), ...views.flatMap((v) => v.signatures.map((s) => s.signerId))];
  const names = await displayNames(db, ids);
  return views.map((view) => ({
    ...withNames(view, REVIEW_PEOPLE, names),
    signatures: view.signatures.map((s) => withNames(s, ['signerId'], names)),
  }));
}

async function signaturesOf(db: Kysely<Database>, reviewIds: string[]) {
  if (reviewIds.length === 0) return new Map<string, Selectable<ReviewSignaturesTable>[]>();
  const rows = await db.selectFrom('review_signatures').selectAll().where('review_id', 'in', reviewIds).orderBy('signed_at').execute();
  const byReview = new Map<string, Selectable<ReviewSignaturesTable>[]>();
  for (const row of rows) byReview.set(row.review_id, [...(byReview.get(row.review_id) ?? []), row]);
  return byReview;
}

/** One review as the API shows it: signatures, the overdue flag, names. */
export async function getReview(db: Kysely<Database>, id: string, now = new Date()) {
  const row = await findReview(db, id);
  const signatures = (await signaturesOf(db, [id])).get(id) ?? [];
  const [view] = await named(db, [reviewView(row, signatures, now.toISOString())]);
  return view;
}

export type ReviewView = Awaited<ReturnType<typeof getReview>>;

export interface ReviewFilter {
  /** Reviews where this person is the preparer, the reviewer or the second signatory. */
  personId?: string;
  systemId?: string;
  status?: ReviewStatus;
  overdue?: boolean;
  limit: number;
  offset: number;
}

/** A page of reviews, soonest due first. */
export async function listReviews(db: Kysely<Database>, filter: ReviewFilter, now = new Date()) {
  const nowIso = now.toISOString();
  const person = filter.personId;
  const query = db
    .selectFrom('reviews')
    .$if(person !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb('preparer_id', '=', person as string),
          eb('reviewer_id', '=', person as string),
          eb('second_signatory_id', '=', person as string),
        ]),
      ),
    )
    .$if(filter.systemId !== undefined, (q) => q.where('system_id', '=', filter.systemId as string))
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status as ReviewStatus))
    .$if(filter.overdue === true, (q) => q.where(reviewOverdue(nowIso)))
    .$if(filter.overdue === false, (q) => q.where((eb) => eb.not(reviewOverdue(nowIso)(eb))));
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('due_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const signatures = await signaturesOf(
    db,
    rows.map((r) => r.id),
  );
  return {
    items: await named(
      db,
      rows.map((r) => reviewView(r, signatures.get(r.id) ?? [], nowIso)),
    ),
    total: Number(total.n),
    limit: filter.limit,
    offset: filter.offset,
  };
}
