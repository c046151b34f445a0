// Issue 13 end to end: two server processes on one PostgreSQL, 50 concurrent writers of several
// kinds spread over both, one instance killed with kill -9 mid-load and restarted on the same
// database. Afterwards one linear ledger that verifies, every acknowledged write in it exactly once,
// nothing half-written, checkpoints (the job that runs once per due time) never made twice, and a
// pause made through one instance seen by the other within a second. Behaviour only: no internals
// of the write path, so the test holds whichever way the store commits.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildSystem } from '../../test/factories.js';
import { pauseAndFollow, pauseOfficerAndService, runtimeState } from '../../test/runtime-pause.js';
import { type ServerProcess, serverEnv, signInAdmin, startServerPair, startServerProcess } from '../../test/server-process.js';
import { freshDatabaseUrl } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { createStore, type Store } from '../db/store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHECKPOINT_INTERVAL_MS = 1_000;

type Kind = 'system' | 'decisions';
interface Acknowledged {
  kind: Kind;
  /** The system id, or the decision batch id, the server answered with. */
  id: string;
}
interface WriteLog {
  acknowledged: Acknowledged[];
  /** Requests that got no answer (the instance died under them): not acknowledged. */
  cut: number;
  /** Answers other than the expected success: a defect, not a crash. */
  refused: string[];
  /** Requests on their way, by instance URL. */
  inFlight: Map<string, number>;
}

interface Credentials {
  admin: Record<string, string>;
  ingest: Record<string, string>;
  decisionSystemId: string;
}

/** One write of the writer's kind against `url`; returns what the server acknowledged. */
async function writeOnce(url: string, kind: Kind, creds: Credentials, n: number): Promise<Acknowledged> {
  if (kind === 'system') {
    const res = await fetch(`${url}/api/v1/systems`, {
      method: 'POST',
      headers: creds.admin,
      body: JSON.stringify({
        name: `Cluster system ${randomUUID()}`,
        purpose: 'Scores loan applications',
        intendedUse: 'Decision support for credit officers',
        aiType: 'machine_learning',
        deploymentKind: 'internal',
      }),
    });
    if (res.status !== 201) throw new RefusedError(`create system ${n}: ${res.status} ${await res.text()}`);
    return { kind, id: ((await res.json()) as { id: string }).id };
  }
  const records = Array.from({ length: 3 }, () => ({
    decisionId: randomUUID(),
    systemId: creds.decisionSystemId,
    decidedAt: '2026-11-27T10:00:00.000Z',
    inputDigest: 'a'.repeat(64),
    output: { approved: n % 2 === 0 },
    confidence: 0.8,
  }));
  const res = await fetch(`${url}/api/v1/decisions/batch`, { method: 'POST', headers: creds.ingest, body: JSON.stringify({ records }) });
  if (res.status !== 200) throw new RefusedError(`decision batch ${n}: ${res.status} ${await res.text()}`);
  return { kind, id: ((await res.json()) as { batchId: string }).batchId };
}

class RefusedError extends Error {}

/** `writers` loops, each bound to one instance (alternating) and one kind (alternating), until `stop()`.
 * A writer whose instance dies under it moves on to the other instance's URL list entry when it returns. */
function runWriters(urls: () => string[], creds: Credentials, writers: number, stop: () => boolean, log: WriteLog): Promise<void> {
  const loops = Array.from({ length: writers }, async (_, w) => {
    const kind: Kind = w % 2 === 0 ? 'system' : 'decisions';
    for (let i = 0; !stop(); i++) {
      const all = urls();
      const url = all[(w + i) % all.length];
      log.inFlight.set(url, (log.inFlight.get(url) ?? 0) + 1);
      try {
        log.acknowledged.push(await writeOnce(url, kind, creds, i));
      } catch (error) {
        if (error instanceof RefusedError) log.refused.push(error.message);
        else {
          log.cut += 1; // connection reset or refused: the instance is down, try elsewhere
          await sleep(50);
        }
      } finally {
        log.inFlight.set(url, (log.inFlight.get(url) ?? 1) - 1);
      }
    }
  });
  return Promise.all(loops).then(() => undefined);
}

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Users, tokens and the roster officer the load needs; written directly, before the load. */
async function prepare(store: Store, url: string) {
  const decisionSystem = await buildSystem(store);
  const pausable = await buildSystem(store, { euRiskTier: 'high' });
  const tokens = await pauseOfficerAndService(store, pausable.id, ['contributor']);
  const creds: Credentials = {
    admin: await signInAdmin(url),
    ingest: { authorization: `Bearer ${tokens.ingestToken}`, 'content-type': 'application/json' },
    decisionSystemId: decisionSystem.id,
  };
  return { creds, tokens, pausableId: pausable.id };
}

/** Every acknowledged write exactly once in the ledger; every row with its event and every event with its row. */
async function assertExactlyOnce(store: Store, acknowledged: Acknowledged[]): Promise<void> {
  const systems = new Set((await store.db.selectFrom('ai_systems').select('id').execute()).map((r) => r.id));
  const created = await store.db.selectFrom('ledger_events').select('subject_id').where('type', '=', 'system.created').execute();
  const createdCount = new Map<string, number>();
  for (const e of created) createdCount.set(e.subject_id, (createdCount.get(e.subject_id) ?? 0) + 1);
  const batches = new Set((await store.db.selectFrom('decision_batches').select('id').execute()).map((r) => r.id));
  const recorded = await store.db.selectFrom('ledger_events').select('subject_id').where('type', '=', 'decisions.batch_recorded').execute();
  const recordedCount = new Map<string, number>();
  for (const e of recorded) recordedCount.set(e.subject_id, (recordedCount.get(e.subject_id) ?? 0) + 1);

  const wrong = acknowledged.filter(({ kind, id }) => (kind === 'system' ? createdCount.get(id) : recordedCount.get(id)) !== 1);
  assert.deepEqual(wrong, [], 'every acknowledged write has exactly one ledger event');
  assert.deepEqual(
    acknowledged.filter(({ kind, id }) => !(kind === 'system' ? systems : batches).has(id)),
    [],
    'every acknowledged write has its row',
  );
  // Nothing half-written, acknowledged or not: no row without its event, no event without its row.
  assert.deepEqual(
    [...systems].filter((id) => createdCount.get(id) !== 1),
    [],
    'every system has exactly one creation event',
  );
  assert.deepEqual(
    [...createdCount.keys()].filter((id) => !systems.has(id)),
    [],
    'no creation event without its system',
  );
  assert.deepEqual(
    [...batches].filter((id) => recordedCount.get(id) !== 1),
    [],
    'every decision batch has exactly one event',
  );
  assert.deepEqual(
    [...recordedCount.keys()].filter((id) => !batches.has(id)),
    [],
    'no batch event without its batch',
  );
  const decisions = await store.db
    .selectFrom('decisions')
    .select((eb) => [eb.fn.count<number>('decision_id').as('n'), eb.fn.count<number>('batch_id').distinct().as('b')])
    .executeTakeFirstOrThrow();
  assert.deepEqual([Number(decisions.n), Number(decisions.b)], [batches.size * 3, batches.size], 'every batch whole: three decisions each');

  // One linear ledger: sequence numbers 0..n-1, the head at n.
  const span = await store.db
    .selectFrom('ledger_events')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
    .executeTakeFirstOrThrow();
  const head = await store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
  assert.deepEqual(
    [Number(span.first), Number(span.last) + 1, Number(head.size)],
    [0, Number(span.n), Number(span.n)],
    'contiguous from 0, head at the end',
  );
}

/** The checkpoint job ran once per due time: never two checkpoints of one size (one would fail on
 * the other's row and log "job failed"), sizes rising with time, and no more checkpoints than due
 * times in the span they cover, which two schedulers running at once (each with its own phase)
 * would double. Gaps between two checkpoints are not a measure: a run slowed by the load writes its
 * row late, and the next due time's run follows it closely. */
async function assertCheckpointsOncePerDueTime(store: Store, instances: ServerProcess[]): Promise<void> {
  const rows = await store.db.selectFrom('ledger_checkpoints').select(['tree_size', 'created_at']).orderBy('created_at').execute();
  assert.ok(rows.length >= 5, `the checkpoint job ran (${rows.length} checkpoints)`);
  const sizes = rows.map((r) => Number(r.tree_size));
  assert.deepEqual(
    sizes,
    [...sizes].sort((a, b) => a - b),
    'checkpoint sizes rise with time',
  );
  assert.equal(new Set(sizes).size, sizes.length, 'no tree size checkpointed twice');
  const spanMs = Date.parse(rows[rows.length - 1].created_at) - Date.parse(rows[0].created_at);
  // One scheduler: at most one checkpoint per due time in the span, plus the first and one late row.
  const dueTimes = Math.floor(spanMs / CHECKPOINT_INTERVAL_MS) + 2;
  assert.ok(
    rows.length <= dueTimes,
    `no more checkpoints (${rows.length}) than due times (${dueTimes}) over ${spanMs} ms: one scheduler at a time`,
  );
  for (const instance of instances) assert.doesNotMatch(instance.output(), /job failed/, 'no job failed on any instance');
}

describe('a cluster of two servers on one PostgreSQL', () => {
  test('50 writers over two instances, one killed with kill -9 and restarted: one ledger, every acknowledged write once, jobs once, pauses reach the other within 1 s', async (tc) => {
    const databaseUrl = await freshDatabaseUrl('postgres');
    const env = serverEnv(databaseUrl, {
      PROOFLINE_CHECKPOINT_INTERVAL_SECONDS: String(CHECKPOINT_INTERVAL_MS / 1000),
      PROOFLINE_JOB_LEASE_TTL_SECONDS: '2',
    });
    const [a, first] = await startServerPair(env);
    let b = first;
    const killed: ServerProcess[] = [];
    const store = createStore(loadConfig({ PROOFLINE_DATABASE_URL: databaseUrl }).database);
    try {
      const { creds, tokens, pausableId } = await prepare(store, a.url);
      let up = [a.url, b.url];
      let done = false;
      const log: WriteLog = { acknowledged: [], cut: 0, refused: [], inFlight: new Map() };
      const writing = runWriters(
        () => up,
        creds,
        50,
        () => done,
        log,
      );

      // Kill b mid-load once it has acknowledged a fair share (by count, not time: a loaded machine is slow).
      await until('load under way', () => log.acknowledged.length >= 150 || log.refused.length > 0, 40_000);
      // Writers alternate instances, so a slow moment of one gathers them there: kill b while some
      // of its requests are on their way (once, with none, the kill cut nothing).
      const onB = b.url;
      await until('requests on their way to b', () => (log.inFlight.get(onB) ?? 0) >= 3 || log.refused.length > 0, 40_000);
      await b.kill9();
      killed.push(b);
      up = [a.url];
      const atKill = log.acknowledged.length;
      await sleep(500);
      b = await startServerProcess(env);
      up = [a.url, b.url];
      await until('load continues on both', () => log.acknowledged.length >= atKill + 150 || log.refused.length > 0, 40_000);
      // Let the job lease change hands at least once more if the killed one held it, then stop the load.
      await sleep(2_500);
      done = true;
      await writing;
      assert.deepEqual(log.refused, [], 'no write refused: only the killed instance may drop requests');
      assert.ok(log.cut > 0, 'the kill cut requests off mid-load');
      tc.diagnostic(`${log.acknowledged.length} writes acknowledged, ${log.cut} cut off by the kill`);

      // A pause through a reaches b's runtime endpoint within one second.
      assert.equal(await runtimeState(b.url, pausableId, tokens.ingestToken), 'active');
      const { state, elapsed } = await pauseAndFollow({ from: a.url, to: b.url }, pausableId, tokens);
      assert.equal(state, 'paused');
      assert.ok(elapsed <= 1_000, `the pause reached the other instance after ${elapsed} ms`);

      // The ledger verifies, through the restarted instance.
      const verify = await fetch(`${b.url}/api/v1/ledger/verify`, { headers: await signInAdmin(b.url) });
      assert.equal(verify.status, 200, await verify.clone().text());
      const report = (await verify.json()) as { ok: boolean };
      assert.equal(report.ok, true, JSON.stringify(report));

      await Promise.all([a.stop(), b.stop()]);
      await assertExactlyOnce(store, log.acknowledged);
      await assertCheckpointsOncePerDueTime(store, [a, b, ...killed]);
    } finally {
      await Promise.all([a.kill9(), b.kill9()]);
      await store.close();
    }
  });
});
