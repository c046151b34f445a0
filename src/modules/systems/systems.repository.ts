// Typed reads (and the few shared writes) of the inventory, with explicit column lists.

import type { CompiledQuery, ExpressionBuilder, Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { containsIgnoringCase, readCompiled } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { hasOverdueReview, systemsWithOverdueReviews } from '../../governance/review-schedule.js';
import type { PageOf } from '../../server/http.js';
import {
  type DataSourceRow,
  type ListedSystemView,
  type ModelVersionRow,
  presentListedSystem,
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

/** Every filter of SystemMatch: the type makes a new filter appear here, where `appliedFilters`
 * sees it, so a total is never taken from a counter that ignores it. */
const MATCH_KEYS: { [K in keyof Required<SystemMatch>]: K } = {
  status: 'status',
  euRiskTier: 'euRiskTier',
  deploymentKind: 'deploymentKind',
  aiType: 'aiType',
  ownerId: 'ownerId',
  withoutOwner: 'withoutOwner',
  untriagedShadow: 'untriagedShadow',
  reviewOverdue: 'reviewOverdue',
  tag: 'tag',
  q: 'q',
};

/** The filters `systemsMatching` applies for `filter`: a value that is set (reviewOverdue: also false). */
function appliedFilters(filter: SystemMatch): Array<keyof SystemMatch> {
  return Object.values(MATCH_KEYS).filter((key) => (key === 'reviewOverdue' ? filter.reviewOverdue !== undefined : Boolean(filter[key])));
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
    const overdue = hasOverdueReview(now);
    query = query.where((eb) => (filter.reviewOverdue ? overdue(eb) : eb.not(overdue(eb))));
  }
  if (filter.tag) {
    const tag = filter.tag;
    query = query.where('ai_systems.id', 'in', (eb) => eb.selectFrom('system_tags').select('system_id').where('tag', '=', tag));
  }
  if (filter.q) query = query.where(containsIgnoringCase(db, 'ai_systems.name', filter.q));
  return query;
}

/** How many systems `filter` means, read from the counters the database's triggers keep in the
 * statement that changes a system (migrations 20261130_1710, 20261201_0510, 20261201_2100) when the
 * filter is one of theirs: none, status, EU tier or both (`system_counts`, a row per pair and shard),
 * without an owner or untriaged shadow alone (`dashboard_counters`). Any other filter is counted
 * from its index range. A counter is a few rows; a count read 12,000 to 25,000 index entries at
 * 100,000 systems (0.4 to 3.9 ms on SQLite). */
async function countMatching(db: Db, filter: SystemMatch, now: string): Promise<number> {
  const applied = appliedFilters(filter);
  const sum = (eb: ExpressionBuilder<Database, 'system_counts' | 'dashboard_counters'>) => eb.fn.sum<number | string | null>('n').as('n');
  let query: CompiledQuery<{ n: number | string | null }>;
  if (applied.every((key) => key === 'status' || key === 'euRiskTier')) {
    query = compileOnce(db, `pairs:${applied}`, parametersOf(filter, now), (values) => {
      let pairs = db.selectFrom('system_counts').select(sum);
      if (values.status) pairs = pairs.where('status', '=', values.status);
      if (values.euRiskTier) pairs = pairs.where('eu_risk_tier', '=', values.euRiskTier);
      return pairs;
    });
  } else if (applied.length === 1 && COUNTERS[applied[0]]) {
    const counter = COUNTERS[applied[0]] as string;
    query = compileOnce(db, `counter:${counter}`, {}, () => db.selectFrom('dashboard_counters').select(sum).where('name', '=', counter));
  } else {
    query = compileOnce(db, `count:${shapeOf(filter)}`, parametersOf(filter, now), (values) =>
      systemsMatching(db, { ...filter, ...values }, values.now).select((eb) => eb.fn.countAll<number>().as('n')),
    );
  }
  const [row] = await readCompiled(db, query);
  return Number(row?.n ?? 0);
}

/** The filters that alone are a count of dashboard_counters (migration 20261201_2100 says when a
 * system is in each, the same condition as `systemsMatching`). */
const COUNTERS: Partial<Record<keyof SystemMatch, string>> = {
  withoutOwner: 'systems_without_owner',
  untriagedShadow: 'systems_untriaged_shadow',
};

/** A list query as compiled once for its shape: its SQL and, for each parameter, the name of the
 * value it takes or a constant of the shape. */
interface CompiledShape {
  compiled: CompiledQuery<unknown>;
  parameters: Array<{ value: string } | { constant: unknown }>;
}
/** Per database (each compiles its own SQL on its own connection), by shape; null: built each time. */
const compiledShapes = new WeakMap<Db, Map<string, CompiledShape | null>>();
const PLACEHOLDER = '\u0000proofline:';

/**
 * `build(values)` compiled once per `shape` (which filters, which order: everything that makes the
 * SQL differ) and database, then reused with each call's `values` as its parameters: building and
 * compiling the list's statements with Kysely cost more CPU than SQLite took to read a page. The
 * first build is given a placeholder for each value, which tells where each lands among the
 * parameters. A shape that does not pass a value through as it is (the `q` filter's pattern is made
 * from it) is built for each call instead. `build` must take the query's form from `shape` alone
 * (and which values are present), never from a value itself: the placeholders stand in for them.
 */
function compileOnce<V extends Record<string, unknown>, R>(
  db: Db,
  shape: string,
  values: V,
  build: (values: V) => { compile(): CompiledQuery<R> },
): CompiledQuery<R> {
  const shapes = compiledShapes.get(db) ?? (compiledShapes.set(db, new Map()).get(db) as Map<string, CompiledShape | null>);
  let known = shapes.get(shape);
  if (known === undefined) {
    const names = new Map(Object.keys(values).map((name) => [`${PLACEHOLDER}${name}`, name]));
    const compiled = build(Object.fromEntries([...names].map(([placeholder, name]) => [name, placeholder])) as V).compile();
    let passedThrough = true;
    const parameters = compiled.parameters.map((parameter) => {
      const name = typeof parameter === 'string' ? names.get(parameter) : undefined;
      if (name !== undefined) return { value: name };
      if (typeof parameter === 'string' && parameter.includes(PLACEHOLDER)) passedThrough = false;
      return { constant: parameter };
    });
    known = passedThrough ? { compiled: compiled as CompiledQuery<unknown>, parameters } : null;
    shapes.set(shape, known);
  }
  if (known === null) return build(values).compile();
  return {
    ...(known.compiled as CompiledQuery<R>),
    parameters: known.parameters.map((p) => ('value' in p ? values[p.value] : p.constant)),
  };
}

/** What makes a filter's SQL differ: which filters apply (and reviewOverdue's sense). */
const shapeOf = (filter: SystemMatch) =>
  appliedFilters(filter)
    .map((key) => (key === 'reviewOverdue' ? `reviewOverdue=${filter.reviewOverdue}` : key))
    .join(',');

type FilterValues = Pick<SystemMatch, 'status' | 'euRiskTier' | 'deploymentKind' | 'aiType' | 'ownerId' | 'tag' | 'q'> & { now: string };

/** The values of the filters that apply and take a value (a placeholder in `compileOnce`), and
 * `now` (reviewOverdue compares with it); the filters that only shape the SQL (withoutOwner,
 * untriagedShadow, reviewOverdue's sense) are read from the filter itself. */
function parametersOf(filter: SystemMatch, now: string): FilterValues {
  const values: FilterValues = { now };
  if (filter.status) values.status = filter.status;
  if (filter.euRiskTier) values.euRiskTier = filter.euRiskTier;
  if (filter.deploymentKind) values.deploymentKind = filter.deploymentKind;
  if (filter.aiType) values.aiType = filter.aiType;
  if (filter.ownerId) values.ownerId = filter.ownerId;
  if (filter.tag) values.tag = filter.tag;
  if (filter.q) values.q = filter.q;
  return values;
}

const LISTED_COLUMNS = SYSTEM_COLUMNS.map((column) => `ai_systems.${column}` as const);

/** A page of systems, sorted by name then id unless asked otherwise, with their people named in the
 * same statement (a lookup by primary key per row of the page, after the offset: a join would look
 * up every skipped row too); then which of them have an overdue review, and the total
 * (`countMatching`). Every single filter is served by an index whose trailing columns are (name,
 * id), so a page by name (either way) needs no sort; by updatedAt the matching rows are sorted.
 * The page and the total are compiled once per shape (`compileOnce`); the overdue reviews are read
 * with the page's ids as one parameter (`systemsWithOverdueReviews`). */
export async function listSystems(db: Db, filter: SystemFilter): Promise<PageOf<ListedSystemView>> {
  const now = new Date().toISOString();
  const sort = filter.sort ?? 'name';
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const column = sort.endsWith('updatedAt') ? 'ai_systems.updated_at' : 'ai_systems.name';
  const nameOfUser = (eb: ExpressionBuilder<Database, 'ai_systems'>, id: 'ai_systems.accountable_owner_id' | 'ai_systems.created_by') =>
    eb.selectFrom('users').select('users.display_name').whereRef('users.id', '=', id);
  const page = compileOnce(
    db,
    `page:${sort}:${shapeOf(filter)}`,
    { ...parametersOf(filter, now), limit: filter.limit, offset: filter.offset },
    (values) =>
      systemsMatching(db, { ...filter, ...values }, values.now)
        .select(LISTED_COLUMNS)
        .select((eb) => [
          nameOfUser(eb, 'ai_systems.accountable_owner_id').as('owner_name'),
          nameOfUser(eb, 'ai_systems.created_by').as('created_by_name'),
        ])
        .orderBy(column, direction)
        .orderBy('ai_systems.id', direction)
        .limit(values.limit)
        .offset(values.offset),
  );
  const [rows, total] = await Promise.all([readCompiled(db, page), countMatching(db, filter, now)]);
  const overdue = await systemsWithOverdueReviews(
    db,
    now,
    rows.map((row) => row.id),
  );
  return { items: rows.map((row) => presentListedSystem(row, overdue.has(row.id))), total, limit: filter.limit, offset: filter.offset };
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
