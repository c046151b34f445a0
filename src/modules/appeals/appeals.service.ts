// Appeals (GDPR Art. 22(3), EU AI Act Art. 86): an affected person, or staff on their behalf,
// challenges a decision by its reference. Each appeal gets a case number, an owner and a response
// deadline, and is traced to an explained outcome; an upheld appeal links to the overrides and
// lessons it caused. The appellant's personal details stay in the appeals table (which can be
// erased); the ledger keeps only a digest of them.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { sha256Hex } from '../../accounts/actors.js';
import { displayNames, idsIn, withNames } from '../../accounts/display-names.js';
import { hasRole, type RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import type { AppealLinksTable, AppealOutcome, AppealStatus, AppealsTable } from './appeals.tables.js';

export const DEFAULT_RESPONSE_MONTHS = 1;

export interface NewAppeal {
  systemRef: string;
  decisionRef: string;
  appellantName: string;
  appellantContact: string;
  statement: string;
  channel: 'public' | 'staff';
  ownerId?: string;
}

export interface AppealLink {
  type: AppealLinksTable['link_type'];
  id: string;
}

export function presentAppeal(row: Selectable<AppealsTable>, links: AppealLink[] = [], now = new Date()) {
  return {
    id: row.id,
    caseNumber: row.case_number,
    systemRef: row.system_ref,
    decisionRef: row.decision_ref,
    decisionId: row.decision_id,
    decisionFound: row.decision_id !== null,
    channel: row.channel,
    appellantName: row.appellant_name,
    appellantContact: row.appellant_contact,
    statement: row.statement,
    submittedBy: row.submitted_by,
    ownerId: row.owner_id,
    status: row.status,
    outcome: row.outcome,
    outcomeExplanation: row.outcome_explanation,
    dueAt: row.due_at,
    overdue: row.status !== 'resolved' && row.due_at < now.toISOString(),
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    links,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

// Responses name people: `xName` beside each user id field, one lookup per response or page.
const APPEAL_PEOPLE = ['submittedBy', 'ownerId', 'resolvedBy'] as const;
type AppealView = ReturnType<typeof presentAppeal>;

/** Appeals with submitter, owner and resolver named, in one lookup. */
export async function nameAppeals(db: Kysely<Database>, views: AppealView[]) {
  const names = await displayNames(db, idsIn(views, APPEAL_PEOPLE));
  return views.map((view) => withNames(view, APPEAL_PEOPLE, names));
}

export async function namedAppeal(db: Kysely<Database>, view: AppealView) {
  const [named] = await nameAppeals(db, [view]);
  return named;
}

async function nextCaseNumber(trx: Tx, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  // Writes are serialisable (SQLite's single writer; PostgreSQL's SERIALIZABLE writes, run again on a conflict), so read-then-write is safe.
  const row = await trx.selectFrom('appeal_counters').select('last_number').where('year', '=', year).executeTakeFirst();
  const next = (row?.last_number ?? 0) + 1;
  if (row) await trx.updateTable('appeal_counters').set({ last_number: next }).where('year', '=', year).execute();
  else await trx.insertInto('appeal_counters').values({ year, last_number: next }).execute();
  return `APL-${year}-${String(next).padStart(6, '0')}`;
}

/** Who answers an appeal nobody assigned: the system's accountable owner, else a governance lead, else an admin. */
async function defaultOwner(trx: Tx, systemRef: string): Promise<string | null> {
  const system = await trx.selectFrom('ai_systems').select('accountable_owner_id').where('id', '=', systemRef).executeTakeFirst();
  if (system?.accountable_owner_id) return system.accountable_owner_id;
  for (const role of ['governance_lead', 'admin']) {
    const holder = await trx
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .select('users.id')
      .where('user_roles.role', '=', role)
      .where('user_roles.scope', '=', '')
      .where('users.status', '=', 'active')
      .orderBy('users.created_at')
      .executeTakeFirst();
    if (holder) return holder.id;
  }
  return null;
}

async function requireActiveUser(trx: Tx, userId: string, field: string): Promise<void> {
  const user = await trx.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
  if (user?.status !== 'active') throw new AppError('validation_failed', `${field}: ${userId} is not an active user`, { field });
}

function addMonths(date: Date, months: number): Date {
  const due = new Date(date);
  due.setUTCMonth(due.getUTCMonth() + months);
  return due;
}

/** The appeal's system, for the ledger's system index (`data.systemId`): its reference when that
 * names a known system (the public intake may name anything). */
async function systemData(trx: Tx, systemRef: string): Promise<{ systemId?: string }> {
  const found = await trx.selectFrom('ai_systems').select('id').where('id', '=', systemRef).executeTakeFirst();
  return found ? { systemId: found.id } : {};
}

/** The system behind a public reference (`system_publications.public_ref`, the transparency pages'
 * table, read here directly: appeals do not import that feature). Only a published page counts: an
 * unpublished or unknown reference is the same not_found. */
export async function systemOfPublicRef(db: Kysely<Database>, ref: string): Promise<string> {
  const row = await db
    .selectFrom('system_publications')
    .select('system_id')
    .where('public_ref', '=', ref.trim().toUpperCase())
    .where('published', '=', 1)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'no published AI system has this reference', { field: 'systemRef' });
  return row.system_id;
}

/** The public form names the system by its public reference (`systemRef`) or, for older callers, by id. */
export async function publicAppealSystem(db: Kysely<Database>, given: { systemRef?: string; systemId?: string }): Promise<string> {
  if (given.systemRef !== undefined && given.systemId !== undefined) {
    throw new AppError('validation_failed', 'systemRef: give the public reference or the system id, not both', { field: 'systemRef' });
  }
  if (given.systemRef !== undefined) return systemOfPublicRef(db, given.systemRef);
  if (given.systemId !== undefined) return given.systemId;
  throw new AppError('validation_failed', 'systemRef: name the AI system by its public reference (e.g. PL-7K3Q9D)', { field: 'systemRef' });
}

/** Records an appeal; returns it with the status-lookup secret (shown once, only its hash is kept). */
export async function submitAppeal(trx: Tx, { ctx, input }: { ctx: RequestContext; input: NewAppeal }) {
  const statement = requireRationale(input.statement, { field: 'statement', minimum: ctx.policies.minRationaleLength });
  const now = new Date();
  if (input.ownerId) await requireActiveUser(trx, input.ownerId, 'ownerId');
  const decision = await trx
    .selectFrom('decisions')
    .select('id')
    .where('system_id', '=', input.systemRef)
    .where('decision_id', '=', input.decisionRef)
    .executeTakeFirst();
  const secret = randomBytes(24).toString('base64url');
  const row: Selectable<AppealsTable> = {
    id: randomUUID(),
    case_number: await nextCaseNumber(trx, now),
    system_ref: input.systemRef,
    decision_ref: input.decisionRef,
    decision_id: decision?.id ?? null,
    channel: input.channel,
    appellant_name: input.appellantName,
    appellant_contact: input.appellantContact,
    statement,
    submitted_by: ctx.actor.userId,
    owner_id: input.ownerId ?? (await defaultOwner(trx, input.systemRef)),
    status: 'received',
    outcome: null,
    outcome_explanation: null,
    due_at: addMonths(now, DEFAULT_RESPONSE_MONTHS).toISOString(),
    resolved_at: null,
    resolved_by: null,
    secret_hash: sha256Hex(secret),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    version: 1,
  };
  await trx.insertInto('appeals').values(row).execute();
  await appendEvent(trx, ctx, {
    type: 'appeal.received',
    subject: { type: 'appeal', id: row.id, version: 1 },
    after: {
      caseNumber: row.case_number,
      systemRef: row.system_ref,
      decisionRef: row.decision_ref,
      decisionId: row.decision_id,
      channel: row.channel,
      ownerId: row.owner_id,
      dueAt: row.due_at,
      appellantDigest: sha256Hex(JSON.stringify([row.appellant_name, row.appellant_contact, row.statement])),
    },
    data: await systemData(trx, row.system_ref),
  });
  return { appeal: await namedAppeal(trx, presentAppeal(row)), secret };
}

export async function findAppeal(db: Kysely<Database>, id: string) {
  const row = await db
    .selectFrom('appeals')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', id), eb('case_number', '=', id)]))
    .executeTakeFirst();
  if (!row) throw notFound('appeal', id);
  const links = await db
    .selectFrom('appeal_links')
    .select(['link_type', 'link_id'])
    .where('appeal_id', '=', row.id)
    .orderBy('linked_at')
    .execute();
  return { row, links: links.map((l) => ({ type: l.link_type, id: l.link_id })) };
}

function requireHandler(ctx: RequestContext, row: Selectable<AppealsTable>): void {
  if (ctx.actor.kind === 'system' || hasRole(ctx.actor, 'admin', 'governance_lead')) return;
  if (ctx.actor.userId !== null && ctx.actor.userId === row.owner_id) return;
  throw new AppError('forbidden', "only the appeal's owner, a governance lead or an admin handles it");
}

function requireVersion(row: { version: number }, expected: number): void {
  if (row.version !== expected) throw new AppError('version_conflict', 'the appeal changed since you read it', { current: row.version });
}

async function writeAppeal(trx: Tx, row: Selectable<AppealsTable>, set: Partial<Selectable<AppealsTable>>) {
  const next = { ...set, updated_at: new Date().toISOString(), version: row.version + 1 };
  const result = await trx.updateTable('appeals').set(next).where('id', '=', row.id).where('version', '=', row.version).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('version_conflict', 'the appeal changed meanwhile');
  return { ...row, ...next };
}

export async function assignAppeal(
  trx: Tx,
  { ctx, appealId, ownerId, version }: { ctx: RequestContext; appealId: string; ownerId: string; version: number },
) {
  const { row, links } = await findAppeal(trx, appealId);
  if (!(ctx.actor.kind === 'system' || hasRole(ctx.actor, 'admin', 'governance_lead'))) {
    throw new AppError('forbidden', 'only a governance lead or an admin assigns appeals');
  }
  requireVersion(row, version);
  if (row.status === 'resolved') throw new AppError('invalid_transition', 'a resolved appeal cannot be reassigned');
  await requireActiveUser(trx, ownerId, 'ownerId');
  const after = await writeAppeal(trx, row, { owner_id: ownerId });
  await appendEvent(trx, ctx, {
    type: 'appeal.assigned',
    subject: { type: 'appeal', id: row.id, version: after.version },
    before: { ownerId: row.owner_id },
    after: { ownerId },
    data: await systemData(trx, row.system_ref),
  });
  return namedAppeal(trx, presentAppeal(after, links));
}

export async function startAppealReview(trx: Tx, { ctx, appealId, version }: { ctx: RequestContext; appealId: string; version: number }) {
  const { row, links } = await findAppeal(trx, appealId);
  requireHandler(ctx, row);
  requireVersion(row, version);
  if (row.status !== 'received') throw new AppError('invalid_transition', `an appeal in status ${row.status} cannot start review`);
  const after = await writeAppeal(trx, row, { status: 'in_review' });
  await appendEvent(trx, ctx, {
    type: 'appeal.review_started',
    subject: { type: 'appeal', id: row.id, version: after.version },
    before: { status: row.status },
    after: { status: 'in_review' },
    data: await systemData(trx, row.system_ref),
  });
  return namedAppeal(trx, presentAppeal(after, links));
}

async function checkLinks(trx: Tx, links: AppealLink[]): Promise<void> {
  for (const link of links) {
    const table = link.type === 'exception' ? 'exceptions' : 'lessons_learned';
    const found = await trx.selectFrom(table).select('id').where('id', '=', link.id).executeTakeFirst();
    if (!found) throw new AppError('validation_failed', `links: no ${link.type} ${link.id}`, { field: 'links' });
  }
}

async function insertLinks(trx: Tx, appealId: string, links: AppealLink[], existing: AppealLink[]): Promise<AppealLink[]> {
  const fresh = links.filter((l) => !existing.some((e) => e.type === l.type && e.id === l.id));
  const now = new Date().toISOString();
  if (fresh.length > 0) {
    await trx
      .insertInto('appeal_links')
      .values(fresh.map((l) => ({ appeal_id: appealId, link_type: l.type, link_id: l.id, linked_at: now })))
      .execute();
  }
  return [...existing, ...fresh];
}

export interface Resolution {
  outcome: AppealOutcome;
  explanation: string;
  links: AppealLink[];
}

/** Closes an appeal with an explained outcome. Upholding it means the decision was wrong, so an
 * upheld appeal must point at the override (exception) that corrected it. */
export async function resolveAppeal(
  trx: Tx,
  { ctx, appealId, version, resolution }: { ctx: RequestContext; appealId: string; version: number; resolution: Resolution },
) {
  const { row, links } = await findAppeal(trx, appealId);
  requireHandler(ctx, row);
  requireVersion(row, version);
  if (row.status === 'resolved') throw new AppError('invalid_transition', 'the appeal is already resolved');
  const explanation = requireRationale(resolution.explanation, { field: 'explanation', minimum: ctx.policies.minRationaleLength });
  await checkLinks(trx, resolution.links);
  const allLinks = await insertLinks(trx, row.id, resolution.links, links);
  if (resolution.outcome === 'upheld' && !allLinks.some((l) => l.type === 'exception')) {
    throw new AppError('validation_failed', 'links: an upheld appeal links to the override (exception) it caused', { field: 'links' });
  }
  const resolvedAt = new Date().toISOString();
  const after = await writeAppeal(trx, row, {
    status: 'resolved' as AppealStatus,
    outcome: resolution.outcome,
    outcome_explanation: explanation,
    resolved_at: resolvedAt,
    resolved_by: ctx.actor.userId,
  });
  await appendEvent(trx, ctx, {
    type: 'appeal.resolved',
    subject: { type: 'appeal', id: row.id, version: after.version },
    before: { status: row.status },
    after: { status: 'resolved', outcome: resolution.outcome, links: allLinks, onTime: resolvedAt <= row.due_at },
    reason: explanation,
    data: { ...(await systemData(trx, row.system_ref)), decisionId: row.decision_id },
  });
  return namedAppeal(trx, presentAppeal(after, allLinks));
}

/** Lessons come later than the resolution: links can be added to a resolved appeal too. */
export async function linkAppeal(trx: Tx, { ctx, appealId, links }: { ctx: RequestContext; appealId: string; links: AppealLink[] }) {
  const found = await findAppeal(trx, appealId);
  requireHandler(ctx, found.row);
  await checkLinks(trx, links);
  const allLinks = await insertLinks(trx, found.row.id, links, found.links);
  await appendEvent(trx, ctx, {
    type: 'appeal.linked',
    subject: { type: 'appeal', id: found.row.id },
    data: { ...(await systemData(trx, found.row.system_ref)), links },
  });
  return namedAppeal(trx, presentAppeal(found.row, allLinks));
}

export interface AppealFilter {
  status?: AppealStatus;
  systemRef?: string;
  ownerId?: string;
  overdue?: boolean;
  limit: number;
  offset: number;
}

export async function listAppeals(db: Kysely<Database>, filter: AppealFilter) {
  const now = new Date().toISOString();
  let query = db.selectFrom('appeals');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.systemRef) query = query.where('system_ref', '=', filter.systemRef);
  if (filter.ownerId) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.overdue) query = query.where('status', '!=', 'resolved').where('due_at', '<', now);
  const [rows, total] = await Promise.all([
    query.selectAll().orderBy('created_at', 'desc').orderBy('case_number', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: await nameAppeals(
      db,
      rows.map((r) => presentAppeal(r)),
    ),
    total: Number(total.n),
    limit: filter.limit,
    offset: filter.offset,
  };
}

/** The appellant's view of their own case: nothing else, and the same "not found" for a wrong
 * case number and a wrong secret. */
export async function publicAppealStatus(db: Kysely<Database>, caseNumber: string, secret: string) {
  const row = await db.selectFrom('appeals').selectAll().where('case_number', '=', caseNumber).executeTakeFirst();
  const expected = Buffer.from(row?.secret_hash ?? sha256Hex('no such case'), 'hex');
  const given = Buffer.from(sha256Hex(secret), 'hex');
  if (!row || !timingSafeEqual(expected, given)) throw new AppError('not_found', 'no appeal with this case number and secret');
  return {
    caseNumber: row.case_number,
    status: row.status,
    receivedAt: row.created_at,
    dueAt: row.due_at,
    outcome: row.outcome,
    outcomeExplanation: row.outcome_explanation,
    resolvedAt: row.resolved_at,
  };
}
