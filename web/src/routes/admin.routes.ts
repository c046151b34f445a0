// Routes of the admin area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin',
  component: lazyRouteComponent(() => import('../features/admin/AdminPage'), 'AdminPage'),
});

export const tokensRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin/tokens',
  component: lazyRouteComponent(() => import('../features/admin/TokensPage'), 'TokensPage'),
});

export const adminRoutes = [adminRoute, tokensRoute];
