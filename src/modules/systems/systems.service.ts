// The AI system inventory: use cases on the system itself (ISO 42001 A.9.2, A.4, A.6; EU AI Act
// Art. 26 and 49). Each change writes its rows, one ledger event with before, after and the reason,
// and one change record naming the approval or exception that allowed it (or none, when none is needed).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { recordChange } from '../../governance/change-records.service.js';
import {
  APPROVAL_GATED_STATUSES,
  assertGovernedChangeAllowed,
  assertStatusMoveAllowed,
  authorityData,
  type ChangeAuthority,
} from '../../governance/governed-changes.js';
import { appendEvent, appendEvents } from '../../ledger/ledger.service.js';
import { rationaleMinimum, requireRationale } from '../../rationale.js';
import { diffViews, presentSystem, type SystemRow } from './systems.presenter.js';
import { assertActiveUser, assertActiveUsers, getSystem, grantSystemOwnerRole, replaceTags } from './systems.repository.js';
import { assertGovernor, assertMayCreate, assertMayEdit, assertVersion } from './systems.rules.js';
import type { NewSystem, SystemChanges } from './systems.schema.js';
import type { AiSystemsTable, EuRiskTier, LifecyclePhase, SystemStatus } from './systems.tables.js';

export type { NewSystem, SystemChanges } from './systems.schema.js';

const SYSTEM = 'ai_system';

/** Refuses a status other than `proposed` without an accountable owner. */
export function assertOwnerForStatus(status: SystemStatus, ownerId: string | null | undefined): void {
  if (status !== 'proposed' && !ownerId) {
    throw new AppError('validation_failed', 'accountableOwnerId: a named accountable owner is required before a system leaves proposed', {
      field: 'accountableOwnerId',
      missing: ['accountableOwnerId'],
    });
  }
}

/** The row a new system is stored as. */
function newSystemRow(input: NewSystem, createdBy: string | null, now: string): SystemRow {
  return {
    id: randomUUID(),
    name: input.name.trim(),
    purpose: input.purpose,
    intended_use: input.intendedUse,
    description: input.description ?? '',
    ai_type: input.aiType,
    deployment_kind: input.deploymentKind,
    status: input.status ?? 'proposed',
    eu_risk_tier: input.euRiskTier ?? 'unassessed',
    org_risk_tier: input.orgRiskTier ?? null,
    vendor: input.vendor ?? null,
    business_unit: input.businessUnit ?? null,
    jurisdictions: JSON.stringify(input.jurisdictions ?? []),
    tags: JSON.stringify([...new Set(input.tags ?? [])]),
    links: JSON.stringify(input.links ?? []),
    accountable_owner_id: input.accountableOwnerId ?? null,
    triaged_at: null,
    runtime_default: input.runtimeDefault ?? 'paused',
    created_at: now,
    created_by: createdBy,
    updated_at: now,
    version: 1,
  };
}

/** The rules a new system must meet before anything is read or written: who may create it, in which
 * status, with which owner. The import asks it of every row to report every refusal with its line. */
export function assertMayCreateSystem(ctx: RequestContext, input: NewSystem): void {
  const status = input.status ?? 'proposed';
  assertMayCreate(ctx.actor, status, input.deploymentKind);
  assertOwnerForStatus(status, input.accountableOwnerId);
  if (APPROVAL_GATED_STATUSES.includes(status)) {
    throw new AppError(
      'approval_required',
      `a system reaches ${status} only through a completed approval; create it earlier in its lifecycle`,
      {
        status,
        missing: ['approvalRequestId'],
      },
    );
  }
}

export async function createSystem(trx: Tx, { ctx, input }: { ctx: RequestContext; input: NewSystem }): Promise<SystemRow> {
  const [row] = await createSystems(trx, { ctx, inputs: [input] });
  return row;
}

/** Rows per multi-row insert: well under either database's limit on bound parameters. */
const CHUNK = 250;

/** Registers systems: each row, its tags, its owner's system_owner role and its `system.created`
 * event, written in chunks (the bulk import registers thousands in one transaction this way).
 * `createSystem` is this with one input, so an imported system is stored exactly as one created alone. */
export async function createSystems(
  trx: Tx,
  { ctx, inputs, onProgress }: { ctx: RequestContext; inputs: NewSystem[]; onProgress?: (done: number, total: number) => void },
): Promise<SystemRow[]> {
  for (const input of inputs) assertMayCreateSystem(ctx, input);
  await assertActiveUsers(
    trx,
    inputs.flatMap((input) => (input.accountableOwnerId ? [input.accountableOwnerId] : [])),
    'accountableOwnerId',
  );
  const now = new Date().toISOString();
  const rows = inputs.map((input) => newSystemRow(input, ctx.actor.userId, now));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await trx.insertInto('ai_systems').values(chunk).execute();
    const tags = chunk.flatMap((row) => (JSON.parse(row.tags) as string[]).map((tag) => ({ system_id: row.id, tag })));
    for (let j = 0; j < tags.length; j += CHUNK * 4)
      await trx
        .insertInto('system_tags')
        .values(tags.slice(j, j + CHUNK * 4))
        .execute();
    const roles = chunk.flatMap((row) =>
      row.accountable_owner_id
        ? [{ user_id: row.accountable_owner_id, role: 'system_owner', scope: row.id, granted_at: now, granted_by: ctx.actor.userId }]
        : [],
    );
    if (roles.length > 0) await trx.insertInto('user_roles').values(roles).execute();
    await appendEvents(
      trx,
      ctx,
      chunk.map((row) => ({
        type: 'system.created',
        subject: { type: SYSTEM, id: row.id, version: 1 },
        after: presentSystem(row),
      })),
    );
    onProgress?.(i + chunk.length, rows.length);
  }
  return rows;
}

/** Writes `patch` as the next version of `before`; the version guard makes a concurrent write lose. */
async function writeSystem(trx: Tx, before: SystemRow, patch: Partial<Omit<AiSystemsTable, 'id' | 'version'>>): Promise<SystemRow> {
  const after: SystemRow = { ...before, ...patch, updated_at: new Date().toISOString(), version: Number(before.version) + 1 };
  const { id: _id, version: _v, ...columns } = after;
  const result = await trx
    .updateTable('ai_systems')
    .set({ ...columns, version: after.version })
    .where('id', '=', before.id)
    .where('version', '=', Number(before.version))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new AppError('version_conflict', `system ${before.id} changed while this change was made; read it again`, {
      systemId: before.id,
    });
  }
  return after;
}

/** A system as its change records keep it; the record has its own time, so updatedAt is left out. */
function systemState(row: SystemRow) {
  const { updatedAt: _updatedAt, ...view } = presentSystem(row);
  return view;
}

/** The ledger event of the use case and the change record, for a change of the system row. */
async function recordSystemChange(
  trx: Tx,
  ctx: RequestContext,
  type: string,
  { before, after, reason, authority = {} }: { before: SystemRow; after: SystemRow; reason?: string; authority?: ChangeAuthority },
) {
  const diff = diffViews(presentSystem(before), presentSystem(after));
  await appendEvent(trx, ctx, {
    type,
    subject: { type: SYSTEM, id: after.id, version: Number(after.version) },
    before: diff.before,
    after: diff.after,
    reason: reason ?? null,
    data: authorityData(authority),
  });
  await recordChange(trx, {
    ctx,
    change: {
      subjectType: SYSTEM,
      subjectId: after.id,
      systemId: after.id,
      subjectVersion: Number(after.version),
      changeKind: type,
      before: systemState(before),
      after: systemState(after),
      rationale: reason ?? '',
      approvalRequestId: authority.approvalRequestId ?? null,
      exceptionId: authority.exceptionId ?? null,
    },
  });
}

/** Descriptive fields and the intended use (governed: see systems.rules.ts); owner, status and risk
 * tiers have their own use cases. */
export async function updateSystem(
  trx: Tx,
  {
    ctx,
    systemId,
    expectedVersion,
    changes,
    rationale,
    ...authority
  }: {
    ctx: RequestContext;
    systemId: string;
    expectedVersion?: number;
    changes: SystemChanges;
    rationale?: string;
  } & ChangeAuthority,
): Promise<SystemRow> {
  const before = await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'updating a system');
  assertVersion(Number(before.version), expectedVersion, `system ${systemId}`);
  if (changes.intendedUse !== undefined && changes.intendedUse !== before.intended_use) {
    await assertGovernedChangeAllowed(trx, { system: before, kind: 'intended_use_change', authority, target: changes.intendedUse });
  }
  const patch: Partial<AiSystemsTable> = {};
  if (changes.name !== undefined) patch.name = changes.name.trim();
  if (changes.purpose !== undefined) patch.purpose = changes.purpose;
  if (changes.intendedUse !== undefined) patch.intended_use = changes.intendedUse;
  if (changes.description !== undefined) patch.description = changes.description;
  if (changes.aiType !== undefined) patch.ai_type = changes.aiType;
  if (changes.deploymentKind !== undefined) patch.deployment_kind = changes.deploymentKind;
  if (changes.vendor !== undefined) patch.vendor = changes.vendor;
  if (changes.businessUnit !== undefined) patch.business_unit = changes.businessUnit;
  if (changes.jurisdictions !== undefined) patch.jurisdictions = JSON.stringify(changes.jurisdictions);
  if (changes.tags !== undefined) patch.tags = JSON.stringify([...new Set(changes.tags)]);
  if (changes.links !== undefined) patch.links = JSON.stringify(changes.links);
  if (changes.runtimeDefault !== undefined) patch.runtime_default = changes.runtimeDefault;
  const after = await writeSystem(trx, before, patch);
  if (patch.tags !== undefined) await replaceTags(trx, systemId, JSON.parse(patch.tags) as string[]);
  const type =
    patch.intended_use !== undefined && patch.intended_use !== before.intended_use ? 'system.intended_use_changed' : 'system.updated';
  await recordSystemChange(trx, ctx, type, { before, after, reason: rationale?.trim(), authority });
  return after;
}

interface RationaleArgs extends ChangeAuthority {
  ctx: RequestContext;
  systemId: string;
  rationale: string;
  /** Proofline composed the rationale from parts already held to the minimum (an approved change). */
  rationaleComposed?: boolean;
  expectedVersion?: number;
}

interface PhaseOwnerArgs {
  ctx: RequestContext;
  systemId: string;
  phase: LifecyclePhase;
  rationale: string;
}

/** Names the accountable owner (a person) and moves the per-system system_owner role to them. */
export async function changeSystemOwner(trx: Tx, args: RationaleArgs & { ownerId: string }): Promise<SystemRow> {
  const { ctx, systemId, ownerId } = args;
  const before = await getSystem(trx, systemId);
  assertGovernor(ctx.actor, 'changing the accountable owner');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: rationaleMinimum(args.ctx, args.rationaleComposed) });
  assertVersion(Number(before.version), args.expectedVersion, `system ${systemId}`);
  await assertActiveUser(trx, ownerId, 'ownerId');
  if (before.accountable_owner_id === ownerId) throw new AppError('invalid_transition', `${ownerId} is already the accountable owner`);
  const after = await writeSystem(trx, before, { accountable_owner_id: ownerId });
  await grantSystemOwnerRole(trx, { systemId, ownerId, grantedBy: ctx.actor.userId });
  await recordSystemChange(trx, ctx, 'system.owner_changed', { before, after, reason, authority: args });
  return after;
}

export async function changeSystemStatus(trx: Tx, args: RationaleArgs & { status: SystemStatus }): Promise<SystemRow> {
  const { ctx, systemId, status } = args;
  const before = await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'changing the status of a system');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: rationaleMinimum(args.ctx, args.rationaleComposed) });
  assertVersion(Number(before.version), args.expectedVersion, `system ${systemId}`);
  if (before.status === status) throw new AppError('invalid_transition', `system ${systemId} is already ${status}`, { status });
  if (before.status === 'retired')
    throw new AppError('invalid_transition', 'a retired system stays retired; register a new one', { status });
  assertOwnerForStatus(status, before.accountable_owner_id);
  await assertStatusMoveAllowed(trx, { system: before, to: status, authority: args });
  const after = await writeSystem(trx, before, { status });
  await recordSystemChange(trx, ctx, 'system.status_changed', { before, after, reason, authority: args });
  return after;
}

/** The EU AI Act tier (governed: see systems.rules.ts) and/or the organisation's own tier. */
export async function changeRiskTier(
  trx: Tx,
  args: RationaleArgs & { euRiskTier?: EuRiskTier; orgRiskTier?: string | null },
): Promise<SystemRow> {
  const { ctx, systemId } = args;
  const before = await getSystem(trx, systemId);
  assertGovernor(ctx.actor, 'changing a risk tier');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: rationaleMinimum(args.ctx, args.rationaleComposed) });
  assertVersion(Number(before.version), args.expectedVersion, `system ${systemId}`);
  const patch: Partial<AiSystemsTable> = {};
  if (args.euRiskTier !== undefined && args.euRiskTier !== before.eu_risk_tier) patch.eu_risk_tier = args.euRiskTier;
  if (args.orgRiskTier !== undefined && args.orgRiskTier !== before.org_risk_tier) patch.org_risk_tier = args.orgRiskTier;
  if (Object.keys(patch).length === 0) {
    throw new AppError('validation_failed', 'euRiskTier: give a tier (euRiskTier or orgRiskTier) different from the current one', {
      field: 'euRiskTier',
    });
  }
  if (patch.eu_risk_tier !== undefined) {
    await assertGovernedChangeAllowed(trx, { system: before, kind: 'risk_tier_change', authority: args, target: patch.eu_risk_tier });
  }
  const after = await writeSystem(trx, before, patch);
  await recordSystemChange(trx, ctx, 'system.risk_tier_changed', { before, after, reason, authority: args });
  return after;
}

/** Marks a discovered (shadow) system as looked at; what follows is a status or owner change. */
export async function triageShadowSystem(trx: Tx, args: RationaleArgs): Promise<SystemRow> {
  const { ctx, systemId } = args;
  const before = await getSystem(trx, systemId);
  assertGovernor(ctx.actor, 'triaging a shadow system');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: rationaleMinimum(args.ctx, args.rationaleComposed) });
  assertVersion(Number(before.version), args.expectedVersion, `system ${systemId}`);
  if (before.deployment_kind !== 'shadow') throw new AppError('invalid_transition', `system ${systemId} is not a shadow system`);
  if (before.triaged_at) throw new AppError('invalid_transition', `system ${systemId} was triaged at ${before.triaged_at}`);
  const after = await writeSystem(trx, before, { triaged_at: new Date().toISOString() });
  await recordSystemChange(trx, ctx, 'system.triaged', { before, after, reason, authority: args });
  return after;
}

/** Phase owners are not columns of the system row, so their change records name no system version. */
async function recordPhaseOwnerChange(
  trx: Tx,
  ctx: RequestContext,
  type: string,
  {
    systemId,
    before,
    after,
    rationale,
  }: { systemId: string; before: Record<string, unknown> | null; after: Record<string, unknown>; rationale: string },
) {
  await recordChange(trx, {
    ctx,
    change: {
      subjectType: SYSTEM,
      subjectId: systemId,
      systemId,
      subjectVersion: null,
      changeKind: type,
      before,
      after,
      rationale,
      approvalRequestId: null,
      exceptionId: null,
    },
  });
}

export async function assignPhaseOwner(trx: Tx, args: PhaseOwnerArgs & { userId: string }) {
  const { ctx, systemId, phase, userId } = args;
  await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'assigning a phase owner');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: args.ctx.policies.minRationaleLength });
  await assertActiveUser(trx, userId, 'userId');
  const current = await trx
    .selectFrom('system_phase_owners')
    .select(['user_id'])
    .where('system_id', '=', systemId)
    .where('phase', '=', phase)
    .executeTakeFirst();
  if (current?.user_id === userId) throw new AppError('invalid_transition', `${userId} already owns the ${phase} phase`);
  const assignedAt = new Date().toISOString();
  await trx.deleteFrom('system_phase_owners').where('system_id', '=', systemId).where('phase', '=', phase).execute();
  await trx.insertInto('system_phase_owners').values({ system_id: systemId, phase, user_id: userId, assigned_at: assignedAt }).execute();
  const change = { before: current ? { phase, userId: current.user_id } : null, after: { phase, userId } };
  await appendEvent(trx, ctx, {
    type: 'system.phase_owner_assigned',
    subject: { type: SYSTEM, id: systemId },
    ...change,
    data: { systemId, phase },
    reason,
  });
  await recordPhaseOwnerChange(trx, ctx, 'system.phase_owner_assigned', { systemId, ...change, rationale: reason });
  return { phase, userId, assignedAt };
}

export async function unassignPhaseOwner(trx: Tx, args: PhaseOwnerArgs): Promise<void> {
  const { ctx, systemId, phase } = args;
  await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'unassigning a phase owner');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: args.ctx.policies.minRationaleLength });
  const current = await trx
    .selectFrom('system_phase_owners')
    .select(['user_id'])
    .where('system_id', '=', systemId)
    .where('phase', '=', phase)
    .executeTakeFirst();
  if (!current) throw new AppError('not_found', `the ${phase} phase of system ${systemId} has no owner`, { phase });
  await trx.deleteFrom('system_phase_owners').where('system_id', '=', systemId).where('phase', '=', phase).execute();
  await appendEvent(trx, ctx, {
    type: 'system.phase_owner_unassigned',
    subject: { type: SYSTEM, id: systemId },
    before: { phase, userId: current.user_id },
    after: null,
    data: { systemId, phase },
    reason,
  });
  await recordPhaseOwnerChange(trx, ctx, 'system.phase_owner_unassigned', {
    systemId,
    before: { phase, userId: current.user_id },
    after: { phase, userId: null },
    rationale: reason,
  });
}
