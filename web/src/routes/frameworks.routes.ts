// Routes of the frameworks area: the frameworks with the organisation's status, a framework's
// controls, one control with its evidence, and the gap list. Every filter lives in the URL.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const CONTROL_STATUSES = ['satisfied', 'partly', 'not_satisfied', 'not_applicable'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];
export const GAP_GROUPS = ['system', 'control'] as const;

export interface FrameworksSearch {
  /** One AI system's status instead of the organisation's. */
  system?: string;
}

export interface FrameworkSearch {
  system?: string;
  status?: ControlStatus;
}

export interface ControlSearch {
  /** 1-based page of the evidence (ledger events). */
  page?: number;
}

export interface GapsSearch {
  framework?: string;
  system?: string;
  /** Gaps grouped by AI system (default) or by control. */
  group?: (typeof GAP_GROUPS)[number];
}

const oneOf = <T extends readonly string[]>(list: T, value: unknown): T[number] | undefined =>
  typeof value === 'string' && (list as readonly string[]).includes(value) ? (value as T[number]) : undefined;
const text = (value: unknown, max = 100): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;
const page = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 1 ? n : undefined;
};
const defined = <T extends object>(out: T): T => Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as T;

export const validateFrameworksSearch = (search: Record<string, unknown>): FrameworksSearch => defined({ system: text(search.system) });

export const validateFrameworkSearch = (search: Record<string, unknown>): FrameworkSearch =>
  defined({ system: text(search.system), status: oneOf(CONTROL_STATUSES, search.status) });

export const validateControlSearch = (search: Record<string, unknown>): ControlSearch => defined({ page: page(search.page) });

export const validateGapsSearch = (search: Record<string, unknown>): GapsSearch =>
  defined({
    framework: text(search.framework),
    system: text(search.system),
    group: oneOf(GAP_GROUPS, search.group) === 'control' ? 'control' : undefined,
  });

export const frameworksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/frameworks',
  validateSearch: validateFrameworksSearch,
  component: lazyRouteComponent(() => import('../features/frameworks/FrameworksPage'), 'FrameworksPage'),
});

export const gapsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/frameworks/gaps',
  validateSearch: validateGapsSearch,
  component: lazyRouteComponent(() => import('../features/frameworks/GapsPage'), 'GapsPage'),
});

export const frameworkRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/frameworks/$framework',
  validateSearch: validateFrameworkSearch,
  component: lazyRouteComponent(() => import('../features/frameworks/FrameworkPage'), 'FrameworkPage'),
});

export const controlRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/frameworks/$framework/controls/$control',
  validateSearch: validateControlSearch,
  component: lazyRouteComponent(() => import('../features/frameworks/ControlPage'), 'ControlPage'),
});

export const frameworksRoutes = [frameworksRoute, gapsRoute, frameworkRoute, controlRoute];
