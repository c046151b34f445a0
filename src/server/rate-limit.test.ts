// Rate limits across server instances: on PostgreSQL the sign-in and public appeal intake limits
// are counted in the database, so two instances over one database share them; SQLite (one
// process) counts in memory and writes nothing. A refused request writes nothing either way.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createTestApp } from '../../test/app.js';
import { createPgDatabase, DIALECTS, ledgerSize } from '../../test/stores.js';
import { LOGIN_ATTEMPTS_PER_MINUTE } from '../accounts/auth.routes.js';
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createPostgresStore, type Store } from '../db/store.js';
import { PUBLIC_INTAKE_LIMIT } from '../modules/appeals/appeals.routes.js';
import { closeServices, createServices } from '../services.js';
import { buildApp } from './app.js';
import type { App } from './http.js';

interface Instance {
  app: App;
  store: Store;
  close(): Promise<void>;
}

/** A server instance (app, services, its own connection pool) over the database at `url`. */
async function instanceOn(url: string): Promise<Instance> {
  const store = createPostgresStore(url);
  await migrateToLatest(store.writer);
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proofline-key-')), 'ledger-signing-key.pem');
  const config = loadConfig({ PROOFLINE_LOG_LEVEL: 'silent', PROOFLINE_SIGNING_KEY_FILE: keyFile, PROOFLINE_DATABASE_URL: url });
  const services = await createServices(config, store);
  const app = await buildApp({ store, config, services });
  await app.ready();
  return {
    app,
    store,
    async close() {
      await app.close();
      await closeServices(services);
      await store.close();
    },
  };
}

const signIn = (app: App, remoteAddress: string, n: number) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: `nobody-${n}@example.test`, password: 'wrong' },
    remoteAddress,
  });

const publicAppeal = (app: App, remoteAddress: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/public/appeals',
    payload: {
      systemId: 'some-system',
      decisionId: 'D-1',
      statement: 'The decision about my application was wrong and I want a person to look at it.',
    },
    remoteAddress,
  });

if (DIALECTS.includes('postgres')) {
  describe('rate limits across instances [postgres]', () => {
    test('sign-in attempts and public appeals from one address are limited across two instances on one database; a refusal writes nothing', async () => {
      // Two instances do not even share this process's memory for the limits: each built its own.
      const url = await createPgDatabase();
      const [a, b] = [await instanceOn(url), await instanceOn(url)];
      try {
        for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) {
          assert.equal((await signIn(i % 2 === 0 ? a.app : b.app, '10.9.8.7', i)).statusCode, 401);
        }
        const events = await ledgerSize(a.store);
        const hits = await a.store.db
          .selectFrom('rate_limit_hits')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        for (const instance of [a, b]) {
          const limited = await signIn(instance.app, '10.9.8.7', 99);
          assert.equal(limited.statusCode, 429);
          assert.equal(limited.json<{ error: { code: string } }>().error.code, 'rate_limited');
          assert.ok(Number(limited.headers['retry-after']) >= 1);
        }
        assert.equal(await ledgerSize(a.store), events, 'a refused attempt writes no event');
        const after = await a.store.db
          .selectFrom('rate_limit_hits')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(after.n), Number(hits.n), 'nor a hit');
        assert.equal((await signIn(b.app, '10.9.8.8', 100)).statusCode, 401, 'another address is not limited');

        for (let i = 0; i < PUBLIC_INTAKE_LIMIT; i++) {
          const res = await publicAppeal(i % 2 === 0 ? b.app : a.app, '10.7.7.7');
          assert.equal(res.statusCode, 202, res.body);
        }
        const appealEvents = await ledgerSize(a.store);
        const limited = await publicAppeal(a.app, '10.7.7.7');
        assert.equal(limited.statusCode, 429);
        assert.equal(limited.json<{ error: { code: string } }>().error.code, 'rate_limited');
        assert.equal(await ledgerSize(a.store), appealEvents, 'the refused appeal writes nothing');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    test('the sweep deletes only hits past every window', async () => {
      const t = await createTestApp('postgres');
      try {
        const shared = t.services.rateLimits;
        assert.ok(shared, 'PostgreSQL shares its limits');
        assert.equal(await shared.hit({ bucket: 'test', key: 'k', limit: 5, windowMs: 50 }), 0);
        assert.equal(await shared.hit({ bucket: 'test', key: 'long', limit: 5, windowMs: 60_000 }), 0);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(await shared.sweep(), 1);
        const left = await t.store.db.selectFrom('rate_limit_hits').select('key').execute();
        assert.deepEqual(
          left.map((r) => r.key),
          ['long'],
        );
      } finally {
        await t.close();
      }
    });
  });
}

if (DIALECTS.includes('sqlite')) {
  describe('rate limits [sqlite]', () => {
    test('one process limits in memory: the limit holds and nothing is written to the database', async () => {
      const t = await createTestApp('sqlite');
      try {
        assert.equal(t.services.rateLimits, null);
        for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) assert.equal((await signIn(t.app, '10.9.8.7', i)).statusCode, 401);
        const events = await ledgerSize(t.store);
        const limited = await signIn(t.app, '10.9.8.7', 99);
        assert.equal(limited.statusCode, 429);
        assert.equal(limited.json<{ error: { code: string } }>().error.code, 'rate_limited');
        assert.equal(await ledgerSize(t.store), events);
        assert.deepEqual(await t.store.db.selectFrom('rate_limit_hits').select('key').execute(), []);
      } finally {
        await t.close();
      }
    });
  });
}
