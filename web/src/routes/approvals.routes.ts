// Routes of the approvals area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const approvalsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/approvals',
  component: lazyRouteComponent(() => import('../features/approvals/ApprovalsPage'), 'ApprovalsPage'),
});

export const approvalRequestRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/approvals/$requestId',
  component: lazyRouteComponent(() => import('../features/approvals/ApprovalRequestPage'), 'ApprovalRequestPage'),
});

export const approvalsRoutes = [approvalsRoute, approvalRequestRoute];
