// Exceptions and deviations (ISO 42001 A.9.2 and 10.2, EU AI Act Art. 20): opening one, moving it
// through its lifecycle, recording the root cause and the independent verification. Closing is
// refused until the evidence a regulator would ask for is complete.
import { randomUUID } from 'node:crypto';
import { hasRole, hasSystemRole, type RequestContext, requirePersonalSignature } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { rationaleMinimum, requireRationale } from '../../rationale.js';
import { allowedTransitions, dueAtFor, rootCauseKey } from './exceptions.policy.js';
import {
  type ExceptionRow,
  findException,
  type NamedExceptionView,
  namedException,
  presentException,
  requireActiveUser,
} from './exceptions.repository.js';
import type { ExceptionKind, ExceptionStatus, ExceptionsTable, RaisedByType, Severity } from './exceptions.tables.js';

export interface NewException {
  systemId: string;
  kind: ExceptionKind;
  title: string;
  description: string;
  severity: Severity;
  detectedAt?: string;
  raisedBy: { type: RaisedByType; ref: string };
  ownerId: string;
  resolverId: string;
  links?: Array<{ type: string; id: string }>;
}

export function requireText(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new AppError('validation_failed', `${field}: must not be empty`, { field });
  return trimmed;
}

export function requireIsoTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AppError('validation_failed', `${field}: must be an ISO 8601 time`, { field });
  return new Date(ms).toISOString();
}

/** Records an exception (override, deviation, emergency change, control failure, incident). The
 * description is held to `ctx.policies.minRationaleLength`; a workflow that composes it from a
 * reason already checked says `rationaleComposed`. `awareAt` (incidents only, already validated): when the
 * organisation became aware; the due date counts from it rather than from detection, like the
 * incident's reporting deadlines. */
export async function openException(
  trx: Tx,
  { ctx, input, awareAt, rationaleComposed }: { ctx: RequestContext; input: NewException; awareAt?: string; rationaleComposed?: boolean },
): Promise<NamedExceptionView> {
  const description = requireRationale(input.description, { field: 'description', minimum: rationaleMinimum(ctx, rationaleComposed) });
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', input.systemId).executeTakeFirst();
  if (!system) throw notFound('ai_system', input.systemId);
  await requireActiveUser(trx, input.ownerId, 'ownerId');
  await requireActiveUser(trx, input.resolverId, 'resolverId');
  const now = new Date().toISOString();
  const detectedAt = input.detectedAt ? requireIsoTime(input.detectedAt, 'detectedAt') : now;
  if (detectedAt > now) throw new AppError('validation_failed', 'detectedAt: cannot be in the future', { field: 'detectedAt' });
  const clockStart = input.kind === 'incident' && awareAt ? awareAt : detectedAt;
  const row: Omit<ExceptionsTable, 'version'> = {
    id: randomUUID(),
    system_id: input.systemId,
    kind: input.kind,
    title: requireText(input.title, 'title'),
    description,
    severity: input.severity,
    status: 'open',
    detected_at: detectedAt,
    raised_by_type: input.raisedBy.type,
    raised_by_ref: requireText(input.raisedBy.ref, 'raisedBy.ref'),
    owner_id: input.ownerId,
    resolver_id: input.resolverId,
    due_at: dueAtFor(input.severity, clockStart),
    links: JSON.stringify(input.links ?? []),
    root_cause_category: null,
    root_cause_text: null,
    root_cause_key: null,
    recurring: 0,
    recurring_refs: '[]',
    duplicate_of: null,
    verified_by: null,
    verified_at: null,
    verification_note: null,
    closed_at: null,
    created_at: now,
    created_by: ctx.actor.userId,
    updated_at: now,
  };
  await trx.insertInto('exceptions').values(row).execute();
  if (input.kind === 'incident') {
    // Every incident has its detail row; awareness defaults to detection until stated otherwise.
    await trx
      .insertInto('incidents')
      .values({
        exception_id: row.id,
        harm_categories: '[]',
        aware_at: clockStart,
        widespread_infringement: 0,
        critical_infrastructure_disruption: 0,
        death: 0,
        personal_data_breach: 0,
        dora_major: 0,
        dora_classified_at: null,
        updated_at: now,
      })
      .execute();
  }
  await appendEvent(trx, ctx, {
    type: 'exception.opened',
    subject: { type: 'exception', id: row.id, version: 1 },
    after: row,
    data: { systemId: row.system_id },
  });
  return namedException(trx, presentException({ ...row, version: 1 }));
}

/** Who may move an exception along: its owner, its resolver, the system's owners, governance leads, admins. */
export function canManage(ctx: RequestContext, row: ExceptionRow): boolean {
  const userId = ctx.actor.userId;
  if (ctx.actor.kind === 'system') return true;
  if (userId !== null && (userId === row.owner_id || userId === row.resolver_id)) return true;
  return hasRole(ctx.actor, 'governance_lead', 'admin') || hasSystemRole(ctx.actor, row.system_id, 'system_owner');
}

export function requireManager(ctx: RequestContext, row: ExceptionRow): void {
  if (!canManage(ctx, row)) {
    throw new AppError('forbidden', 'only the owner, the resolver, a system owner or a governance lead may change this exception', {
      exceptionId: row.id,
    });
  }
}

export function requireVersion(row: { version: number }, expected: number | undefined): void {
  if (expected !== undefined && Number(row.version) !== expected) {
    throw new AppError('version_conflict', `the record is at version ${row.version}, not ${expected}; reload and retry`, {
      current: Number(row.version),
    });
  }
}

/** What a close needs that is still missing; empty when the exception may close. */
async function closingGaps(trx: Tx, row: ExceptionRow): Promise<string[]> {
  const gaps: string[] = [];
  if (!row.root_cause_category) gaps.push('root_cause');
  const actions = await trx.selectFrom('corrective_actions').select(['id', 'status']).where('exception_id', '=', row.id).execute();
  if (actions.length === 0) gaps.push('corrective_actions');
  const openActions = actions.filter((a) => a.status !== 'completed').map((a) => a.id);
  if (openActions.length > 0) gaps.push('corrective_actions_completed');
  if (!row.verified_by) gaps.push('verification');
  const lesson = await trx.selectFrom('lessons_learned').select('id').where('exception_id', '=', row.id).limit(1).executeTakeFirst();
  if (!lesson) gaps.push('lessons_learned');
  return gaps;
}

export interface TransitionInput {
  exceptionId: string;
  to: ExceptionStatus;
  reason: string;
  duplicateOf?: string;
  expectedVersion?: number;
}

export async function transitionException(
  trx: Tx,
  { ctx, input }: { ctx: RequestContext; input: TransitionInput },
): Promise<NamedExceptionView> {
  const row = await findException(trx, input.exceptionId);
  requireManager(ctx, row);
  requireVersion(row, input.expectedVersion);
  const reason = requireRationale(input.reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const allowed = allowedTransitions(row.status);
  if (!allowed.includes(input.to)) {
    throw new AppError('invalid_transition', `an exception cannot go from ${row.status} to ${input.to}`, {
      from: row.status,
      to: input.to,
      allowed,
    });
  }
  const now = new Date().toISOString();
  const changes: Partial<ExceptionsTable> = { status: input.to, updated_at: now };
  if (input.to === 'duplicate') {
    if (!input.duplicateOf) throw new AppError('validation_failed', 'duplicateOf: name the original exception', { field: 'duplicateOf' });
    if (input.duplicateOf === row.id)
      throw new AppError('validation_failed', 'duplicateOf: an exception is not its own duplicate', { field: 'duplicateOf' });
    await findException(trx, input.duplicateOf);
    changes.duplicate_of = input.duplicateOf;
  }
  if (input.to === 'closed') {
    const gaps = await closingGaps(trx, row);
    if (gaps.length > 0) {
      throw new AppError('invalid_transition', `the exception cannot close yet; missing: ${gaps.join(', ')}`, {
        from: row.status,
        to: 'closed',
        missing: gaps,
      });
    }
    changes.closed_at = now;
  }
  if (input.to === 'remediating' && row.status === 'verifying') {
    // The fix did not hold: a new verification is needed.
    changes.verified_by = null;
    changes.verified_at = null;
    changes.verification_note = null;
  }
  const version = Number(row.version) + 1;
  await trx
    .updateTable('exceptions')
    .set({ ...changes, version })
    .where('id', '=', row.id)
    .execute();
  await appendEvent(trx, ctx, {
    type: `exception.${input.to}`,
    subject: { type: 'exception', id: row.id, version },
    before: { status: row.status },
    after: { status: input.to, ...(changes.duplicate_of ? { duplicateOf: changes.duplicate_of } : {}) },
    reason,
    data: { systemId: row.system_id },
  });
  return namedException(trx, presentException({ ...row, ...changes, version } as ExceptionRow));
}

export interface RootCauseInput {
  exceptionId: string;
  category: string;
  text: string;
  expectedVersion?: number;
}

/** Records the root cause; the same cause recurring on the same system is flagged with the earlier ones. */
export async function recordRootCause(
  trx: Tx,
  { ctx, input }: { ctx: RequestContext; input: RootCauseInput },
): Promise<NamedExceptionView> {
  const row = await findException(trx, input.exceptionId);
  requireManager(ctx, row);
  requireVersion(row, input.expectedVersion);
  if (!['investigating', 'remediating', 'verifying'].includes(row.status)) {
    throw new AppError('invalid_transition', `a root cause is recorded while investigating, remediating or verifying, not ${row.status}`, {
      status: row.status,
    });
  }
  const category = requireText(input.category, 'category');
  const text = requireText(input.text, 'text');
  const key = rootCauseKey(category, text);
  const earlier = await trx
    .selectFrom('exceptions')
    .select('id')
    .where('system_id', '=', row.system_id)
    .where('root_cause_key', '=', key)
    .where('id', '!=', row.id)
    .orderBy('created_at')
    .execute();
  const refs = earlier.map((e) => e.id);
  const version = Number(row.version) + 1;
  const changes = {
    root_cause_category: category,
    root_cause_text: text,
    root_cause_key: key,
    recurring: refs.length > 0 ? 1 : 0,
    recurring_refs: JSON.stringify(refs),
    updated_at: new Date().toISOString(),
    version,
  };
  await trx.updateTable('exceptions').set(changes).where('id', '=', row.id).execute();
  await appendEvent(trx, ctx, {
    type: 'exception.root_cause_recorded',
    subject: { type: 'exception', id: row.id, version },
    before: row.root_cause_category ? { category: row.root_cause_category, text: row.root_cause_text } : null,
    after: { category, text, recurring: refs.length > 0, recurringRefs: refs },
    data: { systemId: row.system_id },
  });
  return namedException(trx, presentException({ ...row, ...changes }));
}

export interface VerifyInput {
  exceptionId: string;
  note: string;
  expectedVersion?: number;
}

/** Independent verification of the fix: never by the resolver. */
export async function verifyException(trx: Tx, { ctx, input }: { ctx: RequestContext; input: VerifyInput }): Promise<NamedExceptionView> {
  requirePersonalSignature(ctx, 'verifying a fix');
  const row = await findException(trx, input.exceptionId);
  requireVersion(row, input.expectedVersion);
  const verifierId = ctx.actor.userId;
  if (verifierId === null) throw new AppError('forbidden', 'verification needs a named person');
  if (verifierId === row.resolver_id) {
    throw new AppError('verifier_is_resolver', 'the resolver cannot verify their own fix; someone else must', {
      resolverId: row.resolver_id,
    });
  }
  if (!canManage(ctx, row) && !hasRole(ctx.actor, 'reviewer')) {
    throw new AppError('forbidden', 'verification needs the owner, a reviewer, a system owner or a governance lead');
  }
  if (row.status !== 'verifying') {
    throw new AppError('invalid_transition', `verification happens in status verifying, not ${row.status}`, { status: row.status });
  }
  const note = requireRationale(input.note, { field: 'note', minimum: ctx.policies.minRationaleLength });
  const now = new Date().toISOString();
  const version = Number(row.version) + 1;
  const changes = { verified_by: verifierId, verified_at: now, verification_note: note, updated_at: now, version };
  await trx.updateTable('exceptions').set(changes).where('id', '=', row.id).execute();
  await appendEvent(trx, ctx, {
    type: 'exception.verified',
    subject: { type: 'exception', id: row.id, version },
    after: { verifiedBy: verifierId, note },
    data: { systemId: row.system_id },
  });
  return namedException(trx, presentException({ ...row, ...changes }));
}
