// Browser-style sign-in for tests: a session cookie plus the CSRF token, as a browser would hold them.
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';

export interface CookieSession {
  cookie: string;
  csrfToken: string;
  /** app.inject with the session cookie (and, when given, an X-CSRF-Token header). */
  call(method: string, url: string, body?: unknown, csrf?: string | null): Promise<LightMyRequestResponse>;
}

export async function signIn(t: TestApp, email: string, password: string, remoteAddress = '127.0.0.1'): Promise<CookieSession> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const sessionCookie = res.cookies.find((c) => c.name === 'pl_session');
  if (!sessionCookie) throw new Error('no session cookie');
  const cookie = `pl_session=${sessionCookie.value}`;
  const csrfToken = res.json().csrfToken as string;
  return {
    cookie,
    csrfToken,
    call(method, url, body, csrf = csrfToken) {
      return t.app.inject({
        method: method as 'GET',
        url,
        payload: body === undefined ? undefined : (body as object),
        headers: { cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) },
      });
    },
  };
}
