// Routes of the systems area: each page's URL, its search parameters and its code-split component.
// Every filter lives in the URL, so a view of the inventory or of a system's history is a link.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { systemQuery, systemsPageQuery } from '../features/systems/queries';
import { appRoute } from './root';

export const TIERS = ['prohibited', 'high', 'limited', 'minimal', 'unassessed'] as const;
export const STATUSES = [
  'proposed',
  'in_development',
  'in_validation',
  'approved_for_use',
  'in_production',
  'restricted',
  'paused',
  'retired',
] as const;
export const KINDS = ['internal', 'third_party', 'prototype', 'shadow'] as const;
export const AI_TYPES = ['machine_learning', 'generative', 'rules_based', 'agentic', 'other'] as const;
export const SORTS = ['name', '-name', 'updatedAt', '-updatedAt'] as const;
export const PAGE_SIZES = [50, 100, 250, 500] as const;
export const HISTORY_KINDS = [
  'system',
  'model_version',
  'data_source',
  'approval',
  'exception',
  'incident',
  'oversight',
  'decision',
  'appeal',
  'change_record',
] as const;

export interface InventorySearch {
  q?: string;
  tier?: (typeof TIERS)[number];
  status?: (typeof STATUSES)[number];
  kind?: (typeof KINDS)[number];
  type?: (typeof AI_TYPES)[number];
  /** A user id, or `none` for systems without an accountable owner. */
  owner?: string;
  tag?: string;
  sort?: (typeof SORTS)[number];
  /** Only systems with an overdue mandatory review. */
  reviewOverdue?: true;
  /** Only shadow AI not triaged yet. */
  untriaged?: true;
  /** 1-based. */
  page?: number;
  size?: (typeof PAGE_SIZES)[number];
}

const oneOf = <T extends readonly string[]>(list: T, value: unknown): T[number] | undefined =>
  typeof value === 'string' && (list as readonly string[]).includes(value) ? (value as T[number]) : undefined;
const text = (value: unknown, max = 200): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : typeof value === 'number' ? String(value) : undefined;
const positive = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
};

/** Keeps only the parameters the inventory understands, each checked; the rest is dropped. */
export function validateInventorySearch(search: Record<string, unknown>): InventorySearch {
  const size = positive(search.size);
  const out: InventorySearch = {
    q: text(search.q),
    tier: oneOf(TIERS, search.tier),
    status: oneOf(STATUSES, search.status),
    kind: oneOf(KINDS, search.kind),
    type: oneOf(AI_TYPES, search.type),
    owner: text(search.owner, 100),
    tag: text(search.tag, 100),
    sort: oneOf(SORTS, search.sort),
    reviewOverdue: search.reviewOverdue === true || search.reviewOverdue === 'true' ? true : undefined,
    untriaged: search.untriaged === true || search.untriaged === 'true' ? true : undefined,
    page: positive(search.page),
    size: (PAGE_SIZES as readonly number[]).includes(size ?? 0) ? (size as InventorySearch['size']) : undefined,
  };
  if (out.page === 1) out.page = undefined;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as InventorySearch;
}

export const SYSTEM_TABS = ['overview', 'history', 'changes', 'reviews'] as const;

export interface SystemSearch {
  tab?: (typeof SYSTEM_TABS)[number];
  /** History kinds shown, comma-separated. */
  kinds?: string;
  order?: 'asc' | 'desc';
  /** The two versions compared side by side. */
  from?: number;
  to?: number;
  /** The reviews tab's page (1-based). */
  reviewsPage?: number;
}

export function validateSystemSearch(search: Record<string, unknown>): SystemSearch {
  const kinds =
    typeof search.kinds === 'string'
      ? search.kinds
          .split(',')
          .filter((k) => (HISTORY_KINDS as readonly string[]).includes(k))
          .join(',')
      : '';
  const out: SystemSearch = {
    tab: oneOf(SYSTEM_TABS, search.tab),
    kinds: kinds || undefined,
    order: oneOf(['asc', 'desc'] as const, search.order),
    from: positive(search.from),
    to: positive(search.to),
    reviewsPage: positive(search.reviewsPage),
  };
  if (out.reviewsPage === 1) out.reviewsPage = undefined;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as SystemSearch;
}

export const inventoryRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/systems',
  validateSearch: validateInventorySearch,
  // Start the page's query while its code loads; the page shows it loading, never waits blank.
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => {
    void context.queryClient.prefetchQuery(systemsPageQuery(deps));
  },
  component: lazyRouteComponent(() => import('../features/systems/InventoryPage'), 'InventoryPage'),
});

export const systemRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/systems/$systemId',
  validateSearch: validateSystemSearch,
  loader: ({ context, params }) => {
    void context.queryClient.prefetchQuery(systemQuery(params.systemId));
  },
  component: lazyRouteComponent(() => import('../features/systems/SystemPage'), 'SystemPage'),
});

export const systemsRoutes = [inventoryRoute, systemRoute];
