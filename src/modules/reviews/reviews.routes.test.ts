// Scheduled reviews over HTTP, on both databases: the snapshot is the period's computed metrics
// bound by its digest; the sign-off rules hold at the door (one signature, the same person twice,
// the preparer, independence from the owners, a stale digest); an unsatisfactory review opens an
// exception; the lists filter; an overdue mandatory review flags the system on the inventory, the
// dashboard and the control status. Every refusal names its code and writes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { sha256OfCanonical } from './reviews.service.js';

const WHY = 'Metrics within thresholds for the whole period';
const FINDINGS = 'Selection rates within 0.8 of the reference group all quarter';

for (const dialect of DIALECTS) {
  describe(`reviews over HTTP [${dialect}]`, () => {
    let t: TestApp;
    let lead: TestUser;
    let preparer: TestUser;
    let reviewer: TestUser;
    let second: TestUser;
    let owner: TestUser;
    let ingest: TestUser;
    let systemId: string;

    /** A refusal with `code` and HTTP `status` that writes nothing to the ledger. */
    async function refused(status: number, code: string, call: () => ReturnType<TestApp['call']>) {
      const size = await ledgerSize(t.store);
      const res = await call();
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.code, code, res.body);
      assert.equal(await ledgerSize(t.store), size, `${code}: nothing written`);
    }

    const plan = (over: Record<string, unknown> = {}) => ({
      systemId,
      kind: 'fairness',
      periodFrom: '2026-11-01T00:00:00.000Z',
      periodTo: '2026-12-01T00:00:00.000Z',
      dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      preparerId: preparer.id,
      reviewerId: reviewer.id,
      secondSignatoryId: second.id,
      ...over,
    });
    async function create(over: Record<string, unknown> = {}) {
      const res = await t.call(lead, 'POST', '/api/v1/reviews', plan(over));
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }
    async function attach(id: string, version: number, decision = 'satisfactory', actions: string[] = []) {
      const res = await t.call(
        preparer,
        'POST',
        `/api/v1/reviews/${id}/findings`,
        { findings: FINDINGS, decision, actions, metrics: { note: 'checked by hand' } },
        { 'if-match': `"${version}"` },
      );
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    }
    const sign = (who: TestUser, id: string, snapshotDigest: string, rationale = WHY) =>
      t.call(who, 'POST', `/api/v1/reviews/${id}/signatures`, { snapshotDigest, rationale });

    before(async () => {
      t = await createTestApp(dialect);
      lead = await t.user(['governance_lead']);
      preparer = await t.user(['contributor']);
      reviewer = await t.user(['contributor']);
      second = await t.user(['governance_lead']);
      owner = await t.user(['contributor']);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      systemId = (await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' })).id;
      // Four labelled decisions in November, two groups: the computed metrics of the period.
      const records = Array.from({ length: 4 }, () => ({
        decisionId: randomUUID(),
        systemId,
        decidedAt: '2026-11-20T10:00:00.000Z',
        inputDigest: 'a'.repeat(64),
        output: { approved: true },
      }));
      assert.equal((await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records })).statusCode, 200);
      const outcomes = records.map((r, i) => ({
        systemId,
        decisionId: r.decisionId,
        actual: i % 2,
        predicted: 1,
        knownAt: '2026-11-25T10:00:00.000Z',
        groups: { sex: i < 2 ? 'f' : 'm' },
      }));
      const declared = await t.call(lead, 'PUT', `/api/v1/systems/${systemId}/fairness-attributes`, {
        attributes: [{ name: 'sex', values: ['f', 'm'], fairnessOnly: true }],
        rationale: 'Bias monitoring under our fairness policy',
      });
      assert.equal(declared.statusCode, 200, declared.body);
      const res = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', { records: outcomes });
      assert.equal(res.statusCode, 201, res.body);
    });
    after(() => t.close());

    test("the preparer attaches findings; the snapshot holds the period's computed metrics, bound by its SHA-256", async () => {
      const review = await create();
      assert.equal(review.status, 'prepared');
      const names = await t.store.db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('id', 'in', [preparer.id, reviewer.id])
        .execute();
      const nameOf = (id: string) => names.find((n) => n.id === id)?.display_name;
      assert.deepEqual([review.preparerName, review.reviewerName], [nameOf(preparer.id), nameOf(reviewer.id)]);
      await refused(428, 'precondition_required', () =>
        t.call(preparer, 'POST', `/api/v1/reviews/${review.id}/findings`, { findings: FINDINGS, decision: 'satisfactory' }),
      );
      await refused(403, 'forbidden', () =>
        t.call(
          reviewer,
          'POST',
          `/api/v1/reviews/${review.id}/findings`,
          { findings: FINDINGS, decision: 'satisfactory' },
          { 'if-match': '"1"' },
        ),
      );
      const withFindings = await attach(review.id, review.version);
      const snapshot = withFindings.snapshot;
      assert.equal(withFindings.snapshotDigest, sha256OfCanonical(snapshot), 'the digest is SHA-256 of the canonical snapshot');
      assert.equal(snapshot.computed.performance.length, 1, 'performance of the one model version');
      assert.deepEqual(snapshot.computed.performance[0].counts, { tp: 2, fp: 2, tn: 0, fn: 0 });
      assert.equal(snapshot.computed.fairness.sex.groups.length, 2, 'fairness by the recorded attribute');
      assert.deepEqual(snapshot.attached, { note: 'checked by hand' });
      const read = await t.call(reviewer, 'GET', `/api/v1/reviews/${review.id}`);
      assert.equal(read.json().snapshotDigest, withFindings.snapshotDigest, 'what the signatories read is what they sign');
    });

    test('a review cannot complete with one signature, with the same person twice, or with the preparer signing; a stale digest is refused', async () => {
      const review = await create({ kind: 'performance' });
      const { snapshotDigest: digest } = await attach(review.id, review.version);
      await refused(403, 'self_approval_forbidden', () => sign(preparer, review.id, digest));
      await refused(403, 'forbidden', () => sign(lead, review.id, digest));
      await refused(409, 'content_changed', () => sign(reviewer, review.id, 'b'.repeat(64)));
      await refused(400, 'validation_failed', () => sign(reviewer, review.id, digest, 'ok'));

      const first = await sign(reviewer, review.id, digest);
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.json().review.status, 'findings');
      assert.deepEqual(
        first.json().review.signatures.map((s: { role: string; signerId: string }) => [s.role, s.signerId]),
        [['reviewer', reviewer.id]],
      );
      await refused(403, 'duplicate_approver', () => sign(reviewer, review.id, digest));
      await refused(403, 'second_person_required', () => t.call(lead, 'POST', `/api/v1/reviews/${review.id}/complete`));

      const done = await sign(second, review.id, digest);
      assert.equal(done.statusCode, 201, done.body);
      assert.equal(done.json().review.status, 'signed');
      assert.equal(done.json().exceptionId, null, 'a satisfactory review opens nothing');
      await refused(409, 'invalid_transition', () => t.call(lead, 'POST', `/api/v1/reviews/${review.id}/complete`));
    });

    test('the signatories are named at scheduling: two people, not the preparer, one independent of the owners', async () => {
      await refused(403, 'duplicate_approver', () => t.call(lead, 'POST', '/api/v1/reviews', plan({ secondSignatoryId: reviewer.id })));
      await refused(403, 'self_approval_forbidden', () => t.call(lead, 'POST', '/api/v1/reviews', plan({ reviewerId: preparer.id })));
      const coOwner = await t.user(['contributor']);
      await t.store.transact((trx) =>
        trx
          .insertInto('system_phase_owners')
          .values({ system_id: systemId, phase: 'operation', user_id: coOwner.id, assigned_at: new Date().toISOString() })
          .execute(),
      );
      await refused(403, 'independent_signatory_required', () =>
        t.call(lead, 'POST', '/api/v1/reviews', plan({ reviewerId: owner.id, secondSignatoryId: coOwner.id, kind: 'risk' })),
      );
      await refused(403, 'forbidden', () => t.call(preparer, 'POST', '/api/v1/reviews', plan({ kind: 'risk' })));
    });

    test('an unsatisfactory review, once complete, opens an exception on the system naming the review', async () => {
      const review = await create({ kind: 'risk' });
      const { snapshotDigest: digest } = await attach(review.id, review.version, 'unsatisfactory', ['Retrain with the corrected labels']);
      assert.equal((await sign(second, review.id, digest)).statusCode, 201);
      const before = await ledgerSize(t.store);
      const done = await sign(reviewer, review.id, digest);
      assert.equal(done.statusCode, 201, done.body);
      const { exceptionId } = done.json();
      assert.ok(exceptionId, 'an exception was opened');
      const exception = await t.store.db.selectFrom('exceptions').selectAll().where('id', '=', exceptionId).executeTakeFirstOrThrow();
      assert.deepEqual(
        [exception.system_id, exception.kind, exception.raised_by_type, exception.raised_by_ref, exception.owner_id],
        [systemId, 'deviation', 'review', review.id, owner.id],
      );
      assert.match(exception.description, /Retrain with the corrected labels/);
      const types = await t.store.db.selectFrom('ledger_events').select('type').where('seq', '>=', before).orderBy('seq').execute();
      assert.deepEqual(
        types.map((e) => e.type),
        ['review.signed', 'review.completed', 'exception.opened'],
      );
    });

    test('a decision other than satisfactory names its actions; satisfactory with actions completes with them and opens no exception', async () => {
      const review = await create({ kind: 'custom' });
      assert.equal(review.kind, 'custom');
      for (const decision of ['satisfactory_with_actions', 'unsatisfactory']) {
        await refused(400, 'validation_failed', () =>
          t.call(
            preparer,
            'POST',
            `/api/v1/reviews/${review.id}/findings`,
            { findings: FINDINGS, decision, actions: ['  '] },
            { 'if-match': `"${review.version}"` },
          ),
        );
      }
      const prepared = await attach(review.id, review.version, 'satisfactory_with_actions', ['Re-run the fairness report monthly']);
      assert.deepEqual(prepared.actions, ['Re-run the fairness report monthly']);
      assert.equal((await sign(reviewer, review.id, prepared.snapshotDigest)).statusCode, 201);
      const done = await sign(second, review.id, prepared.snapshotDigest);
      assert.equal(done.statusCode, 201, done.body);
      assert.equal(done.json().exceptionId, null, 'only an unsatisfactory review opens an exception');
      const read = (await t.call(reviewer, 'GET', `/api/v1/reviews/${review.id}`)).json();
      assert.equal(read.status, 'signed');
      assert.notEqual(read.completedAt, null);
      assert.equal(read.decision, 'satisfactory_with_actions');
      assert.deepEqual(read.actions, ['Re-run the fairness report monthly']);
      assert.equal(read.signatures.length, 2);
      assert.ok(
        read.signatures.every((s: { rationale: string }) => s.rationale === WHY),
        'each signature keeps its rationale',
      );
    });

    test('lists: mine, by system, by status, overdue; paginated, soonest due first', async () => {
      const other = (await buildSystem(t.store, { accountableOwnerId: owner.id })).id;
      const late = await create({ systemId: other, kind: 'custom', dueAt: '2026-01-01T00:00:00.000Z' });
      const page = async (user: TestUser, query: string) => {
        const res = await t.call(user, 'GET', `/api/v1/reviews?${query}`);
        assert.equal(res.statusCode, 200, res.body);
        return res.json();
      };
      const mine = await page(preparer, 'mine=true&limit=2');
      assert.equal(mine.items.length, 2);
      const prepared = await t.store.db.selectFrom('reviews').select('id').where('preparer_id', '=', preparer.id).execute();
      assert.equal(mine.total, prepared.length);
      assert.equal(mine.items[0].id, late.id, 'soonest due first');
      const next = await page(preparer, 'mine=true&limit=2&offset=2');
      assert.ok(next.items.every((r: { id: string }) => !mine.items.some((m: { id: string }) => m.id === r.id)));
      assert.equal((await page(owner, 'mine=true')).total, 0, 'the owner prepares and signs none');
      assert.deepEqual(
        (await page(owner, `systemId=${other}`)).items.map((r: { id: string }) => r.id),
        [late.id],
      );
      const signed = await page(owner, 'status=signed');
      assert.ok(signed.total >= 2 && signed.items.every((r: { status: string }) => r.status === 'signed'));
      // A custom review is not mandatory: never overdue.
      assert.equal(late.overdue, false);
      assert.ok(!(await page(owner, 'overdue=true')).items.some((r: { id: string }) => r.id === late.id));
    });

    test('an overdue mandatory review flags the system on the inventory, the dashboard and the control status', async () => {
      const flagged = (await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' })).id;
      const clean = (await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' })).id;
      const dashBefore = (await t.call(owner, 'GET', '/api/v1/dashboard')).json().reviews;
      const late = await create({
        systemId: flagged,
        kind: 'fairness',
        dueAt: '2026-01-01T00:00:00.000Z',
        periodFrom: '2025-10-01T00:00:00.000Z',
      });
      assert.equal(late.overdue, true);
      await create({ systemId: clean, kind: 'fairness', periodFrom: '2025-10-01T00:00:00.000Z' });

      const list = (await t.call(owner, 'GET', '/api/v1/systems?limit=500')).json();
      const flagOf = (id: string) => list.items.find((s: { id: string }) => s.id === id).reviewOverdue;
      assert.deepEqual([flagOf(flagged), flagOf(clean)], [true, false]);
      const filtered = (await t.call(owner, 'GET', '/api/v1/systems?reviewOverdue=true&limit=500')).json();
      assert.ok(filtered.items.some((s: { id: string }) => s.id === flagged));
      assert.ok(filtered.items.every((s: { reviewOverdue: boolean }) => s.reviewOverdue));
      assert.equal((await t.call(owner, 'GET', `/api/v1/systems/${flagged}`)).json().reviewOverdue, true);
      assert.equal((await t.call(owner, 'GET', `/api/v1/systems/${clean}`)).json().reviewOverdue, false);

      const dash = (await t.call(owner, 'GET', '/api/v1/dashboard')).json().reviews;
      assert.equal(dash.overdue.count, dashBefore.overdue.count + 1);
      assert.deepEqual(dash.overdue.list, { path: '/api/v1/reviews', query: { overdue: 'true' }, exact: true });
      assert.equal(dash.systemsWithOverdueReview.count, dashBefore.systemsWithOverdueReview.count + 1);
      assert.equal((await t.call(owner, 'GET', '/api/v1/reviews?overdue=true')).json().total, dash.overdue.count);

      const status = async (id: string) => {
        const res = await t.call(owner, 'GET', `/api/v1/controls/status?framework=iso42001&system=${id}`);
        assert.equal(res.statusCode, 200, res.body);
        const control = res.json().items.find((c: { controlId: string }) => c.controlId === 'iso42001:A.9.2');
        return control.systems[0].conditions.find((c: { condition: string }) => c.condition === 'reviews_not_overdue');
      };
      const failing = await status(flagged);
      assert.equal(failing.holds, false);
      assert.deepEqual(failing.records, [{ type: 'review', id: late.id }]);
      assert.equal((await status(clean)).holds, true);
    });
  });
}
