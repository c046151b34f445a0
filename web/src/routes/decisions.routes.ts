// Routes of the decisions area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const decisionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/decisions',
  component: lazyRouteComponent(() => import('../features/decisions/DecisionsPage'), 'DecisionsPage'),
});

export const appealsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/appeals',
  component: lazyRouteComponent(() => import('../features/decisions/AppealsPage'), 'AppealsPage'),
});

export const appealRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/appeals/$appealId',
  component: lazyRouteComponent(() => import('../features/decisions/AppealPage'), 'AppealPage'),
});

export const decisionsRoutes = [decisionsRoute, appealsRoute, appealRoute];
