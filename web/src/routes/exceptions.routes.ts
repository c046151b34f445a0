// Routes of the exceptions area: each page's URL, its search parameters and its code-split component.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const exceptionsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/exceptions',
  component: lazyRouteComponent(() => import('../features/exceptions/ExceptionsPage'), 'ExceptionsPage'),
});

export const exceptionRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/exceptions/$exceptionId',
  component: lazyRouteComponent(() => import('../features/exceptions/ExceptionPage'), 'ExceptionPage'),
});

export const incidentsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/incidents',
  component: lazyRouteComponent(() => import('../features/exceptions/IncidentsPage'), 'IncidentsPage'),
});

export const incidentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/incidents/$incidentId',
  component: lazyRouteComponent(() => import('../features/exceptions/IncidentPage'), 'IncidentPage'),
});

export const exceptionsRoutes = [exceptionsRoute, exceptionRoute, incidentsRoute, incidentRoute];
