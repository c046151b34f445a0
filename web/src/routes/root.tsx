// The route tree's trunk: the root (providers' outlet), the signed-in layout that every internal
// page hangs under (it sends a visitor without a session to /login), and the public layout.
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, Outlet, redirect } from '@tanstack/react-router';
import { sessionQuery } from '../api/session';
import { AppLayout } from '../components/AppLayout';
import { PublicLayout } from '../components/PublicLayout';
import { ErrorState } from '../components/states';

export interface RouterContext {
  queryClient: QueryClient;
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  errorComponent: ({ error }) => <ErrorState error={error} />,
});

/** Every internal page: signed in, or sent to /login with the way back. */
export const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  beforeLoad: async ({ context, location }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) throw redirect({ to: '/login', search: { next: location.href } });
    return { session };
  },
  component: AppLayout,
});

/** Pages anyone may read without signing in (transparency pages, appeals, pack verification). */
export const publicRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/public',
  component: PublicLayout,
});
