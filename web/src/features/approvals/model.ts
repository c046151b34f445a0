// What the approvals pages compute from the API's answers: labels people read, the change asked
// for as "field: from → to" rows, and the difference between what is signed and the subject now.

export const KIND_LABELS: Record<string, string> = {
  system_use: 'Put a system to use',
  model_deployment: 'Deploy a model version',
  intended_use_change: 'Change the intended use',
  data_source_change: 'Change a data source',
  risk_tier_change: 'Change the EU risk tier',
  system_retirement: 'Retire a system',
  policy_change: 'Change an approval policy',
  soa_change: 'Change the Statement of Applicability',
};
export const KIND_OPTIONS = Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }));

export const STATUS_LABELS: Record<string, string> = {
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  changes_requested: 'Changes requested',
  withdrawn: 'Withdrawn',
};
export const STATUS_OPTIONS = Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }));
export const STATUS_COLORS: Record<string, string> = {
  pending: 'yellow',
  approved: 'green',
  rejected: 'red',
  changes_requested: 'orange',
  withdrawn: 'gray',
};

export const DECISION_LABELS: Record<string, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  request_changes: 'Changes requested',
};

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every leaf that differs between two JSON values, by dotted path (arrays compare whole). */
export function diffJson(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return same(before, after) ? [] : [{ path: path || '(whole)', before, after }];
}

/** The change a request asks for, as rows: `{ status: { from, to } }` reads "status: from → to";
 * anything else (a policy's steps, a legal rationale) is shown as the value asked for. */
export function changeRows(change: unknown): FieldChange[] {
  if (!isObject(change)) return [];
  return Object.entries(change).map(([path, value]) =>
    isObject(value) && 'to' in value && Object.keys(value).every((k) => k === 'from' || k === 'to')
      ? { path, before: value.from, after: value.to }
      : { path, before: undefined, after: value },
  );
}

/** A JSON value as one line a person can read. */
export function show(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// The same measure as the server's rationale rule (src/rationale.ts): visible characters only.
const INVISIBLE = /[\p{C}\p{Z}\s\p{Default_Ignorable_Code_Point}\u2800]/gu;
const NOT_A_MARK = /\P{M}/u;
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** How many characters a reader sees (the server counts the same way and has the last word). */
export function visibleLength(text: string): number {
  let count = 0;
  for (const { segment } of graphemes.segment(text.replace(INVISIBLE, '').normalize('NFC'))) if (NOT_A_MARK.test(segment)) count += 1;
  return count;
}

/** The rationale minimum the server applies by default (config.minRationaleLength). */
export const MIN_RATIONALE = 10;

/** Is a retrospective deadline passed? */
export const overdue = (dueAt: string | null | undefined, now = new Date()) => !!dueAt && Date.parse(dueAt) <= now.getTime();

/** May this person change anything at all (the server's `mayWrite`): a role other than auditor,
 * globally or for some AI system. An auditor, or someone with no role, only reads. */
export function mayWrite(session: { roles: readonly string[]; systemRoles: Record<string, readonly string[]> }): boolean {
  const writer = (roles: readonly string[]) => roles.some((r) => r !== 'auditor');
  return writer(session.roles) || Object.values(session.systemRoles).some(writer);
}
