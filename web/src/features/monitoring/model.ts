// The monitoring pages' logic that is not drawing: windows, how a statistic reads (a number, or its
// reason when null: never a silent 0), monitor wording, and a metric's buckets as chart rows.
import type { Answer } from '../../api/types';
import type { WINDOWS } from '../../routes/monitoring.routes';

export type Monitor = Answer<'listSystemMonitors'>['items'][number];
export type Series = Answer<'metricSeries'>;
export type Fairness = Answer<'systemFairness'>;
export type Drift = Answer<'systemDrift'>;
export type AlertItem = Answer<'listAlerts'>['items'][number];
export interface Estimate {
  value: number | null;
  reason: string | null;
}

export const WINDOW_LABEL: Record<(typeof WINDOWS)[number], string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
};
const WINDOW_MS: Record<(typeof WINDOWS)[number], number> = {
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
};
export const DEFAULT_WINDOW = '7d' as const;

/** The window's start, to the minute (a stable query key while the page is open), and its end:
 * the start of the next minute, so a point recorded just now is inside. `previous` is the window
 * of the same length just before it (drift's default reference). */
export function windowOf(window: (typeof WINDOWS)[number], now = Date.now()) {
  const minute = 60_000;
  const to = Math.ceil((now + 1) / minute) * minute;
  const from = to - WINDOW_MS[window];
  const iso = (ms: number) => new Date(ms).toISOString();
  return { from: iso(from), to: iso(to), previous: { from: iso(from - WINDOW_MS[window]), to: iso(from) } };
}

export const COMPARISON: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤' };

/** "max over 1 h > 500". */
export function ruleOf(m: Pick<Monitor, 'aggregation' | 'comparison' | 'threshold' | 'windowSeconds'>): string {
  return `${m.aggregation} over ${durationOf(m.windowSeconds)} ${COMPARISON[m.comparison] ?? m.comparison} ${formatNumber(m.threshold)}`;
}

export function durationOf(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export function formatNumber(value: number, digits = 3): string {
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return Number(value.toPrecision(digits + 1)).toLocaleString('en', { maximumFractionDigits: 6 });
}

/** A statistic as text: its value, or "n/a: <why>" when the API gives none. */
export function estimateText(e: Estimate, digits = 3): string {
  if (e.value === null) return `n/a: ${(e.reason ?? 'not estimated').replaceAll('_', ' ')}`;
  return formatNumber(e.value, digits);
}

/** A p-value too small to show in `digits` places reads "< 0.0001", never a bare 0. */
export function pValueText(e: Estimate): string {
  if (e.value !== null && e.value < 0.0001) return '< 0.0001';
  return estimateText(e);
}

/** "sex=female, age_band=(none)". */
export function groupLabel(attributes: Record<string, string | null>): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}=${v ?? '(none)'}`)
    .join(', ');
}

/** Which value of a bucket a monitor's aggregation is drawn from. */
export function valueKeyOf(aggregation: string): 'avg' | 'max' | 'min' {
  return aggregation === 'max' ? 'max' : aggregation === 'min' ? 'min' : 'avg';
}

/** The distinct metrics of a system's monitors, each with the monitors drawn on its chart. */
export function metricsOf(monitors: readonly Monitor[]): Array<{ metric: string; monitors: Monitor[] }> {
  const byMetric = new Map<string, Monitor[]>();
  for (const m of monitors) byMetric.set(m.metric, [...(byMetric.get(m.metric) ?? []), m]);
  return [...byMetric].map(([metric, list]) => ({ metric, monitors: list }));
}

/** The usual reading of a PSI (docs/MONITORING.md). */
export function psiReading(psi: number | null): string | null {
  if (psi === null) return null;
  return psi < 0.1 ? 'stable' : psi <= 0.25 ? 'shifting' : 'shifted';
}
