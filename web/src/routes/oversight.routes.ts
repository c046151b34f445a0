// Routes of the oversight area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const oversightRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/oversight',
  component: lazyRouteComponent(() => import('../features/oversight/OversightPage'), 'OversightPage'),
});

export const oversightRoutes = [oversightRoute];
