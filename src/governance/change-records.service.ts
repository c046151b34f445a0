// Change records (ISO 42001 A.6.2; EU AI Act Art. 11, Annex IV): every change to a system, model
// version, data source or policy keeps a before and after snapshot, a structured diff, the rationale
// and the approval that allowed it or the exception that bypassed it. Versions are rebuilt from the
// ledger, so a comparison does not depend on any mutable table.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext, Signer } from '../context.js';
import type { Database } from '../db/schema.js';
import { insertRows, type Tx } from '../db/store.js';
import { AppError, notFound } from '../errors.js';
import { appendEvent, type EventInput } from '../ledger/ledger.service.js';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-level differences; nested objects are walked, arrays and scalars compared whole. */
export function structuredDiff(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => structuredDiff(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path: path || '.', before: before ?? null, after: after ?? null }];
}

export interface NewChangeRecord {
  subjectType: 'ai_system' | 'model_version' | 'data_source' | 'approval_policy' | 'soa';
  subjectId: string;
  systemId: string | null;
  /** The subject's version after the change, when it has one. */
  subjectVersion: number | null;
  changeKind: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  rationale: string;
  approvalRequestId: string | null;
  exceptionId: string | null;
}

/**
 * The one path every change is recorded by: the inventory's use cases (whatever called them: a
 * direct edit, an approval's effect, an emergency change) and the policy changes of
 * apply-approved-change.ts. Whether the change needed an approval is the caller's rule
 * (governed-changes.ts); this records what allowed it, or that nothing had to.
 *
 * The evidence is written once: `event` is the use case's own ledger event (its before/after are the
 * fields that changed; the actor names the signers of an approved change), appended here with the
 * change record's id, the authority and the change-record controls. The `change_records` row is an
 * index of that event for reads (the list, "ever approved for use"), written from the same values:
 * its full before/after and diff are derived from what the use case holds, not written to the ledger
 * a second time. A change that no use case records with an event of its own (a policy version)
 * passes no `event` and gets a `change.recorded` event, the shape every change had before.
 */
export async function recordChange(trx: Tx, { ctx, change, event }: { ctx: RequestContext; change: NewChangeRecord; event?: EventInput }) {
  const id = randomUUID();
  const diff = structuredDiff(change.before ?? {}, change.after);
  // Applied under an approval: the person whose decision completed it acts, and these signed it.
  const signedBy = (ctx.actor.applying?.signers ?? []).map((s) => ({ id: s.id, name: s.name, onBehalfOf: s.onBehalfOf }));
  const appended = await appendEvent(
    trx,
    ctx,
    event
      ? {
          ...event,
          // An event that states its reason (null: none was given) keeps it; else the record's rationale.
          reason: event.reason !== undefined ? event.reason : change.rationale || undefined,
          data: {
            ...event.data,
            changeRecordId: id,
            ...(change.approvalRequestId ? { approvalRequestId: change.approvalRequestId } : {}),
            ...(change.exceptionId ? { exceptionId: change.exceptionId } : {}),
          },
        }
      : {
          type: 'change.recorded',
          subject: { type: change.subjectType, id: change.subjectId, version: change.subjectVersion },
          before: change.before ?? undefined,
          after: change.after,
          reason: change.rationale,
          data: {
            changeRecordId: id,
            changeKind: change.changeKind,
            systemId: change.systemId,
            diff,
            approvalRequestId: change.approvalRequestId,
            exceptionId: change.exceptionId,
            signedBy,
          },
        },
  );
  const row = {
    id,
    subject_type: change.subjectType,
    subject_id: change.subjectId,
    system_id: change.systemId,
    subject_version: change.subjectVersion,
    change_kind: change.changeKind,
    before: JSON.stringify(change.before),
    after: JSON.stringify(change.after),
    diff: JSON.stringify(diff),
    rationale: change.rationale,
    approval_request_id: change.approvalRequestId,
    exception_id: change.exceptionId,
    recorded_by: ctx.actor.userId,
    recorded_at: appended.recordedAt,
    event_id: appended.eventId,
    signed_by: JSON.stringify(signedBy),
  };
  await insertRows(trx, 'change_records', [row]);
  return { ...row, diff };
}

/** The change record an approval request's effect wrote (one per request: its change applies once). */
export async function changeRecordOfRequest(trx: Tx, requestId: string) {
  const row = await trx
    .selectFrom('change_records')
    .select(['id', 'diff'])
    .where('approval_request_id', '=', requestId)
    .orderBy('recorded_at', 'desc')
    .executeTakeFirst();
  if (!row) throw new AppError('internal_error', `applying request ${requestId} recorded no change`);
  return { id: row.id, diff: JSON.parse(row.diff) as FieldChange[] };
}

export function presentChangeRecord(row: Awaited<ReturnType<typeof listChangeRecords>>['items'][number]) {
  return {
    id: row.id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    systemId: row.system_id,
    subjectVersion: row.subject_version === null ? null : Number(row.subject_version),
    changeKind: row.change_kind,
    before: JSON.parse(row.before) as unknown,
    after: JSON.parse(row.after) as unknown,
    diff: JSON.parse(row.diff) as FieldChange[],
    rationale: row.rationale,
    approvalRequestId: row.approval_request_id,
    exceptionId: row.exception_id,
    recordedBy: row.recorded_by,
    signedBy: JSON.parse(row.signed_by) as Array<{ id: string; name: string; onBehalfOf: { id: string; name: string } | null }>,
    recordedAt: row.recorded_at,
    eventId: row.event_id,
  };
}

export async function listChangeRecords(
  db: Kysely<Database>,
  filter: { systemId?: string; subjectId?: string; limit: number; offset: number },
) {
  let query = db.selectFrom('change_records');
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  const [items, count] = await Promise.all([
    query.selectAll().orderBy('recorded_at').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n), limit: filter.limit, offset: filter.offset };
}

interface LeafEvent {
  seq: number;
  id: string;
  type: string;
  recordedAt: string;
  subject: { type: string; id: string; version?: number };
  actor?: { kind: string; id: string | null; name: string | null; applying?: { signers: Signer[] } };
  reason?: string;
  after?: unknown;
  data?: Record<string, unknown>;
}

export interface ReconstructedVersion {
  version: number;
  state: Record<string, unknown>;
  /** The ledger events that made this version, oldest first. */
  events: Array<{ seq: number; eventId: string; type: string; recordedAt: string }>;
}

/** Replays the ledger: each event with an `after` patches the state. An event naming the subject's
 * version belongs to that version; one that names none (model-version events filed under their
 * system) starts the next version. */
export function replayVersions(events: LeafEvent[]): Map<number, ReconstructedVersion> {
  const versions = new Map<number, ReconstructedVersion>();
  let state: Record<string, unknown> = {};
  let current = 0;
  for (const event of events) {
    if (!isPlainObject(event.after)) continue;
    const version = event.subject.version ?? current + 1;
    state = { ...state, ...event.after };
    // A change's event keeps only the fields it changed; the version it made is the subject's.
    if ('version' in state) state.version = version;
    current = Math.max(current, version);
    const entry = versions.get(version) ?? { version, state: {}, events: [] };
    entry.state = { ...state };
    entry.events.push({ seq: event.seq, eventId: event.id, type: event.type, recordedAt: event.recordedAt });
    versions.set(version, entry);
  }
  return versions;
}

async function subjectEvents(db: Kysely<Database>, subjectType: 'ai_system' | 'model_version', id: string): Promise<LeafEvent[]> {
  if (subjectType === 'ai_system') {
    const exists = await db.selectFrom('ai_systems').select('id').where('id', '=', id).executeTakeFirst();
    if (!exists) throw notFound('system', id);
    const rows = await db
      .selectFrom('ledger_events')
      .select('leaf')
      .where('subject_type', '=', 'ai_system')
      .where('subject_id', '=', id)
      .orderBy('seq')
      .execute();
    // Only events naming a system version change the system itself; model-version, data-source and
    // phase-owner events are filed under the system without one.
    return rows.map((r) => JSON.parse(r.leaf) as LeafEvent).filter((e) => e.subject.version !== undefined && e.subject.version !== null);
  }
  const mv = await db.selectFrom('model_versions').select('system_id').where('id', '=', id).executeTakeFirst();
  if (!mv) throw notFound('model version', id);
  const rows = await db
    .selectFrom('ledger_events')
    .select('leaf')
    .where((eb) =>
      eb.or([
        eb.and([eb('subject_type', '=', 'model_version'), eb('subject_id', '=', id)]),
        eb.and([eb('subject_type', '=', 'ai_system'), eb('subject_id', '=', mv.system_id), eb('type', 'like', 'model_version.%')]),
      ]),
    )
    .orderBy('seq')
    .execute();
  return rows
    .map((r) => JSON.parse(r.leaf) as LeafEvent)
    .filter((e) => e.subject.type === 'model_version' || e.data?.modelVersionId === id);
}

/** Two versions of a system or model version side by side, rebuilt from the ledger, with their diff. */
export async function compareVersions(
  db: Kysely<Database>,
  { subjectType, subjectId, from, to }: { subjectType: 'ai_system' | 'model_version'; subjectId: string; from: number; to: number },
) {
  const versions = replayVersions(await subjectEvents(db, subjectType, subjectId));
  const pick = (v: number, field: string) => {
    const found = versions.get(v);
    if (!found) {
      throw new AppError('not_found', `${subjectType} ${subjectId} has no version ${v} in the ledger`, {
        field,
        known: [...versions.keys()].sort((a, b) => a - b),
      });
    }
    return found;
  };
  const left = pick(from, 'from');
  const right = pick(to, 'to');
  return { subjectType, subjectId, from: left, to: right, diff: structuredDiff(left.state, right.state) };
}

/** Who did one step of a model version's life, and when, from its ledger event. */
function stepOf(events: LeafEvent[], type: string) {
  const event = events.find((e) => e.type === type);
  if (!event) return null;
  return {
    at: event.recordedAt,
    by: { id: event.actor?.id ?? null, name: event.actor?.name ?? null, kind: event.actor?.kind ?? 'unknown' },
    signers: event.actor?.applying?.signers ?? [],
    approvalRequestId: typeof event.data?.approvalRequestId === 'string' ? event.data.approvalRequestId : null,
    exceptionId: typeof event.data?.exceptionId === 'string' ? event.data.exceptionId : null,
    reason: event.reason ?? null,
    seq: event.seq,
    eventId: event.id,
  };
}

const COMPARED_FIELDS = ['label', 'artifactSha256', 'trainingDataRefs', 'parameters', 'notes', 'status', 'registeredBy', 'deployedAt'];

/**
 * Any two model versions of one system side by side, rebuilt from the ledger: each one's latest
 * state (parameters, artifact digest, training data), who registered, deployed and retired it and
 * under which approval, and the field differences. 404 for an unknown id, 400 (`validation_failed`)
 * when the two belong to different systems.
 */
export async function compareModelVersions(db: Kysely<Database>, { from, to }: { from: string; to: string }) {
  const rows = await db.selectFrom('model_versions').select(['id', 'system_id', 'label']).where('id', 'in', [from, to]).execute();
  const find = (id: string, field: string) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new AppError('not_found', `no model version ${id}`, { field, id });
    return row;
  };
  const left = find(from, 'from');
  const right = find(to, 'to');
  if (left.system_id !== right.system_id) {
    throw new AppError('validation_failed', 'to: the two model versions belong to different systems; compare versions of one system', {
      field: 'to',
      fromSystemId: left.system_id,
      toSystemId: right.system_id,
    });
  }
  const describe = async (id: string) => {
    const events = await subjectEvents(db, 'model_version', id);
    const versions = replayVersions(events);
    const latest = Math.max(0, ...versions.keys());
    const state = versions.get(latest)?.state ?? {};
    const own = events.filter((e) => e.type.startsWith('model_version.'));
    const retired = stepOf(own, 'model_version.retired');
    return {
      id,
      version: latest,
      state,
      registered: stepOf(own, 'model_version.registered'),
      deployed: stepOf(own, 'model_version.deployed'),
      retired: retired && {
        ...retired,
        supersededBy: String(own.find((e) => e.type === 'model_version.retired')?.data?.supersededBy ?? ''),
      },
    };
  };
  const [a, b] = [await describe(from), await describe(to)];
  const pick = (state: Record<string, unknown>) => Object.fromEntries(COMPARED_FIELDS.map((f) => [f, state[f] ?? null]));
  return { systemId: left.system_id, from: a, to: b, diff: structuredDiff(pick(a.state), pick(b.state)) };
}
