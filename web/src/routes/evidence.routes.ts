// Routes of the evidence area: the public pack verifier, in the public frame (no sign-in). The pack
// never leaves the browser; the page is reachable without an account, as an auditor receives it.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { PublicLayout } from '../components/PublicLayout';
import { rootRoute } from './root';

/** The public frame for /verify-pack (the other public pages live under /public). */
export const packToolsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/verify-pack',
  component: PublicLayout,
});

export const verifyPackRoute = createRoute({
  getParentRoute: () => packToolsRoute,
  path: '/',
  component: lazyRouteComponent(() => import('../features/evidence/VerifyPackPage'), 'VerifyPackPage'),
});

export const evidenceRoutes = [packToolsRoute.addChildren([verifyPackRoute])];
