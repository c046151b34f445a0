// The rules of the exception lifecycle as data: due dates by severity, the allowed transitions,
// and how a root cause is normalised so the same cause on the same system is recognised.
import type { ExceptionStatus, Severity } from './exceptions.tables.js';

/** Days from detection (an incident: from awareness) until an exception is due, by severity. */
export const DUE_DAYS_BY_SEVERITY: Record<Severity, number> = { critical: 1, high: 3, medium: 14, low: 30 };

export const OPEN_STATUSES: readonly ExceptionStatus[] = ['open', 'triaged', 'investigating', 'remediating', 'verifying'];
export const FINAL_STATUSES: readonly ExceptionStatus[] = ['closed', 'rejected', 'duplicate'];

/** The forward path; verifying may fall back to remediating when the fix does not hold. */
const NEXT: Record<ExceptionStatus, readonly ExceptionStatus[]> = {
  open: ['triaged'],
  triaged: ['investigating'],
  investigating: ['remediating'],
  remediating: ['verifying'],
  verifying: ['closed', 'remediating'],
  closed: [],
  rejected: [],
  duplicate: [],
};

export function allowedTransitions(from: ExceptionStatus): ExceptionStatus[] {
  if (FINAL_STATUSES.includes(from)) return [];
  return [...NEXT[from], 'rejected', 'duplicate'];
}

export function isOpenStatus(status: ExceptionStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export function dueAtFor(severity: Severity, detectedAt: string): string {
  return new Date(Date.parse(detectedAt) + DUE_DAYS_BY_SEVERITY[severity] * 86_400_000).toISOString();
}

const normalise = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** `category|text`, case, punctuation and spacing ignored. */
export function rootCauseKey(category: string, text: string): string {
  return `${normalise(category)}|${normalise(text)}`;
}
