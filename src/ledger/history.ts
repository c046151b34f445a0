// The history of one AI system, read from the ledger itself: every event whose leaf ties it to the
// system (`ledger_events.system_id`, see system-index.ts): the system's own changes, approval
// requests and every signature, exceptions and incidents, oversight actions, decisions and appeals,
// model versions, data sources and change records. One indexed query per page (system_id, seq);
// each entry carries its seq, so an inclusion proof (`proofline proof inclusion SEQ`) proves it.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import { type HistoryKind, historyKindOf, historySubjects } from './system-index.js';

export interface HistoryFilter {
  systemId: string;
  kinds?: HistoryKind[];
  /** Server time, inclusive. */
  from?: string;
  /** Server time, exclusive. */
  to?: string;
  order: 'asc' | 'desc';
  /** Keyset paging: the `nextCursor` of the page before (a seq, exclusive). */
  cursor?: number;
  limit: number;
  offset: number;
}

export interface PersonRef {
  id: string | null;
  name: string | null;
}

export interface HistoryEntry {
  seq: number;
  eventId: string;
  /** Server time at which the event was recorded. */
  recordedAt: string;
  kind: HistoryKind;
  type: string;
  summary: string;
  subject: { type: string; id: string };
  actor: PersonRef & { kind: string; email: string | null };
  onBehalfOf: PersonRef | null;
  /** When the actor applied an approved change: who signed it. */
  signers: Array<{ id: string; name: string; onBehalfOf: { id: string; name: string } | null }> | null;
  rationale: string | null;
  links: Record<string, string>;
  leafHash: string;
}

export interface HistoryPage {
  items: HistoryEntry[];
  limit: number;
  offset: number;
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: number | null;
}

const list = (values: string[]) =>
  sql.join(
    values.map((v) => sql.lit(v)),
    sql`, `,
  );

/** historyKindOf (system-index.ts) in SQL, over the indexed columns. */
const kindExpression = sql<string>`case
  when type = 'change.recorded' then 'change_record'
  when type like 'incident.%' then 'incident'
  when subject_type = 'approval_request' then 'approval'
  when subject_type in (${list(historySubjects.exception)}) then 'exception'
  when subject_type = 'appeal' then 'appeal'
  when subject_type in (${list(historySubjects.decision)}) or type like 'decision.%' or type like 'decisions.%' then 'decision'
  when type like 'oversight.%' then 'oversight'
  when type like 'model!_version.%' escape '!' then 'model_version'
  when type like 'data!_source.%' escape '!' then 'data_source'
  else 'system' end`;

export async function systemHistory(db: Kysely<Database>, filter: HistoryFilter): Promise<HistoryPage> {
  let query = db
    .selectFrom('ledger_events')
    .select(['seq', 'event_id', 'type', 'subject_type', 'recorded_at', 'leaf', 'leaf_hash'])
    .where('system_id', '=', filter.systemId);
  if (filter.cursor !== undefined) query = query.where('seq', filter.order === 'asc' ? '>' : '<', filter.cursor);
  if (filter.from) query = query.where('recorded_at', '>=', new Date(filter.from).toISOString());
  if (filter.to) query = query.where('recorded_at', '<', new Date(filter.to).toISOString());
  if (filter.kinds?.length) query = query.where(kindExpression, 'in', filter.kinds);
  const rows = await query
    .orderBy('seq', filter.order)
    .limit(filter.limit + 1)
    .offset(filter.offset)
    .execute();
  const more = rows.length > filter.limit;
  const page = more ? rows.slice(0, filter.limit) : rows;
  return {
    items: page.map((r) => historyEntry(Number(r.seq), JSON.parse(r.leaf) as Leaf, Buffer.from(r.leaf_hash).toString('hex'))),
    limit: filter.limit,
    offset: filter.offset,
    nextCursor: more ? Number(page[page.length - 1].seq) : null,
  };
}

interface Leaf {
  id: string;
  type: string;
  recordedAt: string;
  actor: {
    kind: string;
    id: string | null;
    name: string | null;
    email: string | null;
    applying?: { approvalRequestId: string; signers: HistoryEntry['signers'] };
  };
  onBehalfOf?: string;
  subject: { type: string; id: string };
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  reason?: string;
  data?: Record<string, unknown>;
}

/** Record ids worth following from an entry, from the subject and the event's data. */
const LINK_FIELDS = ['approvalRequestId', 'exceptionId', 'changeRecordId', 'modelVersionId', 'dataSourceId', 'decisionId', 'supersededBy'];
const SUBJECT_LINKS: Record<string, string> = {
  approval_request: 'approvalRequestId',
  exception: 'exceptionId',
  corrective_action: 'correctiveActionId',
  follow_up: 'followUpId',
  lesson: 'lessonId',
  appeal: 'appealId',
  decision: 'decisionRecordId',
  decision_batch: 'decisionBatchId',
};

function historyEntry(seq: number, leaf: Leaf, leafHash: string): HistoryEntry {
  const links: Record<string, string> = {};
  const subjectLink = SUBJECT_LINKS[leaf.subject.type];
  if (subjectLink) links[subjectLink] = leaf.subject.id;
  for (const field of LINK_FIELDS) {
    const value = leaf.data?.[field] ?? leaf.after?.[field];
    if (typeof value === 'string') links[field] = value;
  }
  if (leaf.actor.applying) links.approvalRequestId = leaf.actor.applying.approvalRequestId;
  const behalf = leaf.after?.onBehalfOf as { id?: string; name?: string } | null | undefined;
  const signers =
    leaf.actor.applying?.signers ?? (Array.isArray(leaf.data?.signers) ? (leaf.data.signers as HistoryEntry['signers']) : null);
  return {
    seq,
    eventId: leaf.id,
    recordedAt: leaf.recordedAt,
    kind: historyKindOf(leaf.type, leaf.subject.type),
    type: leaf.type,
    summary: summaryOf(leaf),
    subject: { type: leaf.subject.type, id: leaf.subject.id },
    actor: { kind: leaf.actor.kind, id: leaf.actor.id, name: leaf.actor.name, email: leaf.actor.email },
    onBehalfOf: leaf.onBehalfOf ? { id: leaf.onBehalfOf, name: behalf?.id === leaf.onBehalfOf ? (behalf.name ?? null) : null } : null,
    signers,
    rationale: leaf.reason ?? null,
    links,
    leafHash,
  };
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** One line saying what happened, from the event alone. */
export function summaryOf(leaf: Pick<Leaf, 'type' | 'subject' | 'before' | 'after' | 'data' | 'actor'>): string {
  const after = leaf.after ?? {};
  const before = leaf.before ?? {};
  const data = leaf.data ?? {};
  const by = leaf.actor.name ?? leaf.actor.email ?? leaf.actor.kind;
  const status = () => (before.status !== undefined ? `${str(before.status)} -> ${str(after.status)}` : str(after.status));
  switch (leaf.type) {
    case 'system.created':
      return `${by} registered the system "${str(after.name)}" (${str(after.status)})`;
    case 'system.updated':
    case 'system.intended_use_changed': {
      // The event keeps only the fields that changed (systems.service.ts, recordSystemChange).
      const fields = Object.keys(after).filter((k) => k !== 'version' && k !== 'updatedAt');
      return fields.length ? `${by} changed ${fields.join(', ')}` : `${by} updated the system`;
    }
    case 'approval.requested':
      return `${by} requested approval: ${str(after.title)}`;
    case 'approval.granted':
    case 'approval.rejected':
    case 'approval.changes_requested': {
      const step = after.step as { name?: string } | undefined;
      const verb = {
        'approval.granted': 'approved',
        'approval.rejected': 'rejected',
        'approval.changes_requested': 'asked for changes to',
      }[leaf.type];
      return `${by} ${verb} the request${step?.name ? ` as ${step.name}` : ''}`;
    }
    case 'approval.completed':
      return 'the approval chain completed';
    case 'approval.applied': {
      const signers = Array.isArray(data.signers) ? (data.signers as Array<{ name: string }>).map((s) => s.name) : [];
      return `${by} applied the approved change (${str(after.changeKind)})${signers.length ? `, signed by ${signers.join(', ')}` : ''}`;
    }
    case 'change.recorded':
      return `change recorded: ${str(data.changeKind)} of ${leaf.subject.type} ${leaf.subject.id}`;
    case 'model_version.registered':
      return `${by} registered model version ${str(after.label)}`;
    case 'model_version.deployed':
      return `${by} deployed model version ${str(data.modelVersionId)}`;
    case 'model_version.retired':
      return `model version ${str(data.modelVersionId)} retired, superseded by ${str(data.supersededBy)}`;
    case 'exception.opened':
      return `${by} opened ${str(after.kind) || 'an exception'}: ${str(after.title)}`;
    case 'oversight.paused':
    case 'oversight.restricted':
    case 'oversight.resumed':
      return `${by} ${leaf.type.slice('oversight.'.length)} the system`;
    default:
      if (leaf.type.startsWith('exception.') || leaf.type.startsWith('appeal.') || after.status !== undefined) {
        return `${by}: ${leaf.type}${after.status !== undefined ? ` (${status()})` : ''}`;
      }
      return `${by}: ${leaf.type}`;
  }
}
