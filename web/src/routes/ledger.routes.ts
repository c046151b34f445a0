// Routes of the ledger area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const ledgerRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/ledger',
  component: lazyRouteComponent(() => import('../features/ledger/LedgerPage'), 'LedgerPage'),
});

export const ledgerRoutes = [ledgerRoute];
