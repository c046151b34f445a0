// Routes of the admin area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export interface AdminSearch {
  page?: number;
  role?: string;
  status?: 'active' | 'deactivated';
  email?: string;
}

export const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin',
  validateSearch: (s: Record<string, unknown>): AdminSearch => ({
    ...(Number.isSafeInteger(Number(s.page)) && Number(s.page) > 1 ? { page: Number(s.page) } : {}),
    ...(typeof s.role === 'string' && s.role ? { role: s.role } : {}),
    ...(s.status === 'active' || s.status === 'deactivated' ? { status: s.status } : {}),
    ...(typeof s.email === 'string' && s.email ? { email: s.email } : {}),
  }),
  component: lazyRouteComponent(() => import('../features/admin/AdminPage'), 'AdminPage'),
});

export const tokensRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin/tokens',
  component: lazyRouteComponent(() => import('../features/admin/TokensPage'), 'TokensPage'),
});

export interface GrantsSearch {
  page?: number;
  status?: 'live' | 'expired' | 'revoked';
}

export const grantsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin/grants',
  validateSearch: (s: Record<string, unknown>): GrantsSearch => ({
    ...(Number.isSafeInteger(Number(s.page)) && Number(s.page) > 1 ? { page: Number(s.page) } : {}),
    ...(s.status === 'live' || s.status === 'expired' || s.status === 'revoked' ? { status: s.status } : {}),
  }),
  component: lazyRouteComponent(() => import('../features/admin/GrantsPage'), 'GrantsPage'),
});

export const adminRoutes = [adminRoute, tokensRoute, grantsRoute];
