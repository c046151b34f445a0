// Typed reads of approval requests and their decisions.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Tx } from '../db/store.js';
import { notFound } from '../errors.js';
import type { PageOf } from '../server/http.js';
import type { ApprovalDecisionsTable, ApprovalRequestsTable, RequestKind, RequestStatus } from './approvals.tables.js';
import { type ChainState, type CountedApproval, evaluateChain } from './chain.js';
import type { RequestContent } from './content.js';
import { type PolicyVersion, policyVersionOf } from './policies.js';

export type RequestRow = Selectable<ApprovalRequestsTable>;
export type DecisionRow = Selectable<ApprovalDecisionsTable>;

export async function loadRequest(db: Kysely<Database>, id: string): Promise<RequestRow> {
  const row = await db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('approval request', id);
  return row;
}

export const contentOf = (request: RequestRow) => JSON.parse(request.content) as RequestContent;

export async function decisionsOf(db: Kysely<Database>, requestId: string): Promise<DecisionRow[]> {
  return db.selectFrom('approval_decisions').selectAll().where('request_id', '=', requestId).orderBy('decided_at').orderBy('id').execute();
}

/** Approvals of the request's current revision: earlier revisions no longer count. */
export function countedApprovals(request: RequestRow, decisions: DecisionRow[]): CountedApproval[] {
  return decisions
    .filter((d) => d.decision === 'approve' && Number(d.revision) === Number(request.revision) && d.step_index !== null)
    .map((d) => ({
      id: d.id,
      stepIndex: Number(d.step_index),
      approverId: d.approver_id,
      onBehalfOf: d.on_behalf_of,
      decidedAt: d.decided_at,
      validUntil: d.valid_until,
    }));
}

export interface RequestState {
  request: RequestRow;
  policy: PolicyVersion;
  decisions: DecisionRow[];
  chain: ChainState;
}

export async function loadRequestState(trx: Tx, id: string, now = new Date()): Promise<RequestState> {
  const request = await loadRequest(trx, id);
  const policy = await policyVersionOf(trx, request);
  const decisions = await decisionsOf(trx, id);
  return { request, policy, decisions, chain: evaluateChain(policy.steps, countedApprovals(request, decisions), now) };
}

export interface RequestFilter {
  status?: RequestStatus;
  kind?: RequestKind;
  systemId?: string;
  subjectId?: string;
  requestedBy?: string;
  /** true: only emergency changes (made before their approval). */
  emergency?: boolean;
  limit: number;
  offset: number;
}

export async function listRequests(db: Kysely<Database>, filter: RequestFilter): Promise<PageOf<RequestRow>> {
  let query = db.selectFrom('approval_requests');
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.systemId) query = query.where('system_id', '=', filter.systemId);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.requestedBy) query = query.where('requested_by', '=', filter.requestedBy);
  if (filter.emergency !== undefined) query = query.where('emergency_at', filter.emergency ? 'is not' : 'is', null);
  const [items, count] = await Promise.all([
    query.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n), limit: filter.limit, offset: filter.offset };
}
