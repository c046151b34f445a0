// Routes of the public area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { publicRoute } from './root';

export const publicSystemsRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: '/',
  component: lazyRouteComponent(() => import('../features/public/PublicSystemsPage'), 'PublicSystemsPage'),
});

export const publicSystemRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: '/systems/$ref',
  component: lazyRouteComponent(() => import('../features/public/PublicSystemPage'), 'PublicSystemPage'),
});

export const publicCaseRoute = createRoute({
  getParentRoute: () => publicRoute,
  path: '/cases/$caseNumber',
  component: lazyRouteComponent(() => import('../features/public/PublicCasePage'), 'PublicCasePage'),
});

export const publicRoutes = [publicSystemsRoute, publicSystemRoute, publicCaseRoute];
