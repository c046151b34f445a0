// The cached control status (controls.cache.ts) against a full evaluation, on both databases: after
// each step of a random series of real changes (owners, phase owners, rosters, exceptions, approvals,
// verifications), the status served must be exactly what evaluating the records again gives; an
// unchanged ledger is served from the cache; an exception falling due ends a cached entry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { controlStatusJson, evaluateControlStatus, loadControlStatus } from './controls.service.js';

const DAY = 86_400_000;

/** A small seeded generator, so a failing series can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Report = Awaited<ReturnType<typeof loadControlStatus>>;

/** What a status says, without when it was evaluated or since when it held. */
const said = (report: Pick<Report, 'framework' | 'systemId' | 'summary' | 'items'>) => ({
  framework: report.framework,
  systemId: report.systemId,
  summary: report.summary,
  items: report.items.map((i) => ({
    controlId: i.controlId,
    status: i.status,
    basis: i.basis,
    derivedFrom: i.derivedFrom,
    reason: i.reason,
    counts: i.counts,
    systems: i.systems.map((s) => ({ systemId: s.systemId, name: s.name, status: s.status, conditions: s.conditions, reasons: s.reasons })),
  })),
});

for (const dialect of DIALECTS) {
  describe(`cached control status [${dialect}]`, () => {
    let t: TestApp;
    let lead: TestUser;
    let owner: TestUser;
    let officer: TestUser;
    let requester: TestUser;
    let approver: TestUser;
    let auditor: TestUser;
    const ok = (res: { statusCode: number; body: string }, status = 200) => assert.equal(res.statusCode, status, res.body);

    before(async () => {
      t = await createTestApp(dialect);
      lead = await t.user(['governance_lead']);
      owner = await t.user(['contributor']);
      officer = await t.user(['oversight_officer']);
      requester = await t.user(['contributor']);
      approver = await t.user(['approver']);
      auditor = await t.user(['auditor']);
    });
    after(() => t.close());

    /** The cached answer (twice: the second must come from the cache) equals a full evaluation. */
    async function assertCachedIsFresh(systemId: string | undefined, step: string) {
      const now = new Date();
      for (const framework of ['iso42001', 'nist-ai-rmf']) {
        const cached = await evaluateControlStatus(t.store, { framework, systemId, now });
        const fresh = await loadControlStatus(t.store.db, { framework, systemId, now });
        assert.deepEqual(said(cached), said(fresh), `${step}: ${framework} ${systemId ?? 'organisation'}`);
        const json = JSON.parse((await controlStatusJson(t.store, { framework, systemId, now })).toString('utf8')) as Report;
        assert.deepEqual(said(json), said(fresh), `${step}: the API's text, ${framework} ${systemId ?? 'organisation'}`);
      }
    }

    test('after every step of a random series of changes, the cached status is exactly a full evaluation', async () => {
      const seed = Number(process.env.PROOFLINE_TEST_SEED ?? Date.now() % 100_000);
      const next = random(seed);
      const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
      const systems = [
        (await buildSystem(t.store, { name: 'Cache scorer A' })).id,
        (await buildSystem(t.store, { name: 'Cache scorer B', deploymentKind: 'third_party', accountableOwnerId: owner.id })).id,
      ];
      const ownerOf = new Map<string, string>([[systems[1], owner.id]]);
      const changeOwner = async (id: string, ownerId: string) => {
        const current = await t.call(lead, 'GET', `/api/v1/systems/${id}`);
        ok(current);
        ok(
          await t.call(lead, 'POST', `/api/v1/systems/${id}/owner`, {
            ownerId,
            rationale: 'Ownership moved with the team',
            version: current.json().version,
          }),
        );
        ownerOf.set(id, ownerId);
      };
      const rostered = new Set<string>();
      const phased = new Set<string>();
      const approved = new Set<string>();
      const steps: Record<string, (systemId: string) => Promise<void>> = {
        'new system': async () => {
          systems.push((await buildSystem(t.store, { name: `Cache scorer ${systems.length}` })).id);
        },
        'owner changed': (id) => changeOwner(id, ownerOf.get(id) === owner.id ? lead.id : owner.id),
        'phase owner toggled': async (id) => {
          if (phased.delete(id))
            ok(
              await t.call(lead, 'DELETE', `/api/v1/systems/${id}/phase-owners/operation`, {
                rationale: 'The operations team was dissolved',
              }),
              204,
            );
          else {
            ok(
              await t.call(lead, 'PUT', `/api/v1/systems/${id}/phase-owners/operation`, {
                userId: owner.id,
                rationale: 'Runs it day to day',
              }),
            );
            phased.add(id);
          }
        },
        'roster toggled': async (id) => {
          if (rostered.delete(id))
            ok(
              await t.call(lead, 'DELETE', `/api/v1/systems/${id}/oversight/roster/${officer.id}`, { reason: 'Moved to another team' }),
              204,
            );
          else {
            ok(
              await t.call(lead, 'POST', `/api/v1/systems/${id}/oversight/roster`, {
                userId: officer.id,
                authorities: ['pause'],
                competence: 'Analyst',
                training: 'AI oversight course',
              }),
              201,
            );
            rostered.add(id);
          }
        },
        'exception raised': async (id) => {
          ok(
            await t.call(owner, 'POST', '/api/v1/exceptions', {
              kind: pick(['deviation', 'incident']),
              systemId: id,
              title: 'Scores drifted',
              description: 'Scores drifted from the validated range.',
              severity: 'high',
              // Some long overdue, some not due yet.
              detectedAt: new Date(Date.now() - pick([0, 60]) * DAY).toISOString(),
              raisedBy: { type: 'person', ref: 'analyst' },
              ownerId: owner.id,
              resolverId: lead.id,
            }),
            201,
          );
        },
        'use approved': async (id) => {
          // The system's owner signs its use: without that owner, the step gives it one instead.
          if (ownerOf.get(id) !== owner.id) return changeOwner(id, owner.id);
          // A system's use is approved once: after that, the step changes its owner instead.
          if (approved.has(id)) return changeOwner(id, lead.id);
          approved.add(id);
          const request = await requestApproval(t, requester, { kind: 'system_use', subjectId: id });
          ok(await decide(t, owner, request.id));
          ok(await decide(t, approver, request.id));
        },
        // Not a ledger event: only the verification in the cache's version can notice it.
        'ledger verified': async () => {
          ok(await t.call(auditor, 'GET', '/api/v1/ledger/verify'));
        },
      };
      await assertCachedIsFresh(undefined, `seed ${seed}, start`);
      for (let i = 0; i < 14; i++) {
        const name = i === 0 ? 'ledger verified' : pick(Object.keys(steps));
        const systemId = pick(systems);
        await steps[name](systemId);
        await assertCachedIsFresh(undefined, `seed ${seed}, step ${i} (${name})`);
        await assertCachedIsFresh(systemId, `seed ${seed}, step ${i} (${name})`);
      }
    });

    test('nothing changed: the status comes from the cache and writes nothing; a change in the records is seen at once', async () => {
      const systemId = (await buildSystem(t.store, { name: 'Cache steady' })).id;
      const first = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId });
      const size = await ledgerSize(t.store);
      const again = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId });
      assert.equal(again.items, first.items, 'the same evaluation, served again');
      assert.ok(again.evaluatedAt >= first.evaluatedAt, 'answered now');
      assert.equal(await ledgerSize(t.store), size, 'reading writes nothing');
      ok(
        await t.call(lead, 'POST', `/api/v1/systems/${systemId}/oversight/roster`, {
          userId: officer.id,
          authorities: ['pause'],
          competence: 'Analyst',
          training: 'AI oversight course',
        }),
        201,
      );
      const changed = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId });
      assert.notEqual(changed.items, first.items, 'evaluated again');
      assert.equal(changed.items.find((i) => i.controlId === 'iso42001:A.4.6')?.status, 'satisfied');
    });

    test('an open exception falling due ends the cached entry: at its due date the status is evaluated again', async () => {
      const systemId = (await buildSystem(t.store, { name: 'Cache due' })).id;
      const raised = await t.call(owner, 'POST', '/api/v1/exceptions', {
        kind: 'deviation',
        systemId,
        title: 'Scores drifted',
        description: 'Scores drifted from the validated range.',
        severity: 'high',
        detectedAt: new Date().toISOString(),
        raisedBy: { type: 'person', ref: 'analyst' },
        ownerId: owner.id,
        resolverId: lead.id,
      });
      ok(raised, 201);
      const due = new Date(raised.json().dueAt as string);
      const condition = (report: Report) =>
        report.items
          .find((i) => i.controlId === 'iso42001:A.6.2.6')
          ?.systems[0].conditions.find((c) => c.condition === 'no_overdue_exception')?.holds;
      const before = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId, now: new Date(due.getTime() - DAY) });
      assert.equal(condition(before), true, 'not due yet');
      const size = await ledgerSize(t.store);
      const later = new Date(due.getTime() + 1);
      const cached = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId, now: later });
      assert.equal(await ledgerSize(t.store), size, 'no ledger event in between: only time passed');
      assert.equal(condition(cached), false, 'overdue once its due date passed');
      assert.deepEqual(said(cached), said(await loadControlStatus(t.store.db, { framework: 'iso42001', systemId, now: later })));
    });

    test('an open mandatory review falling due ends the cached entry too: past its due date the system is flagged', async () => {
      const systemId = (await buildSystem(t.store, { name: 'Cache review due' })).id;
      const preparer = await t.user(['contributor']);
      const reviewer = await t.user(['contributor']);
      const second = await t.user(['governance_lead']);
      const due = new Date(Date.now() + 5 * DAY);
      const planned = await t.call(lead, 'POST', '/api/v1/reviews', {
        systemId,
        kind: 'fairness',
        periodFrom: '2026-10-01T00:00:00.000Z',
        periodTo: '2026-11-01T00:00:00.000Z',
        dueAt: due.toISOString(),
        preparerId: preparer.id,
        reviewerId: reviewer.id,
        secondSignatoryId: second.id,
      });
      ok(planned, 201);
      const condition = (report: Report) =>
        report.items
          .find((i) => i.controlId === 'iso42001:A.6.2.6')
          ?.systems[0].conditions.find((c) => c.condition === 'reviews_not_overdue')?.holds;
      const before = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId, now: new Date(due.getTime() - DAY) });
      assert.equal(condition(before), true, 'not due yet');
      const size = await ledgerSize(t.store);
      const later = new Date(due.getTime() + 1);
      const cached = await evaluateControlStatus(t.store, { framework: 'iso42001', systemId, now: later });
      assert.equal(await ledgerSize(t.store), size, 'no ledger event in between: only time passed');
      assert.equal(condition(cached), false, 'overdue once its due date passed');
      assert.deepEqual(said(cached), said(await loadControlStatus(t.store.db, { framework: 'iso42001', systemId, now: later })));
    });
  });
}
