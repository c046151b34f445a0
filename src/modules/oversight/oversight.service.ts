// Human oversight (EU AI Act Art. 14, 26(2); ISO 42001 A.9.2): the roster of named officers per
// system, and pause / restrict / resume. Only roster officers holding the authority act; holding
// the admin role is not enough. Resuming a high-risk system takes two different officers.
import type { Selectable } from 'kysely';
import { displayNames, idsIn, nameOf, withNames } from '../../accounts/display-names.js';
import { hasRole, type RequestContext, requirePersonalSignature } from '../../context.js';
import { notify, type Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import type { Authority, OversightRosterTable, RuntimeState, SystemRuntimeTable } from './oversight.tables.js';

/** The channel a server LISTENs on; the payload is the system id. Delivered on commit. */
export const RUNTIME_CHANNEL = 'proofline_runtime';

export interface RosterInput {
  userId: string;
  authorities: Authority[];
  competence: string;
  training: string;
}

function requireRosterManager(ctx: RequestContext): void {
  if (ctx.actor.kind === 'system') return;
  if (!hasRole(ctx.actor, 'admin', 'governance_lead')) {
    throw new AppError('forbidden', 'only an admin or the governance lead manages the oversight roster');
  }
}

async function requireSystem(trx: Tx, systemId: string) {
  const system = await trx.selectFrom('ai_systems').select(['id', 'eu_risk_tier', 'name']).where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  return system;
}

export function presentRosterEntry(row: Selectable<OversightRosterTable>) {
  return {
    systemId: row.system_id,
    userId: row.user_id,
    authorities: JSON.parse(row.authorities) as Authority[],
    competence: row.competence,
    training: row.training,
    addedAt: row.added_at,
    addedBy: row.added_by,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

// Responses name people: `xName` beside each user id field, one lookup per response or list. Ledger
// events keep `presentRosterEntry`: ids only.
const ROSTER_PEOPLE = ['userId', 'addedBy'] as const;
type RosterEntryView = ReturnType<typeof presentRosterEntry>;

async function nameRosterEntries(trx: Tx, entries: RosterEntryView[]) {
  const names = await displayNames(trx, idsIn(entries, ROSTER_PEOPLE));
  return entries.map((entry) => withNames(entry, ROSTER_PEOPLE, names));
}

async function namedRosterEntry(trx: Tx, entry: RosterEntryView) {
  const [named] = await nameRosterEntries(trx, [entry]);
  return named;
}

export async function addRosterOfficer(trx: Tx, { ctx, systemId, input }: { ctx: RequestContext; systemId: string; input: RosterInput }) {
  requireRosterManager(ctx);
  await requireSystem(trx, systemId);
  const user = await trx.selectFrom('users').select(['id', 'status']).where('id', '=', input.userId).executeTakeFirst();
  if (!user) throw notFound('user', input.userId);
  if (user.status !== 'active') throw new AppError('invalid_transition', 'a deactivated user cannot join an oversight roster');
  const existing = await trx
    .selectFrom('oversight_roster')
    .select('user_id')
    .where('system_id', '=', systemId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (existing) throw new AppError('conflict', 'this person is already on the roster; update the entry instead', { field: 'userId' });
  const now = new Date().toISOString();
  const row = {
    system_id: systemId,
    user_id: input.userId,
    authorities: JSON.stringify([...new Set(input.authorities)].sort()),
    competence: input.competence,
    training: input.training,
    added_at: now,
    added_by: ctx.actor.userId,
    updated_at: now,
    version: 1,
  };
  await trx.insertInto('oversight_roster').values(row).execute();
  const entry = presentRosterEntry(row);
  await appendEvent(trx, ctx, {
    type: 'oversight.officer_added',
    subject: { type: 'ai_system', id: systemId },
    after: entry,
  });
  return namedRosterEntry(trx, entry);
}

export async function updateRosterOfficer(
  trx: Tx,
  {
    ctx,
    systemId,
    userId,
    version,
    input,
  }: { ctx: RequestContext; systemId: string; userId: string; version: number; input: Omit<RosterInput, 'userId'> },
) {
  requireRosterManager(ctx);
  const before = await rosterEntry(trx, systemId, userId);
  if (!before) throw notFound('roster entry', `${systemId}/${userId}`);
  if (before.version !== version)
    throw new AppError('version_conflict', 'the roster entry changed since you read it', { current: before.version });
  const set = {
    authorities: JSON.stringify([...new Set(input.authorities)].sort()),
    competence: input.competence,
    training: input.training,
    updated_at: new Date().toISOString(),
    version: version + 1,
  };
  await trx.updateTable('oversight_roster').set(set).where('system_id', '=', systemId).where('user_id', '=', userId).execute();
  const entry = presentRosterEntry({ ...before, ...set });
  await appendEvent(trx, ctx, {
    type: 'oversight.officer_updated',
    subject: { type: 'ai_system', id: systemId },
    before: presentRosterEntry(before),
    after: entry,
  });
  return namedRosterEntry(trx, entry);
}

export async function removeRosterOfficer(
  trx: Tx,
  { ctx, systemId, userId, reason: written }: { ctx: RequestContext; systemId: string; userId: string; reason: string },
) {
  requireRosterManager(ctx);
  const reason = requireRationale(written, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const before = await rosterEntry(trx, systemId, userId);
  if (!before) throw notFound('roster entry', `${systemId}/${userId}`);
  await trx.deleteFrom('oversight_roster').where('system_id', '=', systemId).where('user_id', '=', userId).execute();
  await appendEvent(trx, ctx, {
    type: 'oversight.officer_removed',
    subject: { type: 'ai_system', id: systemId },
    before: presentRosterEntry(before),
    reason,
  });
}

async function rosterEntry(trx: Tx, systemId: string, userId: string) {
  return trx.selectFrom('oversight_roster').selectAll().where('system_id', '=', systemId).where('user_id', '=', userId).executeTakeFirst();
}

/** The roster of an existing system (an unknown id is not_found, not an empty roster). */
export async function listRoster(trx: Tx, systemId: string) {
  await requireSystem(trx, systemId);
  const rows = await trx.selectFrom('oversight_roster').selectAll().where('system_id', '=', systemId).orderBy('added_at').execute();
  return nameRosterEntries(trx, rows.map(presentRosterEntry));
}

/** The roster check every oversight action starts with. */
export async function requireAuthority(trx: Tx, ctx: RequestContext, systemId: string, authority: Authority): Promise<void> {
  const userId = ctx.actor.userId;
  const entry = userId ? await rosterEntry(trx, systemId, userId) : undefined;
  if (!entry) {
    throw new AppError('not_on_roster', `only officers on this system's oversight roster may ${authority} it`, { systemId, authority });
  }
  if (!(JSON.parse(entry.authorities) as Authority[]).includes(authority)) {
    throw new AppError('forbidden', `your roster entry does not include the authority to ${authority}`, { systemId, authority });
  }
}

export interface RuntimeView {
  systemId: string;
  state: RuntimeState;
  conditions: Record<string, unknown>;
  reason: string;
  version: number;
  updatedAt: string | null;
  /** Who set the current state (null before any action, or when the system did). */
  updatedBy: string | null;
  pendingResume: { by: string; reason: string; at: string } | null;
}

/** A runtime view for people: who set the state and who asked to resume, named (one lookup). */
export async function namedRuntime(trx: Tx, view: RuntimeView) {
  const names = await displayNames(trx, [view.updatedBy, view.pendingResume?.by]);
  return {
    ...view,
    updatedByName: nameOf(names, view.updatedBy),
    pendingResume: view.pendingResume ? { ...view.pendingResume, byName: nameOf(names, view.pendingResume.by) } : null,
  };
}

export function presentRuntime(systemId: string, row: Selectable<SystemRuntimeTable> | undefined): RuntimeView {
  if (!row)
    return { systemId, state: 'active', conditions: {}, reason: '', version: 0, updatedAt: null, updatedBy: null, pendingResume: null };
  return {
    systemId,
    state: row.state,
    conditions: JSON.parse(row.conditions) as Record<string, unknown>,
    reason: row.reason,
    version: row.version,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    pendingResume: row.pending_resume_by
      ? { by: row.pending_resume_by, reason: row.pending_resume_reason ?? '', at: row.pending_resume_at ?? '' }
      : null,
  };
}

export async function readRuntime(trx: Tx, systemId: string): Promise<RuntimeView> {
  const row = await trx.selectFrom('system_runtime').selectAll().where('system_id', '=', systemId).executeTakeFirst();
  return presentRuntime(systemId, row);
}

/** The runtime row of an existing system, for people (an unknown id is not_found, not "active"). */
export async function showRuntime(trx: Tx, systemId: string) {
  await requireSystem(trx, systemId);
  return namedRuntime(trx, await readRuntime(trx, systemId));
}

interface RuntimeChange {
  state: RuntimeState;
  conditions: Record<string, unknown>;
  reason: string;
  pendingResume?: { by: string; reason: string; at: string } | null;
}

/** Writes the new runtime row (version + 1) and tells every server instance on commit. */
async function writeRuntime(trx: Tx, ctx: RequestContext, current: RuntimeView, change: RuntimeChange): Promise<RuntimeView> {
  const now = new Date().toISOString();
  const values = {
    state: change.state,
    conditions: JSON.stringify(change.conditions),
    reason: change.reason,
    pending_resume_by: change.pendingResume?.by ?? null,
    pending_resume_reason: change.pendingResume?.reason ?? null,
    pending_resume_at: change.pendingResume?.at ?? null,
    updated_by: ctx.actor.userId,
    updated_at: now,
    version: current.version + 1,
  };
  if (current.version === 0) {
    await trx
      .insertInto('system_runtime')
      .values({ system_id: current.systemId, ...values })
      .execute();
  } else {
    const result = await trx
      .updateTable('system_runtime')
      .set(values)
      .where('system_id', '=', current.systemId)
      .where('version', '=', current.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('version_conflict', 'the runtime state changed meanwhile; read it again');
  }
  await notify(trx, RUNTIME_CHANNEL, current.systemId);
  return presentRuntime(current.systemId, { system_id: current.systemId, ...values });
}

function checkVersion(current: RuntimeView, expected: number | undefined): void {
  if (expected !== undefined && expected !== current.version) {
    throw new AppError('version_conflict', 'the runtime state changed since you read it', { current: current.version });
  }
}

export interface OversightAction {
  ctx: RequestContext;
  systemId: string;
  reason: string;
  /** Optional for emergency actions: when given, a stale version is refused. */
  expectedVersion?: number;
}

export async function pauseSystem(trx: Tx, { ctx, systemId, reason: written, expectedVersion }: OversightAction) {
  await requireSystem(trx, systemId);
  await requireAuthority(trx, ctx, systemId, 'pause');
  const reason = requireRationale(written, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const current = await readRuntime(trx, systemId);
  checkVersion(current, expectedVersion);
  if (current.state === 'paused') throw new AppError('invalid_transition', 'the system is already paused');
  const after = await writeRuntime(trx, ctx, current, { state: 'paused', conditions: {}, reason });
  await appendEvent(trx, ctx, {
    type: 'oversight.paused',
    subject: { type: 'ai_system', id: systemId, version: after.version },
    before: { state: current.state, conditions: current.conditions },
    after: { state: after.state },
    reason,
  });
  return namedRuntime(trx, after);
}

export async function restrictSystem(
  trx: Tx,
  { ctx, systemId, reason: written, expectedVersion, conditions }: OversightAction & { conditions: Record<string, unknown> },
) {
  await requireSystem(trx, systemId);
  await requireAuthority(trx, ctx, systemId, 'restrict');
  const reason = requireRationale(written, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const current = await readRuntime(trx, systemId);
  checkVersion(current, expectedVersion);
  if (Object.keys(conditions).length === 0)
    throw new AppError('validation_failed', 'conditions: a restriction needs at least one condition', { field: 'conditions' });
  const after = await writeRuntime(trx, ctx, current, { state: 'restricted', conditions, reason });
  await appendEvent(trx, ctx, {
    type: 'oversight.restricted',
    subject: { type: 'ai_system', id: systemId, version: after.version },
    before: { state: current.state, conditions: current.conditions },
    after: { state: after.state, conditions },
    reason,
  });
  return namedRuntime(trx, after);
}

/** Resume: immediate for most systems; for a high-risk one the first request waits for a
 * different officer with resume authority to confirm it (the "four eyes" of Art. 14(5)). */
export async function resumeSystem(trx: Tx, { ctx, systemId, reason: written, expectedVersion }: OversightAction) {
  const system = await requireSystem(trx, systemId);
  await requireAuthority(trx, ctx, systemId, 'resume');
  const reason = requireRationale(written, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const current = await readRuntime(trx, systemId);
  checkVersion(current, expectedVersion);
  if (current.state === 'active') throw new AppError('invalid_transition', 'the system is already active');
  const actorId = ctx.actor.userId as string;
  const needsTwo = system.eu_risk_tier === 'high';
  // Both halves of a two-person resume are a person's own signature, or the four eyes are one pair.
  if (needsTwo) requirePersonalSignature(ctx, 'resuming a high-risk system');
  if (needsTwo && !current.pendingResume) {
    const pending = { by: actorId, reason, at: new Date().toISOString() };
    const after = await writeRuntime(trx, ctx, current, {
      state: current.state,
      conditions: current.conditions,
      reason: current.reason,
      pendingResume: pending,
    });
    await appendEvent(trx, ctx, {
      type: 'oversight.resume_requested',
      subject: { type: 'ai_system', id: systemId, version: after.version },
      reason,
      data: { state: current.state, awaiting: 'a second oversight officer with resume authority' },
    });
    return { runtime: await namedRuntime(trx, after), pendingConfirmation: true };
  }
  if (needsTwo && current.pendingResume?.by === actorId) {
    throw new AppError('second_person_required', 'resuming a high-risk system needs a second, different oversight officer to confirm', {
      requestedBy: actorId,
    });
  }
  const after = await writeRuntime(trx, ctx, current, { state: 'active', conditions: {}, reason });
  await appendEvent(trx, ctx, {
    type: 'oversight.resumed',
    subject: { type: 'ai_system', id: systemId, version: after.version },
    before: { state: current.state, conditions: current.conditions },
    after: { state: 'active' },
    reason,
    data: needsTwo
      ? { requestedBy: current.pendingResume?.by, requestReason: current.pendingResume?.reason, confirmedBy: actorId }
      : undefined,
  });
  return { runtime: await namedRuntime(trx, after), pendingConfirmation: false };
}
