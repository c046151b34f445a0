// The AI system inventory: use cases on the system itself (ISO 42001 A.9.2, A.4, A.6; EU AI Act
// Art. 26 and 49). Each change writes its rows and its evidence once: one ledger event with what
// changed, the reason and the approval or exception that allowed it (or none, when none is needed),
// and the change record row that indexes that event (changeSystem: the steps every change shares).
import { v7 as uuidv7 } from 'uuid';
import type { RequestContext } from '../../context.js';
import { insertRows, type Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { recordChange } from '../../governance/change-records.service.js';
import {
  APPROVAL_GATED_STATUSES,
  assertGovernedChangeAllowed,
  assertStatusMoveAllowed,
  authorityData,
  type ChangeAuthority,
} from '../../governance/governed-changes.js';
import { appendEvents } from '../../ledger/ledger.service.js';
import { rationaleMinimum, requireRationale } from '../../rationale.js';
import { assertExpectedVersion, assertGuardedWrite } from '../../versions.js';
import { diffViews, presentSystem, type SystemRow, type SystemView } from './systems.presenter.js';
import { assertActiveUser, assertActiveUsers, getSystem, grantSystemOwnerRole, replaceTags } from './systems.repository.js';
import { assertGovernor, assertMayCreate, assertMayEdit } from './systems.rules.js';
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

/** The row a new system is stored as. Its id is a UUID in the version-7 layout (time first, then
 * random bits, monotonic within this process), so creates append to the three b-trees keyed by it
 * (the primary key, and the ledger's subject and system indexes, whose entries lead with the
 * system id) instead of dirtying a page at a random place in each. */
function newSystemRow(input: NewSystem, createdBy: string | null, now: string): SystemRow {
  return {
    id: uuidv7(),
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
    // insertRows: on SQLite a cached prepared statement, not a query compiled for every create.
    await insertRows(trx, 'ai_systems', chunk);
    const tags = chunk.flatMap((row) => (JSON.parse(row.tags) as string[]).map((tag) => ({ system_id: row.id, tag })));
    await insertRows(trx, 'system_tags', tags);
    const roles = chunk.flatMap((row) =>
      row.accountable_owner_id
        ? [{ user_id: row.accountable_owner_id, role: 'system_owner', scope: row.id, granted_at: now, granted_by: ctx.actor.userId }]
        : [],
    );
    await insertRows(trx, 'user_roles', roles);
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

type SystemColumns = Partial<Omit<AiSystemsTable, 'id' | 'version'>>;

/** Writes `patch` as the next version of `before`; the version guard makes a concurrent write lose. */
async function writeSystem(trx: Tx, before: SystemRow, patch: SystemColumns): Promise<SystemRow> {
  const after: SystemRow = { ...before, ...patch, updated_at: new Date().toISOString(), version: Number(before.version) + 1 };
  const { id: _id, version: _v, ...columns } = after;
  const result = await trx
    .updateTable('ai_systems')
    .set({ ...columns, version: after.version })
    .where('id', '=', before.id)
    .where('version', '=', Number(before.version))
    .executeTakeFirst();
  assertGuardedWrite(`system ${before.id}`, result, Number(before.version));
  return after;
}

/** A system as its change record keeps it; the record has its own time, so updatedAt is left out. */
function systemState(view: SystemView) {
  const { updatedAt: _updatedAt, ...state } = view;
  return state;
}

/** The evidence of a change of the system row, written once: the use case's event (the fields that
 * changed, the reason, the authority) with the change record it indexes. Each row is presented once. */
async function recordSystemChange(
  trx: Tx,
  ctx: RequestContext,
  type: string,
  { before, after, reason, authority }: { before: SystemRow; after: SystemRow; reason?: string; authority: ChangeAuthority },
) {
  const beforeView = presentSystem(before);
  const afterView = presentSystem(after);
  const diff = diffViews(beforeView, afterView);
  await recordChange(trx, {
    ctx,
    event: {
      type,
      subject: { type: SYSTEM, id: after.id, version: Number(after.version) },
      before: diff.before,
      after: diff.after,
      reason: reason ?? null,
      data: authorityData(authority),
    },
    change: {
      subjectType: SYSTEM,
      subjectId: after.id,
      systemId: after.id,
      subjectVersion: Number(after.version),
      changeKind: type,
      before: systemState(beforeView),
      after: systemState(afterView),
      rationale: reason ?? '',
      approvalRequestId: authority.approvalRequestId ?? null,
      exceptionId: authority.exceptionId ?? null,
    },
  });
}

/** What every change of the system row is given: who asks, which system at which version, why,
 * and what allowed it (an approval request, an emergency's exception) when it needs that. */
interface SystemChangeArgs extends ChangeAuthority {
  ctx: RequestContext;
  systemId: string;
  rationale?: string;
  /** Proofline composed the rationale from parts already held to the minimum (an approved change). */
  rationaleComposed?: boolean;
  expectedVersion?: number;
}

interface RationaleArgs extends SystemChangeArgs {
  rationale: string;
}

/** The steps that differ between the changes of the system row. */
interface SystemChangeSteps {
  /** For a refusal: "changing the status of a system". */
  action: string;
  /** `edit`: governors or the system_owner of this system; `govern`: governors only. */
  who: 'edit' | 'govern';
  /** Descriptive edits may go without a rationale; every other change needs one. */
  rationale: 'required' | 'optional';
  /** The change's own rules, read against the current row, and the columns it writes. */
  patch(before: SystemRow): SystemColumns | Promise<SystemColumns>;
  /** The event type (and change kind), once the new row is known. */
  type: string | ((before: SystemRow, after: SystemRow) => string);
  /** What the change keeps beside the row (tags, the owner's role), in the same transaction. */
  alongside?(after: SystemRow): Promise<void>;
}

/**
 * One change of the system row, the same steps for every use case: read it once, check who may,
 * the rationale and the version the caller read, apply the change's own rules and patch, write the
 * next version (guarded by the version read), then the evidence (one event, one change record).
 */
async function changeSystem(trx: Tx, args: SystemChangeArgs, steps: SystemChangeSteps): Promise<SystemRow> {
  const { ctx, systemId } = args;
  const before = await getSystem(trx, systemId);
  if (steps.who === 'govern') assertGovernor(ctx.actor, steps.action);
  else assertMayEdit(ctx.actor, systemId, steps.action);
  const reason =
    steps.rationale === 'required'
      ? requireRationale(args.rationale ?? '', { field: 'rationale', minimum: rationaleMinimum(ctx, args.rationaleComposed) })
      : args.rationale?.trim();
  assertExpectedVersion(`system ${systemId}`, Number(before.version), args.expectedVersion);
  const after = await writeSystem(trx, before, await steps.patch(before));
  await steps.alongside?.(after);
  const type = typeof steps.type === 'string' ? steps.type : steps.type(before, after);
  const authority = { approvalRequestId: args.approvalRequestId, exceptionId: args.exceptionId };
  await recordSystemChange(trx, ctx, type, { before, after, reason, authority });
  return after;
}

/** Descriptive fields and the intended use (governed: see governed-changes.ts); owner, status and
 * risk tiers have their own use cases. */
export function updateSystem(trx: Tx, { changes, ...args }: SystemChangeArgs & { changes: SystemChanges }): Promise<SystemRow> {
  return changeSystem(trx, args, {
    action: 'updating a system',
    who: 'edit',
    rationale: 'optional',
    async patch(before) {
      if (changes.intendedUse !== undefined && changes.intendedUse !== before.intended_use) {
        await assertGovernedChangeAllowed(trx, {
          system: before,
          kind: 'intended_use_change',
          authority: args,
          target: changes.intendedUse,
        });
      }
      const patch: SystemColumns = {};
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
      return patch;
    },
    alongside: async (after) => {
      if (changes.tags !== undefined) await replaceTags(trx, after.id, JSON.parse(after.tags) as string[]);
    },
    type: (before, after) => (after.intended_use !== before.intended_use ? 'system.intended_use_changed' : 'system.updated'),
  });
}

interface PhaseOwnerArgs {
  ctx: RequestContext;
  systemId: string;
  phase: LifecyclePhase;
  rationale: string;
}

/** Names the accountable owner (a person) and moves the per-system system_owner role to them. */
export function changeSystemOwner(trx: Tx, { ownerId, ...args }: RationaleArgs & { ownerId: string }): Promise<SystemRow> {
  return changeSystem(trx, args, {
    action: 'changing the accountable owner',
    who: 'govern',
    rationale: 'required',
    async patch(before) {
      await assertActiveUser(trx, ownerId, 'ownerId');
      if (before.accountable_owner_id === ownerId) throw new AppError('invalid_transition', `${ownerId} is already the accountable owner`);
      return { accountable_owner_id: ownerId };
    },
    alongside: (after) => grantSystemOwnerRole(trx, { systemId: after.id, ownerId, grantedBy: args.ctx.actor.userId }),
    type: 'system.owner_changed',
  });
}

export function changeSystemStatus(trx: Tx, { status, ...args }: RationaleArgs & { status: SystemStatus }): Promise<SystemRow> {
  return changeSystem(trx, args, {
    action: 'changing the status of a system',
    who: 'edit',
    rationale: 'required',
    async patch(before) {
      if (before.status === status) throw new AppError('invalid_transition', `system ${before.id} is already ${status}`, { status });
      if (before.status === 'retired')
        throw new AppError('invalid_transition', 'a retired system stays retired; register a new one', { status });
      assertOwnerForStatus(status, before.accountable_owner_id);
      await assertStatusMoveAllowed(trx, { system: before, to: status, authority: args });
      return { status };
    },
    type: 'system.status_changed',
  });
}

/** The EU AI Act tier (governed: see governed-changes.ts) and/or the organisation's own tier. */
export function changeRiskTier(
  trx: Tx,
  { euRiskTier, orgRiskTier, ...args }: RationaleArgs & { euRiskTier?: EuRiskTier; orgRiskTier?: string | null },
): Promise<SystemRow> {
  return changeSystem(trx, args, {
    action: 'changing a risk tier',
    who: 'govern',
    rationale: 'required',
    async patch(before) {
      const patch: SystemColumns = {};
      if (euRiskTier !== undefined && euRiskTier !== before.eu_risk_tier) patch.eu_risk_tier = euRiskTier;
      if (orgRiskTier !== undefined && orgRiskTier !== before.org_risk_tier) patch.org_risk_tier = orgRiskTier;
      if (Object.keys(patch).length === 0) {
        throw new AppError('validation_failed', 'euRiskTier: give a tier (euRiskTier or orgRiskTier) different from the current one', {
          field: 'euRiskTier',
        });
      }
      if (patch.eu_risk_tier !== undefined) {
        await assertGovernedChangeAllowed(trx, { system: before, kind: 'risk_tier_change', authority: args, target: patch.eu_risk_tier });
      }
      return patch;
    },
    type: 'system.risk_tier_changed',
  });
}

/** Marks a discovered (shadow) system as looked at; what follows is a status or owner change. */
export function triageShadowSystem(trx: Tx, args: RationaleArgs): Promise<SystemRow> {
  return changeSystem(trx, args, {
    action: 'triaging a shadow system',
    who: 'govern',
    rationale: 'required',
    patch(before) {
      if (before.deployment_kind !== 'shadow') throw new AppError('invalid_transition', `system ${before.id} is not a shadow system`);
      if (before.triaged_at) throw new AppError('invalid_transition', `system ${before.id} was triaged at ${before.triaged_at}`);
      return { triaged_at: new Date().toISOString() };
    },
    type: 'system.triaged',
  });
}

/** Phase owners are not columns of the system row, so their change records name no system version.
 * Their one event (before/after: the phase and its owner) is the change's evidence. */
function recordPhaseOwnerChange(
  trx: Tx,
  ctx: RequestContext,
  type: string,
  {
    systemId,
    phase,
    before,
    after,
    rationale,
  }: {
    systemId: string;
    phase: LifecyclePhase;
    before: { phase: string; userId: string } | null;
    after: { phase: string; userId: string | null };
    rationale: string;
  },
) {
  return recordChange(trx, {
    ctx,
    event: {
      type,
      subject: { type: SYSTEM, id: systemId },
      before,
      after: after.userId === null ? null : after,
      data: { systemId, phase },
      reason: rationale,
    },
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

/** The owner of one lifecycle phase of a system, or undefined. */
function phaseOwnerOf(trx: Tx, systemId: string, phase: LifecyclePhase) {
  return trx
    .selectFrom('system_phase_owners')
    .select(['user_id'])
    .where('system_id', '=', systemId)
    .where('phase', '=', phase)
    .executeTakeFirst();
}

export async function assignPhaseOwner(trx: Tx, args: PhaseOwnerArgs & { userId: string }) {
  const { ctx, systemId, phase, userId } = args;
  await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'assigning a phase owner');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: args.ctx.policies.minRationaleLength });
  await assertActiveUser(trx, userId, 'userId');
  const current = await phaseOwnerOf(trx, systemId, phase);
  if (current?.user_id === userId) throw new AppError('invalid_transition', `${userId} already owns the ${phase} phase`);
  const assignedAt = new Date().toISOString();
  await trx.deleteFrom('system_phase_owners').where('system_id', '=', systemId).where('phase', '=', phase).execute();
  await trx.insertInto('system_phase_owners').values({ system_id: systemId, phase, user_id: userId, assigned_at: assignedAt }).execute();
  await recordPhaseOwnerChange(trx, ctx, 'system.phase_owner_assigned', {
    systemId,
    phase,
    before: current ? { phase, userId: current.user_id } : null,
    after: { phase, userId },
    rationale: reason,
  });
  return { phase, userId, assignedAt };
}

export async function unassignPhaseOwner(trx: Tx, args: PhaseOwnerArgs): Promise<void> {
  const { ctx, systemId, phase } = args;
  await getSystem(trx, systemId);
  assertMayEdit(ctx.actor, systemId, 'unassigning a phase owner');
  const reason = requireRationale(args.rationale, { field: 'rationale', minimum: args.ctx.policies.minRationaleLength });
  const current = await phaseOwnerOf(trx, systemId, phase);
  if (!current) throw new AppError('not_found', `the ${phase} phase of system ${systemId} has no owner`, { phase });
  await trx.deleteFrom('system_phase_owners').where('system_id', '=', systemId).where('phase', '=', phase).execute();
  await recordPhaseOwnerChange(trx, ctx, 'system.phase_owner_unassigned', {
    systemId,
    phase,
    before: { phase, userId: current.user_id },
    after: { phase, userId: null },
    rationale: reason,
  });
}
