// Routes of the reviews area: my reviews (filters in the URL) and one review with its snapshot.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const REVIEW_STATUSES = ['prepared', 'findings', 'signed'] as const;

export interface ReviewsSearch {
  /** Everyone's reviews rather than the caller's own. */
  all?: boolean;
  status?: (typeof REVIEW_STATUSES)[number];
  overdue?: boolean;
  /** 1-based. */
  page?: number;
}

const yes = (value: unknown): true | undefined => (value === true || value === 'true' ? true : undefined);
const positive = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 1 ? n : undefined;
};

export function validateReviewsSearch(search: Record<string, unknown>): ReviewsSearch {
  const out: ReviewsSearch = {
    all: yes(search.all),
    status:
      typeof search.status === 'string' && (REVIEW_STATUSES as readonly string[]).includes(search.status)
        ? (search.status as ReviewsSearch['status'])
        : undefined,
    overdue: yes(search.overdue),
    page: positive(search.page),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ReviewsSearch;
}

export const reviewsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reviews',
  validateSearch: validateReviewsSearch,
  component: lazyRouteComponent(() => import('../features/reviews/ReviewsPage'), 'ReviewsPage'),
});

export const reviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reviews/$reviewId',
  component: lazyRouteComponent(() => import('../features/reviews/ReviewPage'), 'ReviewPage'),
});

export const reviewsRoutes = [reviewsRoute, reviewRoute];
