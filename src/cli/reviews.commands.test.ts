// `proofline reviews list|show|sign|complete` on both databases: the same rules as the API (one
// signature does not complete, nobody signs twice, the preparer never signs), a signature is the
// person's own (not --as alone), and each refusal is one line with its code, writing nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliDatabase, cliUser, runCli } from '../../test/cli.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { attachFindings, createReview } from '../modules/reviews/reviews.service.js';

const WHY = 'Rates within the agreed thresholds all quarter';

for (const dialect of DIALECTS) {
  describe(`proofline reviews list|show|sign|complete [${dialect}]`, () => {
    let url: string;
    let store: Store;
    let preparer: Awaited<ReturnType<typeof cliUser>>;
    let reviewer: Awaited<ReturnType<typeof cliUser>>;
    let second: Awaited<ReturnType<typeof cliUser>>;
    let reviewId: string;
    let digest: string;

    before(async () => {
      ({ url, store } = await cliDatabase(dialect));
      preparer = await cliUser(store, ['contributor'], ['read', 'write']);
      reviewer = await cliUser(store, ['contributor'], ['read', 'write']);
      second = await cliUser(store, ['governance_lead'], ['read', 'write']);
      const systemId = (await buildSystem(store)).id;
      const review = await store.transact((trx) =>
        createReview(trx, {
          ctx: systemContext('test'),
          review: {
            systemId,
            kind: 'performance',
            periodFrom: '2026-07-01T00:00:00.000Z',
            periodTo: '2026-10-01T00:00:00.000Z',
            dueAt: '2026-10-31T00:00:00.000Z',
            preparerId: preparer.id,
            reviewerId: reviewer.id,
            secondSignatoryId: second.id,
          },
        }),
      );
      const prepCtx = { ...systemContext('test'), actor: { ...systemContext('test').actor, kind: 'user' as const, userId: preparer.id } };
      const attached = await store.transact((trx) =>
        attachFindings(trx, {
          ctx: prepCtx,
          reviewId: review.id,
          version: review.version,
          input: { metrics: { accuracy: 0.93 }, findings: 'Accuracy stable at 0.93 over the quarter', decision: 'satisfactory' },
        }),
      );
      reviewId = review.id;
      digest = attached.snapshotDigest as string;
    });
    after(() => store.close());

    const refused = async (code: string, args: string[], stdin?: string) => {
      const size = await ledgerSize(store);
      const res = await runCli(url, args, stdin);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, new RegExp(`^proofline: ${code}: [^\\n]*\\n$`));
      assert.equal(await ledgerSize(store), size, `${code}: nothing written`);
    };
    const sign = (who: { email: string }, ...extra: string[]) => [
      ...['reviews', 'sign', reviewId, '--as', who.email, '--digest', digest, '--rationale', WHY, ...extra],
    ];

    test("list and show a review; a signature needs the person's own credentials; one signature, the same person twice and the preparer are refused", async () => {
      const listed = await runCli(url, ['reviews', 'list', '--mine', reviewer.email, '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        JSON.parse(listed.stdout).items.map((r: { id: string }) => r.id),
        [reviewId],
      );
      assert.equal(JSON.parse((await runCli(url, ['reviews', 'list', '--overdue', '--json'])).stdout).total, 1, 'its due date has passed');
      const shown = await runCli(url, ['reviews', 'show', reviewId]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`snapshot SHA-256 ${digest}`));

      await refused('personal_signature_required', sign(reviewer));
      await refused('self_approval_forbidden', sign(preparer, '--token-stdin'), `${preparer.token}\n`);
      const first = await runCli(url, [...sign(reviewer, '--token-stdin'), '--json'], `${reviewer.token}\n`);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(JSON.parse(first.stdout).review.status, 'findings');
      await refused('duplicate_approver', sign(reviewer, '--token-stdin'), `${reviewer.token}\n`);
      await refused('second_person_required', ['reviews', 'complete', reviewId, '--as', second.email]);

      const done = await runCli(url, [...sign(second, '--token-stdin'), '--json'], `${second.token}\n`);
      assert.equal(done.code, 0, done.stderr);
      assert.equal(JSON.parse(done.stdout).review.status, 'signed');
      const events = await store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', reviewId).orderBy('seq').execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['review.created', 'review.findings_attached', 'review.signed', 'review.signed', 'review.completed'],
      );
    });
  });
}
