// Routes of the systems area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const inventoryRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/systems',
  component: lazyRouteComponent(() => import('../features/systems/InventoryPage'), 'InventoryPage'),
});

export const systemRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/systems/$systemId',
  component: lazyRouteComponent(() => import('../features/systems/SystemPage'), 'SystemPage'),
});

export const systemsRoutes = [inventoryRoute, systemRoute];
