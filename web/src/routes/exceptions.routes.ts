// Routes of the exceptions area: each page's URL, its search parameters and its code-split component.
// The board's and the incidents list's filters live in the URL, so every view is a shareable link.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const EXCEPTION_KINDS = ['override', 'deviation', 'emergency_change', 'control_failure', 'incident'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const EXCEPTION_STATUSES = [
  'open',
  'triaged',
  'investigating',
  'remediating',
  'verifying',
  'closed',
  'rejected',
  'duplicate',
] as const;

export interface BoardSearch {
  kind?: (typeof EXCEPTION_KINDS)[number];
  severity?: (typeof SEVERITIES)[number];
  system?: string;
  overdue?: boolean;
}

export interface IncidentsSearch {
  status?: (typeof EXCEPTION_STATUSES)[number];
  system?: string;
  overdue?: boolean;
  /** 1-based. */
  page?: number;
}

const oneOf = <T extends readonly string[]>(list: T, value: unknown): T[number] | undefined =>
  typeof value === 'string' && (list as readonly string[]).includes(value) ? (value as T[number]) : undefined;
const text = (value: unknown, max = 100): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;
const yes = (value: unknown): true | undefined => (value === true || value === 'true' ? true : undefined);
const positive = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 1 ? n : undefined;
};
const defined = <T extends object>(out: T): T => Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as T;

/** Keeps only the board's own parameters, each checked. */
export function validateBoardSearch(search: Record<string, unknown>): BoardSearch {
  return defined({
    kind: oneOf(EXCEPTION_KINDS, search.kind),
    severity: oneOf(SEVERITIES, search.severity),
    system: text(search.system),
    overdue: yes(search.overdue),
  });
}

export function validateIncidentsSearch(search: Record<string, unknown>): IncidentsSearch {
  return defined({
    status: oneOf(EXCEPTION_STATUSES, search.status),
    system: text(search.system),
    overdue: yes(search.overdue),
    page: positive(search.page),
  });
}

export const exceptionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/exceptions',
  validateSearch: validateBoardSearch,
  component: lazyRouteComponent(() => import('../features/exceptions/ExceptionsPage'), 'ExceptionsPage'),
});

export const exceptionRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/exceptions/$exceptionId',
  component: lazyRouteComponent(() => import('../features/exceptions/ExceptionPage'), 'ExceptionPage'),
});

export const incidentsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/incidents',
  validateSearch: validateIncidentsSearch,
  component: lazyRouteComponent(() => import('../features/exceptions/IncidentsPage'), 'IncidentsPage'),
});

export const incidentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/incidents/$incidentId',
  component: lazyRouteComponent(() => import('../features/exceptions/IncidentPage'), 'IncidentPage'),
});

export const exceptionsRoutes = [exceptionsRoute, exceptionRoute, incidentsRoute, incidentRoute];
