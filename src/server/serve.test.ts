// The server process as operations see it: JSON log lines from the first one (the one-time admin
// password only on stderr, once, marked, never in the log), and a graceful stop on SIGTERM that
// finishes the requests in flight, loses nothing it acknowledged, frees the job lease and exits 0.
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { serverEnv, signInAdmin, startServerProcess } from '../../test/server-process.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { leaseHolder } from '../db/leases.js';
import { createStore } from '../db/store.js';
import { JOBS_LEASE } from '../jobs/leader.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A note whose body arrives in two halves: the first now, the second when `finish` is called. */
function slowNote(url: string, headers: Record<string, string>, text: string) {
  const body = JSON.stringify({ text });
  const half = Math.floor(body.length / 2);
  let finish = () => {};
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${url}/api/v1/ledger/notes`, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    });
    req.on('response', (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { answer, finish: () => finish() };
}

for (const dialect of DIALECTS) {
  describe(`serve [${dialect}]`, () => {
    test('SIGTERM: the request in flight is answered, every acknowledged write is kept, the job lease is released, exit 0; every log line is JSON', async () => {
      const env = serverEnv(await freshDatabaseUrl(dialect), {
        PROOFLINE_ADMIN_PASSWORD: '', // a one-time password is made and shown on stderr
        PROOFLINE_LOG_LEVEL: 'info',
        PROOFLINE_JOB_LEASE_TTL_SECONDS: '120', // held long after the exit unless released
      });
      const server = await startServerProcess(env);
      const password = /^[^:\n]+: (\S+)$/m.exec(server.stderr().split('ONE-TIME ADMIN PASSWORD')[1] ?? '')?.[1];
      assert.ok(password, `the one-time password is on stderr: ${server.stderr()}`);
      const headers = await signInAdmin(server.url, password);
      const store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: env.PROOFLINE_DATABASE_URL }).database);
      try {
        const deadline = Date.now() + 10_000;
        while ((await leaseHolder(store, JOBS_LEASE)) === null && Date.now() < deadline) await sleep(50);
        assert.ok(await leaseHolder(store, JOBS_LEASE), 'the only instance leads the jobs');

        // Writers keep going until the server stops answering; one request is mid-body at SIGTERM.
        const acknowledged: string[] = [];
        let refused = 0;
        const writers = Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; ; i++) {
            try {
              const res = await fetch(`${server.url}/api/v1/ledger/notes`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ text: `writer ${w} note number ${i}` }),
              });
              if (res.status !== 201) throw new Error(String(res.status));
              acknowledged.push(((await res.json()) as { id: string }).id);
            } catch {
              refused += 1;
              return;
            }
          }
        });
        const slow = slowNote(server.url, headers, 'a note whose body is still arriving at SIGTERM');
        while (acknowledged.length < 40) await sleep(20);
        await sleep(100);
        server.child.kill('SIGTERM');
        await sleep(300);
        slow.finish();
        const answer = await slow.answer;
        assert.equal(answer.status, 201, `the request in flight at SIGTERM is answered: ${answer.body}`);
        acknowledged.push((JSON.parse(answer.body) as { id: string }).id);
        await Promise.all(writers);
        const sentAt = Date.now();
        if (server.child.exitCode === null) await new Promise((resolve) => server.child.once('exit', resolve));
        assert.ok(Date.now() - sentAt < 15_000, `stopped within seconds, not after keep-alive timeouts (${Date.now() - sentAt} ms)`);
        assert.equal(server.exitCode(), 0, server.output());
        assert.equal(refused, 8, 'new requests are refused once stopping');

        assert.equal(await leaseHolder(store, JOBS_LEASE), null, 'the job lease was released, not left to expire');
        const kept = new Set((await store.db.selectFrom('ledger_notes').select('id').execute()).map((r) => r.id));
        assert.deepEqual(
          acknowledged.filter((id) => !kept.has(id)),
          [],
          'every acknowledged note is kept',
        );
        const evidenced = new Set(
          (await store.db.selectFrom('ledger_events').select('subject_id').where('type', '=', 'ledger.note').execute()).map(
            (r) => r.subject_id,
          ),
        );
        assert.deepEqual(
          [...kept].filter((id) => !evidenced.has(id)),
          [],
          'each with its ledger event',
        );
      } finally {
        await server.kill9();
        await store.close();
      }

      const lines = server.stdout().split('\n').filter(Boolean);
      const notJson = lines.filter((line) => {
        try {
          JSON.parse(line);
          return false;
        } catch {
          return true;
        }
      });
      assert.deepEqual(notJson, [], 'every line on stdout is JSON');
      const parsed = lines.map((line) => JSON.parse(line) as { msg?: string });
      const messages = parsed.map((l) => l.msg);
      for (const expected of [
        'created the first admin account',
        'Proofline is serving',
        'shutting down: no new requests; finishing those in flight',
        'stopped',
      ]) {
        assert.ok(messages.includes(expected), `logged: ${expected}`);
      }
      assert.ok(!server.stdout().includes(password), 'the password never reaches the log');
      assert.equal(server.stderr().split('ONE-TIME ADMIN PASSWORD').length - 1, 2, 'shown once on stderr, between marks');
      assert.equal(server.stderr().split(password).length - 1, 1, 'exactly once');
    });
  });
}
