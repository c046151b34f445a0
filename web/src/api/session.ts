// Who is signed in: one query shared by every page; what the UI offers follows these roles
// (the server refuses the rest anyway).
import { queryOptions, useSuspenseQuery } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken, unwrap } from './client';
import type { Answer } from './types';

export type Session = Answer<'getSession'>;

/** The session, or null when nobody is signed in. */
export const sessionQuery = queryOptions({
  queryKey: ['session'],
  queryFn: async (): Promise<Session | null> => {
    try {
      const session = await unwrap(api.GET('/api/v1/auth/session'));
      setCsrfToken(session.csrfToken ?? null);
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
});

/** The signed-in person (pages under the signed-in layout only). */
export function useSession(): Session {
  const { data } = useSuspenseQuery(sessionQuery);
  if (!data) throw new Error('useSession outside a signed-in page');
  return data;
}

/** Does this person hold one of these roles, globally or (when given) for this system? Admins hold all. */
export function holds(session: Session, roles: readonly string[], systemId?: string): boolean {
  if (session.roles.includes('admin')) return true;
  if (session.roles.some((r) => roles.includes(r))) return true;
  return systemId !== undefined && (session.systemRoles[systemId] ?? []).some((r) => roles.includes(r));
}
