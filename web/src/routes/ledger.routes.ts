// Routes of the ledger area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const ledgerRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/ledger',
  /** ?seq=N: the event looked up, so a proof is a shareable link. */
  validateSearch: (search: Record<string, unknown>): { seq?: number } => {
    const seq = Number(search.seq);
    return Number.isSafeInteger(seq) && seq >= 0 && search.seq !== undefined && search.seq !== '' ? { seq } : {};
  },
  component: lazyRouteComponent(() => import('../features/ledger/LedgerPage'), 'LedgerPage'),
});

export const ledgerRoutes = [ledgerRoute];
