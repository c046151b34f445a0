// Typed reads of auditor grants and of the reads logged under them (ledger events of type
// `auditor_grant.read`, found by the ledger's subject index).
import type { Kysely, Selectable } from 'kysely';
import { displayNames, nameOf } from '../../accounts/display-names.js';
import type { Database } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import type { PageOf } from '../../server/http.js';
import type { GrantListQuery, GrantReadView, GrantStatus, GrantView } from './auditor-grants.schema.js';
import type { AuditorGrantsTable } from './auditor-grants.tables.js';

export type GrantRow = Selectable<AuditorGrantsTable>;

const GRANT_COLUMNS = [
  'id',
  'auditor_id',
  'system_id',
  'framework',
  'period_from',
  'period_to',
  'expires_at',
  'rationale',
  'created_by',
  'created_at',
  'revoked_at',
  'revoked_by',
  'revocation_rationale',
] as const;

/** Revoked beats expired: a grant revoked before its end says so after the end too. */
export function grantStatus(row: Pick<GrantRow, 'revoked_at' | 'expires_at'>, now = new Date().toISOString()): GrantStatus {
  if (row.revoked_at) return 'revoked';
  return row.expires_at <= now ? 'expired' : 'live';
}

export async function findGrantRow(db: Kysely<Database>, id: string): Promise<GrantRow | undefined> {
  return db.selectFrom('auditor_grants').select(GRANT_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The grant an auditor's request acts under: their live one (one indexed read, on every request of
 * an external auditor), else their most recent one, whose status names the refusal. */
export async function latestGrantOf(
  db: Kysely<Database>,
  auditorId: string,
  now = new Date().toISOString(),
): Promise<GrantRow | undefined> {
  const live = await db
    .selectFrom('auditor_grants')
    .select(GRANT_COLUMNS)
    .where('auditor_id', '=', auditorId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (live) return live;
  return db
    .selectFrom('auditor_grants')
    .select(GRANT_COLUMNS)
    .where('auditor_id', '=', auditorId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function liveGrantExists(db: Kysely<Database>, auditorId: string, now: string): Promise<boolean> {
  const row = await db
    .selectFrom('auditor_grants')
    .select('id')
    .where('auditor_id', '=', auditorId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

export async function presentGrants(db: Kysely<Database>, rows: GrantRow[]): Promise<GrantView[]> {
  const people = rows.flatMap((r) => [r.auditor_id, r.created_by, r.revoked_by]);
  const names = await displayNames(db, people);
  const auditorIds = [...new Set(rows.map((r) => r.auditor_id))];
  const emails = new Map(
    auditorIds.length === 0
      ? []
      : (await db.selectFrom('users').select(['id', 'email']).where('id', 'in', auditorIds).execute()).map((u) => [u.id, u.email]),
  );
  const now = new Date().toISOString();
  return rows.map((r) => ({
    id: r.id,
    auditorId: r.auditor_id,
    auditorName: nameOf(names, r.auditor_id),
    auditorEmail: emails.get(r.auditor_id) ?? '',
    systemId: r.system_id,
    framework: r.framework,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    expiresAt: r.expires_at,
    rationale: r.rationale,
    status: grantStatus(r, now),
    createdBy: r.created_by,
    createdByName: nameOf(names, r.created_by),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
    revokedByName: nameOf(names, r.revoked_by),
    revocationRationale: r.revocation_rationale,
  }));
}

export async function getGrant(db: Kysely<Database>, id: string): Promise<GrantView> {
  const row = await findGrantRow(db, id);
  if (!row) throw notFound('auditor grant', id);
  return (await presentGrants(db, [row]))[0];
}

export async function listGrants(db: Kysely<Database>, query: GrantListQuery): Promise<PageOf<GrantView>> {
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  const now = new Date().toISOString();
  let q = db.selectFrom('auditor_grants');
  if (query.auditorId) q = q.where('auditor_id', '=', query.auditorId);
  if (query.status === 'revoked') q = q.where('revoked_at', 'is not', null);
  if (query.status === 'live') q = q.where('revoked_at', 'is', null).where('expires_at', '>', now);
  if (query.status === 'expired') q = q.where('revoked_at', 'is', null).where('expires_at', '<=', now);
  const [rows, count] = await Promise.all([
    q.select(GRANT_COLUMNS).orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: await presentGrants(db, rows), total: Number(count.n), limit, offset };
}

/** The reads logged under a grant, oldest first. */
export async function listGrantReads(
  db: Kysely<Database>,
  grantId: string,
  { limit, offset }: { limit: number; offset: number },
): Promise<PageOf<GrantReadView>> {
  const q = db
    .selectFrom('ledger_events')
    .where('subject_type', '=', 'auditor_grant')
    .where('subject_id', '=', grantId)
    .where('type', '=', 'auditor_grant.read');
  const [rows, count] = await Promise.all([
    q.select(['seq', 'recorded_at', 'leaf']).orderBy('seq', 'asc').limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((r) => {
    const data = (JSON.parse(r.leaf) as { data: { method: string; route: string; url: string; status: number } }).data;
    return { seq: Number(r.seq), recordedAt: r.recorded_at, method: data.method, route: data.route, url: data.url, status: data.status };
  });
  return { items, total: Number(count.n), limit, offset };
}
