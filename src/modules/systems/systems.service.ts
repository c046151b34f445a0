// The AI system inventory: use cases. (Foundation version: createSystem; the systems track extends.)
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import type { AiSystemsTable, AiType, DeploymentKind, EuRiskTier, SystemStatus } from './systems.tables.js';

export interface NewSystem {
  name: string;
  purpose: string;
  intendedUse: string;
  description?: string;
  aiType: AiType;
  deploymentKind: DeploymentKind;
  status?: SystemStatus;
  euRiskTier?: EuRiskTier;
  orgRiskTier?: string | null;
  vendor?: string | null;
  businessUnit?: string | null;
  jurisdictions?: string[];
  tags?: string[];
  links?: Array<{ label: string; url: string }>;
  accountableOwnerId?: string | null;
  runtimeDefault?: 'paused' | 'active';
}

export async function createSystem(trx: Tx, { ctx, input }: { ctx: RequestContext; input: NewSystem }) {
  const status = input.status ?? 'proposed';
  if (status !== 'proposed' && status !== 'in_development' && !input.accountableOwnerId) {
    throw new AppError('validation_failed', 'accountableOwnerId: a named accountable owner is required before a system leaves proposed', {
      field: 'accountableOwnerId',
    });
  }
  if (status === 'approved_for_use' || status === 'in_production') {
    throw new AppError('approval_required', `a system reaches ${status} only through a completed approval`, { status });
  }
  const now = new Date().toISOString();
  const row: Omit<AiSystemsTable, 'version'> = {
    id: randomUUID(),
    name: input.name,
    purpose: input.purpose,
    intended_use: input.intendedUse,
    description: input.description ?? '',
    ai_type: input.aiType,
    deployment_kind: input.deploymentKind,
    status,
    eu_risk_tier: input.euRiskTier ?? 'unassessed',
    org_risk_tier: input.orgRiskTier ?? null,
    vendor: input.vendor ?? null,
    business_unit: input.businessUnit ?? null,
    jurisdictions: JSON.stringify(input.jurisdictions ?? []),
    tags: JSON.stringify(input.tags ?? []),
    links: JSON.stringify(input.links ?? []),
    accountable_owner_id: input.accountableOwnerId ?? null,
    triaged_at: null,
    runtime_default: input.runtimeDefault ?? 'paused',
    created_at: now,
    created_by: ctx.actor.userId,
    updated_at: now,
  };
  await trx.insertInto('ai_systems').values(row).execute();
  await appendEvent(trx, ctx, { type: 'system.created', subject: { type: 'ai_system', id: row.id, version: 1 }, after: row });
  return { ...row, version: 1 };
}
