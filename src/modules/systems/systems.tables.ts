import type { EuRiskTier, SystemStatus } from '../../governance/system-states.js';

// The lifecycle vocabulary is governance's (which moves need which approval); re-exported for the inventory.
export { EU_RISK_TIERS, type EuRiskTier, SYSTEM_STATUSES, type SystemStatus } from '../../governance/system-states.js';

import type { Generated } from 'kysely';

export const AI_TYPES = ['machine_learning', 'generative', 'rules_based', 'agentic', 'other'] as const;
export const DEPLOYMENT_KINDS = ['internal', 'third_party', 'prototype', 'shadow'] as const;
export const LIFECYCLE_PHASES = [
  'design',
  'data_intake',
  'development',
  'validation',
  'deployment',
  'operation',
  'human_review',
  'retirement',
] as const;

/** Orders of the inventory list: a field, descending with a leading minus; ties break on id. */
export const SYSTEM_SORTS = ['name', '-name', 'updatedAt', '-updatedAt'] as const;

export type AiType = (typeof AI_TYPES)[number];
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];
export type LifecyclePhase = (typeof LIFECYCLE_PHASES)[number];
export type SystemSort = (typeof SYSTEM_SORTS)[number];

export interface AiSystemsTable {
  id: string;
  name: string;
  purpose: string;
  intended_use: string;
  description: string;
  ai_type: AiType;
  deployment_kind: DeploymentKind;
  status: SystemStatus;
  eu_risk_tier: EuRiskTier;
  org_risk_tier: string | null;
  vendor: string | null;
  business_unit: string | null;
  /** JSON arrays of strings. */
  jurisdictions: string;
  tags: string;
  /** JSON array of { label, url }. */
  links: string;
  accountable_owner_id: string | null;
  /** Shadow AI: when someone triaged it (null: not yet). */
  triaged_at: string | null;
  /** What the runtime client applies when Proofline cannot be reached. */
  runtime_default: 'paused' | 'active';
  created_at: string;
  created_by: string | null;
  updated_at: string;
  version: Generated<number>;
}

export interface SystemPhaseOwnersTable {
  system_id: string;
  phase: LifecyclePhase;
  user_id: string;
  assigned_at: string;
}

export interface ModelVersionsTable {
  id: string;
  system_id: string;
  label: string;
  artifact_sha256: string;
  /** JSON array of strings. */
  training_data_refs: string;
  parameters: string;
  registered_by: string | null;
  notes: string;
  status: 'registered' | 'deployed' | 'retired';
  deployed_at: string | null;
  created_at: string;
  version: Generated<number>;
}

export interface DataSourcesTable {
  id: string;
  system_id: string;
  name: string;
  kind: string;
  contains_personal_data: number;
  provenance: string;
  owner_id: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

/** A data source's declared reference population for one group attribute (group -> expected share)
 * and its latest group counts with their representativeness result (JSON texts); every report is
 * also a ledger event, the evidence of each change. */
export interface DataSourcePopulationsTable {
  data_source_id: string;
  system_id: string;
  attribute: string;
  reference: string;
  counts: string;
  result: string;
  version: number;
  updated_by: string | null;
  updated_at: string;
  /** The data source record's version the report was made against; null: an earlier, unknown one. */
  data_source_version: number | null;
}

/** One row per tag of a system (a copy of ai_systems.tags), so the tag filter uses an index. */
export interface SystemTagsTable {
  system_id: string;
  tag: string;
}

export interface SystemsTables {
  ai_systems: AiSystemsTable;
  system_tags: SystemTagsTable;
  system_phase_owners: SystemPhaseOwnersTable;
  model_versions: ModelVersionsTable;
  data_sources: DataSourcesTable;
  data_source_populations: DataSourcePopulationsTable;
}
