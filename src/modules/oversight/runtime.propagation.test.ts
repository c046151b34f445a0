// Two real server processes on one database: a pause made through one must show on the other's
// runtime endpoint within a second (PostgreSQL: LISTEN/NOTIFY; SQLite: the polled change counter).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { cliCommand } from '../../../test/compiled-cli.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, freshDatabaseUrl } from '../../../test/stores.js';
import { createApiToken } from '../../accounts/auth.service.js';
import { createUser } from '../../accounts/users.service.js';
import { loadConfig } from '../../config.js';
import { systemContext } from '../../context.js';
import { createStore, type Store } from '../../db/store.js';
import { addRosterOfficer } from './oversight.service.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not become ready`);
}

async function startServerProcess(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...cliCommand(), 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PROOFLINE_DATABASE_URL: databaseUrl,
      PROOFLINE_ADMIN_EMAIL: 'admin@example.test',
      PROOFLINE_ADMIN_PASSWORD: 'a long admin password',
      PROOFLINE_LOG_LEVEL: 'silent',
      PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child);
  return { url, child };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

for (const dialect of DIALECTS) {
  describe(`pause propagation across two server processes [${dialect}]`, () => {
    let one: { url: string; child: ChildProcess };
    let two: { url: string; child: ChildProcess };
    let store: Store;

    before(async () => {
      const databaseUrl = await freshDatabaseUrl(dialect);
      one = await startServerProcess(databaseUrl); // migrates first, so the second finds the schema ready
      two = await startServerProcess(databaseUrl);
      store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: databaseUrl }).database);
    });
    after(async () => {
      await Promise.all([one && stopProcess(one.child), two && stopProcess(two.child)]);
      await store?.close();
    });

    test('a pause through one server shows on the other within one second', async (tc) => {
      const ctx = systemContext('test');
      const system = await buildSystem(store, { euRiskTier: 'high' });
      const { officerToken, ingestToken } = await store.transact(async (trx) => {
        const officer = await createUser(trx, { ctx, user: { email: 'officer@example.test', displayName: 'Officer' } });
        const service = await createUser(trx, { ctx, user: { email: 'svc@example.test', displayName: 'Scoring service' } });
        await addRosterOfficer(trx, {
          ctx,
          systemId: system.id,
          input: { userId: officer.id, authorities: ['pause'], competence: 'trained', training: '' },
        });
        const officerToken = await createApiToken(trx, {
          ctx,
          token: { userId: officer.id, name: 'cli', scopes: ['write'], expiresInDays: 1 },
        });
        const ingestToken = await createApiToken(trx, {
          ctx,
          token: { userId: service.id, name: 'svc', scopes: ['ingest'], expiresInDays: 1 },
        });
        return { officerToken: officerToken.token, ingestToken: ingestToken.token };
      });
      const check = async () => {
        const res = await fetch(`${two.url}/api/v1/systems/${system.id}/runtime`, { headers: { authorization: `Bearer ${ingestToken}` } });
        assert.equal(res.status, 200);
        return ((await res.json()) as { state: string }).state;
      };
      assert.equal(await check(), 'active'); // server two now holds the system in its cache

      const paused = await fetch(`${one.url}/api/v1/systems/${system.id}/runtime/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${officerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'serious incident reported' }),
      });
      assert.equal(paused.status, 200, await paused.clone().text());
      const pausedAt = Date.now();
      let state = await check();
      while (state !== 'paused' && Date.now() - pausedAt < 1_500) {
        await new Promise((r) => setTimeout(r, 20));
        state = await check();
      }
      const elapsed = Date.now() - pausedAt;
      assert.equal(state, 'paused');
      assert.ok(elapsed < 1_000, `took ${elapsed} ms`);
      tc.diagnostic(`pause seen by the other process after ${elapsed} ms`);
    });
  });
}
