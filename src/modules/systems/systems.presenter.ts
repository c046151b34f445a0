// Rows to API shapes: a new column reaches a client only when it is added here.

import type { Kysely, Selectable } from 'kysely';
import { displayNames, idsIn, nameOf, withNames } from '../../accounts/display-names.js';
import type { Database } from '../../db/schema.js';
import { systemsWithOverdueReviews } from '../../governance/review-schedule.js';
import type { AiSystemsTable, DataSourcesTable, ModelVersionsTable, SystemPhaseOwnersTable } from './systems.tables.js';

export type SystemRow = Selectable<AiSystemsTable>;
export type ModelVersionRow = Selectable<ModelVersionsTable>;
export type DataSourceRow = Selectable<DataSourcesTable>;

const parseList = (text: string): string[] => JSON.parse(text) as string[];

// A row is presented once per request: the use case presents it for its evidence and the route
// for its answer, from the same row object (rows are never mutated; a change makes a new row).
const presented = new WeakMap<SystemRow, SystemView>();

export function presentSystem(row: SystemRow): SystemView {
  let view = presented.get(row);
  if (!view) {
    view = viewOfSystem(row);
    presented.set(row, view);
  }
  return view;
}

function viewOfSystem(row: SystemRow) {
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    intendedUse: row.intended_use,
    description: row.description,
    aiType: row.ai_type,
    deploymentKind: row.deployment_kind,
    status: row.status,
    euRiskTier: row.eu_risk_tier,
    orgRiskTier: row.org_risk_tier,
    vendor: row.vendor,
    businessUnit: row.business_unit,
    jurisdictions: parseList(row.jurisdictions),
    tags: parseList(row.tags),
    links: JSON.parse(row.links) as Array<{ label: string; url: string }>,
    accountableOwnerId: row.accountable_owner_id,
    triagedAt: row.triaged_at,
    runtimeDefault: row.runtime_default,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

export type SystemView = Readonly<ReturnType<typeof viewOfSystem>>;

export function presentPhaseOwner(row: Selectable<SystemPhaseOwnersTable>) {
  return { phase: row.phase, userId: row.user_id, assignedAt: row.assigned_at };
}

// Responses name people: next to each user id field `x` (or `xId`) stands `xName`, the person's
// display name, looked up once per response. Ledger events keep `presentSystem`: ids only.
type PhaseOwner = ReturnType<typeof presentPhaseOwner>;
export type NamedSystemView = SystemView & { accountableOwnerName: string | null; createdByName: string | null };
export type NamedPhaseOwner = PhaseOwner & { userName: string | null };

const systemNames = (view: SystemView, names: Map<string, string>): NamedSystemView => ({
  ...view,
  accountableOwnerName: nameOf(names, view.accountableOwnerId),
  createdByName: nameOf(names, view.createdBy),
});

/** A row of the inventory's page: the system and its people's names (null for no id or an unknown
 * one, as `nameOf`), read in one statement (`listSystems`). */
export type ListedSystemRow = SystemRow & { owner_name: string | null; created_by_name: string | null };
export type ListedSystemView = NamedSystemView & { reviewOverdue: boolean };

/** A listed row as the list answers it: the fields of `presentSystem`, the names beside their ids,
 * then the overdue flag, built as one object (a page presents 50 to 500 of them). */
export function presentListedSystem(row: ListedSystemRow, reviewOverdue: boolean): ListedSystemView {
  const view = viewOfSystem(row) as ReturnType<typeof viewOfSystem> & Partial<ListedSystemView>;
  view.accountableOwnerName = row.owner_name;
  view.createdByName = row.created_by_name;
  view.reviewOverdue = reviewOverdue;
  return view as ListedSystemView;
}

/** A page of systems with their people named, in one query; none when `known` (the caller, whose
 * name the request context holds) names everyone already. */
export async function presentSystemsNamed(
  db: Kysely<Database>,
  rows: SystemRow[],
  known?: { id: string | null; name: string | null },
): Promise<NamedSystemView[]> {
  const ids = rows.flatMap((row) => [row.accountable_owner_id, row.created_by]).filter((id): id is string => id !== null);
  const names =
    known?.id && known.name !== null && ids.every((id) => id === known.id)
      ? new Map([[known.id, known.name]])
      : await displayNames(db, ids);
  return rows.map((row) => systemNames(presentSystem(row), names));
}

export async function presentSystemNamed(
  db: Kysely<Database>,
  row: SystemRow,
  known?: { id: string | null; name: string | null },
): Promise<NamedSystemView> {
  const [view] = await presentSystemsNamed(db, [row], known);
  return view;
}

/** A system with its phase owners, every person named, in one query. */
export async function presentSystemDetail(db: Kysely<Database>, row: SystemRow, phaseOwners: Array<Selectable<SystemPhaseOwnersTable>>) {
  const names = await displayNames(db, [row.accountable_owner_id, row.created_by, ...phaseOwners.map((owner) => owner.user_id)]);
  const overdue = await systemsWithOverdueReviews(db, new Date().toISOString(), [row.id]);
  return {
    ...systemNames(presentSystem(row), names),
    reviewOverdue: overdue.has(row.id),
    phaseOwners: phaseOwners.map((owner) => ({ ...presentPhaseOwner(owner), userName: nameOf(names, owner.user_id) })),
  };
}

export async function presentPhaseOwnerNamed(db: Kysely<Database>, owner: PhaseOwner): Promise<NamedPhaseOwner> {
  const names = await displayNames(db, [owner.userId]);
  return { ...owner, userName: nameOf(names, owner.userId) };
}

export function presentModelVersion(row: ModelVersionRow) {
  return {
    id: row.id,
    systemId: row.system_id,
    label: row.label,
    artifactSha256: row.artifact_sha256,
    trainingDataRefs: parseList(row.training_data_refs),
    parameters: JSON.parse(row.parameters) as unknown,
    registeredBy: row.registered_by,
    notes: row.notes,
    status: row.status,
    deployedAt: row.deployed_at,
    createdAt: row.created_at,
    version: Number(row.version),
  };
}

export function presentDataSource(row: DataSourceRow) {
  return {
    id: row.id,
    systemId: row.system_id,
    name: row.name,
    kind: row.kind,
    containsPersonalData: Boolean(row.contains_personal_data),
    provenance: row.provenance,
    ownerId: row.owner_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

const MODEL_VERSION_PEOPLE = ['registeredBy'] as const;
const DATA_SOURCE_PEOPLE = ['ownerId'] as const;

/** Model versions with who registered each named, in one lookup (ledger events keep presentModelVersion). */
export async function presentModelVersionsNamed(db: Kysely<Database>, rows: ModelVersionRow[]) {
  const views = rows.map(presentModelVersion);
  const names = await displayNames(db, idsIn(views, MODEL_VERSION_PEOPLE));
  return views.map((view) => withNames(view, MODEL_VERSION_PEOPLE, names));
}

export async function presentModelVersionNamed(db: Kysely<Database>, row: ModelVersionRow) {
  const [view] = await presentModelVersionsNamed(db, [row]);
  return view;
}

/** Data sources with their owners named, in one lookup (ledger events keep presentDataSource). */
export async function presentDataSourcesNamed(db: Kysely<Database>, rows: DataSourceRow[]) {
  const views = rows.map(presentDataSource);
  const names = await displayNames(db, idsIn(views, DATA_SOURCE_PEOPLE));
  return views.map((view) => withNames(view, DATA_SOURCE_PEOPLE, names));
}

export async function presentDataSourceNamed(db: Kysely<Database>, row: DataSourceRow) {
  const [view] = await presentDataSourcesNamed(db, [row]);
  return view;
}

/** Only the fields whose values differ, as { before, after }: what a ledger event keeps. */
export function diffViews<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (key === 'version' || key === 'updatedAt') continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}
