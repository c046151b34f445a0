// Routes of the decisions area: each page's URL, its search parameters and its code-split component.
// Filters live in the URL, so a view of the review queue or of the appeals is a link.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const REVIEW_STATUSES = ['pending', 'confirmed', 'overridden'] as const;
export const APPEAL_STATUSES = ['received', 'in_review', 'resolved'] as const;

export interface DecisionsSearch {
  system?: string;
  status?: (typeof REVIEW_STATUSES)[number];
  page?: number;
}

export interface AppealsSearch {
  system?: string;
  status?: (typeof APPEAL_STATUSES)[number];
  overdue?: boolean;
  page?: number;
}

const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
const oneOf = <T extends string>(values: readonly T[], v: unknown) => ((values as readonly unknown[]).includes(v) ? (v as T) : undefined);
const pageOf = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 1 ? v : undefined);
const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function validateDecisionsSearch(raw: Record<string, unknown>): DecisionsSearch {
  return clean({ system: text(raw.system), status: oneOf(REVIEW_STATUSES, raw.status), page: pageOf(raw.page) });
}

export function validateAppealsSearch(raw: Record<string, unknown>): AppealsSearch {
  return clean({
    system: text(raw.system),
    status: oneOf(APPEAL_STATUSES, raw.status),
    overdue: raw.overdue === true || raw.overdue === 'true' ? true : undefined,
    page: pageOf(raw.page),
  });
}

export const decisionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/decisions',
  validateSearch: validateDecisionsSearch,
  component: lazyRouteComponent(() => import('../features/decisions/DecisionsPage'), 'DecisionsPage'),
});

export const appealsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/appeals',
  validateSearch: validateAppealsSearch,
  component: lazyRouteComponent(() => import('../features/decisions/AppealsPage'), 'AppealsPage'),
});

export const appealRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/appeals/$appealId',
  component: lazyRouteComponent(() => import('../features/decisions/AppealPage'), 'AppealPage'),
});

export const decisionsRoutes = [decisionsRoute, appealsRoute, appealRoute];
