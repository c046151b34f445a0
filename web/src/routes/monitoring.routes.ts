// Routes of the monitoring area: the alert list across systems and a system's monitoring page
// (monitors and their charts, fairness per group, drift). Every filter and window lives in the URL,
// so each view is a shareable link.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const WINDOWS = ['24h', '7d', '30d', '90d'] as const;
export const MONITORING_TABS = ['monitors', 'fairness', 'drift'] as const;
export const DRIFT_REFERENCES = ['previous', 'baseline'] as const;

export interface AlertsSearch {
  status?: (typeof ALERT_STATUSES)[number];
  severity?: (typeof ALERT_SEVERITIES)[number];
  system?: string;
  /** 1-based. */
  page?: number;
}

export interface SystemMonitoringSearch {
  tab?: (typeof MONITORING_TABS)[number];
  /** The window every chart and report covers, ending now. */
  window?: (typeof WINDOWS)[number];
  /** Fairness: the group attributes, comma-separated (an intersection when more than one). */
  groupBy?: string;
  /** Drift: against the window before the current one, or a frozen baseline. */
  against?: (typeof DRIFT_REFERENCES)[number];
  baseline?: string;
  /** Drift: `score` (the default) or a feature the system declares. */
  feature?: string;
}

const oneOf = <T extends readonly string[]>(list: T, value: unknown): T[number] | undefined =>
  typeof value === 'string' && (list as readonly string[]).includes(value) ? (value as T[number]) : undefined;
const text = (value: unknown, max = 100): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;
const positive = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 1 ? n : undefined;
};
const ATTRIBUTES = /^[a-z][a-z0-9_]{0,49}(,[a-z][a-z0-9_]{0,49}){0,2}$/;
const FEATURE = /^[a-z][a-z0-9_]{0,49}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const defined = <T extends object>(out: T): T => Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as T;

export function validateAlertsSearch(search: Record<string, unknown>): AlertsSearch {
  return defined({
    status: oneOf(ALERT_STATUSES, search.status),
    severity: oneOf(ALERT_SEVERITIES, search.severity),
    system: text(search.system),
    page: positive(search.page),
  });
}

export function validateSystemMonitoringSearch(search: Record<string, unknown>): SystemMonitoringSearch {
  const groupBy = text(search.groupBy, 160)?.replaceAll(' ', '').toLowerCase();
  const baseline = text(search.baseline);
  const feature = text(search.feature);
  return defined({
    tab: oneOf(MONITORING_TABS, search.tab),
    window: oneOf(WINDOWS, search.window),
    groupBy: groupBy && ATTRIBUTES.test(groupBy) ? groupBy : undefined,
    against: oneOf(DRIFT_REFERENCES, search.against),
    baseline: baseline && UUID.test(baseline) ? baseline : undefined,
    feature: feature && FEATURE.test(feature) ? feature : undefined,
  });
}

export const alertsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/monitoring/alerts',
  validateSearch: validateAlertsSearch,
  component: lazyRouteComponent(() => import('../features/monitoring/AlertsPage'), 'AlertsPage'),
});

export const systemMonitoringRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/systems/$systemId/monitoring',
  validateSearch: validateSystemMonitoringSearch,
  component: lazyRouteComponent(() => import('../features/monitoring/SystemMonitoringPage'), 'SystemMonitoringPage'),
});

export const monitoringRoutes = [alertsRoute, systemMonitoringRoute];
