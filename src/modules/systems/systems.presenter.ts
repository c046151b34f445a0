// Rows to API shapes: a new column reaches a client only when it is added here.
import type { Selectable } from 'kysely';
import type { AiSystemsTable, DataSourcesTable, ModelVersionsTable, SystemPhaseOwnersTable } from './systems.tables.js';

export type SystemRow = Selectable<AiSystemsTable>;
export type ModelVersionRow = Selectable<ModelVersionsTable>;
export type DataSourceRow = Selectable<DataSourcesTable>;

const parseList = (text: string): string[] => JSON.parse(text) as string[];

export function presentSystem(row: SystemRow) {
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

export type SystemView = ReturnType<typeof presentSystem>;

export function presentPhaseOwner(row: Selectable<SystemPhaseOwnersTable>) {
  return { phase: row.phase, userId: row.user_id, assignedAt: row.assigned_at };
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
