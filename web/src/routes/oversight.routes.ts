// Routes of the oversight area: each page's URL, its search parameters and its code-split component.
// The chosen system lives in the URL, so a system's oversight console is a link.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export interface OversightSearch {
  system?: string;
}

export function validateOversightSearch(raw: Record<string, unknown>): OversightSearch {
  return typeof raw.system === 'string' && raw.system.length > 0 ? { system: raw.system } : {};
}

export const oversightRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/oversight',
  validateSearch: validateOversightSearch,
  component: lazyRouteComponent(() => import('../features/oversight/OversightPage'), 'OversightPage'),
});

export const oversightRoutes = [oversightRoute];
