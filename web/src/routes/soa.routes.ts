// Routes of the Statement of Applicability: the SoA now, or as it was at one version (?version=N).
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export interface SoaSearch {
  /** A past version to show (0: the unreviewed default); absent: the SoA now. */
  version?: number;
}

export function validateSoaSearch(s: Record<string, unknown>): SoaSearch {
  const version = Number(s.version);
  return s.version !== undefined && s.version !== '' && Number.isSafeInteger(version) && version >= 0 ? { version } : {};
}

export const soaRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/frameworks/soa',
  validateSearch: validateSoaSearch,
  component: lazyRouteComponent(() => import('../features/soa/SoaPage'), 'SoaPage'),
});

export const soaRoutes = [soaRoute];
