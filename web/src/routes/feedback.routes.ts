// Routes of the feedback area: the list of feedback and support tickets, with its filters in the
// URL, so a view (one system's open bias concerns, say) is a link.
import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { appRoute } from './root';

export const FEEDBACK_CATEGORIES = ['error', 'bias_concern', 'harm', 'usability', 'security', 'other'] as const;
/** Who may turn feedback into an exception (the server's rule: src/modules/feedback/feedback.service.ts). */
export const CONVERTERS = ['admin', 'governance_lead', 'system_owner', 'reviewer', 'oversight_officer'] as const;
export const FEEDBACK_READERS = [...CONVERTERS, 'auditor'] as const;

export interface FeedbackSearch {
  system?: string;
  category?: (typeof FEEDBACK_CATEGORIES)[number];
  converted?: boolean;
  page?: number;
}

const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
const oneOf = <T extends string>(values: readonly T[], v: unknown) => ((values as readonly unknown[]).includes(v) ? (v as T) : undefined);
const pageOf = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 1 ? v : undefined);
const flag = (v: unknown) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined);
const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function validateFeedbackSearch(raw: Record<string, unknown>): FeedbackSearch {
  return clean({
    system: text(raw.system),
    category: oneOf(FEEDBACK_CATEGORIES, raw.category),
    converted: flag(raw.converted),
    page: pageOf(raw.page),
  });
}

export const feedbackRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/feedback',
  validateSearch: validateFeedbackSearch,
  component: lazyRouteComponent(() => import('../features/feedback/FeedbackPage'), 'FeedbackPage'),
});

export const feedbackRoutes = [feedbackRoute];
