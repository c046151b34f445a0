import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { PUBLIC_INTAKE_LIMIT } from './appeals.routes.js';

let address = 0;
/** A fresh client address, so each test has its own rate-limit window. */
const nextAddress = () => `10.0.${Math.floor(++address / 250)}.${(address % 250) + 1}`;

for (const dialect of DIALECTS) {
  describe(`appeals [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let owner: TestUser;
    let reviewer: TestUser;
    let adminUser: TestUser;
    let systemId: string;

    const publicCall = (method: 'GET' | 'POST', url: string, body: unknown, remoteAddress: string) =>
      t.app.inject({ method, url, payload: body as object, remoteAddress });

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      owner = await t.user(['system_owner']);
      reviewer = await t.user(['reviewer']);
      adminUser = await t.user(['admin']);
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id, status: 'in_development' });
      systemId = system.id;
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
        records: [{ decisionId: 'D-1', systemId, decidedAt: '2026-11-01T09:00:00Z', inputRef: 'case/1', output: 'refused' }],
      });
      assert.equal(res.statusCode, 200, res.body);
    });
    after(() => t.close());

    test('lifecycle: staff file on behalf, owner and one-month deadline set, resolved upheld with links, all ledgered', async () => {
      const filed = await t.call(reviewer, 'POST', '/api/v1/appeals', {
        systemId,
        decisionId: 'D-1',
        appellantName: 'Jane Doe',
        appellantContact: 'jane@example.test',
        statement: 'My income was not taken into account.',
      });
      assert.equal(filed.statusCode, 201, filed.body);
      const appeal = filed.json().appeal;
      assert.match(appeal.caseNumber, /^APL-\d{4}-\d{6}$/);
      assert.equal(appeal.ownerId, owner.id);
      assert.equal(appeal.decisionFound, true);
      const days = (Date.parse(appeal.dueAt) - Date.parse(appeal.createdAt)) / 86_400_000;
      assert.ok(days >= 28 && days <= 31, `due in ${days} days`);

      const stranger = await t.call(reviewer, 'POST', `/api/v1/appeals/${appeal.id}/start-review`, { version: 1 });
      assert.equal(stranger.statusCode, 403);
      const started = await t.call(owner, 'POST', `/api/v1/appeals/${appeal.id}/start-review`, { version: 1 });
      assert.equal(started.statusCode, 200, started.body);
      assert.equal(started.json().status, 'in_review');

      const noLink = await t.call(owner, 'POST', `/api/v1/appeals/${appeal.id}/resolve`, {
        outcome: 'upheld',
        explanation: 'Income was misread; decision reversed.',
        version: 2,
      });
      assert.equal(noLink.statusCode, 400);
      assert.equal(noLink.json().error.details.field, 'links');

      // The override this appeal caused: a review of the decision, which opens an exception.
      const decision = await t.store.db.selectFrom('decisions').select('id').where('decision_id', '=', 'D-1').executeTakeFirstOrThrow();
      await t.store.transact((trx) =>
        trx.updateTable('decisions').set({ review_status: 'pending' }).where('id', '=', decision.id).execute(),
      );
      const override = await t.call(reviewer, 'POST', `/api/v1/decisions/${decision.id}/review`, {
        outcome: 'override',
        reason: 'appeal upheld',
      });
      const exceptionId = override.json().review.exceptionId;
      const resolved = await t.call(owner, 'POST', `/api/v1/appeals/${appeal.id}/resolve`, {
        outcome: 'upheld',
        explanation: 'Income was misread; decision reversed.',
        links: [{ type: 'exception', id: exceptionId }],
        version: 2,
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.equal(resolved.json().outcome, 'upheld');
      assert.deepEqual(resolved.json().links, [{ type: 'exception', id: exceptionId }]);
      const types = (
        await t.store.db.selectFrom('ledger_events').select(['type', 'leaf']).where('subject_id', '=', appeal.id).orderBy('seq').execute()
      ).map((e) => e.type);
      assert.deepEqual(types, ['appeal.received', 'appeal.review_started', 'appeal.resolved']);
      const received = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', appeal.id)
        .where('type', '=', 'appeal.received')
        .executeTakeFirstOrThrow();
      assert.ok(!received.leaf.includes('jane@example.test'), 'personal details stay out of the ledger');
      const again = await t.call(owner, 'POST', `/api/v1/appeals/${appeal.id}/resolve`, {
        outcome: 'rejected',
        explanation: 'changed my mind',
        version: 3,
      });
      assert.equal(again.json().error.code, 'invalid_transition');
      const list = await t.call(lead, 'GET', '/api/v1/appeals?status=resolved');
      assert.ok(list.json().items.some((a: { id: string }) => a.id === appeal.id));
    });

    test('public intake: the same answer whether or not the decision exists; status shows only that case', async () => {
      const ip = nextAddress();
      const statement = 'I was refused and I want a human to look again.';
      const real = await publicCall('POST', '/api/v1/public/appeals', { systemId, decisionId: 'D-1', statement }, ip);
      const fake = await publicCall('POST', '/api/v1/public/appeals', { systemId: 'made-up', decisionId: 'X-9', statement }, ip);
      assert.equal(real.statusCode, 202, real.body);
      assert.equal(fake.statusCode, 202, fake.body);
      assert.deepEqual(Object.keys(real.json()).sort(), ['caseNumber', 'dueAt', 'secret', 'status']);
      assert.deepEqual(Object.keys(fake.json()).sort(), Object.keys(real.json()).sort());
      assert.equal(real.json().status, fake.json().status);

      const { caseNumber, secret } = real.json();
      const status = await publicCall('GET', `/api/v1/public/appeals/${caseNumber}?secret=${secret}`, undefined, ip);
      assert.equal(status.statusCode, 200, status.body);
      assert.equal(status.json().caseNumber, caseNumber);
      assert.equal(status.json().status, 'received');
      assert.ok(!('decisionId' in status.json()) && !('ownerId' in status.json()));
      const wrongSecret = await publicCall('GET', `/api/v1/public/appeals/${caseNumber}?secret=${fake.json().secret}`, undefined, ip);
      const noCase = await publicCall('GET', `/api/v1/public/appeals/APL-1999-000001?secret=${secret}`, undefined, ip);
      assert.equal(wrongSecret.statusCode, 404);
      assert.equal(noCase.statusCode, 404);
      assert.deepEqual(wrongSecret.json().error, noCase.json().error);
      const stored = await t.store.db
        .selectFrom('appeals')
        .select(['decision_id', 'channel'])
        .where('case_number', '=', fake.json().caseNumber)
        .executeTakeFirstOrThrow();
      assert.equal(stored.decision_id, null);
      assert.equal(stored.channel, 'public');
    });

    test('the public intake takes the public reference of a published system; an unpublished or unknown one is not_found and writes nothing', async () => {
      const statement = 'The decision ignored my payslips, please look again.';
      const publish = (published: boolean, version?: number) =>
        t.call(adminUser, 'PUT', `/api/v1/systems/${systemId}/publication`, {
          published,
          publicName: 'Credit pre-check',
          whatItDoes: 'Checks applications for missing documents.',
          whatItDoesNot: 'It does not refuse credit.',
          humanReview: 'A credit officer reviews each result.',
          overseenBy: 'Head of Credit Risk',
          howToChallenge: 'Use the appeal form with this page’s reference.',
          rationale: 'Transparency page for the credit pre-check',
          version,
        });
      const draft = await publish(false);
      assert.equal(draft.statusCode, 201, draft.body);
      const ref = draft.json().publicRef as string;
      const before = await ledgerSize(t.store);
      const appealsBefore = await t.store.db
        .selectFrom('appeals')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const unpublished = await publicCall(
        'POST',
        '/api/v1/public/appeals',
        { systemRef: ref, decisionId: 'D-1', statement },
        nextAddress(),
      );
      const unknown = await publicCall(
        'POST',
        '/api/v1/public/appeals',
        { systemRef: 'PL-000000', decisionId: 'D-1', statement },
        nextAddress(),
      );
      assert.equal(unpublished.statusCode, 404, unpublished.body);
      assert.equal(unpublished.json().error.code, 'not_found');
      assert.deepEqual(unpublished.json().error, unknown.json().error, 'unpublished answers as unknown');
      const both = await publicCall(
        'POST',
        '/api/v1/public/appeals',
        { systemRef: ref, systemId, decisionId: 'D-1', statement },
        nextAddress(),
      );
      assert.equal(both.json().error.code, 'validation_failed');
      const neither = await publicCall('POST', '/api/v1/public/appeals', { decisionId: 'D-1', statement }, nextAddress());
      assert.equal(neither.json().error.code, 'validation_failed');
      assert.equal(neither.json().error.details.field, 'systemRef');
      assert.equal(await ledgerSize(t.store), before, 'nothing written');
      const appealsAfter = await t.store.db
        .selectFrom('appeals')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(appealsAfter.n), Number(appealsBefore.n));

      assert.equal((await publish(true, 1)).statusCode, 200);
      const filed = await publicCall(
        'POST',
        '/api/v1/public/appeals',
        { systemRef: ref.toLowerCase(), decisionId: 'D-1', statement },
        nextAddress(),
      );
      assert.equal(filed.statusCode, 202, filed.body);
      const stored = await t.store.db
        .selectFrom('appeals')
        .select(['system_ref', 'decision_id', 'owner_id'])
        .where('case_number', '=', filed.json().caseNumber)
        .executeTakeFirstOrThrow();
      assert.equal(stored.system_ref, systemId, 'the appeal names the system the reference stands for');
      assert.notEqual(stored.decision_id, null, 'and so finds the decision');
      assert.equal(stored.owner_id, owner.id);
    });

    test('public intake is rate-limited per address and refuses large bodies', async () => {
      const ip = nextAddress();
      const body = { systemId, decisionId: 'D-1', statement: 'Please review my case again.' };
      for (let i = 0; i < PUBLIC_INTAKE_LIMIT; i++) {
        assert.equal((await publicCall('POST', '/api/v1/public/appeals', body, ip)).statusCode, 202);
      }
      const limited = await publicCall('POST', '/api/v1/public/appeals', body, ip);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'rate_limited');
      assert.equal((await publicCall('POST', '/api/v1/public/appeals', body, nextAddress())).statusCode, 202);
      const large = await publicCall('POST', '/api/v1/public/appeals', { ...body, statement: 'x'.repeat(20_000) }, nextAddress());
      assert.equal(large.statusCode, 413);
    });
  });
}
