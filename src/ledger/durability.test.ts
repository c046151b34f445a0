// Nothing lost: concurrent writers against a real server process, kill -9 mid-stream, restart;
// every acknowledged write is there with its ledger event, nothing is half-written, the sequence
// is contiguous and `proofline verify` passes. And two servers on one PostgreSQL: one ledger.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { cliCommand } from '../../test/compiled-cli.js';
import { serverEnv, signInAdmin, startServerPair, startServerProcess } from '../../test/server-process.js';
import { DIALECTS, freshDatabaseUrl } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { createStore } from '../db/store.js';

interface WriteLog {
  acknowledged: string[];
  failed: number;
}

/** `writers` loops posting notes round-robin to `urls` until `stop()` says so or a request fails. */
function writeNotes(
  urls: string[],
  headers: Record<string, string>,
  writers: number,
  stop: () => boolean,
  log: WriteLog = { acknowledged: [], failed: 0 },
): Promise<WriteLog> {
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; !stop(); i++) {
      try {
        const res = await fetch(`${urls[w % urls.length]}/api/v1/ledger/notes`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ text: `writer ${w} note ${i}` }),
        });
        if (res.status !== 201) throw new Error(`answered ${res.status}: ${await res.text()}`);
        log.acknowledged.push(((await res.json()) as { id: string }).id);
      } catch {
        log.failed += 1; // the server was killed under this request: not acknowledged
        return;
      }
    }
  });
  return Promise.all(loops).then(() => log);
}

/** What must hold after any crash: acknowledged notes present, each row with its event and back. */
async function assertNothingLost(databaseUrl: string, acknowledged: string[]): Promise<void> {
  const store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: databaseUrl }).database);
  try {
    const notes = new Set((await store.db.selectFrom('ledger_notes').select('id').execute()).map((r) => r.id));
    const missing = acknowledged.filter((id) => !notes.has(id));
    assert.deepEqual(missing, [], 'every acknowledged note survives');
    const events = await store.db.selectFrom('ledger_events').select('subject_id').where('type', '=', 'ledger.note').execute();
    const evidenced = new Set(events.map((e) => e.subject_id));
    assert.equal(events.length, evidenced.size, 'one event per note');
    assert.deepEqual(
      [...notes].filter((id) => !evidenced.has(id)),
      [],
      'no note without its ledger event',
    );
    assert.deepEqual(
      [...evidenced].filter((id) => !notes.has(id)),
      [],
      'no ledger event without its note',
    );
    const span = await store.db
      .selectFrom('ledger_events')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
      .executeTakeFirstOrThrow();
    const head = await store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
    assert.deepEqual(
      [Number(span.first), Number(span.last) + 1, Number(head.size)],
      [0, Number(span.n), Number(span.n)],
      'contiguous from 0',
    );
  } finally {
    await store.close();
  }
}

function cliVerify(env: Record<string, string>): void {
  const result = spawnSync(process.execPath, [...cliCommand(), 'verify'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `proofline verify: ${result.stderr}`);
  assert.match(result.stdout, /ledger intact/);
}

for (const dialect of DIALECTS) {
  describe(`nothing lost [${dialect}]`, () => {
    test('20 writers, kill -9 mid-stream, restart: every acknowledged write is there and verify passes', async () => {
      const env = serverEnv(await freshDatabaseUrl(dialect), { PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '1' });
      const server = await startServerProcess(env);
      const headers = await signInAdmin(server.url);
      let killed = false;
      const progress: WriteLog = { acknowledged: [], failed: 0 };
      const writing = writeNotes([server.url], headers, 20, () => killed, progress);
      // Kill mid-stream once enough writes were acknowledged (not after a fixed time: a loaded machine
      // may acknowledge few in that time); bounded, so a stuck server fails the test instead of hanging.
      const deadline = Date.now() + 60_000;
      while (progress.acknowledged.length <= 150 && progress.failed === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // The kill lands while writers are still sending; only then are they told to stop.
      await server.kill9();
      killed = true;
      const log = await writing;
      assert.ok(log.acknowledged.length > 100, `only ${log.acknowledged.length} writes acknowledged`);
      assert.ok(log.failed > 0, 'the kill cut requests off mid-stream');

      const restarted = await startServerProcess(env);
      const after = await fetch(`${restarted.url}/api/v1/ledger/notes`, {
        method: 'POST',
        headers: await signInAdmin(restarted.url),
        body: JSON.stringify({ text: 'after the crash' }),
      });
      assert.equal(after.status, 201, restarted.output());
      await restarted.stop();
      await assertNothingLost(env.PROOFLINE_DATABASE_URL, [...log.acknowledged, ((await after.json()) as { id: string }).id]);
      cliVerify(env);
    });
  });
}

describe('two servers on one PostgreSQL', () => {
  test('50 concurrent writers across both make one linear ledger that verifies', async () => {
    const env = serverEnv(await freshDatabaseUrl('postgres'), { PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: '1' });
    const [first, second] = await startServerPair(env);
    try {
      const headers = await signInAdmin(first.url);
      let done = false;
      const progress: WriteLog = { acknowledged: [], failed: 0 };
      const writing = writeNotes([first.url, second.url], headers, 50, () => done, progress);
      // Until 150 writes are acknowledged, not for a fixed 3 s (a loaded machine acknowledged 99 in
      // that time); bounded, so a stuck server fails the test instead of hanging it.
      const deadline = Date.now() + 60_000;
      while (progress.acknowledged.length <= 150 && progress.failed === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      done = true;
      const log = await writing;
      assert.equal(log.failed, 0);
      assert.ok(log.acknowledged.length > 100, `only ${log.acknowledged.length} writes acknowledged`);
      await Promise.all([first.stop(), second.stop()]);
      await assertNothingLost(env.PROOFLINE_DATABASE_URL, log.acknowledged);
      cliVerify(env);
    } finally {
      await Promise.all([first.kill9(), second.kill9()]);
    }
  });
});
