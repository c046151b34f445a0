// Scheduled reviews with double sign-off, on both databases: who may be named, who may sign, that a
// signature binds the snapshot digest, and that a review completes only with two signatures of two
// people other than the preparer. Every refusal names its stable code and writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { actorFromToken } from '../../accounts/actors.js';
import type { RequestContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { attachFindings, completeReview, createReview, type NewReview, signReview } from './reviews.service.js';

const WHY = 'Metrics within thresholds for the whole period';

async function refusedWith(t: TestApp, code: string, run: () => Promise<unknown>) {
  const before = await ledgerSize(t.store);
  const rowsBefore = await countRows(t);
  await assert.rejects(run, (e: unknown) => e instanceof AppError && e.code === code);
  assert.equal(await ledgerSize(t.store), before, `${code}: nothing written to the ledger`);
  assert.deepEqual(await countRows(t), rowsBefore, `${code}: no review row or signature written`);
}

async function countRows(t: TestApp) {
  const reviews = await t.store.db
    .selectFrom('reviews')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const sigs = await t.store.db
    .selectFrom('review_signatures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const signed = await t.store.db
    .selectFrom('reviews')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'signed')
    .executeTakeFirstOrThrow();
  return [Number(reviews.n), Number(sigs.n), Number(signed.n)];
}

for (const dialect of DIALECTS) {
  describe(`reviews with double sign-off [${dialect}]`, () => {
    let t: TestApp;
    let lead: TestUser;
    let preparer: TestUser;
    let reviewer: TestUser;
    let second: TestUser;
    let owner: TestUser;
    let systemId: string;
    const ctxs = new Map<string, RequestContext>();
    const ctxOf = (u: TestUser) => ctxs.get(u.id) as RequestContext;

    before(async () => {
      t = await createTestApp(dialect);
      lead = await t.user(['governance_lead']);
      preparer = await t.user(['contributor']);
      reviewer = await t.user(['contributor']);
      second = await t.user(['governance_lead']);
      owner = await t.user(['contributor']);
      for (const u of [lead, preparer, reviewer, second, owner]) {
        const actor = await actorFromToken(t.store.db, u.token);
        ctxs.set(u.id, {
          actor: actor as NonNullable<typeof actor>,
          requestId: 'test',
          sourceAddress: null,
          policies: t.services.policies,
        });
      }
      systemId = (await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: 'high' })).id;
    });
    after(() => t.close());

    const plan = (over: Partial<NewReview> = {}): NewReview => ({
      systemId,
      kind: 'fairness',
      periodFrom: '2026-07-01T00:00:00.000Z',
      periodTo: '2026-10-01T00:00:00.000Z',
      dueAt: '2026-10-15T00:00:00.000Z',
      preparerId: preparer.id,
      reviewerId: reviewer.id,
      secondSignatoryId: second.id,
      ...over,
    });
    const create = (over: Partial<NewReview> = {}) =>
      t.store.transact((trx) => createReview(trx, { ctx: ctxOf(lead), review: plan(over) }));
    const attach = (id: string, version: number, note = 'Selection rates within 0.8 of the reference group') =>
      t.store.transact((trx) =>
        attachFindings(trx, {
          ctx: ctxOf(preparer),
          reviewId: id,
          version,
          input: { metrics: { disparateImpact: 0.91, note }, findings: note, decision: 'satisfactory' },
        }),
      );
    const sign = (who: TestUser, id: string, digest: string, rationale = WHY) =>
      t.store.transact((trx) => signReview(trx, { ctx: ctxOf(who), reviewId: id, snapshotDigest: digest, rationale }));

    test('signatories are two different people, neither the preparer, one independent of the owners; refusals write nothing', async () => {
      await refusedWith(t, 'duplicate_approver', () => create({ secondSignatoryId: reviewer.id }));
      await refusedWith(t, 'self_approval_forbidden', () => create({ reviewerId: preparer.id }));
      await refusedWith(t, 'self_approval_forbidden', () => create({ secondSignatoryId: preparer.id }));
      const coOwner = await t.user(['contributor']);
      await t.store.transact((trx) =>
        trx
          .insertInto('system_phase_owners')
          .values({ system_id: systemId, phase: 'operation', user_id: coOwner.id, assigned_at: new Date().toISOString() })
          .execute(),
      );
      await refusedWith(t, 'independent_signatory_required', () => create({ reviewerId: owner.id, secondSignatoryId: coOwner.id }));
      // One owner and one independent person is enough.
      const ok = await create({ reviewerId: owner.id, secondSignatoryId: second.id });
      assert.equal(ok.status, 'prepared');
    });

    test('cannot complete with one signature, with the same person twice, or with the preparer signing; a stale digest is refused', async () => {
      const review = await create();
      const withFindings = await attach(review.id, review.version);
      const digest = withFindings.snapshotDigest as string;
      assert.match(digest, /^[0-9a-f]{64}$/);

      await refusedWith(t, 'self_approval_forbidden', () => sign(preparer, review.id, digest));
      await refusedWith(t, 'forbidden', () => sign(lead, review.id, digest));
      await refusedWith(t, 'content_changed', () => sign(reviewer, review.id, 'a'.repeat(64)));
      await refusedWith(t, 'validation_failed', () => sign(reviewer, review.id, digest, 'ok'));

      const afterOne = await sign(reviewer, review.id, digest);
      assert.equal(afterOne.status, 'findings');
      await refusedWith(t, 'duplicate_approver', () => sign(reviewer, review.id, digest));
      await refusedWith(t, 'second_person_required', () =>
        t.store.transact((trx) => completeReview(trx, { ctx: ctxOf(lead), reviewId: review.id })),
      );

      const before = await ledgerSize(t.store);
      const done = await sign(second, review.id, digest);
      assert.equal(done.status, 'signed');
      assert.equal(await ledgerSize(t.store), before + 2, 'review.signed and review.completed');
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select(['type'])
        .where('subject_id', '=', review.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['review.created', 'review.findings_attached', 'review.signed', 'review.signed', 'review.completed'],
      );
    });

    test('new findings change the digest: a signature on the old one no longer counts', async () => {
      const review = await create();
      const first = await attach(review.id, review.version);
      await sign(reviewer, review.id, first.snapshotDigest as string);
      const second2 = await attach(review.id, first.version, 'Selection rates re-computed with the corrected labels');
      assert.notEqual(second2.snapshotDigest, first.snapshotDigest);
      await refusedWith(t, 'content_changed', () => sign(second, review.id, first.snapshotDigest as string));
      await sign(second, review.id, second2.snapshotDigest as string);
      await refusedWith(t, 'second_person_required', () =>
        t.store.transact((trx) => completeReview(trx, { ctx: ctxOf(lead), reviewId: review.id })),
      );
      const done = await sign(reviewer, review.id, second2.snapshotDigest as string);
      assert.equal(done.status, 'signed');
    });
  });
}
