// Public transparency pages (EU AI Act Art. 50, GDPR Art. 13-14 in plain words): an organisation
// chooses which systems to publish and what to say about each. Every change is a ledger event with
// a rationale; the public sees only published pages, under a short reference, never an internal id.
import { randomInt } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { hasSystemRole, type RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import type { SystemPublicationsTable } from './transparency.tables.js';

/** Crockford's base32 without I, L, O, U: no letters a person reading it aloud would confuse. */
const REF_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 32^6 ≈ 10^9 references: with the public pages rate-limited, guessing an unpublished one is hopeless,
 * and an unpublished reference answers exactly as one that does not exist. */
const REF_LENGTH = 6;
export const PUBLIC_REF_PATTERN = `^PL-[${REF_ALPHABET}]{${REF_LENGTH}}$`;

export function newPublicRef(): string {
  let ref = 'PL-';
  for (let i = 0; i < REF_LENGTH; i++) ref += REF_ALPHABET[randomInt(REF_ALPHABET.length)];
  return ref;
}

/** What a person reads on the public page. */
export interface PublicationText {
  publicName: string;
  whatItDoes: string;
  whatItDoesNot: string;
  humanReview: string;
  overseenBy: string;
  howToChallenge: string;
}

const TEXT_COLUMNS: Record<keyof PublicationText, keyof SystemPublicationsTable> = {
  publicName: 'public_name',
  whatItDoes: 'what_it_does',
  whatItDoesNot: 'what_it_does_not',
  humanReview: 'human_review',
  overseenBy: 'overseen_by',
  howToChallenge: 'how_to_challenge',
};
const TEXT_FIELDS = Object.keys(TEXT_COLUMNS) as Array<keyof PublicationText>;

type PublicationRow = Selectable<SystemPublicationsTable>;

export function presentPublication(row: PublicationRow) {
  return {
    systemId: row.system_id,
    publicRef: row.public_ref,
    published: row.published === 1,
    publicName: row.public_name,
    whatItDoes: row.what_it_does,
    whatItDoesNot: row.what_it_does_not,
    humanReview: row.human_review,
    overseenBy: row.overseen_by,
    howToChallenge: row.how_to_challenge,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    version: row.version,
  };
}

function textOf(row: PublicationRow): PublicationText {
  return Object.fromEntries(TEXT_FIELDS.map((f) => [f, row[TEXT_COLUMNS[f]]])) as unknown as PublicationText;
}

/** A system's publication as staff see it (published or not); not_found when it has none. */
export async function findPublication(db: Kysely<Database>, systemId: string): Promise<PublicationRow> {
  const row = await db.selectFrom('system_publications').selectAll().where('system_id', '=', systemId).executeTakeFirst();
  if (!row) throw notFound('publication of system', systemId);
  return row;
}

/** The system owner of this system or an admin (the system actor too: CLI maintenance). */
function requirePublisher(ctx: RequestContext, systemId: string): void {
  if (ctx.actor.kind === 'system' || hasSystemRole(ctx.actor, systemId, 'admin', 'system_owner')) return;
  throw new AppError('forbidden', `publishing needs the admin role or the system_owner role for system ${systemId}`, {
    required: ['admin', 'system_owner'],
  });
}

/** A published page says every part: a blank one is refused by name. */
function requireComplete(text: PublicationText): void {
  for (const field of TEXT_FIELDS) {
    if (text[field].trim() === '') throw new AppError('validation_failed', `${field}: a published page must say this`, { field });
  }
}

async function uniqueRef(trx: Tx): Promise<string> {
  for (;;) {
    const ref = newPublicRef();
    const taken = await trx.selectFrom('system_publications').select('system_id').where('public_ref', '=', ref).executeTakeFirst();
    if (!taken) return ref;
  }
}

export interface PublicationChange {
  published: boolean;
  text: PublicationText;
  rationale: string;
  /** The version the caller read; required once the publication exists. */
  version?: number;
}

/**
 * Creates or changes a system's public page. The first call creates it (and its public reference);
 * later calls need the version read. Publishing needs every text; each change is a ledger event
 * (`system.publication_created` / `_updated` / `_published` / `_withdrawn`) with before/after.
 */
export async function setPublication(
  trx: Tx,
  { ctx, systemId, change }: { ctx: RequestContext; systemId: string; change: PublicationChange },
) {
  requirePublisher(ctx, systemId);
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('system', systemId);
  const rationale = requireRationale(change.rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const text = Object.fromEntries(TEXT_FIELDS.map((f) => [f, change.text[f].trim()])) as unknown as PublicationText;
  if (change.published) requireComplete(text);
  const existing = await trx.selectFrom('system_publications').selectAll().where('system_id', '=', systemId).executeTakeFirst();
  const now = new Date().toISOString();
  const columns = Object.fromEntries(TEXT_FIELDS.map((f) => [TEXT_COLUMNS[f], text[f]]));
  let row: PublicationRow;
  if (!existing) {
    row = {
      system_id: systemId,
      public_ref: await uniqueRef(trx),
      published: change.published ? 1 : 0,
      ...(columns as Pick<
        PublicationRow,
        'public_name' | 'what_it_does' | 'what_it_does_not' | 'human_review' | 'overseen_by' | 'how_to_challenge'
      >),
      published_at: change.published ? now : null,
      created_at: now,
      updated_at: now,
      updated_by: ctx.actor.userId,
      version: 1,
    };
    await trx.insertInto('system_publications').values(row).execute();
  } else {
    if (change.version === undefined) {
      throw new AppError('precondition_required', 'send the version you read, so a stale page cannot overwrite a newer one', {
        field: 'version',
      });
    }
    if (change.version !== existing.version) {
      throw new AppError('version_conflict', 'the publication changed since you read it', { current: existing.version });
    }
    const set = {
      ...columns,
      published: change.published ? 1 : 0,
      published_at: change.published ? (existing.published === 1 ? existing.published_at : now) : null,
      updated_at: now,
      updated_by: ctx.actor.userId,
      version: existing.version + 1,
    };
    const result = await trx
      .updateTable('system_publications')
      .set(set)
      .where('system_id', '=', systemId)
      .where('version', '=', existing.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('version_conflict', 'the publication changed meanwhile');
    row = { ...existing, ...set };
  }
  const was = existing ? existing.published === 1 : false;
  const type = !existing
    ? 'system.publication_created'
    : was === change.published
      ? 'system.publication_updated'
      : change.published
        ? 'system.publication_published'
        : 'system.publication_withdrawn';
  await appendEvent(trx, ctx, {
    type,
    subject: { type: 'ai_system', id: systemId },
    ...(existing ? { before: { published: was, ...textOf(existing) } } : {}),
    after: { published: change.published, ...text },
    reason: rationale,
    data: { publicRef: row.public_ref, version: row.version },
  });
  return presentPublication(row);
}

export type RuntimeStateName = 'active' | 'paused' | 'restricted';

function presentPublic(row: PublicationRow & { state: string | null }) {
  return {
    ref: row.public_ref,
    name: row.public_name,
    whatItDoes: row.what_it_does,
    whatItDoesNot: row.what_it_does_not,
    humanReview: row.human_review,
    overseenBy: row.overseen_by,
    howToChallenge: row.how_to_challenge,
    publishedAt: row.published_at ?? row.updated_at,
    updatedAt: row.updated_at,
    /** No runtime row means active (oversight's rule). */
    state: (row.state ?? 'active') as RuntimeStateName,
  };
}

function publishedPages(db: Kysely<Database>) {
  return db
    .selectFrom('system_publications')
    .leftJoin('system_runtime', 'system_runtime.system_id', 'system_publications.system_id')
    .where('system_publications.published', '=', 1);
}

/** The published pages, by name. Nothing unpublished, no internal id. */
export async function listPublicSystems(db: Kysely<Database>, page: { limit: number; offset: number }) {
  const [rows, total] = await Promise.all([
    publishedPages(db)
      .selectAll('system_publications')
      .select('system_runtime.state')
      .orderBy('system_publications.public_name')
      .orderBy('system_publications.public_ref')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('system_publications')
      .where('published', '=', 1)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(presentPublic), total: Number(total.n), limit: page.limit, offset: page.offset };
}

/** One published page with the system's runtime state now; the same not_found for an unknown and an unpublished reference. */
export async function findPublicSystem(db: Kysely<Database>, ref: string) {
  const row = await publishedPages(db)
    .selectAll('system_publications')
    .select('system_runtime.state')
    .where('system_publications.public_ref', '=', ref.trim().toUpperCase())
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'no published AI system has this reference', { resource: 'public system' });
  return presentPublic(row);
}
