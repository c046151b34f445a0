// Feedback and support tickets: intake (signed-in and ticket tokens), the decision link checked
// against the system, lists with filters, and the one-action conversion into an exception; on both databases.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

for (const dialect of DIALECTS) {
  describe(`feedback and support tickets [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let lead: TestUser;
    let contributor: TestUser;
    let auditor: TestUser;

    const feedbackRows = async () =>
      Number(
        (
          await t.store.db
            .selectFrom('feedback')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    async function systemWithDecision() {
      const system = await buildSystem(t.store);
      const decisionId = randomUUID();
      const res = await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
        records: [
          { decisionId, systemId: system.id, decidedAt: '2026-11-27T10:00:00.000Z', inputDigest: 'a'.repeat(64), output: { ok: 1 } },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      return { systemId: system.id, decisionId };
    }

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      lead = await t.user(['governance_lead']);
      contributor = await t.user(['contributor']);
      auditor = await t.user(['auditor']);
    });
    after(() => t.close());

    test('feedback is recorded with its category and ledger event; a decision of another system is refused and writes nothing', async () => {
      const { systemId, decisionId } = await systemWithDecision();
      const other = await systemWithDecision();
      const before = await ledgerSize(t.store);
      const rows = await feedbackRows();
      const body = {
        systemId,
        category: 'bias_concern',
        summary: 'Older applicants scored lower',
        details: 'Seen in three cases this week.',
      };
      const wrong = await t.call(contributor, 'POST', '/api/v1/feedback', { ...body, decisionId: other.decisionId });
      assert.equal(wrong.statusCode, 400, wrong.body);
      assert.equal(wrong.json().error.code, 'validation_failed');
      assert.equal(wrong.json().error.details.field, 'decisionId');
      const badCategory = await t.call(contributor, 'POST', '/api/v1/feedback', { ...body, category: 'complaint' });
      assert.equal(badCategory.json().error.code, 'validation_failed');
      const byAuditor = await t.call(auditor, 'POST', '/api/v1/feedback', body);
      assert.equal(byAuditor.statusCode, 403, byAuditor.body);
      assert.equal(byAuditor.json().error.code, 'forbidden');
      assert.equal(await ledgerSize(t.store), before);
      assert.equal(await feedbackRows(), rows);

      const res = await t.call(contributor, 'POST', '/api/v1/feedback', { ...body, decisionId });
      assert.equal(res.statusCode, 201, res.body);
      const view = res.json();
      assert.deepEqual(
        [view.category, view.channel, view.decisionId, view.submittedBy],
        ['bias_concern', 'internal', decisionId, contributor.id],
      );
      assert.equal(await ledgerSize(t.store), before + 1);
      const event = await t.store.db
        .selectFrom('ledger_events')
        .select(['type', 'system_id'])
        .where('subject_id', '=', view.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual([event.type, event.system_id], ['feedback.received', systemId]);
    });

    test('support tickets come only with an ingest token; the list filters by system, category and conversion, paginated', async () => {
      const { systemId } = await systemWithDecision();
      const ticket = { systemId, category: 'error', summary: 'Wrong amount shown', details: 'Customer saw 0 EUR.', externalRef: 'ZD-1042' };
      const before = await ledgerSize(t.store);
      const bySession = await t.call(contributor, 'POST', '/api/v1/feedback/tickets', ticket);
      assert.equal(bySession.statusCode, 403, bySession.body);
      assert.equal(bySession.json().error.code, 'insufficient_scope');
      assert.equal(await ledgerSize(t.store), before);
      for (const ref of ['ZD-1042', 'ZD-1043', 'ZD-1044']) {
        const res = await t.call(ingest, 'POST', '/api/v1/feedback/tickets', { ...ticket, externalRef: ref });
        assert.equal(res.statusCode, 201, res.body);
        assert.equal(res.json().channel, 'ticket');
      }
      await t.call(contributor, 'POST', '/api/v1/feedback', {
        systemId,
        category: 'usability',
        summary: 'Hard to read',
        details: 'Tiny font.',
      });
      const page = await t.call(lead, 'GET', `/api/v1/feedback?systemId=${systemId}&category=error&limit=2`);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().total, 3);
      assert.equal(page.json().items.length, 2);
      assert.deepEqual(
        page.json().items.map((i: { externalRef: string }) => i.externalRef),
        ['ZD-1044', 'ZD-1043'],
      );
      const rest = await t.call(lead, 'GET', `/api/v1/feedback?systemId=${systemId}&category=error&limit=2&offset=2`);
      assert.deepEqual(
        rest.json().items.map((i: { externalRef: string }) => i.externalRef),
        ['ZD-1042'],
      );
      const open = await t.call(auditor, 'GET', `/api/v1/feedback?systemId=${systemId}&converted=false`);
      assert.equal(open.json().total, 4);
      const refused = await t.call(contributor, 'GET', `/api/v1/feedback?systemId=${systemId}`);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().error.code, 'forbidden');
    });

    test('converting feedback opens an exception raised from it, linking both, in one action; a second conversion is refused', async () => {
      const { systemId, decisionId } = await systemWithDecision();
      const created = await t.call(contributor, 'POST', '/api/v1/feedback', {
        systemId,
        category: 'harm',
        summary: 'Applicant refused twice',
        details: 'The same applicant was refused by two systems in a row.',
        decisionId,
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      const before = await ledgerSize(t.store);
      const byContributor = await t.call(contributor, 'POST', `/api/v1/feedback/${id}/convert-to-exception`, {});
      assert.equal(byContributor.statusCode, 403, byContributor.body);
      assert.equal(byContributor.json().error.code, 'forbidden');
      assert.equal(await ledgerSize(t.store), before);
      // A system owner of another system passes the route's role check, not this system's rule.
      const ownerOfAnother = await t.user(['contributor']);
      await buildSystem(t.store, { accountableOwnerId: ownerOfAnother.id });
      const foreignBefore = await ledgerSize(t.store);
      const foreign = await t.call(ownerOfAnother, 'POST', `/api/v1/feedback/${id}/convert-to-exception`, {});
      assert.equal(foreign.statusCode, 403, foreign.body);
      assert.equal(foreign.json().error.code, 'forbidden');
      assert.equal(await ledgerSize(t.store), foreignBefore);

      const converted = await t.call(lead, 'POST', `/api/v1/feedback/${id}/convert-to-exception`, {});
      assert.equal(converted.statusCode, 201, converted.body);
      const { exceptionId, feedback } = converted.json();
      assert.equal(feedback.exceptionId, exceptionId);
      assert.equal(feedback.convertedBy, lead.id);
      assert.equal(await ledgerSize(t.store), foreignBefore + 2);
      const exception = await t.call(lead, 'GET', `/api/v1/exceptions/${exceptionId}`);
      assert.equal(exception.statusCode, 200, exception.body);
      const ex = exception.json();
      assert.deepEqual([ex.raisedBy.type, ex.raisedBy.ref], ['feedback', id]);
      assert.equal(ex.severity, 'high');
      assert.ok(ex.links.some((l: { type: string; id: string }) => l.type === 'feedback' && l.id === id));
      assert.ok(ex.links.some((l: { type: string }) => l.type === 'decision'));
      const types = await t.store.db.selectFrom('ledger_events').select('type').where('seq', '>=', foreignBefore).orderBy('seq').execute();
      assert.deepEqual(
        types.map((e) => e.type),
        ['exception.opened', 'feedback.converted'],
      );

      const afterFirst = await ledgerSize(t.store);
      const exceptions = await t.store.db.selectFrom('exceptions').select('id').where('raised_by_ref', '=', id).execute();
      const again = await t.call(lead, 'POST', `/api/v1/feedback/${id}/convert-to-exception`, {});
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().error.code, 'feedback_already_converted');
      assert.equal(again.json().error.details.exceptionId, exceptionId);
      assert.equal(await ledgerSize(t.store), afterFirst);
      assert.equal(
        (await t.store.db.selectFrom('exceptions').select('id').where('raised_by_ref', '=', id).execute()).length,
        exceptions.length,
      );
      const listed = await t.call(lead, 'GET', `/api/v1/feedback?systemId=${systemId}&converted=true`);
      assert.deepEqual(
        listed.json().items.map((i: { id: string }) => i.id),
        [id],
      );
      const one = await t.call(auditor, 'GET', `/api/v1/feedback/${id}`);
      assert.equal(one.json().exceptionId, exceptionId);
      assert.equal(one.json().convertedByName !== null, true);
    });
  });
}
