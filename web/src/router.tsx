// The route tree: one file per area under routes/ (each page's component loads as its own chunk).
import type { QueryClient } from '@tanstack/react-query';
import { createRouter } from '@tanstack/react-router';
import { NotFound } from './components/NotFound';
import { ErrorState, Loading } from './components/states';
import { adminRoutes } from './routes/admin.routes';
import { approvalsRoutes } from './routes/approvals.routes';
import { dashboardRoutes } from './routes/dashboard.routes';
import { decisionsRoutes } from './routes/decisions.routes';
import { evidenceRoutes } from './routes/evidence.routes';
import { exceptionsRoutes } from './routes/exceptions.routes';
import { feedbackRoutes } from './routes/feedback.routes';
import { frameworksRoutes } from './routes/frameworks.routes';
import { ledgerRoutes } from './routes/ledger.routes';
import { loginRoute } from './routes/login';
import { monitoringRoutes } from './routes/monitoring.routes';
import { oversightRoutes } from './routes/oversight.routes';
import { publicRoutes } from './routes/public.routes';
import { reviewsRoutes } from './routes/reviews.routes';
import { appRoute, publicRoute, rootRoute } from './routes/root';
import { soaRoutes } from './routes/soa.routes';
import { systemsRoutes } from './routes/systems.routes';

const routeTree = rootRoute.addChildren([
  loginRoute,
  publicRoute.addChildren(publicRoutes),
  ...evidenceRoutes,
  appRoute.addChildren([
    ...dashboardRoutes,
    ...systemsRoutes,
    ...approvalsRoutes,
    ...exceptionsRoutes,
    ...oversightRoutes,
    ...decisionsRoutes,
    ...reviewsRoutes,
    ...ledgerRoutes,
    ...frameworksRoutes,
    ...adminRoutes,
    ...soaRoutes,
    ...monitoringRoutes,
    ...feedbackRoutes,
  ]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    defaultPendingComponent: () => <Loading />,
    defaultErrorComponent: ({ error }) => <ErrorState error={error} />,
    defaultNotFoundComponent: NotFound,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
