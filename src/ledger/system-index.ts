import { AppError } from '../errors.js';

// Which AI system a ledger event concerns, and what kind of history entry it is: pure functions of
// the event (its leaf JSON), so the `ledger_events.system_id` index column can be recomputed from
// the leaf by anyone (`proofline verify` checks it) and a system's history is one indexed read.

/** The fields of a leaf these functions read. */
export interface IndexedEventFields {
  type?: unknown;
  subject?: { type?: unknown; id?: unknown } | null;
  data?: Record<string, unknown> | null;
}

/**
 * The system an event concerns: the subject's id when the subject is an `ai_system`, else
 * `data.systemId` when it is a non-empty string, else null. `ledger_events.system_id` holds exactly
 * this value of the row's leaf (written on append; migration 20261130_1100 filled older rows with
 * the same rule in SQL). Events about records of a system (approval requests, exceptions, incidents,
 * decisions, appeals, change records) carry `data.systemId` for this reason.
 *
 * @example systemIdOfEvent(JSON.parse(leaf)) === row.system_id
 */
export function systemIdOfEvent(event: IndexedEventFields): string | null {
  const subject = event.subject;
  if (subject && subject.type === 'ai_system' && typeof subject.id === 'string') return subject.id;
  const fromData = event.data?.systemId;
  return typeof fromData === 'string' && fromData !== '' ? fromData : null;
}

/** The same rule on the stored leaf text (the bytes that are hashed). */
export function systemIdOfLeaf(leaf: string): string | null {
  return systemIdOfEvent(JSON.parse(leaf) as IndexedEventFields);
}

export const HISTORY_KINDS = [
  'system',
  'model_version',
  'data_source',
  'approval',
  'exception',
  'incident',
  'oversight',
  'decision',
  'appeal',
  'change_record',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

const EXCEPTION_SUBJECTS = ['exception', 'corrective_action', 'follow_up', 'lesson'];
const DECISION_SUBJECTS = ['decision', 'decision_batch'];

/** The kind of history entry an event is, from its type and subject type. `historyKindCondition`
 * (ledger/history.ts) states the same rule in SQL; a test holds the two equal. */
export function historyKindOf(type: string, subjectType: string): HistoryKind {
  if (type === 'change.recorded') return 'change_record';
  if (type.startsWith('incident.')) return 'incident';
  if (subjectType === 'approval_request') return 'approval';
  if (EXCEPTION_SUBJECTS.includes(subjectType)) return 'exception';
  if (subjectType === 'appeal') return 'appeal';
  if (DECISION_SUBJECTS.includes(subjectType) || type.startsWith('decision.') || type.startsWith('decisions.')) return 'decision';
  if (type.startsWith('oversight.')) return 'oversight';
  if (type.startsWith('model_version.')) return 'model_version';
  if (type.startsWith('data_source.')) return 'data_source';
  return 'system';
}

/** `approval,exception` (the API's `kind`, the CLI's `--kind`) -> the kinds; an unknown one is
 * refused with `validation_failed`, naming the known ones. */
export function parseHistoryKinds(kind: string | undefined): HistoryKind[] | undefined {
  if (kind === undefined) return undefined;
  const kinds = kind
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = kinds.filter((k) => !(HISTORY_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `kind: unknown ${unknown.join(', ')}`, { field: 'kind', known: [...HISTORY_KINDS] });
  }
  return kinds as HistoryKind[];
}

export const historySubjects = { exception: EXCEPTION_SUBJECTS, decision: DECISION_SUBJECTS };
