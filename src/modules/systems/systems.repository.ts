// Typed reads (and the few shared writes) of the inventory, with explicit column lists.

import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { containsIgnoringCase } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { reviewOverdue, systemsWithOverdueReviews } from '../../governance/review-schedule.js';
import type { PageOf } from '../../server/http.js';
import {
  type DataSourceRow,
  type ModelVersionRow,
  type NamedSystemView,
  presentSystemsNamed,
  type SystemRow,
} from './systems.presenter.js';
import type { AiType, DeploymentKind, EuRiskTier, SystemSort, SystemStatus } from './systems.tables.js';

type Db = Kysely<Database>;

export const SYSTEM_COLUMNS = [
  'id',
  'name',
  'purpose',
  'intended_use',
  'description',
  'ai_type',
  'deployment_kind',
  'status',
  'eu_risk_tier',
  'org_risk_tier',
  'vendor',
  'business_unit',
  'jurisdictions',
  'tags',
  'links',
  'accountable_owner_id',
  'triaged_at',
  'runtime_default',
  'created_at',
  'created_by',
  'updated_at',
  'version',
] as const;

export async function findSystem(db: Db, id: string): Promise<SystemRow | undefined> {
  return db.selectFrom('ai_systems').select(SYSTEM_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function getSystem(db: Db, id: string): Promise<SystemRow> {
  const row = await findSystem(db, id);
  if (!row) throw notFound('AI system', id);
  return row;
}

/** What hangs off a system and is read by id: each table's columns and its name in a refusal. */
const RECORDS = {
  model_versions: {
    what: 'model version',
    columns: [
      'id',
      'system_id',
      'label',
      'artifact_sha256',
      'training_data_refs',
      'parameters',
      'registered_by',
      'notes',
      'status',
      'deployed_at',
      'created_at',
      'version',
    ],
  },
  data_sources: {
    what: 'data source',
    columns: ['id', 'system_id', 'name', 'kind', 'contains_personal_data', 'provenance', 'owner_id', 'created_at', 'updated_at', 'version'],
  },
} as const;

type RecordTable = keyof typeof RECORDS;
type RecordRow<T extends RecordTable> = T extends 'model_versions' ? ModelVersionRow : DataSourceRow;

/** A system's model versions or data sources, oldest first (data sources: by name), explicit columns. */
export function listSystemRecords<T extends RecordTable>(db: Db, table: T, systemId: string): Promise<Array<RecordRow<T>>> {
  // Kysely cannot relate a generic table name to its row type; RECORDS and RecordRow do.
  const query = db
    .selectFrom(table as 'model_versions')
    .select(RECORDS[table].columns as unknown as (typeof RECORDS)['model_versions']['columns'])
    .where('system_id', '=', systemId);
  const ordered = table === 'data_sources' ? query.orderBy('name' as never) : query.orderBy('created_at');
  return ordered.orderBy('id').execute() as Promise<Array<RecordRow<T>>>;
}

/** One model version or data source by id, or `not_found` naming what was looked for. */
export async function getSystemRecord<T extends RecordTable>(db: Db, table: T, id: string): Promise<RecordRow<T>> {
  const row = await db
    .selectFrom(table as 'model_versions')
    .select(RECORDS[table].columns as unknown as (typeof RECORDS)['model_versions']['columns'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(RECORDS[table].what, id);
  return row as RecordRow<T>;
}

/** Which systems: the filters of the inventory list and of its export. */
export interface SystemMatch {
  status?: SystemStatus;
  euRiskTier?: EuRiskTier;
  deploymentKind?: DeploymentKind;
  aiType?: AiType;
  ownerId?: string;
  withoutOwner?: boolean;
  untriagedShadow?: boolean;
  /** Systems with (true) or without (false) an overdue mandatory review (governance/review-schedule.ts). */
  reviewOverdue?: boolean;
  tag?: string;
  q?: string;
}

/** A page of the list: which systems, in which order, which slice. */
export interface SystemFilter extends SystemMatch {
  /** Default `name`; a leading minus sorts descending. */
  sort?: SystemSort;
  limit: number;
  offset: number;
}

/** The systems a filter means, as a query of ai_systems to select from; the list pages it and the
 * export reads all of it, so both hold the same rows. Columns are named with their table, so a
 * caller may join (the export joins the owner's email). `now` decides which reviews are overdue. */
export function systemsMatching(db: Db, filter: SystemMatch, now: string) {
  let query = db.selectFrom('ai_systems');
  if (filter.status) query = query.where('ai_systems.status', '=', filter.status);
  if (filter.euRiskTier) query = query.where('ai_systems.eu_risk_tier', '=', filter.euRiskTier);
  if (filter.deploymentKind) query = query.where('ai_systems.deployment_kind', '=', filter.deploymentKind);
  if (filter.aiType) query = query.where('ai_systems.ai_type', '=', filter.aiType);
  if (filter.ownerId) query = query.where('ai_systems.accountable_owner_id', '=', filter.ownerId);
  if (filter.withoutOwner) query = query.where('ai_systems.accountable_owner_id', 'is', null);
  if (filter.untriagedShadow) query = query.where('ai_systems.deployment_kind', '=', 'shadow').where('ai_systems.triaged_at', 'is', null);
  if (filter.reviewOverdue !== undefined) {
    const overdue = (eb: ExpressionBuilder<Database, 'ai_systems'>) =>
      eb.exists(
        eb.selectFrom('reviews').select('reviews.id').whereRef('reviews.system_id', '=', 'ai_systems.id').where(reviewOverdue(now)),
      );
    query = query.where((eb) => (filter.reviewOverdue ? overdue(eb) : eb.not(overdue(eb))));
  }
  if (filter.tag) {
    const tag = filter.tag;
    query = query.where('ai_systems.id', 'in', (eb) => eb.selectFrom('system_tags').select('system_id').where('tag', '=', tag));
  }
  if (filter.q) query = query.where(containsIgnoringCase(db, 'ai_systems.name', filter.q));
  return query;
}

/** A page of systems, sorted by name then id unless asked otherwise. Every single filter is served
 * by an index whose trailing columns are (name, id), so a page by name (either way) needs no sort
 * and the count reads one index range; by updatedAt the matching rows are sorted. */
export async function listSystems(db: Db, filter: SystemFilter): Promise<PageOf<NamedSystemView>> {
  const now = new Date().toISOString();
  const query = systemsMatching(db, filter, now);
  const sort = filter.sort ?? 'name';
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const column = sort.endsWith('updatedAt') ? 'updated_at' : 'name';
  const [rows, count] = await Promise.all([
    query.select(SYSTEM_COLUMNS).orderBy(column, direction).orderBy('id', direction).limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const overdue = await systemsWithOverdueReviews(
    db,
    now,
    rows.map((row) => row.id),
  );
  const items = (await presentSystemsNamed(db, rows)).map((view) => ({ ...view, reviewOverdue: overdue.has(view.id) }));
  return { items, total: Number(count.n), limit: filter.limit, offset: filter.offset };
}

export interface SystemSummary {
  total: number;
  byEuRiskTier: Record<string, number>;
  byStatus: Record<string, number>;
  withoutOwner: number;
  untriagedShadow: number;
}

export async function summarizeSystems(db: Db): Promise<SystemSummary> {
  const countAll = db.fn.countAll<number>().as('n');
  const [tiers, statuses, withoutOwner, shadow] = await Promise.all([
    db.selectFrom('ai_systems').select(['eu_risk_tier', countAll]).groupBy('eu_risk_tier').execute(),
    db.selectFrom('ai_systems').select(['status', countAll]).groupBy('status').execute(),
    db.selectFrom('ai_systems').select(countAll).where('accountable_owner_id', 'is', null).executeTakeFirstOrThrow(),
    db
      .selectFrom('ai_systems')
      .select(countAll)
      .where('deployment_kind', '=', 'shadow')
      .where('triaged_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const byEuRiskTier = Object.fromEntries(tiers.map((r) => [r.eu_risk_tier, Number(r.n)]));
  const byStatus = Object.fromEntries(statuses.map((r) => [r.status, Number(r.n)]));
  const total = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  return { total, byEuRiskTier, byStatus, withoutOwner: Number(withoutOwner.n), untriagedShadow: Number(shadow.n) };
}

export async function listPhaseOwners(db: Db, systemId: string) {
  return db
    .selectFrom('system_phase_owners')
    .select(['system_id', 'phase', 'user_id', 'assigned_at'])
    .where('system_id', '=', systemId)
    .orderBy('phase')
    .execute();
}

/** Throws validation_failed naming `field` unless `userId` is an active user. */
export async function assertActiveUser(db: Db, userId: string, field: string): Promise<void> {
  const user = await db.selectFrom('users').select(['id', 'status']).where('id', '=', userId).executeTakeFirst();
  if (user?.status !== 'active') {
    throw new AppError('validation_failed', `${field}: ${userId} is not an active user (a named person is required, not a group)`, {
      field,
    });
  }
}

/** `assertActiveUser` for many ids at once: one query per 500 distinct ids, the same refusal. */
export async function assertActiveUsers(db: Db, userIds: string[], field: string): Promise<void> {
  const unique = [...new Set(userIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const slice = unique.slice(i, i + 500);
    const rows = await db.selectFrom('users').select('id').where('id', 'in', slice).where('status', '=', 'active').execute();
    if (rows.length === slice.length) continue;
    const active = new Set(rows.map((row) => row.id));
    const missing = slice.find((id) => !active.has(id)) as string;
    throw new AppError('validation_failed', `${field}: ${missing} is not an active user (a named person is required, not a group)`, {
      field,
    });
  }
}

/** Keeps system_tags equal to the system's tags. */
export async function replaceTags(db: Db, systemId: string, tags: string[]): Promise<void> {
  await db.deleteFrom('system_tags').where('system_id', '=', systemId).execute();
  const unique = [...new Set(tags)];
  if (unique.length > 0)
    await db
      .insertInto('system_tags')
      .values(unique.map((tag) => ({ system_id: systemId, tag })))
      .execute();
}

/** Makes `ownerId` (or nobody) the holder of the system_owner role for this system. */
export async function grantSystemOwnerRole(
  db: Db,
  { systemId, ownerId, grantedBy }: { systemId: string; ownerId: string | null; grantedBy: string | null },
) {
  await db.deleteFrom('user_roles').where('role', '=', 'system_owner').where('scope', '=', systemId).execute();
  if (ownerId)
    await db
      .insertInto('user_roles')
      .values({ user_id: ownerId, role: 'system_owner', scope: systemId, granted_at: new Date().toISOString(), granted_by: grantedBy })
      .execute();
}

export interface TimelineEntry {
  seq: number;
  eventId: string;
  type: string;
  recordedAt: string;
  actor: { kind: string; id: string | null; name: string | null; email: string | null };
  reason: string | null;
  before: unknown;
  after: unknown;
  data: unknown;
}

interface LedgerLeaf {
  actor: { kind: string; id: string | null; name: string | null; email: string | null };
  reason?: string;
  before?: unknown;
  after?: unknown;
  data?: unknown;
}

/** The system's history, newest first, from the ledger: every event about it (model versions and
 * data sources are recorded with the system as their subject, their own id in data). */
export async function systemTimeline(db: Db, systemId: string, page: { limit: number; offset: number }): Promise<PageOf<TimelineEntry>> {
  // A change.recorded event restates the use case's own event (the change record points to it).
  const query = db
    .selectFrom('ledger_events')
    .where('subject_type', '=', 'ai_system')
    .where('subject_id', '=', systemId)
    .where('type', '!=', 'change.recorded');
  const [rows, count] = await Promise.all([
    query.select(['seq', 'event_id', 'type', 'recorded_at', 'leaf']).orderBy('seq', 'desc').limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((row) => {
    const leaf = JSON.parse(row.leaf) as LedgerLeaf;
    return {
      seq: Number(row.seq),
      eventId: row.event_id,
      type: row.type,
      recordedAt: row.recorded_at,
      actor: { kind: leaf.actor.kind, id: leaf.actor.id, name: leaf.actor.name, email: leaf.actor.email },
      reason: leaf.reason ?? null,
      before: leaf.before ?? null,
      after: leaf.after ?? null,
      data: leaf.data ?? null,
    };
  });
  return { items, total: Number(count.n), limit: page.limit, offset: page.offset };
}
