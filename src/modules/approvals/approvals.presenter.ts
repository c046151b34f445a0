// Maps approval rows to the API shapes, so a new column never leaks by accident.
import type { Kysely } from 'kysely';
import { displayNames, idsIn, nameOf, withNames } from '../../accounts/display-names.js';
import type { Database } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { isExpired } from '../../governance/chain.js';
import { type listChangeRecords, presentChangeRecord } from '../../governance/change-records.service.js';
import { currentSnapshot } from '../../governance/content.js';
import { contentOf, type DecisionRow, type RequestRow, type RequestState } from '../../governance/requests.repository.js';

export function presentRequestSummary(r: RequestRow) {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    subjectId: r.subject_id,
    systemId: r.system_id,
    status: r.status,
    revision: Number(r.revision),
    contentDigest: r.content_digest,
    requestedBy: r.requested_by,
    createdAt: r.created_at,
    emergencyAt: r.emergency_at,
    retrospectiveDueAt: r.retrospective_due_at,
    version: Number(r.version),
  };
}

const peopleOfRequest = (r: RequestRow, decisions: DecisionRow[]) => [
  r.requested_by,
  r.emergency_by,
  ...decisions.flatMap((d) => [d.approver_id, d.on_behalf_of]),
];

/** The subject as it is now, in the shape the request's content snapshotted it, so a reader sees what
 * changed under the request since it was filed; null when the subject no longer exists. */
async function currentSnapshotOf(db: Kysely<Database>, r: RequestRow): Promise<unknown> {
  try {
    return await currentSnapshot(db, contentOf(r));
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  }
}

export async function presentRequest(db: Kysely<Database>, { request: r, policy, decisions, chain }: RequestState, now = new Date()) {
  // Everyone the request names (requester, emergency actor, approvers and their principals): one lookup.
  const names = await displayNames(db, peopleOfRequest(r, decisions));
  const person = (id: string) => ({ id, name: names.get(id) ?? id });
  const counted = new Set(chain.steps.flatMap((s) => s.approvals.map((a) => a.id)));
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    justification: r.justification,
    subject: { type: r.subject_type, id: r.subject_id },
    systemId: r.system_id,
    content: JSON.parse(r.content) as unknown,
    contentDigest: r.content_digest,
    currentSnapshot: await currentSnapshotOf(db, r),
    revision: Number(r.revision),
    policy: { id: policy.policyId, version: policy.version },
    status: r.status,
    requestedBy: r.requested_by,
    requestedByName: nameOf(names, r.requested_by),
    createdAt: r.created_at,
    revisedAt: r.revised_at,
    completedAt: r.completed_at,
    validUntil: r.valid_until,
    appliedAt: r.applied_at,
    emergency:
      r.emergency_by && r.emergency_at
        ? {
            by: r.emergency_by,
            byName: nameOf(names, r.emergency_by),
            reason: r.emergency_reason ?? '',
            at: r.emergency_at,
            exceptionId: r.exception_id,
            retrospectiveDueAt: r.retrospective_due_at,
            escalatedAt: r.escalated_at,
          }
        : null,
    chain: {
      complete: chain.complete,
      openStage: chain.openStage,
      steps: chain.steps.map((s) => ({
        index: s.index,
        name: s.step.name,
        stage: s.step.stage,
        required: s.step.required,
        approvals: s.approvals.length,
        expired: s.expired.length,
        complete: s.complete,
      })),
    },
    decisions: decisions.map((d) => ({
      id: d.id,
      revision: Number(d.revision),
      counts: counted.has(d.id),
      stepIndex: d.step_index === null ? null : Number(d.step_index),
      decision: d.decision,
      approver: person(d.approver_id),
      approverRole: d.approver_role,
      onBehalfOf: d.on_behalf_of ? person(d.on_behalf_of) : null,
      rationale: d.rationale,
      contentDigest: d.content_digest,
      decidedAt: d.decided_at,
      validUntil: d.valid_until,
      expired: isExpired({ validUntil: d.valid_until }, now),
      eventId: d.event_id,
    })),
    version: Number(r.version),
  };
}

type DelegationRow = {
  id: string;
  delegator_id: string;
  delegate_id: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  revoked_at: string | null;
};

export function presentDelegation(d: DelegationRow) {
  return {
    id: d.id,
    delegatorId: d.delegator_id,
    delegateId: d.delegate_id,
    startsAt: d.starts_at,
    endsAt: d.ends_at,
    reason: d.reason,
    revokedAt: d.revoked_at,
  };
}

const DELEGATION_PEOPLE = ['delegatorId', 'delegateId'] as const;

/** Delegations with delegator and delegate named, in one lookup. */
export async function presentDelegationsNamed(db: Kysely<Database>, rows: DelegationRow[]) {
  const views = rows.map(presentDelegation);
  const names = await displayNames(db, idsIn(views, DELEGATION_PEOPLE));
  return views.map((view) => withNames(view, DELEGATION_PEOPLE, names));
}

export async function presentDelegationNamed(db: Kysely<Database>, row: DelegationRow) {
  const [view] = await presentDelegationsNamed(db, [row]);
  return view;
}

type ChangeRecordRow = Awaited<ReturnType<typeof listChangeRecords>>['items'][number];

/** A page of change records with who recorded each named (signers carry their names already), in one lookup. */
export async function presentChangeRecordsNamed(db: Kysely<Database>, rows: ChangeRecordRow[]) {
  const views = rows.map(presentChangeRecord);
  const names = await displayNames(db, idsIn(views, ['recordedBy']));
  return views.map((view) => withNames(view, ['recordedBy'], names));
}
