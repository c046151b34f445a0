// The one fetch client of the UI: openapi-fetch typed by the types generated from the server's
// OpenAPI document (packages/client/src/api.ts, `npm run gen:client`), so a page cannot drift
// from the API. Cookie sessions send the CSRF token on every write; errors carry the stable code.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../../packages/client/src/api';

export type { components, paths };
export type Schemas = components['schemas'];

/** An answer that was not 2xx: the server's stable error code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
/** Set from the sign-in answer and from GET /auth/session; cleared on sign-out. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !SAFE.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

// The page's own origin (`globalThis`: the UI's Vitest tests import this module in Node, where there is no window).
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin, credentials: 'same-origin' });
api.use(csrf);

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/** Unwraps an openapi-fetch answer: its data, or an ApiError with the server's code. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as ErrorBody;
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText,
    body.error?.details ?? {},
  );
}

/** A plain fetch for what openapi-fetch cannot express (downloads, text answers), same rules. */
export async function rawFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (csrfToken && !SAFE.has((init.method ?? 'GET').toUpperCase())) headers.set('X-CSRF-Token', csrfToken);
  const response = await fetch(url, { ...init, headers, credentials: 'same-origin' });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as ErrorBody;
    throw new ApiError(
      response.status,
      body.error?.code ?? `http_${response.status}`,
      body.error?.message ?? response.statusText,
      body.error?.details ?? {},
    );
  }
  return response;
}
