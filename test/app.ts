// An in-process test server (app.inject) on a fresh store, with helpers to make users and tokens.
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../src/config.js';
import { type Role, systemContext, type TokenScope } from '../src/context.js';
import type { Dialect, Store } from '../src/db/store.js';
import { createApiToken, createUser } from '../src/modules/auth/auth.service.js';
import { buildApp } from '../src/server/app.js';
import type { App } from '../src/server/http.js';
import { createTestStore } from './stores.js';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  roles: Role[];
}

export interface TestApp {
  app: App;
  store: Store;
  config: Config;
  /** Creates a user with these global roles and a read+write token (or the given scopes). */
  user(roles: Role[], opts?: { scopes?: TokenScope[]; email?: string; password?: string }): Promise<TestUser>;
  /** app.inject with a bearer token. */
  call(
    user: TestUser | null,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let counter = 0;

export async function createTestApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const store = await createTestStore(dialect);
  const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', ...env });
  const services: Record<string, unknown> = {};
  const app = await buildApp({ store, config, services });
  await app.ready();
  return {
    app,
    store,
    config,
    async user(roles, opts = {}) {
      counter += 1;
      const email = opts.email ?? `user${counter}-${Date.now()}@example.test`;
      const ctx = systemContext('test');
      const created = await store.transact((trx) =>
        createUser(trx, {
          ctx,
          user: { email, displayName: `Test User ${counter}`, password: opts.password ?? 'correct horse battery', roles },
        }),
      );
      const token = await store.transact((trx) =>
        createApiToken(trx, {
          ctx,
          token: { userId: created.id, name: 'test', scopes: opts.scopes ?? ['read', 'write'], expiresInDays: 1 },
        }),
      );
      return { id: created.id, email, token: token.token, roles };
    },
    call(user, method, url, body, headers = {}) {
      return app.inject({
        method: method as 'GET',
        url,
        payload: body === undefined ? undefined : (body as object),
        headers: { ...(user ? { authorization: `Bearer ${user.token}` } : {}), ...headers },
      });
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
