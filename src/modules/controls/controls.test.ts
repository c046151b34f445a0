// Live control status on both databases: a system with every record A.9.2 asks for and one with
// none, built through the real API; the status, the records, the reasons and the gaps checked
// against what was done. Reading a status writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { decide, errorCode, requestApproval } from '../../../test/approvals-helpers.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { combineStatuses, evaluateForSystem, type SystemFacts } from './controls.rules.js';

const DAY = 86_400_000;

interface Condition {
  condition: string;
  holds: boolean | null;
  records: Array<{ type: string; id: string }>;
  reason: string | null;
}
interface Item {
  controlId: string;
  status: string;
  basis: string;
  derivedFrom: string[];
  reason: string | null;
  since: string | null;
  systems: Array<{ systemId: string; status: string; conditions: Condition[]; reasons: string[]; since: string | null }>;
}

const facts = (overrides: Partial<SystemFacts> = {}): SystemFacts => ({
  systemId: 's1',
  name: 'Scorer',
  status: 'in_production',
  deploymentKind: 'internal',
  accountableOwnerId: 'u1',
  phaseOwners: [{ type: 'phase_owner', id: 'operation:u1' }],
  approvedUse: [{ type: 'approval_request', id: 'r1' }],
  rosterMembers: [{ type: 'oversight_roster', id: 'u2' }],
  overdueExceptions: [],
  overdueReviews: [],
  ledger: { ok: true, verifiedAt: '2026-11-30T00:00:00.000Z' },
  ...overrides,
});

describe('control evaluators (pure)', () => {
  test('A.9.2 holds only when every condition holds; one failing makes it partly, all failing not satisfied', () => {
    assert.equal(evaluateForSystem('iso42001:A.9.2', facts()).status, 'satisfied');
    const partly = evaluateForSystem('iso42001:A.9.2', facts({ rosterMembers: [] }));
    assert.equal(partly.status, 'partly');
    assert.deepEqual(partly.reasons, ['the oversight roster of the system is empty']);
    for (const broken of [
      { accountableOwnerId: null },
      { phaseOwners: [] },
      { approvedUse: [] },
      { overdueExceptions: [{ type: 'exception', id: 'e1', kind: 'deviation' }] },
      { overdueReviews: [{ type: 'review', id: 'v1' }] },
      { ledger: { ok: false, verifiedAt: '2026-11-30T00:00:00.000Z' } },
      { ledger: null },
    ] satisfies Array<Partial<SystemFacts>>)
      assert.equal(evaluateForSystem('iso42001:A.9.2', facts(broken)).status, 'partly', JSON.stringify(broken));
    const none = facts({
      accountableOwnerId: null,
      phaseOwners: [],
      approvedUse: [],
      rosterMembers: [],
      overdueExceptions: [{ type: 'exception', id: 'e1', kind: 'incident' }],
      overdueReviews: [{ type: 'review', id: 'v1' }],
      ledger: null,
    });
    assert.equal(evaluateForSystem('iso42001:A.9.2', none).status, 'not_satisfied');
  });

  test('a condition the records cannot tell does not count; a control none of whose conditions can be told is not applicable', () => {
    const noReviews = evaluateForSystem('iso42001:A.9.2', facts({ overdueReviews: null }));
    assert.equal(noReviews.status, 'satisfied');
    assert.equal(noReviews.conditions.find((c) => c.condition === 'reviews_not_overdue')?.holds, null);
    // A.10.2 asks about third-party systems only.
    assert.equal(evaluateForSystem('iso42001:A.10.2', facts()).status, 'not_applicable');
    assert.equal(
      evaluateForSystem('iso42001:A.10.2', facts({ deploymentKind: 'third_party', accountableOwnerId: null })).status,
      'not_satisfied',
    );
    assert.equal(
      evaluateForSystem('iso42001:A.8.4', facts({ overdueExceptions: [{ type: 'exception', id: 'e1', kind: 'deviation' }] })).status,
      'satisfied',
    );
    assert.equal(
      evaluateForSystem('iso42001:A.8.4', facts({ overdueExceptions: [{ type: 'exception', id: 'e1', kind: 'incident' }] })).status,
      'not_satisfied',
    );
  });

  test('statuses combine: all satisfied -> satisfied, all not -> not satisfied, a mix -> partly, not applicable does not count', () => {
    assert.equal(combineStatuses(['satisfied', 'not_applicable', 'satisfied']), 'satisfied');
    assert.equal(combineStatuses(['not_satisfied', 'not_satisfied']), 'not_satisfied');
    assert.equal(combineStatuses(['satisfied', 'not_satisfied']), 'partly');
    assert.equal(combineStatuses(['partly']), 'partly');
    assert.equal(combineStatuses(['not_applicable']), 'not_applicable');
    assert.equal(combineStatuses([]), 'not_applicable');
  });
});

for (const dialect of DIALECTS) {
  describe(`live control status [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let auditor: TestUser;
    let readyId: string;
    let bareId: string;
    let lead: TestUser;
    let officer: TestUser;
    const ok = (res: { statusCode: number; body: string }, status = 200) => assert.equal(res.statusCode, status, res.body);
    const status = async (query: string) => {
      const res = await t.call(auditor, 'GET', `/api/v1/controls/status?${query}`);
      ok(res);
      return res.json() as { framework: string; systemId: string | null; summary: Record<string, number>; items: Item[] };
    };
    const item = (items: Item[], controlId: string) => {
      const found = items.find((i) => i.controlId === controlId);
      assert.ok(found, `${controlId} is listed`);
      return found;
    };

    before(async () => {
      t = await createTestApp(dialect);
      owner = await t.user(['contributor']);
      auditor = await t.user(['auditor']);
      lead = await t.user(['governance_lead']);
      officer = await t.user(['oversight_officer']);
      const requester = await t.user(['contributor']);
      const approver = await t.user(['approver']);

      // Every record A.9.2 asks for: owner, a phase owner, use approved through its chain, a roster.
      const ready = await buildSystem(t.store, { accountableOwnerId: owner.id, name: 'Ready scorer' });
      readyId = ready.id;
      ok(
        await t.call(lead, 'PUT', `/api/v1/systems/${readyId}/phase-owners/operation`, {
          userId: owner.id,
          rationale: 'Runs it in production day to day',
        }),
      );
      ok(
        await t.call(lead, 'POST', `/api/v1/systems/${readyId}/oversight/roster`, {
          userId: officer.id,
          authorities: ['pause', 'restrict', 'resume'],
          competence: 'Credit risk analyst',
          training: 'AI oversight course',
        }),
        201,
      );
      const request = await requestApproval(t, requester, { kind: 'system_use', subjectId: readyId });
      ok(await decide(t, owner, request.id));
      ok(await decide(t, approver, request.id));
      const approved = await t.call(owner, 'GET', `/api/v1/approvals/requests/${request.id}`);
      assert.equal(approved.json().status, 'approved', approved.body);
      // None of them.
      bareId = (await buildSystem(t.store, { name: 'Bare tool' })).id;
      ok(await t.call(auditor, 'GET', '/api/v1/ledger/verify'));
    });
    after(() => t.close());

    test('A.9.2 per system: satisfied with the records that prove it; not satisfied with the reasons; reading writes nothing', async () => {
      const size = await ledgerSize(t.store);
      const ready = item((await status(`framework=iso42001&system=${readyId}`)).items, 'iso42001:A.9.2');
      assert.equal(ready.status, 'satisfied', JSON.stringify(ready));
      assert.equal(ready.basis, 'rule');
      const conditions = Object.fromEntries(ready.systems[0].conditions.map((c) => [c.condition, c]));
      assert.deepEqual(conditions.accountable_owner.records, [{ type: 'user', id: owner.id }]);
      assert.equal(conditions.use_approved.records[0].type, 'approval_request');
      assert.equal(conditions.roster_staffed.holds, true);
      assert.equal(conditions.ledger_verifies.holds, true);
      assert.equal(conditions.reviews_not_overdue.holds, true, 'no mandatory review of the system is overdue');

      const bare = item((await status(`framework=iso42001&system=${bareId}`)).items, 'iso42001:A.9.2');
      assert.equal(bare.status, 'partly', 'only the ledger holds');
      assert.deepEqual(bare.systems[0].reasons, [
        'the system has no accountable owner',
        'no lifecycle phase of the system has an owner',
        'no system_use request for the system was approved',
        'the oversight roster of the system is empty',
      ]);
      assert.equal(item((await status(`framework=iso42001&system=${bareId}`)).items, 'iso42001:A.3.2').status, 'not_satisfied');

      const org = await status('framework=iso42001');
      const orgA92 = item(org.items, 'iso42001:A.9.2');
      assert.equal(orgA92.status, 'partly');
      assert.deepEqual(orgA92.systems.map((s) => s.systemId).sort(), [readyId, bareId].sort());
      assert.equal(await ledgerSize(t.store), size, 'reading a status writes nothing');
    });

    test('an exception open past its due date breaks A.9.2 for its system and shows as a gap with its owner and where to act', async () => {
      const resolver = await t.user(['contributor']);
      const res = await t.call(owner, 'POST', '/api/v1/exceptions', {
        kind: 'deviation',
        systemId: readyId,
        title: 'Scores drifted',
        description: 'Scores drifted from the validated range.',
        severity: 'high',
        detectedAt: new Date(Date.now() - 30 * DAY).toISOString(),
        raisedBy: { type: 'person', ref: 'analyst' },
        ownerId: owner.id,
        resolverId: resolver.id,
      });
      ok(res, 201);
      const exceptionId = res.json().id as string;
      const ready = item((await status(`framework=iso42001&system=${readyId}`)).items, 'iso42001:A.9.2');
      assert.equal(ready.status, 'partly');
      const failing = ready.systems[0].conditions.find((c) => c.condition === 'no_overdue_exception');
      assert.deepEqual(failing?.records, [{ type: 'exception', id: exceptionId }]);

      const gaps = await t.call(auditor, 'GET', `/api/v1/controls/gaps?framework=iso42001&system=${readyId}`);
      ok(gaps);
      const gap = (gaps.json().items as Array<Record<string, string>>).find(
        (g) => g.controlId === 'iso42001:A.9.2' && g.condition === 'no_overdue_exception',
      );
      assert.ok(gap, gaps.body);
      assert.equal(gap.ownerId, owner.id);
      const ownerName = await t.store.db.selectFrom('users').select('display_name').where('id', '=', owner.id).executeTakeFirstOrThrow();
      assert.equal(gap.ownerName, ownerName.display_name);
      assert.equal(gap.act, `/api/v1/exceptions?systemId=${readyId}&overdue=true`);
      assert.deepEqual(gap.via, [], 'a control with its own rule is its own gap');

      // Frameworks without rules of their own: the same failing condition, through the crosswalk,
      // once per control, system and condition, naming the ISO controls it comes through.
      for (const framework of ['nist-ai-rmf', 'eu-ai-act']) {
        const linked = await t.call(auditor, 'GET', `/api/v1/controls/gaps?framework=${framework}&system=${readyId}`);
        ok(linked);
        const items = linked.json().items as Array<{ controlId: string; condition: string; via: string[]; ownerId: string; act: string }>;
        const same = items.filter((g) => g.condition === 'no_overdue_exception');
        assert.ok(same.length > 0, `${framework}: ${linked.body}`);
        for (const g of same) {
          assert.ok(g.via.length > 0 && g.via.every((c) => c.startsWith('iso42001:')), JSON.stringify(g));
          assert.equal(g.ownerId, owner.id);
          assert.equal(g.act, `/api/v1/exceptions?systemId=${readyId}&overdue=true`);
        }
        const keys = items.map((g) => `${g.controlId} ${g.condition}`);
        assert.equal(new Set(keys).size, keys.length, 'one gap per control, system and condition');
      }
    });

    test('other frameworks take their status through the crosswalk; a control no record shows is manual, not applicable', async () => {
      const nist = await status('framework=nist-ai-rmf');
      const derived = nist.items.filter((i) => i.basis === 'crosswalk');
      assert.ok(derived.length > 0, 'some NIST subcategories link to a control with a rule');
      for (const d of derived)
        assert.ok(
          d.derivedFrom.every((c) => c.startsWith('iso42001:')),
          JSON.stringify(d),
        );
      const manual = nist.items.filter((i) => i.basis === 'manual');
      assert.ok(manual.length > 0);
      for (const m of manual) {
        assert.equal(m.status, 'not_applicable');
        assert.equal(m.reason, 'no record shows this control: assess it manually');
      }
      const iso = await status('framework=iso42001');
      assert.equal(item(iso.items, 'iso42001:A.5.2').basis, 'manual');
      assert.equal(iso.items.filter((i) => i.controlId.startsWith('iso42001:A.')).length, 38, 'every Annex A control has a status');
    });

    test('when it changed: a status keeps its since while it holds; a change is recorded once, with its time and what it was', async () => {
      const transitions = () =>
        t.store.db
          .selectFrom('control_status_transitions')
          .select(['from_status', 'to_status', 'changed_at'])
          .where('control_id', '=', 'iso42001:A.4.6')
          .where('scope', '=', bareId)
          .orderBy('changed_at')
          .execute();
      const first = item((await status(`framework=iso42001&system=${bareId}`)).items, 'iso42001:A.4.6');
      assert.equal(first.status, 'not_satisfied');
      assert.ok(first.since);
      const size = await ledgerSize(t.store);
      const before = await transitions();
      const again = item((await status(`framework=iso42001&system=${bareId}`)).items, 'iso42001:A.4.6');
      assert.equal(again.since, first.since, 'an unchanged status keeps its since');
      assert.equal((await transitions()).length, before.length, 'nothing recorded when nothing changed');
      assert.equal(await ledgerSize(t.store), size, 'a status change is not ledger evidence');

      ok(
        await t.call(lead, 'POST', `/api/v1/systems/${bareId}/oversight/roster`, {
          userId: officer.id,
          authorities: ['pause'],
          competence: 'Operations analyst',
          training: 'AI oversight course',
        }),
        201,
      );
      const changed = item((await status(`framework=iso42001&system=${bareId}`)).items, 'iso42001:A.4.6');
      assert.equal(changed.status, 'satisfied');
      assert.ok((changed.since as string) > (first.since as string), 'the since moved to the change');
      const after = await transitions();
      assert.equal(after.length, before.length + 1);
      assert.deepEqual(after.at(-1), { from_status: 'not_satisfied', to_status: 'satisfied', changed_at: changed.since });
      // The organisation's view records each system's status too, under the system.
      const org = item((await status('framework=iso42001')).items, 'iso42001:A.4.6');
      assert.equal(org.systems.find((s) => s.systemId === bareId)?.since, changed.since);
    });

    test('an unknown framework or system is not_found; a caller without credentials is refused; nothing written', async () => {
      const size = await ledgerSize(t.store);
      const framework = await t.call(auditor, 'GET', '/api/v1/controls/status?framework=sox');
      assert.equal(framework.statusCode, 404);
      assert.equal(errorCode(framework), 'not_found');
      const system = await t.call(auditor, 'GET', '/api/v1/controls/status?framework=iso42001&system=no-such-system');
      assert.equal(system.statusCode, 404);
      assert.equal(errorCode(system), 'not_found');
      const gaps = await t.call(auditor, 'GET', '/api/v1/controls/gaps?framework=sox');
      assert.equal(errorCode(gaps), 'not_found');
      const anonymous = await t.call(null, 'GET', '/api/v1/controls/status?framework=iso42001');
      assert.equal(anonymous.statusCode, 401);
      assert.equal(errorCode(anonymous), 'unauthenticated');
      assert.equal(await ledgerSize(t.store), size);
    });
  });
}
