// Routes of the approvals area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const APPROVAL_TABS = ['queue', 'mine', 'all', 'delegations', 'emergency'] as const;
export type ApprovalTab = (typeof APPROVAL_TABS)[number];

export interface ApprovalsSearch {
  /** Which list: my queue (the default), requests I filed, all requests, delegations, emergency changes. */
  tab?: ApprovalTab;
  page?: number;
  status?: string;
  kind?: string;
  systemId?: string;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 200) : undefined);

export function validateApprovalsSearch(s: Record<string, unknown>): ApprovalsSearch {
  const tab = APPROVAL_TABS.find((t) => t === s.tab);
  const page = Number(s.page);
  const out: ApprovalsSearch = {};
  if (tab && tab !== 'queue') out.tab = tab;
  if (Number.isSafeInteger(page) && page > 1) out.page = page;
  for (const key of ['status', 'kind', 'systemId'] as const) {
    const value = text(s[key]);
    if (value) out[key] = value;
  }
  return out;
}

export const approvalsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/approvals',
  validateSearch: validateApprovalsSearch,
  component: lazyRouteComponent(() => import('../features/approvals/ApprovalsPage'), 'ApprovalsPage'),
});

export const approvalRequestRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/approvals/$requestId',
  component: lazyRouteComponent(() => import('../features/approvals/ApprovalRequestPage'), 'ApprovalRequestPage'),
});

export const approvalsRoutes = [approvalsRoute, approvalRequestRoute];
