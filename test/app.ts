// An in-process test server (app.inject) on a fresh store, with helpers to make users and tokens.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import { createApiToken } from '../src/accounts/auth.service.js';
import { createUser } from '../src/accounts/users.service.js';
import { type Config, loadConfig } from '../src/config.js';
import { type Role, systemContext, type TokenScope } from '../src/context.js';
import type { Dialect, Store } from '../src/db/store.js';
import { buildApp } from '../src/server/app.js';
import type { App } from '../src/server/http.js';
import { closeServices, createServices, type Services } from '../src/services.js';
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
  /** The app's composition root, as the server builds it. */
  services: Services;
  /** Creates a user with these global roles and a read+write token (or the given scopes). */
  user(roles: Role[], opts?: { scopes?: TokenScope[]; email?: string; password?: string; displayName?: string }): Promise<TestUser>;
  /** app.inject with a bearer token. */
  call(
    user: TestUser | null,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** As a client that has just read the resource: a POST to a system's transition route
   * (owner, status, risk-tier, triage) carries If-Match with the system's current ETag. */
  callCurrent(
    user: TestUser | null,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const TRANSITION = /^(\/api\/v1\/systems\/[^/]+)\/(owner|status|risk-tier|triage)$/;

let counter = 0;

/** `logger`: a pino logger for tests that read the log lines (silent by default). */
export async function createTestApp(dialect: Dialect, env: Record<string, string> = {}, logger: Logger | false = false): Promise<TestApp> {
  const store = await createTestStore(dialect);
  // A signing key of its own in a temp dir, never ./data of the working copy.
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'ledger-signing-key.pem');
  // Passwords hashed at scrypt N=2^10, not production's 2^14: tests create thousands of users, and
  // src/accounts/passwords.test.ts holds the production default and the setting itself.
  const config = loadConfig({
    PROOFLINE_LOG_LEVEL: 'silent',
    PROOFLINE_SIGNING_KEY_FILE: keyFile,
    PROOFLINE_PASSWORD_HASH_COST: '10',
    ...env,
  });
  const services = await createServices(config, store);
  const app = await buildApp({ store, config, services }, logger);
  await app.ready();
  const call: TestApp['call'] = (user, method, url, body, headers = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      payload: body === undefined ? undefined : (body as object),
      headers: { ...(user ? { authorization: `Bearer ${user.token}` } : {}), ...headers },
    });
  return {
    app,
    store,
    config,
    services,
    async user(roles, opts = {}) {
      counter += 1;
      const email = opts.email ?? `user${counter}-${Date.now()}@example.test`;
      const ctx = systemContext('test', services.policies);
      const created = await store.transact((trx) =>
        createUser(trx, {
          ctx,
          user: {
            email,
            displayName: opts.displayName ?? `Test User ${counter}`,
            password: opts.password ?? 'correct horse battery',
            roles,
          },
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
    call,
    async callCurrent(user, method, url, body, headers = {}) {
      const transition = method === 'POST' ? TRANSITION.exec(url) : null;
      if (!transition || headers['if-match']) return call(user, method, url, body, headers);
      const etag = (await call(user, 'GET', transition[1])).headers.etag;
      return call(user, method, url, body, { ...headers, ...(etag ? { 'if-match': String(etag) } : {}) });
    },
    async close() {
      // A test's own fetch may leave a kept-alive connection open, which app.close would wait for
      // until its timeout (a minute in the browser tests); nothing is in flight when a test closes.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await closeServices(services);
      await store.close();
    },
  };
}
