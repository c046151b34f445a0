// The dashboard on both databases: a small programme built through the real API, then every figure
// checked against what was done, and every figure that names an exact list filter held equal to
// that list's total (the UI links each number to its rows).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { median, weekStart } from './dashboard.service.js';

const DAY = 86_400_000;

interface Link {
  path: string;
  query: Record<string, string>;
  exact: boolean;
}

/** Every { count, list } in the answer, with where it sits. */
function figuresIn(value: unknown, at = ''): Array<{ at: string; count: number; list: Link | null }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => figuresIn(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.count === 'number' && 'list' in record ? [{ at, count: record.count, list: record.list as Link | null }] : [];
  return [...own, ...Object.entries(record).flatMap(([k, v]) => figuresIn(v, at ? `${at}.${k}` : k))];
}

for (const dialect of DIALECTS) {
  describe(`dashboard [${dialect}]`, () => {
    let t: TestApp;
    let admin: TestUser;
    let auditor: TestUser;
    let contributor: TestUser;
    let incidentId: string;
    let verifier: TestUser;
    let feedbackSystems: { scorer: string; unowned: string };

    before(async () => {
      t = await createTestApp(dialect);
      admin = await t.user(['admin']);
      auditor = await t.user(['auditor']);
      verifier = auditor;
      contributor = await t.user(['contributor']);
      const lead = await t.user(['governance_lead']);
      const owner = await t.user(['contributor']);
      const resolver = await t.user(['contributor']);
      const officer = await t.user(['oversight_officer']);
      const reviewer = await t.user(['reviewer']);
      const ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      await t.user(['approver']); // the risk officer step of a high-risk system_use chain
      const ok = (res: { statusCode: number; body: string }, status = 200) => assert.equal(res.statusCode, status, res.body);

      // Inventory: an owned high-risk system, one without an owner, an untriaged shadow tool.
      const scorer = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high', status: 'in_development' });
      const unowned = await buildSystem(t.store, { euRiskTier: 'limited' });
      await buildSystem(t.store, { deploymentKind: 'shadow', name: 'Spreadsheet macro with an LLM' });
      await requestApproval(t, contributor, { kind: 'system_use', subjectId: scorer.id });

      // Exceptions: a high one detected a month ago (overdue), a fresh low one, and an incident.
      const exception = (severity: string, detectedAt?: string) =>
        t.call(owner, 'POST', '/api/v1/exceptions', {
          kind: 'deviation',
          systemId: scorer.id,
          title: `A ${severity} deviation`,
          description: 'Scores drifted from the validated range.',
          severity,
          ...(detectedAt ? { detectedAt } : {}),
          raisedBy: { type: 'person', ref: 'analyst' },
          ownerId: owner.id,
          resolverId: resolver.id,
        });
      ok(await exception('high', new Date(Date.now() - 30 * DAY).toISOString()), 201);
      ok(await exception('low'), 201);
      const incident = await t.call(owner, 'POST', '/api/v1/incidents', {
        systemId: scorer.id,
        title: 'The scorer exposed another applicant’s data',
        description: 'A score explanation named another applicant.',
        severity: 'critical',
        raisedBy: { type: 'alert', ref: 'monitor:dlp-1' },
        ownerId: owner.id,
        resolverId: resolver.id,
        incident: { harmCategories: ['personal_data_breach'], awareAt: new Date(Date.now() - 2 * 3_600_000).toISOString() },
      });
      ok(incident, 201);
      incidentId = incident.json().id;

      // Oversight: the scorer restricted (every decision to human review), the unowned system paused.
      for (const system of [scorer, unowned]) {
        ok(
          await t.call(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
            userId: officer.id,
            authorities: ['pause', 'restrict', 'resume'],
            competence: 'Credit risk analyst',
            training: 'AI oversight course',
          }),
          201,
        );
      }
      ok(
        await t.call(officer, 'POST', `/api/v1/systems/${scorer.id}/runtime/restrict`, {
          reason: 'Drift under investigation',
          conditions: { humanReviewAll: true },
        }),
      );
      ok(await t.call(officer, 'POST', `/api/v1/systems/${unowned.id}/runtime/pause`, { reason: 'No accountable owner yet' }));

      // Two decisions of the restricted scorer go to review; a reviewer confirms one.
      ok(
        await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
          records: [
            { decisionId: 'D-1', systemId: scorer.id, decidedAt: new Date().toISOString(), inputRef: 'case/1', output: 'refused' },
            { decisionId: 'D-2', systemId: scorer.id, decidedAt: new Date().toISOString(), inputRef: 'case/2', output: 'granted' },
          ],
        }),
      );
      const queue = (await t.call(reviewer, 'GET', '/api/v1/decisions/review-queue')).json();
      assert.equal(queue.total, 2);
      ok(
        await t.call(reviewer, 'POST', `/api/v1/decisions/${queue.items[0].id}/review`, { outcome: 'confirm', reason: 'checked the file' }),
      );

      // An appeal, a checkpoint and a verification.
      ok(
        await t.call(reviewer, 'POST', '/api/v1/appeals', {
          systemId: scorer.id,
          decisionId: 'D-1',
          appellantName: 'Jane Doe',
          statement: 'My income was not taken into account.',
        }),
        201,
      );
      // Feedback: two on the scorer, one on the unowned system (converting opens an exception, so none here).
      const feedback = (systemId: string, category: string) =>
        t.call(contributor, 'POST', '/api/v1/feedback', { systemId, category, summary: 'Feedback', details: 'Seen by a user.' });
      ok(await feedback(scorer.id, 'harm'), 201);
      ok(await feedback(scorer.id, 'bias_concern'), 201);
      ok(await feedback(unowned.id, 'bias_concern'), 201);
      feedbackSystems = { scorer: scorer.id, unowned: unowned.id };

      ok(await t.call(admin, 'POST', '/api/v1/ledger/checkpoints'));
      ok(await t.call(verifier, 'GET', '/api/v1/ledger/verify'));
    });
    after(() => t.close());

    test('every figure says what was done: systems, approvals, exceptions, incidents, oversight, decisions, appeals, ledger', async () => {
      const before = await ledgerSize(t.store);
      const res = await t.call(contributor, 'GET', '/api/v1/dashboard');
      assert.equal(res.statusCode, 200, res.body);
      const d = res.json();
      assert.equal(await ledgerSize(t.store), before, 'reading the dashboard writes nothing');

      assert.equal(d.systems.total.count, 3);
      assert.equal(d.systems.withoutOwner.count, 2);
      assert.equal(d.systems.untriagedShadow.count, 1);
      assert.deepEqual(d.systems.untriagedShadow.list, { path: '/api/v1/systems', query: { untriagedShadow: 'true' }, exact: true });
      assert.equal(d.systems.byRiskTier.find((f: { euRiskTier: string }) => f.euRiskTier === 'high').count, 1);
      assert.equal(d.systems.ownerCoverage, 0.3333);

      assert.equal(d.approvals.pending.count, 1);
      assert.equal(d.approvals.overdue.count, 0);

      assert.equal(d.exceptions.open.count, 3);
      assert.equal(d.exceptions.overdue.count, 1);
      const bySeverity = Object.fromEntries(d.exceptions.bySeverity.map((f: { severity: string; count: number }) => [f.severity, f.count]));
      assert.deepEqual(bySeverity, { critical: 1, high: 1, medium: 0, low: 1 });
      assert.deepEqual(d.exceptions.bySeverity[1].list, {
        path: '/api/v1/exceptions',
        query: { open: 'true', severity: 'high' },
        exact: true,
      });

      assert.equal(d.incidents.open.count, 1);
      const due = (await t.call(admin, 'GET', `/api/v1/incidents/${incidentId}/deadlines`)).json().items as Array<{
        key: string;
        dueAt: string;
      }>;
      const soonest = [...due].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
      assert.deepEqual(
        d.incidents.nextDeadlines.map((n: { exceptionId: string; deadlineKey: string; dueAt: string }) => [
          n.exceptionId,
          n.deadlineKey,
          n.dueAt,
        ]),
        [[incidentId, soonest.key, soonest.dueAt]],
      );
      assert.equal(d.incidents.overdueDeadlines.count, 0);

      assert.equal(d.oversight.paused.count, 1);
      assert.equal(d.oversight.restricted.count, 1);
      const actions = Object.fromEntries(d.oversight.actionsLast30Days.map((f: { type: string; count: number }) => [f.type, f.count]));
      assert.equal(actions['oversight.paused'], 1);
      assert.equal(actions['oversight.restricted'], 1);
      assert.equal(d.oversight.pausedOrRestrictedNow.length, 2);

      assert.equal(d.decisions.awaitingReview.count, 1);
      assert.equal(d.decisions.reviewed.count, 1);
      assert.equal(d.decisions.shareReviewed, 0.5);

      assert.equal(d.appeals.open.count, 1);
      assert.equal(d.appeals.received.count, 1);
      assert.equal(d.appeals.overdue.count, 0);

      const head = await t.store.db.selectFrom('ledger_head').select('size').executeTakeFirstOrThrow();
      assert.equal(d.ledger.size.count, Number(head.size));
      assert.ok(d.ledger.lastCheckpoint.treeSize > 0);
      assert.equal(d.ledger.lastVerification.ok, true);
      assert.equal(d.ledger.lastVerification.verifiedBy, verifier.id);
      assert.ok(d.ledger.lastVerification.verifiedByName);

      assert.equal(d.trends.weeks.length, 12);
      assert.equal(d.trends.weeks[11], weekStart(new Date()).toISOString());
      const thisWeek = Object.fromEntries(d.trends.series.map((s: { name: string; counts: number[] }) => [s.name, s.counts[11]]));
      assert.equal(thisWeek.exceptions_opened, 3);
      assert.equal(thisWeek.incidents, 1);
      assert.equal(thisWeek.appeals, 1);
      assert.equal(thisWeek.approvals_decided, 0);
    });

    test('feedback: open feedback per system (most first) and per category', async () => {
      const d = (await t.call(contributor, 'GET', '/api/v1/dashboard')).json();
      assert.equal(d.feedback.open.count, 3);
      assert.equal(d.feedback.receivedLast90Days, 3);
      assert.deepEqual(
        d.feedback.byCategory.map((f: { category: string; count: number }) => [f.category, f.count]),
        [
          ['bias_concern', 2],
          ['harm', 1],
        ],
      );
      assert.deepEqual(
        d.feedback.bySystem.map((f: { systemId: string; count: number }) => [f.systemId, f.count]),
        [
          [feedbackSystems.scorer, 2],
          [feedbackSystems.unowned, 1],
        ],
      );
    });

    test('each figure with an exact list filter equals the total of that list', async () => {
      const d = (await t.call(admin, 'GET', '/api/v1/dashboard')).json();
      const exact = figuresIn(d).filter((f) => f.list?.exact);
      assert.ok(exact.length >= 25, `only ${exact.length} linked figures`);
      const disagree: string[] = [];
      for (const f of exact) {
        const list = f.list as Link;
        const url = `${list.path}?${new URLSearchParams({ ...list.query, limit: '1' })}`;
        const res = await t.call(admin, 'GET', url);
        if (res.statusCode !== 200) disagree.push(`${f.at}: ${url} answered ${res.statusCode} ${res.body.slice(0, 120)}`);
        else if (res.json().total !== f.count) disagree.push(`${f.at}: ${f.count}, but ${url} lists ${res.json().total}`);
      }
      assert.deepEqual(disagree, []);
    });

    test('the counts kept by triggers follow every change: a new system, a status move, phase owners assigned and removed', async () => {
      const counted = async () => {
        const d = (await t.call(admin, 'GET', '/api/v1/dashboard')).json();
        return {
          cells: Object.fromEntries(
            d.systems.byRiskTierAndStatus.map((c: { euRiskTier: string; status: string; count: number }) => [
              `${c.euRiskTier}/${c.status}`,
              c.count,
            ]),
          ),
          withPhaseOwner: d.systems.withPhaseOwner.count as number,
        };
      };
      /** The same figures counted from the rows themselves. */
      const recounted = async () => {
        const rows = await t.store.db
          .selectFrom('ai_systems')
          .select(['eu_risk_tier', 'status', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy(['eu_risk_tier', 'status'])
          .execute();
        const covered = await t.store.db
          .selectFrom('system_phase_owners')
          .select((eb) => eb.fn.count<number>('system_id').distinct().as('n'))
          .executeTakeFirstOrThrow();
        return {
          cells: Object.fromEntries(rows.map((r) => [`${r.eu_risk_tier}/${r.status}`, Number(r.n)])),
          withPhaseOwner: Number(covered.n),
        };
      };
      const lead = await t.user(['governance_lead']);
      const owner = await t.user(['contributor']);
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'minimal' });
      assert.deepEqual(await counted(), await recounted());
      const why = 'Moving on after the design review';
      const moved = await t.call(lead, 'POST', `/api/v1/systems/${system.id}/status`, {
        status: 'in_development',
        rationale: why,
        version: 1,
      });
      assert.equal(moved.statusCode, 200, moved.body);
      const afterMove = await counted();
      assert.deepEqual(afterMove, await recounted());
      assert.equal(afterMove.cells['minimal/in_development'], 1);
      assert.equal(afterMove.cells['minimal/proposed'], undefined, 'a pair that fell to 0 is not listed');
      const before = afterMove.withPhaseOwner;
      for (const phase of ['design', 'development']) {
        const res = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/phase-owners/${phase}`, { userId: owner.id, rationale: why });
        assert.equal(res.statusCode, 200, res.body);
      }
      assert.equal((await counted()).withPhaseOwner, before + 1, 'a system counts once, however many phases it has owners for');
      const del = (phase: string) =>
        t.call(lead, 'DELETE', `/api/v1/systems/${system.id}/phase-owners/${phase}`, { rationale: 'Owner left the team' });
      assert.equal((await del('design')).statusCode, 204);
      assert.equal((await counted()).withPhaseOwner, before + 1);
      assert.equal((await del('development')).statusCode, 204);
      assert.deepEqual(await counted(), await recounted());
      assert.equal((await counted()).withPhaseOwner, before);
    });

    test('the counts kept by triggers since migration 2100 equal the rows: shadow systems triaged, owners named, decisions reviewed', async () => {
      const lead = await t.user(['governance_lead']);
      const owner = await t.user(['contributor']);
      const kept = async () => {
        const d = (await t.call(admin, 'GET', '/api/v1/dashboard')).json();
        return {
          untriagedShadow: d.systems.untriagedShadow.count as number,
          withoutOwner: d.systems.withoutOwner.count as number,
          awaitingReview: d.decisions.awaitingReview.count as number,
          reviewed: d.decisions.reviewed.count as number,
        };
      };
      /** The same figures counted from the rows themselves. */
      const recounted = async () => {
        const count = (row: { n: number | string | bigint }) => Number(row.n);
        const systems = () => t.store.db.selectFrom('ai_systems').select((eb) => eb.fn.countAll<number>().as('n'));
        const decisions = () => t.store.db.selectFrom('decisions').select((eb) => eb.fn.countAll<number>().as('n'));
        return {
          untriagedShadow: count(
            await systems().where('deployment_kind', '=', 'shadow').where('triaged_at', 'is', null).executeTakeFirstOrThrow(),
          ),
          withoutOwner: count(await systems().where('accountable_owner_id', 'is', null).executeTakeFirstOrThrow()),
          awaitingReview: count(await decisions().where('review_status', '=', 'pending').executeTakeFirstOrThrow()),
          reviewed: count(await decisions().where('review_status', 'in', ['confirmed', 'overridden']).executeTakeFirstOrThrow()),
        };
      };
      // The set-up's decisions: two sent to review (inserted pending), one confirmed (an update).
      assert.deepEqual(await kept(), await recounted());
      const start = await kept();
      const shadow = await buildSystem(t.store, { deploymentKind: 'shadow', name: 'Browser plug-in summarising tickets' });
      assert.deepEqual(await kept(), { ...start, untriagedShadow: start.untriagedShadow + 1, withoutOwner: start.withoutOwner + 1 });
      const why = 'Reviewed by the governance team';
      const triaged = await t.call(lead, 'POST', `/api/v1/systems/${shadow.id}/triage`, { rationale: why, version: 1 });
      assert.equal(triaged.statusCode, 200, triaged.body);
      const owned = await t.call(lead, 'POST', `/api/v1/systems/${shadow.id}/owner`, {
        ownerId: owner.id,
        rationale: why,
        version: triaged.json().version,
      });
      assert.equal(owned.statusCode, 200, owned.body);
      assert.deepEqual(await kept(), start, 'triaged and owned: out of both counts again');
      assert.deepEqual(await kept(), await recounted());
    });

    test('the kept counts hold under 24 concurrent creates and status moves (on PostgreSQL: several connections, summed shards)', async () => {
      const total = async () => (await t.call(admin, 'GET', '/api/v1/dashboard')).json().systems.total.count as number;
      const rows = async () =>
        Number(
          (
            await t.store.db
              .selectFrom('ai_systems')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const lead = await t.user(['governance_lead']);
      const owner = await t.user(['contributor']);
      const created = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          t.call(admin, 'POST', '/api/v1/systems', {
            name: `Concurrent ${i}`,
            accountableOwnerId: owner.id,
            purpose: 'Counts under concurrency',
            intendedUse: 'Testing the dashboard counters',
            aiType: 'machine_learning',
            deploymentKind: 'internal',
          }),
        ),
      );
      for (const res of created) assert.equal(res.statusCode, 201, res.body);
      await Promise.all(
        created.slice(0, 12).map(async (res) => {
          const moved = await t.call(lead, 'POST', `/api/v1/systems/${res.json().id}/status`, {
            status: 'in_development',
            rationale: 'Moving on after the design review',
            version: 1,
          });
          assert.equal(moved.statusCode, 200, moved.body);
        }),
      );
      assert.equal(await total(), await rows());
      const d = (await t.call(admin, 'GET', '/api/v1/dashboard')).json();
      const byStatus = Object.fromEntries(d.systems.byStatus.map((s: { status: string; count: number }) => [s.status, s.count]));
      const counted = await t.store.db
        .selectFrom('ai_systems')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      assert.deepEqual(byStatus, Object.fromEntries(counted.map((r) => [r.status, Number(r.n)])));
    });

    test('any signed-in role reads it, auditors included; without credentials it is 401', async () => {
      for (const user of [auditor, contributor, await t.user([])]) {
        assert.equal((await t.call(user, 'GET', '/api/v1/dashboard')).statusCode, 200);
      }
      const anonymous = await t.call(null, 'GET', '/api/v1/dashboard');
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().error.code, 'unauthenticated');
    });

    test('durations in the window, computed by the database: median time to decide and to resolve (odd and even counts), mean time to close', async () => {
      const now = Date.now();
      const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
      const figures = async () => (await t.call(admin, 'GET', '/api/v1/dashboard')).json();
      const before = await figures();
      const policy = await t.store.db.selectFrom('approval_policies').select(['id', 'current_version']).executeTakeFirstOrThrow();
      const system = await buildSystem(t.store, { name: 'Durations' });
      await t.store.transact(async (trx) => {
        // Approvals decided 2, 4 and 30 hours after their last revision; one pending, one decided 100 days ago: not counted.
        const approvals: Array<[number, number | null, string]> = [
          [2, 0, 'approved'],
          [5, 1, 'rejected'],
          [31, 1, 'approved'],
          [3, null, 'pending'],
          [2_402, 2_400, 'approved'],
        ];
        for (const [revised, completed, status] of approvals) {
          await trx
            .insertInto('approval_requests')
            .values({
              id: crypto.randomUUID(),
              kind: 'system_use',
              subject_type: 'ai_system',
              subject_id: system.id,
              title: 'Durations',
              justification: 'Durations',
              content: '{}',
              content_digest: crypto.randomUUID(),
              revision: 1,
              policy_id: policy.id,
              policy_version: policy.current_version,
              status,
              requested_by: admin.id,
              created_at: ago(revised),
              revised_at: ago(revised),
              completed_at: completed === null ? null : ago(completed),
              updated_at: ago(0),
            } as never)
            .execute();
        }
        // Exceptions closed 10 and 20 hours after detection.
        for (const hours of [10, 20]) {
          await trx
            .insertInto('exceptions')
            .values({
              id: crypto.randomUUID(),
              system_id: system.id,
              kind: 'deviation',
              title: 'Closed',
              description: 'Closed',
              severity: 'low',
              status: 'closed',
              detected_at: ago(hours),
              raised_by_type: 'person',
              raised_by_ref: 'analyst',
              owner_id: admin.id,
              resolver_id: admin.id,
              due_at: ago(0),
              recurring: 0,
              closed_at: ago(0),
              created_at: ago(hours),
              updated_at: ago(0),
            } as never)
            .execute();
        }
      });
      const appeal = (days: number) =>
        t.store.transact((trx) =>
          trx
            .insertInto('appeals')
            .values({
              id: crypto.randomUUID(),
              case_number: `APL-T-${crypto.randomUUID().slice(0, 8)}`,
              system_ref: system.id,
              decision_ref: 'D-9',
              channel: 'public',
              statement: 'Resolved',
              status: 'resolved',
              due_at: ago(0),
              resolved_at: ago(0),
              secret_hash: 'x',
              created_at: ago(days * 24),
              updated_at: ago(0),
            } as never)
            .execute(),
        );
      for (const days of [1, 2, 10]) await appeal(days);
      const odd = await figures();
      assert.equal(odd.approvals.decidedLast90Days, before.approvals.decidedLast90Days + 3);
      assert.equal(odd.approvals.medianHoursToDecide, 4);
      assert.equal(odd.exceptions.closedLast90Days, before.exceptions.closedLast90Days + 2);
      assert.equal(odd.exceptions.meanHoursToClose, 15);
      assert.equal(odd.appeals.resolvedLast90Days, 3);
      assert.equal(odd.appeals.medianDaysToResolve, 2);
      await appeal(4);
      const even = await figures();
      assert.equal(even.appeals.resolvedLast90Days, 4);
      assert.equal(even.appeals.medianDaysToResolve, 3, 'an even count: the mean of the middle two');
    });
  });
}

describe('dashboard arithmetic', () => {
  test('the median of an even count is the mean of the middle two; of none, null', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });

  test('weeks start on Monday 00:00 UTC', () => {
    assert.equal(weekStart(new Date('2026-11-30T16:00:00Z')).toISOString(), '2026-11-30T00:00:00.000Z');
    assert.equal(weekStart(new Date('2026-11-29T23:59:59Z')).toISOString(), '2026-11-23T00:00:00.000Z');
  });
});
