// What the reviews pages compute themselves: how a cadence reads, and the first guess of a review
// scheduled by hand (the last three whole months, due in two weeks). The server decides the rest.
import type { Answer, Body } from '../../api/types';

export type Cadence = Answer<'systemReviewCadences'>['cadences'][number];
export type ReviewKind = Body<'createReview'>['kind'];

export const REVIEW_KIND_OPTIONS: Array<{ value: ReviewKind; label: string }> = [
  { value: 'fairness', label: 'Fairness' },
  { value: 'performance', label: 'Performance' },
  { value: 'risk', label: 'Risk' },
  { value: 'custom', label: 'Custom' },
];

/** "Every 3 months", "Every month", or "Not scheduled" (no cadence, or 0). */
export function cadenceText(months: number | null): string {
  if (months === null || months === 0) return 'Not scheduled';
  return months === 1 ? 'Every month' : `Every ${months} months`;
}

/** Where a cadence comes from, in words. */
export function cadenceSource(cadence: Pick<Cadence, 'source'>, tier: string): string {
  return cadence.source === 'system' ? "This system's own" : `Default for the ${tier.replaceAll('_', ' ')} tier`;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** A review scheduled by hand, before anyone edits it: the last three whole calendar months (UTC),
 * due two weeks from today. Dates as the date inputs hold them (YYYY-MM-DD). */
export function scheduleDefaults(now: Date): { periodFrom: string; periodTo: string; dueAt: string } {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const from = new Date(monthStart);
  from.setUTCMonth(from.getUTCMonth() - 3);
  return { periodFrom: day(from), periodTo: day(new Date(monthStart)), dueAt: day(new Date(now.getTime() + 14 * 86_400_000)) };
}

/** A date input's value as the API's date-time: that day's start in UTC; null when it is not a date. */
export function dayToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const time = Date.parse(`${value}T00:00:00.000Z`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** The form's errors for a review's dates (the server checks the same). */
export function periodErrors(values: {
  periodFrom: string;
  periodTo: string;
  dueAt: string;
}): Partial<Record<keyof typeof values, string>> {
  const errors: Partial<Record<keyof typeof values, string>> = {};
  const from = dayToIso(values.periodFrom);
  const to = dayToIso(values.periodTo);
  if (!from) errors.periodFrom = 'A date';
  if (!to) errors.periodTo = 'A date';
  if (!dayToIso(values.dueAt)) errors.dueAt = 'A date';
  if (from && to && from >= to) errors.periodTo = 'After the start of the period';
  return errors;
}
