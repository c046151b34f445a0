import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import type { RequestContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { verifyException } from './exceptions.service.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`exceptions [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let resolver: TestUser;
    let verifier: TestUser;
    let outsider: TestUser;
    let systemId: string;

    const ledgerCount = () => ledgerSize(t.store);

    async function open(overrides: Record<string, unknown> = {}) {
      const res = await t.call(owner, 'POST', '/api/v1/exceptions', {
        systemId,
        kind: 'deviation',
        title: 'Model used outside its approved population',
        description: 'Scores were produced for applicants under 18.',
        severity: 'high',
        raisedBy: { type: 'person', ref: owner.email },
        ownerId: owner.id,
        resolverId: resolver.id,
        ...overrides,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; version: number; dueAt: string; detectedAt: string };
    }

    async function move(user: TestUser, id: string, to: string, extra: Record<string, unknown> = {}) {
      const current = (await t.call(user, 'GET', `/api/v1/exceptions/${id}`)).json();
      return t.call(user, 'POST', `/api/v1/exceptions/${id}/transitions`, {
        to,
        reason: `moving to ${to}`,
        version: current.version,
        ...extra,
      });
    }

    async function walk(user: TestUser, id: string, steps: string[]) {
      for (const to of steps) {
        const res = await move(user, id, to);
        assert.equal(res.statusCode, 200, res.body);
      }
    }

    async function rootCause(id: string, category: string, text: string, sys = id) {
      const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${sys}`)).json();
      return t.call(owner, 'PUT', `/api/v1/exceptions/${id}/root-cause`, { category, text, version: current.version });
    }

    async function addAction(id: string) {
      const res = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/corrective-actions`, {
        description: 'Add an age check before scoring',
        ownerId: resolver.id,
        dueAt: new Date(Date.now() + 5 * DAY).toISOString(),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; version: number };
    }

    async function verify(id: string) {
      const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      const res = await t.call(verifier, 'POST', `/api/v1/exceptions/${id}/verify`, {
        note: 'Replayed the cases',
        version: current.version,
      });
      assert.equal(res.statusCode, 200, res.body);
    }

    const CLOSE_GATES = ['root_cause', 'corrective_actions', 'verification', 'lessons_learned'] as const;

    /** An exception in verifying with everything a close needs except `missing`. */
    async function readyToCloseExcept(missing: (typeof CLOSE_GATES)[number] | null) {
      const { id } = await open();
      await walk(owner, id, ['triaged', 'investigating']);
      if (missing !== 'root_cause') assert.equal((await rootCause(id, 'Process', 'Runbook missing')).statusCode, 200);
      await walk(owner, id, ['remediating']);
      if (missing !== 'corrective_actions') {
        const action = await addAction(id);
        const done = await t.call(resolver, 'POST', `/api/v1/exceptions/${id}/corrective-actions/${action.id}/complete`, {
          evidence: 'Runbook RB-12 published',
          version: action.version,
        });
        assert.equal(done.statusCode, 200, done.body);
      }
      await walk(owner, id, ['verifying']);
      if (missing !== 'verification') await verify(id);
      if (missing !== 'lessons_learned') {
        assert.equal((await t.call(owner, 'POST', `/api/v1/exceptions/${id}/lessons`, { text: 'Write runbooks' })).statusCode, 201);
      }
      return id;
    }

    before(async () => {
      t = await createTestApp(dialect);
      owner = await t.user(['contributor']);
      resolver = await t.user(['contributor']);
      verifier = await t.user(['reviewer']);
      outsider = await t.user(['contributor']);
      systemId = (await buildSystem(t.store, { accountableOwnerId: owner.id })).id;
    });
    after(() => t.close());

    test('opening records who raised it, a due date set by severity, and a ledger event', async () => {
      const detectedAt = new Date(Date.now() - DAY).toISOString();
      const created = await open({ detectedAt, severity: 'high' });
      assert.equal(Date.parse(created.dueAt) - Date.parse(detectedAt), 3 * DAY);
      const events = await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', created.id).execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['exception.opened'],
      );
      const critical = await open({ severity: 'critical', detectedAt });
      assert.equal(Date.parse(critical.dueAt) - Date.parse(detectedAt), DAY);
    });

    test('an owner who is not a user is refused and nothing is written', async () => {
      const before = await ledgerCount();
      const res = await t.call(owner, 'POST', '/api/v1/exceptions', {
        systemId,
        kind: 'override',
        title: 'x',
        description: 'y happened twice',
        severity: 'low',
        raisedBy: { type: 'person', ref: 'me' },
        ownerId: 'no-such-user',
        resolverId: resolver.id,
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.details.field, 'ownerId');
      assert.equal(await ledgerCount(), before);
    });

    test('the full lifecycle closes only with root cause, completed actions, independent verification and a lesson', async () => {
      const { id } = await open();
      await walk(owner, id, ['triaged', 'investigating']);
      assert.equal((await rootCause(id, 'Data validation', 'No age check on input')).statusCode, 200);
      await walk(owner, id, ['remediating']);
      const action = await addAction(id);
      const done = await t.call(resolver, 'POST', `/api/v1/exceptions/${id}/corrective-actions/${action.id}/complete`, {
        evidence: 'PR #123 merged; test added',
        version: action.version,
      });
      assert.equal(done.statusCode, 200, done.body);
      await walk(resolver, id, ['verifying']);
      const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      const verified = await t.call(verifier, 'POST', `/api/v1/exceptions/${id}/verify`, {
        note: 'Replayed 50 cases: all refused',
        version: current.version,
      });
      assert.equal(verified.statusCode, 200, verified.body);
      assert.equal(verified.json().verification.by, verifier.id);
      const lesson = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/lessons`, {
        text: 'Population limits must be enforced in code, not in the manual',
        followUps: [
          {
            kind: 'control_change',
            description: 'Add input guard control',
            ownerId: owner.id,
            dueAt: new Date(Date.now() + 30 * DAY).toISOString(),
          },
        ],
      });
      assert.equal(lesson.statusCode, 201, lesson.body);
      const closed = await move(owner, id, 'closed');
      assert.equal(closed.statusCode, 200, closed.body);
      assert.equal(closed.json().status, 'closed');
      assert.ok(closed.json().closedAt);
      // The detail names every status move from the ledger: who, when and why, oldest first.
      const detail = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      assert.deepEqual(
        detail.statusMoves.map((m: { from: string; to: string; by: string }) => [m.from, m.to, m.by]),
        [
          ['open', 'triaged', owner.id],
          ['triaged', 'investigating', owner.id],
          ['investigating', 'remediating', owner.id],
          ['remediating', 'verifying', resolver.id],
          ['verifying', 'closed', owner.id],
        ],
      );
      assert.ok(
        detail.statusMoves.every(
          (m: { reason: string; at: string; byName: string }) => m.reason && m.byName?.startsWith('Test User') && Date.parse(m.at),
        ),
      );

      const followUp = lesson.json().followUps[0];
      const progressed = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/follow-ups/${followUp.id}/transitions`, {
        to: 'done',
        reason: 'control deployed',
        evidence: 'control CC-7 live since today',
        version: followUp.version,
      });
      assert.equal(progressed.statusCode, 200, progressed.body);
      assert.equal(progressed.json().status, 'done');

      const types = (await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', id).orderBy('seq').execute()).map(
        (e) => e.type,
      );
      assert.deepEqual(types, [
        'exception.opened',
        'exception.triaged',
        'exception.investigating',
        'exception.root_cause_recorded',
        'exception.remediating',
        'exception.verifying',
        'exception.verified',
        'exception.closed',
      ]);
      const closeEvent = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', id)
        .where('type', '=', 'exception.closed')
        .executeTakeFirstOrThrow();
      const leaf = JSON.parse(closeEvent.leaf);
      assert.equal(leaf.reason, 'moving to closed');
      assert.equal(leaf.actor.id, owner.id);
      const fuEvents = await t.store.db
        .selectFrom('ledger_events')
        .select('type')
        .where('subject_id', '=', followUp.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        fuEvents.map((e) => e.type),
        ['follow_up.created', 'follow_up.done'],
      );
    });

    test('closing without a root cause is refused and nothing is written', async () => {
      const { id } = await open();
      await walk(owner, id, ['triaged', 'investigating', 'remediating', 'verifying']);
      const before = await ledgerCount();
      const res = await move(owner, id, 'closed');
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'invalid_transition');
      assert.ok(res.json().error.details.missing.includes('root_cause'));
      assert.ok(res.json().error.details.missing.includes('verification'));
      assert.ok(res.json().error.details.missing.includes('lessons_learned'));
      assert.equal(await ledgerCount(), before);
      assert.equal((await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json().status, 'verifying');
    });

    for (const gate of CLOSE_GATES) {
      test(`closing with only the ${gate} gate unmet is refused, naming that gate, and nothing is written`, async () => {
        const id = await readyToCloseExcept(gate);
        const before = await ledgerCount();
        const res = await move(owner, id, 'closed');
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().error.code, 'invalid_transition');
        assert.deepEqual(res.json().error.details.missing, [gate]);
        assert.equal(await ledgerCount(), before);
        assert.equal((await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json().status, 'verifying');
      });
    }

    test('a fix that failed verification needs a new verification: verifying → remediating → verifying does not close on the old one', async () => {
      const id = await readyToCloseExcept(null);
      const failed = await move(owner, id, 'remediating');
      assert.equal(failed.statusCode, 200, failed.body);
      assert.equal(failed.json().verification, null, 'the earlier verification no longer counts');
      await walk(owner, id, ['verifying']);
      const before = await ledgerCount();
      const res = await move(owner, id, 'closed');
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().error.code, 'invalid_transition');
      assert.deepEqual(res.json().error.details.missing, ['verification']);
      assert.equal(await ledgerCount(), before);
      const row = await t.store.db
        .selectFrom('exceptions')
        .select(['status', 'verified_by', 'verified_at', 'verification_note'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'verifying', verified_by: null, verified_at: null, verification_note: null });
      await verify(id);
      assert.equal((await move(owner, id, 'closed')).statusCode, 200, 'verified again, it closes');
    });

    test('closing with an open corrective action is refused', async () => {
      const { id } = await open();
      await walk(owner, id, ['triaged', 'investigating']);
      await rootCause(id, 'Process', 'Runbook missing');
      await walk(owner, id, ['remediating']);
      await addAction(id);
      await walk(owner, id, ['verifying']);
      const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      assert.equal(
        (await t.call(verifier, 'POST', `/api/v1/exceptions/${id}/verify`, { note: 'replayed, all ok', version: current.version }))
          .statusCode,
        200,
      );
      assert.equal((await t.call(owner, 'POST', `/api/v1/exceptions/${id}/lessons`, { text: 'Write runbooks' })).statusCode, 201);
      const before = await ledgerCount();
      const res = await move(owner, id, 'closed');
      assert.equal(res.statusCode, 409);
      assert.deepEqual(res.json().error.details.missing, ['corrective_actions_completed']);
      assert.equal(await ledgerCount(), before);
    });

    test('the resolver cannot verify their own fix', async () => {
      const { id } = await open();
      await walk(owner, id, ['triaged', 'investigating', 'remediating', 'verifying']);
      const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      const before = await ledgerCount();
      const res = await t.call(resolver, 'POST', `/api/v1/exceptions/${id}/verify`, { note: 'looks fine to me', version: current.version });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'verifier_is_resolver');
      assert.equal(await ledgerCount(), before);
      const row = await t.store.db.selectFrom('exceptions').select('verified_by').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.verified_by, null);
    });

    test('verifying a fix is a personal signature: an operator naming the verifier on the command line may not give it', async () => {
      const { id } = await open();
      await walk(owner, id, ['triaged', 'investigating', 'remediating', 'verifying']);
      const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      const operatorCtx: RequestContext = {
        actor: { kind: 'user', userId: verifier.id, email: verifier.email, displayName: 'Verifier', roles: ['reviewer'], systemRoles: {} },
        requestId: 'cli:test',
        sourceAddress: null,
        via: { channel: 'cli', osUser: 'ops', host: 'console', credential: 'none' },
        policies: t.services.policies,
      };
      const before = await ledgerCount();
      const input = { exceptionId: id, note: 'Replayed 50 cases', expectedVersion: current.version };
      await assert.rejects(
        t.store.transact((trx) => verifyException(trx, { ctx: operatorCtx, input })),
        (e: unknown) => e instanceof AppError && e.code === 'personal_signature_required',
      );
      assert.equal(await ledgerCount(), before);
      const row = await t.store.db.selectFrom('exceptions').select('verified_by').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.verified_by, null);
      const signed: RequestContext = { ...operatorCtx, via: { ...operatorCtx.via!, credential: 'password' } };
      const verified = await t.store.transact((trx) => verifyException(trx, { ctx: signed, input }));
      assert.equal(verified.verification?.by, verifier.id);
    });

    test('an invalid transition, a missing reason and a stale version are refused without writing', async () => {
      const { id, version } = await open();
      const before = await ledgerCount();
      const skip = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/transitions`, { to: 'closed', reason: 'all done here', version });
      assert.equal(skip.statusCode, 409);
      assert.equal(skip.json().error.code, 'invalid_transition');
      assert.deepEqual(skip.json().error.details.allowed, ['triaged', 'rejected', 'duplicate']);
      const noReason = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/transitions`, { to: 'triaged', version });
      assert.equal(noReason.statusCode, 400);
      const stale = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/transitions`, {
        to: 'triaged',
        reason: 'go ahead now',
        version: version + 7,
      });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().error.code, 'version_conflict');
      const noVersion = await t.call(owner, 'POST', `/api/v1/exceptions/${id}/transitions`, { to: 'triaged', reason: 'go ahead now' });
      assert.equal(noVersion.statusCode, 428);
      const stranger = await t.call(outsider, 'POST', `/api/v1/exceptions/${id}/transitions`, {
        to: 'triaged',
        reason: 'go ahead now',
        version,
      });
      assert.equal(stranger.statusCode, 403);
      assert.equal(await ledgerCount(), before);
    });

    test('a duplicate names its original; a closed-out exception accepts no further transition', async () => {
      const original = await open();
      const copy = await open();
      const missing = await move(owner, copy.id, 'duplicate');
      assert.equal(missing.statusCode, 400);
      const res = await move(owner, copy.id, 'duplicate', { duplicateOf: original.id });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().duplicateOf, original.id);
      const again = await move(owner, copy.id, 'triaged');
      assert.equal(again.statusCode, 409);
      assert.deepEqual(again.json().error.details.allowed, []);
    });

    test('the same root cause on the same system is flagged as recurring, with the earlier ones', async () => {
      const first = await open();
      await walk(owner, first.id, ['triaged', 'investigating']);
      const a = await rootCause(first.id, 'Data validation', 'Missing age check');
      assert.equal(a.json().recurring, false);
      const second = await open();
      await walk(owner, second.id, ['triaged', 'investigating']);
      const b = await rootCause(second.id, 'data  VALIDATION', 'missing age-check.');
      assert.equal(b.statusCode, 200, b.body);
      assert.equal(b.json().recurring, true);
      assert.deepEqual(b.json().recurringRefs, [first.id]);
      const other = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const third = await open({ systemId: other.id });
      await walk(owner, third.id, ['triaged', 'investigating']);
      const c = await rootCause(third.id, 'Data validation', 'Missing age check');
      assert.equal(c.json().recurring, false, 'another system does not count');
      const leaf = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', second.id)
        .where('type', '=', 'exception.root_cause_recorded')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(leaf.leaf).after.recurring, true);
    });

    // EXC-102: the root cause and the verification belong to their phases of the lifecycle.
    /** A root cause or a verification attempted in `status`: refused as invalid_transition, nothing written. */
    async function refusedOutOfPhase(id: string, status: string, attempt: () => Promise<{ statusCode: number; body: string }>) {
      const rowOf = () =>
        t.store.db
          .selectFrom('exceptions')
          .select(['status', 'root_cause_text', 'verified_by', 'version'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      const [ledgerBefore, rowBefore] = [await ledgerCount(), await rowOf()];
      assert.equal(rowBefore.status, status);
      const res = await attempt();
      assert.equal(res.statusCode, 409, res.body);
      const error = JSON.parse(res.body).error;
      assert.equal(error.code, 'invalid_transition');
      assert.equal(error.details.status, status);
      assert.equal(await ledgerCount(), ledgerBefore, `nothing written while ${status}`);
      assert.deepEqual(await rowOf(), rowBefore);
    }

    test('a root cause is recorded only while investigating, remediating or verifying: refused while open, triaged, rejected or closed, writing nothing', async () => {
      const { id } = await open();
      const record = (text: string) => () => rootCause(id, 'Process', text);
      await refusedOutOfPhase(id, 'open', record('Guessed before triage'));
      await walk(owner, id, ['triaged']);
      await refusedOutOfPhase(id, 'triaged', record('Guessed before investigating'));
      for (const phase of ['investigating', 'remediating', 'verifying']) {
        await walk(owner, id, [phase]);
        const res = await record(`Found while ${phase}`)();
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().rootCause.text, `Found while ${phase}`);
      }

      const dropped = await open();
      await walk(owner, dropped.id, ['triaged', 'rejected']);
      await refusedOutOfPhase(dropped.id, 'rejected', () => rootCause(dropped.id, 'Process', 'After the fact'));
      const closed = await readyToCloseExcept(null);
      await walk(owner, closed, ['closed']);
      await refusedOutOfPhase(closed, 'closed', () => rootCause(closed, 'Process', 'Rewritten after closing'));
    });

    test('verification happens only while verifying: refused before it, and again after the fix fell back to remediating, writing nothing', async () => {
      const { id } = await open();
      const attemptVerify = async () => {
        const current = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
        return t.call(verifier, 'POST', `/api/v1/exceptions/${id}/verify`, { note: 'Replayed the cases', version: current.version });
      };
      await refusedOutOfPhase(id, 'open', attemptVerify);
      for (const phase of ['triaged', 'investigating', 'remediating']) {
        await walk(owner, id, [phase]);
        await refusedOutOfPhase(id, phase, attemptVerify);
      }
      await walk(owner, id, ['verifying']);
      const ok = await attemptVerify();
      assert.equal(ok.statusCode, 200, ok.body);
      await walk(owner, id, ['remediating']);
      await refusedOutOfPhase(id, 'remediating', attemptVerify);
    });

    test('lists filter by status, kind, system, owner and overdue, and paginate', async () => {
      const sys = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await open({ systemId: sys.id, detectedAt: new Date(Date.now() - 10 * DAY).toISOString(), severity: 'critical' });
      await open({ systemId: sys.id, kind: 'override', severity: 'low' });
      const all = (await t.call(owner, 'GET', `/api/v1/exceptions?systemId=${sys.id}`)).json();
      assert.equal(all.total, 2);
      const overdue = (await t.call(owner, 'GET', `/api/v1/exceptions?systemId=${sys.id}&overdue=true`)).json();
      assert.equal(overdue.total, 1);
      assert.equal(overdue.items[0].overdue, true);
      const overrides = (
        await t.call(owner, 'GET', `/api/v1/exceptions?systemId=${sys.id}&kind=override&status=open&ownerId=${owner.id}`)
      ).json();
      assert.equal(overrides.total, 1);
      const page = (await t.call(owner, 'GET', `/api/v1/exceptions?systemId=${sys.id}&limit=1&offset=1`)).json();
      assert.equal(page.items.length, 1);
      assert.equal(page.total, 2);
      const bad = await t.call(owner, 'GET', '/api/v1/exceptions?colour=red');
      assert.equal(bad.statusCode, 400);
    });
  });
}
