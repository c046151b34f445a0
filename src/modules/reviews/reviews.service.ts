// Scheduled reviews with double sign-off (issue 11). A review names its preparer, a reviewer and a
// second signatory: three different people, at least one signatory independent of the system's
// owners. The preparer attaches the period's snapshot (bound by its SHA-256 over the canonical JSON),
// findings and a decision; each signatory signs that digest with a rationale; the review completes
// only with both signatures on the current digest.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { hasRole, type RequestContext, requirePersonalSignature } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { canonicalJson } from '../../ledger/canonical.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import {
  REVIEW_DECISIONS,
  REVIEW_KINDS,
  type ReviewDecision,
  type ReviewKind,
  type ReviewsTable,
  type SignatureRole,
} from './reviews.tables.js';

type ReviewRow = Selectable<ReviewsTable>;

/** The largest snapshot a preparer may attach (canonical JSON bytes). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024;

export function presentReview(row: ReviewRow) {
  return {
    id: row.id,
    systemId: row.system_id,
    kind: row.kind,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    dueAt: row.due_at,
    preparerId: row.preparer_id,
    reviewerId: row.reviewer_id,
    secondSignatoryId: row.second_signatory_id,
    status: row.status,
    snapshot: row.snapshot === null ? null : (JSON.parse(row.snapshot) as Record<string, unknown>),
    snapshotDigest: row.snapshot_digest,
    findings: row.findings,
    decision: row.decision,
    actions: row.actions === null ? [] : (JSON.parse(row.actions) as string[]),
    completedAt: row.completed_at,
    createdAt: row.created_at,
    version: row.version,
  };
}

export const sha256OfCanonical = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

/** The people who own the system: its accountable owner and its phase owners. */
async function ownersOf(db: Kysely<Database>, systemId: string): Promise<Set<string>> {
  const system = await db.selectFrom('ai_systems').select(['accountable_owner_id']).where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('system', systemId);
  const phase = await db.selectFrom('system_phase_owners').select('user_id').where('system_id', '=', systemId).execute();
  const owners = new Set(phase.map((p) => p.user_id));
  if (system.accountable_owner_id) owners.add(system.accountable_owner_id);
  return owners;
}

/**
 * The sign-off rule on who is named, checked when a review is created: reviewer and second
 * signatory are two different people (`duplicate_approver`), neither is the preparer
 * (`self_approval_forbidden`), and at least one is independent of the system's owners
 * (`independent_signatory_required`).
 */
export function assertSignatories(
  { preparerId, reviewerId, secondSignatoryId }: { preparerId: string; reviewerId: string; secondSignatoryId: string },
  owners: ReadonlySet<string>,
): void {
  if (reviewerId === secondSignatoryId) {
    throw new AppError('duplicate_approver', 'the reviewer and the second signatory must be two different people', { userId: reviewerId });
  }
  if (preparerId === reviewerId || preparerId === secondSignatoryId) {
    throw new AppError('self_approval_forbidden', 'the person who prepares the findings cannot sign them', { userId: preparerId });
  }
  if (owners.has(reviewerId) && owners.has(secondSignatoryId)) {
    throw new AppError('independent_signatory_required', "at least one signatory must be independent of the system's owners", {
      reviewerId,
      secondSignatoryId,
    });
  }
}

async function requireActiveUser(db: Kysely<Database>, userId: string, field: string): Promise<void> {
  const user = await db.selectFrom('users').select(['id', 'status']).where('id', '=', userId).executeTakeFirst();
  if (user?.status !== 'active') throw new AppError('validation_failed', `${field}: no active user ${userId}`, { field });
}

function requireIso(value: string, field: string): string {
  if (Number.isNaN(Date.parse(value))) throw new AppError('validation_failed', `${field}: not a date-time`, { field });
  return new Date(value).toISOString();
}

export interface NewReview {
  systemId: string;
  kind: ReviewKind;
  periodFrom: string;
  periodTo: string;
  dueAt: string;
  preparerId: string;
  reviewerId: string;
  secondSignatoryId: string;
}

/** Schedules a review (by a governance lead or admin, or Proofline's own job: `scheduled`). */
export async function createReview(
  trx: Tx,
  { ctx, review, scheduled = false }: { ctx: RequestContext; review: NewReview; scheduled?: boolean },
) {
  if (ctx.actor.kind !== 'system' && !hasRole(ctx.actor, 'admin', 'governance_lead')) {
    throw new AppError('forbidden', 'scheduling a review needs the admin or governance_lead role', {
      required: ['admin', 'governance_lead'],
    });
  }
  if (!REVIEW_KINDS.includes(review.kind))
    throw new AppError('validation_failed', `kind: one of ${REVIEW_KINDS.join(', ')}`, { field: 'kind' });
  const periodFrom = requireIso(review.periodFrom, 'periodFrom');
  const periodTo = requireIso(review.periodTo, 'periodTo');
  const dueAt = requireIso(review.dueAt, 'dueAt');
  if (periodFrom >= periodTo) throw new AppError('validation_failed', 'periodFrom must be before periodTo', { field: 'periodFrom' });
  const owners = await ownersOf(trx, review.systemId);
  assertSignatories(review, owners);
  await requireActiveUser(trx, review.preparerId, 'preparerId');
  await requireActiveUser(trx, review.reviewerId, 'reviewerId');
  await requireActiveUser(trx, review.secondSignatoryId, 'secondSignatoryId');
  const now = new Date().toISOString();
  const row: ReviewRow = {
    id: randomUUID(),
    system_id: review.systemId,
    kind: review.kind,
    period_from: periodFrom,
    period_to: periodTo,
    due_at: dueAt,
    preparer_id: review.preparerId,
    reviewer_id: review.reviewerId,
    second_signatory_id: review.secondSignatoryId,
    status: 'prepared',
    snapshot: null,
    snapshot_digest: null,
    findings: null,
    decision: null,
    actions: null,
    completed_at: null,
    created_at: now,
    updated_at: now,
    version: 1,
    scheduled: scheduled ? 1 : 0,
  };
  await trx.insertInto('reviews').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'review.created',
    subject: { type: 'review', id: row.id },
    after: presentReview(row),
    data: { systemId: row.system_id },
  });
  return presentReview(row);
}

export async function findReview(db: Kysely<Database>, id: string): Promise<ReviewRow> {
  const row = await db.selectFrom('reviews').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('review', id);
  return row;
}

/** What the ledger and records already say about the system in the period: the seam where computed
 * fairness/performance metrics (modules/monitoring) are added later, beside `attached`. */
export async function recordedFacts(db: Kysely<Database>, systemId: string, from: string, to: string) {
  const opened = db
    .selectFrom('exceptions')
    .where('exceptions.system_id', '=', systemId)
    .where('exceptions.created_at', '>=', from)
    .where('exceptions.created_at', '<', to);
  const exceptions = await opened.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const incidents = await opened
    .innerJoin('incidents', 'incidents.exception_id', 'exceptions.id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { exceptionsOpened: Number(exceptions.n), incidentsRecorded: Number(incidents.n) };
}

function requireSnapshotObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('validation_failed', 'metrics: a JSON object', { field: 'metrics' });
  }
  const bytes = Buffer.byteLength(canonicalJson(value));
  if (bytes > MAX_SNAPSHOT_BYTES) {
    throw new AppError('validation_failed', `metrics: at most ${MAX_SNAPSHOT_BYTES} bytes`, { field: 'metrics', bytes });
  }
  return value as Record<string, unknown>;
}

export interface Findings {
  /** What the preparer adds to the computed metrics (a JSON object; may be empty). */
  metrics: Record<string, unknown>;
  findings: string;
  decision: ReviewDecision;
  actions?: string[];
}

/**
 * The preparer attaches (or replaces) the snapshot, findings and decision. Replacing them changes the
 * digest, so signatures given on the old one no longer count (they are removed, and the event says so).
 * `computed`: the period's metrics as Proofline computes them (workflows/prepare-review.ts), part of
 * the snapshot the signatories see and sign.
 */
export async function attachFindings(
  trx: Tx,
  {
    ctx,
    reviewId,
    input,
    version,
    computed,
  }: { ctx: RequestContext; reviewId: string; input: Findings; version: number; computed?: Record<string, unknown> },
) {
  const row = await findReview(trx, reviewId);
  if (ctx.actor.userId !== row.preparer_id)
    throw new AppError('forbidden', "only the review's preparer attaches findings", { preparerId: row.preparer_id });
  if (row.status === 'signed') throw new AppError('invalid_transition', 'a signed review is closed', { status: row.status });
  if (version !== row.version) throw new AppError('version_conflict', 'the review changed since you read it', { current: row.version });
  const metrics = requireSnapshotObject(input.metrics);
  const findings = requireRationale(input.findings, { field: 'findings', minimum: ctx.policies.minRationaleLength });
  if (!REVIEW_DECISIONS.includes(input.decision)) {
    throw new AppError('validation_failed', `decision: one of ${REVIEW_DECISIONS.join(', ')}`, { field: 'decision' });
  }
  const actions = (input.actions ?? []).map((a) => a.trim()).filter((a) => a !== '');
  if (input.decision !== 'satisfactory' && actions.length === 0) {
    throw new AppError('validation_failed', `actions: a decision of ${input.decision} names its actions`, { field: 'actions' });
  }
  const snapshot = {
    systemId: row.system_id,
    kind: row.kind,
    period: { from: row.period_from, to: row.period_to },
    attached: metrics,
    computed: computed ?? null,
    recorded: await recordedFacts(trx, row.system_id, row.period_from, row.period_to),
    findings,
    decision: input.decision,
    actions,
  };
  const text = canonicalJson(snapshot);
  const digest = sha256OfCanonical(snapshot);
  const now = new Date().toISOString();
  const dropped = await trx.deleteFrom('review_signatures').where('review_id', '=', reviewId).executeTakeFirst();
  const set = {
    status: 'findings' as const,
    snapshot: text,
    snapshot_digest: digest,
    findings,
    decision: input.decision,
    actions: JSON.stringify(actions),
    updated_at: now,
    version: row.version + 1,
  };
  const result = await trx.updateTable('reviews').set(set).where('id', '=', reviewId).where('version', '=', row.version).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('version_conflict', 'the review changed meanwhile');
  await appendEvent(trx, ctx, {
    type: 'review.findings_attached',
    subject: { type: 'review', id: reviewId },
    before: { snapshotDigest: row.snapshot_digest },
    after: { snapshotDigest: digest, decision: input.decision, actions },
    data: { systemId: row.system_id, signaturesWithdrawn: Number(dropped.numDeletedRows) },
  });
  return presentReview({ ...row, ...set });
}

/**
 * A signatory signs the snapshot digest they saw, with a rationale. The preparer never signs
 * (`self_approval_forbidden`); nobody signs twice (`duplicate_approver`); only the two named people
 * sign (`forbidden`); a digest other than the current one is refused (`content_changed`); it is the
 * person's own signature (`personal_signature_required` for a bare `--as` on the command line).
 */
export async function signReview(
  trx: Tx,
  { ctx, reviewId, snapshotDigest, rationale }: { ctx: RequestContext; reviewId: string; snapshotDigest: string; rationale: string },
) {
  requirePersonalSignature(ctx, 'signing a review');
  const row = await findReview(trx, reviewId);
  const me = ctx.actor.userId;
  if (me !== null && me === row.preparer_id)
    throw new AppError('self_approval_forbidden', 'the person who prepared the findings cannot sign them');
  const role: SignatureRole | null = me === row.reviewer_id ? 'reviewer' : me === row.second_signatory_id ? 'second_signatory' : null;
  if (role === null) throw new AppError('forbidden', 'only the named reviewer and second signatory sign this review');
  if (row.status !== 'findings' || row.snapshot_digest === null) {
    throw new AppError('invalid_transition', `a review in status ${row.status} cannot be signed`, { status: row.status });
  }
  if (snapshotDigest !== row.snapshot_digest) {
    throw new AppError('content_changed', 'the snapshot changed since you read it: read it again before signing', {
      current: row.snapshot_digest,
    });
  }
  const why = requireRationale(rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const signatures = await trx.selectFrom('review_signatures').select(['role', 'signer_id']).where('review_id', '=', reviewId).execute();
  if (signatures.some((s) => s.signer_id === me || s.role === role)) {
    throw new AppError('duplicate_approver', 'you have already signed this review');
  }
  const now = new Date().toISOString();
  await trx
    .insertInto('review_signatures')
    .values({ review_id: reviewId, role, signer_id: me as string, snapshot_digest: snapshotDigest, rationale: why, signed_at: now })
    .execute();
  await appendEvent(trx, ctx, {
    type: 'review.signed',
    subject: { type: 'review', id: reviewId },
    after: { role, snapshotDigest },
    reason: why,
    data: { systemId: row.system_id },
  });
  if (signatures.length + 1 < 2) return presentReview(row);
  return completeReview(trx, { ctx, reviewId });
}

/**
 * Completes a review: both signatures, by two different people other than the preparer, each on the
 * current digest. Called by the second signature; refused otherwise (`second_person_required`).
 */
export async function completeReview(trx: Tx, { ctx, reviewId }: { ctx: RequestContext; reviewId: string }) {
  const row = await findReview(trx, reviewId);
  if (row.status === 'signed') throw new AppError('invalid_transition', 'the review is already complete');
  const signatures = await trx.selectFrom('review_signatures').selectAll().where('review_id', '=', reviewId).execute();
  const valid = signatures.filter((s) => s.snapshot_digest === row.snapshot_digest && s.signer_id !== row.preparer_id);
  const signers = new Set(valid.map((s) => s.signer_id));
  if (valid.length < 2 || signers.size < 2) {
    throw new AppError('second_person_required', 'a review completes only with both signatures on its current snapshot', {
      signatures: valid.length,
    });
  }
  const now = new Date().toISOString();
  const result = await trx
    .updateTable('reviews')
    .set({ status: 'signed', completed_at: now, updated_at: now, version: row.version + 1 })
    .where('id', '=', reviewId)
    .where('version', '=', row.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('version_conflict', 'the review changed meanwhile');
  await appendEvent(trx, ctx, {
    type: 'review.completed',
    subject: { type: 'review', id: reviewId },
    before: { status: row.status },
    after: { status: 'signed', decision: row.decision, snapshotDigest: row.snapshot_digest },
    data: { systemId: row.system_id, signers: valid.map((s) => ({ role: s.role, id: s.signer_id })) },
  });
  return presentReview({ ...row, status: 'signed', completed_at: now, updated_at: now, version: row.version + 1 });
}
