import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { signIn } from '../../../test/sessions.js';
import { DIALECTS, ledgerSize, rowCount } from '../../../test/stores.js';

const record = (systemId: string, overrides: Record<string, unknown> = {}) => ({
  decisionId: randomUUID(),
  systemId,
  decidedAt: '2026-11-27T10:00:00.000Z',
  inputDigest: 'a'.repeat(64),
  output: { approved: false, score: 0.31 },
  confidence: 0.82,
  ...overrides,
});

for (const dialect of DIALECTS) {
  describe(`decision records and human review [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let reviewer: TestUser;
    let officer: TestUser;

    const count = (table: 'decisions' | 'decision_batches') => rowCount(t.store, table);
    const batchEvents = async () =>
      (await t.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', 'decisions.batch_recorded').execute()).map((e) =>
        JSON.parse(e.leaf),
      );

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      reviewer = await t.user(['reviewer']);
      officer = await t.user([]);
    });
    after(() => t.close());

    test('an acknowledged batch is durable: every record stored, one ledger event with digest and count', async () => {
      const system = await buildSystem(t.store);
      const records = Array.from({ length: 250 }, () => record(system.id));
      const before = (await batchEvents()).length;
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
      assert.equal(res.statusCode, 200, res.body);
      const receipt = res.json();
      assert.equal(receipt.count, 250);
      assert.match(receipt.digest, /^[0-9a-f]{64}$/);
      const stored = await t.store.db.selectFrom('decisions').select('decision_id').where('batch_id', '=', receipt.batchId).execute();
      assert.equal(stored.length, 250);
      const events = await batchEvents();
      assert.equal(events.length, before + 1);
      assert.equal(events.at(-1).data.count, 250);
      assert.equal(events.at(-1).data.digest, receipt.digest);
    });

    test('a malformed batch is rejected whole, naming each bad record by index and field; nothing is written', async () => {
      const system = await buildSystem(t.store);
      const [decisions, batches] = [await count('decisions'), await count('decision_batches')];
      const records = [
        record(system.id),
        record(system.id, { confidence: 7 }),
        record(system.id),
        record(system.id, { decidedAt: 'yesterday' }),
        record('no-such-system'),
      ];
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
      assert.equal(res.statusCode, 400, res.body);
      const error = res.json().error;
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.details.badRecords, [1, 3]);
      assert.deepEqual(
        error.details.problems.map((p: { index: number; field: string }) => `${p.index}.${p.field}`),
        ['1.confidence', '3.decidedAt'],
      );
      assert.match(error.message, /records\[1\]\.confidence/);
      const unknown = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [record(system.id), record('no-such-system')] });
      assert.equal(unknown.json().error.details.field, 'records[1].systemId');
      const dup = record(system.id);
      const twice = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [dup, { ...dup }] });
      assert.equal(twice.json().error.details.field, 'records[1].decisionId');
      assert.equal(await count('decisions'), decisions);
      assert.equal(await count('decision_batches'), batches);
      // A decision id already recorded for the system: named, and the whole batch refused.
      const kept = record(system.id);
      assert.equal((await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [kept] })).statusCode, 200);
      const resent = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [record(system.id), { ...kept }] });
      assert.equal(resent.statusCode, 400, resent.body);
      assert.equal(resent.json().error.details.field, 'records[1].decisionId');
      assert.equal(await count('decisions'), decisions + 1);
    });

    test('a batch resending two recorded decisions names both duplicates, the same on either database, and writes nothing', async () => {
      const system = await buildSystem(t.store);
      const [first, second] = [record(system.id), record(system.id)];
      assert.equal((await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [first, second] })).statusCode, 200);
      const [events, decisions, batches] = [await ledgerSize(t.store), await count('decisions'), await count('decision_batches')];
      const resent = await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
        records: [record(system.id), { ...first }, record(system.id), { ...second }],
      });
      assert.equal(resent.statusCode, 400, resent.body);
      const { error } = resent.json();
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(error.details.badRecords, [1, 3]);
      assert.equal(error.details.problemCount, 2);
      assert.deepEqual(
        error.details.problems.map((p: { index: number; field: string; message: string }) => [p.index, p.field, p.message]),
        [
          [1, 'decisionId', 'was already recorded for this system'],
          [3, 'decisionId', 'was already recorded for this system'],
        ],
      );
      assert.equal(await ledgerSize(t.store), events);
      assert.equal(await count('decisions'), decisions);
      assert.equal(await count('decision_batches'), batches);
    });

    test('oversized batches are 413, too many records 400, and only ingest tokens may send', async () => {
      const system = await buildSystem(t.store);
      const big = 'x'.repeat(1000);
      const oversized = Array.from({ length: 4500 }, () => record(system.id, { inputRef: big }));
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: oversized });
      assert.equal(res.statusCode, 413);
      assert.equal(res.json().error.code, 'payload_too_large');
      const many = Array.from({ length: 5001 }, () => ({}));
      const tooMany = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: many });
      assert.equal(tooMany.statusCode, 400);
      assert.equal(tooMany.json().error.details.field, 'body.records');
      const writer = await t.user(['admin']);
      const wrongScope = await t.call(writer, 'POST', '/api/v1/decisions/batch', { records: [record(system.id)] });
      assert.equal(wrongScope.json().error.code, 'insufficient_scope');
    });

    test('only ingest tokens of accounts allowed to report write: not an auditor, a role-less account or a session', async () => {
      const system = await buildSystem(t.store);
      const auditor = await t.user(['auditor'], { scopes: ['read', 'ingest'] });
      const roleless = await t.user([], { scopes: ['ingest'] });
      const admin = await t.user(['admin'], { scopes: ['ingest'], password: 'admin password 1' });
      const session = await signIn(t, admin.email, 'admin password 1', '10.9.0.1');
      const [events, rows] = [await ledgerSize(t.store), await count('decisions')];
      const body = { records: [record(system.id)] };
      const refusals = [
        ['auditor', await t.call(auditor, 'POST', '/api/v1/decisions/batch', body), 'forbidden'],
        ['role-less', await t.call(roleless, 'POST', '/api/v1/decisions/batch', body), 'forbidden'],
        ['admin session', await session.call('POST', '/api/v1/decisions/batch', body), 'token_required'],
      ] as const;
      for (const [who, res, code] of refusals) {
        assert.equal(res.statusCode, 403, who);
        assert.equal(res.json().error.code, code, who);
      }
      assert.equal(await ledgerSize(t.store), events, 'nothing recorded');
      assert.equal(await count('decisions'), rows);
      assert.equal((await t.call(admin, 'POST', '/api/v1/decisions/batch', body)).statusCode, 200, "the admin's own ingest token may");
    });

    test('rawInput is refused unless the system is configured to accept it', async () => {
      const system = await buildSystem(t.store);
      const raw = record(system.id, { rawInput: { name: 'Jane Doe', income: 42000 } });
      const refused = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [raw] });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error.details.field, 'records[0].rawInput');
      const configured = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/decision-settings`, {
        allowRawInput: true,
        reviewSampleRate: 0,
      });
      assert.equal(configured.statusCode, 200, configured.body);
      const accepted = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [raw] });
      assert.equal(accepted.statusCode, 200, accepted.body);
      const row = await t.store.db
        .selectFrom('decisions')
        .select('raw_input')
        .where('decision_id', '=', raw.decisionId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.raw_input ?? 'null'), { name: 'Jane Doe', income: 42000 });
    });

    test('a restricted system sends every decision to review; an override opens an exception linked to the decision', async () => {
      const system = await buildSystem(t.store, { euRiskTier: 'high' });
      await t.call(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
        userId: officer.id,
        authorities: ['restrict'],
        competence: 'trained',
      });
      const restricted = await t.call(officer, 'POST', `/api/v1/systems/${system.id}/runtime/restrict`, {
        reason: 'output drifted from policy',
        conditions: { humanReviewAll: true },
      });
      assert.equal(restricted.statusCode, 200, restricted.body);
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: [record(system.id), record(system.id)] });
      assert.equal(res.json().queuedForReview, 2);
      const queue = await t.call(reviewer, 'GET', `/api/v1/decisions/review-queue?systemId=${system.id}`);
      assert.equal(queue.statusCode, 200, queue.body);
      assert.equal(queue.json().total, 2);
      const [first, second] = queue.json().items;
      const confirmed = await t.call(reviewer, 'POST', `/api/v1/decisions/${first.id}/review`, {
        outcome: 'confirm',
        reason: 'score justified',
      });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().review.status, 'confirmed');
      const notReviewer = await t.call(lead, 'POST', `/api/v1/decisions/${second.id}/review`, {
        outcome: 'override',
        reason: 'wrong outcome for this case',
      });
      assert.equal(notReviewer.statusCode, 403);
      const overridden = await t.call(reviewer, 'POST', `/api/v1/decisions/${second.id}/review`, {
        outcome: 'override',
        reason: 'income was misread',
        correctedOutput: { approved: true },
      });
      assert.equal(overridden.statusCode, 200, overridden.body);
      const exceptionId = overridden.json().review.exceptionId;
      const exception = await t.store.db.selectFrom('exceptions').selectAll().where('id', '=', exceptionId).executeTakeFirstOrThrow();
      assert.equal(exception.kind, 'override');
      assert.equal(exception.raised_by_type, 'decision');
      assert.deepEqual(JSON.parse(exception.links), [{ type: 'decision', id: second.id }]);
      const again = await t.call(reviewer, 'POST', `/api/v1/decisions/${second.id}/review`, {
        outcome: 'confirm',
        reason: 'reviewing it twice',
      });
      assert.equal(again.json().error.code, 'invalid_transition');
      assert.equal((await t.call(reviewer, 'GET', `/api/v1/decisions/review-queue?systemId=${system.id}`)).json().total, 0);
    });

    test("a batch's decisions get time-ordered ids (UUIDv7) in the order sent, so the review queue lists them as sent", async () => {
      const system = await buildSystem(t.store);
      await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/decision-settings`, { allowRawInput: false, reviewSampleRate: 1 });
      const records = Array.from({ length: 150 }, () => record(system.id));
      const started = Date.now();
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().queuedForReview, 150);
      const queue = await t.call(reviewer, 'GET', `/api/v1/decisions/review-queue?systemId=${system.id}&limit=200`);
      assert.equal(queue.statusCode, 200, queue.body);
      const items = queue.json().items as Array<{ id: string; decisionId: string; batchId: string }>;
      assert.deepEqual(
        items.map((d) => d.decisionId),
        records.map((r) => r.decisionId),
      );
      for (const { id } of items) {
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
        assert.ok(ms >= started && ms <= Date.now(), `${id} carries the receipt time`);
      }
      assert.equal(new Set(items.map((d) => d.id)).size, 150);
    });

    test('a configured sample rate queues that share of decisions', async () => {
      const system = await buildSystem(t.store);
      await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/decision-settings`, { allowRawInput: false, reviewSampleRate: 0.2 });
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
        records: Array.from({ length: 500 }, () => record(system.id)),
      });
      const queued = res.json().queuedForReview;
      assert.ok(queued > 60 && queued < 140, `queued ${queued} of 500`);
    });
  });
}
