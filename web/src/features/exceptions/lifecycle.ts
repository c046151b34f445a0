// The exception lifecycle as the UI shows it: the board's columns, what each next step is called,
// and a deadline's time left. The server (src/modules/exceptions/exceptions.policy.ts) decides; this
// only chooses what to offer.
import type { Answer } from '../../api/types';

export type ExceptionDetail = Answer<'loadExceptionDetail'>;
export type Status = ExceptionDetail['status'];

/** The board's columns: every state an exception can be in, open ones first. */
export const BOARD_COLUMNS: readonly Status[] = [
  'open',
  'triaged',
  'investigating',
  'remediating',
  'verifying',
  'closed',
  'rejected',
  'duplicate',
];

export const STATUS_COLOR: Record<Status, string> = {
  open: 'red',
  triaged: 'orange',
  investigating: 'yellow',
  remediating: 'blue',
  verifying: 'grape',
  closed: 'green',
  rejected: 'gray',
  duplicate: 'gray',
};

export const SEVERITY_COLOR: Record<string, string> = { critical: 'red', high: 'orange', medium: 'yellow', low: 'gray' };

/** The forward step from each state, with the button's words (rejected/duplicate are always possible). */
export const NEXT_STEP: Partial<Record<Status, { to: Status; label: string }>> = {
  open: { to: 'triaged', label: 'Triage' },
  triaged: { to: 'investigating', label: 'Start the investigation' },
  investigating: { to: 'remediating', label: 'Start remediation' },
  remediating: { to: 'verifying', label: 'Send to verification' },
  verifying: { to: 'closed', label: 'Close' },
};

export const FINAL: readonly Status[] = ['closed', 'rejected', 'duplicate'];

/** What closing still needs (the server's own list of gaps, `missing` in its refusal). */
export function closingGaps(e: ExceptionDetail): string[] {
  const gaps: string[] = [];
  if (!e.rootCause) gaps.push('a root cause');
  if (e.correctiveActions.length === 0) gaps.push('a corrective action');
  if (e.correctiveActions.some((a) => a.status !== 'completed')) gaps.push('every corrective action completed');
  if (!e.verification) gaps.push('an independent verification');
  if (e.lessons.length === 0) gaps.push('a lesson learned');
  return gaps;
}

/** "3 h 20 min left", "2 days overdue": the distance from now to a deadline, coarse enough to read. */
export function timeLeft(dueAt: string, now: number = Date.now()): { text: string; overdue: boolean } {
  const diff = Date.parse(dueAt) - now;
  const overdue = diff < 0;
  const minutes = Math.floor(Math.abs(diff) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const amount = days >= 2 ? `${days} days` : days === 1 ? `1 day ${hours} h` : hours > 0 ? `${hours} h ${mins} min` : `${mins} min`;
  return { text: overdue ? `${amount} overdue` : `${amount} left`, overdue };
}
