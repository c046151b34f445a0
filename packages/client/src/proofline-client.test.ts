import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DecisionRecord } from '../../../src/modules/decisions/decisions.schema.js';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS } from '../../../test/stores.js';
import { type DecisionRecordWire, ProoflineClient } from './proofline-client.js';

/** True only when A and B are the same type (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

test("the client's decision record is the server's DecisionRecord, field for field", () => {
  // Compile time: tsc fails here when the client's copy and the schema's Static<> type differ.
  const sameType: Equal<DecisionRecordWire, DecisionRecord> = true;
  // Run time: the same field names, in case a field is added to the schema as unknown-typed.
  const clientFields: Record<keyof DecisionRecordWire, true> = {
    decisionId: true,
    systemId: true,
    modelVersionId: true,
    decidedAt: true,
    inputRef: true,
    inputDigest: true,
    rawInput: true,
    output: true,
    confidence: true,
    humanReviewed: true,
    reviewedBy: true,
    features: true,
  };
  assert.equal(sameType, true);
  assert.deepEqual(Object.keys(clientFields).sort(), Object.keys(DecisionRecord.properties).sort());
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`the TypeScript client [${dialect}]`, () => {
    let t: TestApp;
    let baseUrl: string;
    let ingest: TestUser;
    let officer: TestUser;

    before(async () => {
      t = await createTestApp(dialect);
      baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      officer = await t.user([]);
    });
    after(() => t.close());

    test('checks the runtime status with a short cache and sees a pause after the TTL', async () => {
      const system = await buildSystem(t.store, { runtimeDefault: 'active' });
      const lead = await t.user(['governance_lead']);
      await t.call(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
        userId: officer.id,
        authorities: ['pause'],
        competence: 'trained',
      });
      let clock = Date.now();
      const client = new ProoflineClient({
        baseUrl,
        token: ingest.token,
        systemId: system.id,
        cacheTtlMs: 100,
        flushIntervalMs: 0,
        clock: () => clock,
      });
      const first = await client.status();
      assert.equal(first.state, 'active');
      assert.equal(first.source, 'proofline');
      assert.equal(client.failSafeDefault, 'active', 'learnt from the server');
      assert.equal((await client.status()).source, 'cache');
      await t.call(officer, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, { reason: 'incident INC-1 open' });
      assert.equal((await client.status()).state, 'active', 'still cached');
      clock += 120;
      const after = await client.status();
      assert.equal(after.state, 'paused');
      assert.equal(after.source, 'proofline');
      assert.equal(await client.mayAct(), false);
    });

    test('reports decisions in batches', async () => {
      const system = await buildSystem(t.store);
      const client = new ProoflineClient({ baseUrl, token: ingest.token, systemId: system.id, batchSize: 40, flushIntervalMs: 0 });
      for (let i = 0; i < 100; i++)
        client.record({ decisionId: `d-${i}`, inputDigest: 'b'.repeat(64), output: { ok: i % 2 === 0 }, confidence: 0.9 });
      await client.flush();
      assert.equal(client.pending, 0);
      const stored = await t.store.db.selectFrom('decisions').select('decision_id').where('system_id', '=', system.id).execute();
      assert.equal(stored.length, 100);
      const batches = await t.store.db
        .selectFrom('decisions')
        .select('batch_id')
        .where('system_id', '=', system.id)
        .groupBy('batch_id')
        .execute();
      assert.equal(batches.length, 3);
    });

    test('fails safe when Proofline is unreachable: the configured default, else the learnt one, else paused', async () => {
      const port = await closedPort();
      const dead = `http://127.0.0.1:${port}`;
      const configured = new ProoflineClient({
        baseUrl: dead,
        token: ingest.token,
        systemId: 'x',
        failSafeDefault: 'active',
        timeoutMs: 500,
        flushIntervalMs: 0,
      });
      const status = await configured.status();
      assert.equal(status.state, 'active');
      assert.equal(status.source, 'fail-safe');
      assert.ok(configured.lastError);
      const unconfigured = new ProoflineClient({ baseUrl: dead, token: ingest.token, systemId: 'x', timeoutMs: 500, flushIntervalMs: 0 });
      assert.equal((await unconfigured.status()).state, 'paused');
      assert.equal(await unconfigured.mayAct(), false);
      // Queued decisions survive a failed flush.
      unconfigured.record({ decisionId: 'kept', inputRef: 'r', output: 1 });
      await assert.rejects(unconfigured.flush());
      assert.equal(unconfigured.pending, 1);

      // Learnt: a system whose default is paused, then the server becomes unreachable (5xx here).
      const system = await buildSystem(t.store, { runtimeDefault: 'paused' });
      let broken = false;
      const flaky: typeof fetch = async (input, init) => (broken ? new Response('down', { status: 503 }) : fetch(input, init));
      const learnt = new ProoflineClient({
        baseUrl,
        token: ingest.token,
        systemId: system.id,
        cacheTtlMs: 1,
        fetch: flaky,
        flushIntervalMs: 0,
      });
      assert.equal((await learnt.status()).state, 'active');
      broken = true;
      await new Promise((r) => setTimeout(r, 5));
      const down = await learnt.status();
      assert.equal(down.source, 'fail-safe');
      assert.equal(down.state, 'paused');
    });
  });
}
