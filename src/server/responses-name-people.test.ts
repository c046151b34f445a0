// Responses name people (issue 9): wherever a response carries a user id, the person's display name
// stands beside it (`xName` next to `x`/`xId`), so no client looks people up row by row. One test per
// area over HTTP, a list page and a detail each, on both databases. (Systems: systems-views.test.ts.)
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { decide, requestApproval } from '../../test/approvals-helpers.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS } from '../../test/stores.js';

const IN_A_DAY = () => new Date(Date.now() + 86_400_000).toISOString();

for (const dialect of DIALECTS) {
  describe(`responses name people [${dialect}]`, () => {
    let t: TestApp;
    const nameOf = async (user: TestUser) =>
      (await t.store.db.selectFrom('users').select('display_name').where('id', '=', user.id).executeTakeFirstOrThrow()).display_name;
    const ok = async (user: TestUser, method: string, url: string, body?: unknown) => {
      const res = await t.call(user, method, url, body);
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };

    before(async () => {
      t = await createTestApp(dialect);
    });
    after(() => t.close());

    test('approvals: requester and approvers, delegator and delegate, the queue, change records', async () => {
      const [owner, deputy, requester, approver] = [
        await t.user([]),
        await t.user([]),
        await t.user(['contributor']),
        await t.user(['approver']),
      ];
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const delegation = await ok(owner, 'POST', '/api/v1/approvals/delegations', {
        delegateId: deputy.id,
        endsAt: IN_A_DAY(),
        reason: 'On parental leave until March',
      });
      assert.deepEqual([delegation.delegatorName, delegation.delegateName], [await nameOf(owner), await nameOf(deputy)]);
      const delegations = await ok(deputy, 'GET', '/api/v1/approvals/delegations');
      assert.deepEqual(
        delegations.items.map((d: { delegatorName: string; delegateName: string }) => [d.delegatorName, d.delegateName]),
        [[await nameOf(owner), await nameOf(deputy)]],
      );

      const request = await requestApproval(t, requester, {
        kind: 'intended_use_change',
        subjectId: system.id,
        change: { intendedUse: 'Fraud triage' },
      });
      const queue = await ok(deputy, 'GET', '/api/v1/approvals/queue');
      const waiting = queue.items.find((item: { requestId: string }) => item.requestId === request.id);
      assert.deepEqual([waiting.onBehalfOf, waiting.onBehalfOfName], [owner.id, await nameOf(owner)]);

      assert.equal((await decide(t, deputy, request.id)).statusCode, 200);
      assert.equal((await decide(t, approver, request.id)).statusCode, 200);
      const detail = await ok(owner, 'GET', `/api/v1/approvals/requests/${request.id}`);
      assert.equal(detail.requestedBy, requester.id);
      assert.equal(detail.requestedByName, await nameOf(requester));
      assert.deepEqual(
        detail.decisions.map((d: { approver: { name: string }; onBehalfOf: { name: string } | null }) => [
          d.approver.name,
          d.onBehalfOf?.name ?? null,
        ]),
        [
          [await nameOf(deputy), await nameOf(owner)],
          [await nameOf(approver), null],
        ],
      );

      const records = await ok(owner, 'GET', `/api/v1/change-records?subjectId=${system.id}&limit=500`);
      assert.ok(records.items.length > 0);
      for (const record of records.items as Array<{ recordedBy: string | null; recordedByName: string | null }>) {
        const expected = record.recordedBy === approver.id ? await nameOf(approver) : record.recordedBy === null ? null : 'unexpected';
        assert.equal(record.recordedByName, expected, JSON.stringify(record));
      }
      assert.ok(
        records.items.some((r: { recordedBy: string | null }) => r.recordedBy === approver.id),
        'the applied change names its recorder',
      );
    });

    test('exceptions and incidents: owner, resolver, creator, verifier, a person who raised it, actions, lessons, follow-ups', async () => {
      const [owner, resolver, verifier] = [await t.user(['contributor']), await t.user(['contributor']), await t.user(['reviewer'])];
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const opened = await ok(owner, 'POST', '/api/v1/exceptions', {
        systemId: system.id,
        kind: 'deviation',
        title: 'Model used outside its approved population',
        description: 'Scores were produced for applicants under 18.',
        severity: 'high',
        raisedBy: { type: 'person', ref: resolver.id },
        ownerId: owner.id,
        resolverId: resolver.id,
      });
      assert.deepEqual(
        [opened.ownerName, opened.resolverName, opened.createdByName, opened.raisedBy.refName],
        [await nameOf(owner), await nameOf(resolver), await nameOf(owner), await nameOf(resolver)],
      );
      const action = await ok(owner, 'POST', `/api/v1/exceptions/${opened.id}/corrective-actions`, {
        description: 'Block scoring for minors',
        ownerId: resolver.id,
        dueAt: IN_A_DAY(),
      });
      assert.equal(action.ownerName, await nameOf(resolver));
      const lesson = await ok(owner, 'POST', `/api/v1/exceptions/${opened.id}/lessons`, {
        text: 'Check the population before each release',
        followUps: [{ kind: 'training_need', description: 'Brief the analysts', ownerId: verifier.id, dueAt: IN_A_DAY() }],
      });
      assert.equal(lesson.createdByName, await nameOf(owner));
      assert.equal(lesson.followUps[0].ownerName, await nameOf(verifier));

      const detail = await ok(verifier, 'GET', `/api/v1/exceptions/${opened.id}`);
      assert.deepEqual(
        [detail.ownerName, detail.resolverName, detail.raisedBy.refName],
        [await nameOf(owner), await nameOf(resolver), await nameOf(resolver)],
      );
      assert.equal(detail.verification, null);
      assert.deepEqual(
        detail.correctiveActions.map((a: { ownerName: string; completedByName: string | null }) => [a.ownerName, a.completedByName]),
        [[await nameOf(resolver), null]],
      );
      assert.deepEqual(
        detail.lessons.map((l: { createdByName: string }) => l.createdByName),
        [await nameOf(owner)],
      );
      assert.deepEqual(
        detail.followUps.map((f: { ownerName: string }) => f.ownerName),
        [await nameOf(verifier)],
      );

      const page = await ok(verifier, 'GET', `/api/v1/exceptions?systemId=${system.id}`);
      assert.deepEqual(
        page.items.map((e: { id: string; ownerName: string; resolverName: string }) => [e.id, e.ownerName, e.resolverName]),
        [[opened.id, await nameOf(owner), await nameOf(resolver)]],
      );

      const incident = await ok(owner, 'POST', '/api/v1/incidents', {
        systemId: system.id,
        title: 'Wrong refusals',
        description: 'Applicants were refused on a stale score.',
        severity: 'high',
        raisedBy: { type: 'alert', ref: 'monitor-7' },
        ownerId: resolver.id,
        resolverId: owner.id,
        incident: { harmCategories: [] },
      });
      assert.deepEqual(
        [incident.ownerName, incident.resolverName, incident.raisedBy.refName],
        [await nameOf(resolver), await nameOf(owner), null],
      );
      const incidents = await ok(verifier, 'GET', `/api/v1/incidents?systemId=${system.id}`);
      assert.deepEqual(
        incidents.items.map((e: { ownerName: string }) => e.ownerName),
        [await nameOf(resolver)],
      );
      const incidentDetail = await ok(verifier, 'GET', `/api/v1/incidents/${incident.id}`);
      assert.equal(incidentDetail.createdByName, await nameOf(owner));
    });

    test('appeals: submitter, owner and resolver', async () => {
      const [owner, reviewer] = [await t.user(['system_owner']), await t.user(['reviewer'])];
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const filed = await ok(reviewer, 'POST', '/api/v1/appeals', {
        systemId: system.id,
        decisionId: 'D-names',
        appellantName: 'Jane Doe',
        appellantContact: 'jane@example.test',
        statement: 'My income was not taken into account.',
      });
      const appeal = filed.appeal;
      assert.deepEqual(
        [appeal.submittedByName, appeal.ownerName, appeal.resolvedByName],
        [await nameOf(reviewer), await nameOf(owner), null],
      );
      const detail = await ok(reviewer, 'GET', `/api/v1/appeals/${appeal.id}`);
      assert.deepEqual([detail.ownerId, detail.ownerName], [owner.id, await nameOf(owner)]);
      const page = await ok(reviewer, 'GET', `/api/v1/appeals?systemId=${system.id}`);
      assert.deepEqual(
        page.items.map((a: { submittedByName: string; ownerName: string }) => [a.submittedByName, a.ownerName]),
        [[await nameOf(reviewer), await nameOf(owner)]],
      );
    });

    test('decision reviews: the reviewer, and the reviewer an AI service reported', async () => {
      const [lead, reviewer] = [await t.user(['governance_lead']), await t.user(['reviewer'])];
      const ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      const system = await buildSystem(t.store, { status: 'in_development', accountableOwnerId: lead.id });
      await ok(lead, 'PUT', `/api/v1/systems/${system.id}/decision-settings`, { allowRawInput: false, reviewSampleRate: 1 });
      const record = (extra: Record<string, unknown> = {}) => ({
        decisionId: randomUUID(),
        systemId: system.id,
        decidedAt: '2026-11-27T10:00:00.000Z',
        inputDigest: 'a'.repeat(64),
        output: { approved: false },
        ...extra,
      });
      await ok(ingest, 'POST', '/api/v1/decisions/batch', {
        records: [record({ humanReviewed: true, reviewedBy: reviewer.id }), record()],
      });
      const queue = await ok(reviewer, 'GET', `/api/v1/decisions/review-queue?systemId=${system.id}`);
      assert.equal(queue.items.length, 2);
      const reported = queue.items.find((d: { reviewedBy: string | null }) => d.reviewedBy === reviewer.id);
      assert.ok(reported, JSON.stringify(queue.items));
      assert.equal(reported.reviewedByName, await nameOf(reviewer));
      assert.ok(queue.items.every((d: { review: { reviewerName: string | null } }) => d.review.reviewerName === null));
      const reviewed = await ok(reviewer, 'POST', `/api/v1/decisions/${reported.id}/review`, {
        outcome: 'confirm',
        reason: 'score justified',
      });
      assert.deepEqual([reviewed.review.reviewerId, reviewed.review.reviewerName], [reviewer.id, await nameOf(reviewer)]);
      const detail = await ok(lead, 'GET', `/api/v1/decisions/${reported.id}`);
      assert.equal(detail.review.reviewerName, await nameOf(reviewer));
      assert.equal(detail.reviewedByName, await nameOf(reviewer));
    });

    test('oversight: roster members and who added them, who set the runtime state, who asked to resume', async () => {
      const [lead, officerA, officerB] = [
        await t.user(['governance_lead']),
        await t.user(['oversight_officer']),
        await t.user(['oversight_officer']),
      ];
      const system = await buildSystem(t.store, { euRiskTier: 'high' });
      for (const officer of [officerA, officerB]) {
        const entry = await ok(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
          userId: officer.id,
          authorities: ['pause', 'resume'],
          competence: 'Credit risk analyst, 8 years',
        });
        assert.deepEqual([entry.userName, entry.addedByName], [await nameOf(officer), await nameOf(lead)]);
      }
      const roster = await ok(lead, 'GET', `/api/v1/systems/${system.id}/oversight/roster`);
      assert.deepEqual(
        roster.items.map((e: { userName: string; addedByName: string }) => [e.userName, e.addedByName]).sort(),
        [
          [await nameOf(officerA), await nameOf(lead)],
          [await nameOf(officerB), await nameOf(lead)],
        ].sort(),
      );
      const paused = await ok(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/pause`, { reason: 'model drift detected' });
      assert.deepEqual([paused.updatedBy, paused.updatedByName], [officerA.id, await nameOf(officerA)]);
      const resume = await t.call(officerA, 'POST', `/api/v1/systems/${system.id}/runtime/resume`, { reason: 'drift fixed and verified' });
      assert.equal(resume.statusCode, 202, resume.body);
      assert.equal(resume.json().pendingResume.byName, await nameOf(officerA));
      const detail = await ok(lead, 'GET', `/api/v1/systems/${system.id}/runtime/detail`);
      assert.deepEqual([detail.updatedByName, detail.pendingResume.byName], [await nameOf(officerA), await nameOf(officerA)]);
    });

    test("API tokens: the owner's name, in the list and on the revoked token", async () => {
      const admin = await t.user(['admin']);
      const created = await ok(admin, 'POST', '/api/v1/tokens', { name: 'ci', scopes: ['read'] });
      const page = await ok(admin, 'GET', `/api/v1/tokens?userId=${admin.id}`);
      assert.equal(page.items.length, 2);
      for (const token of page.items as Array<{ userName: string }>) assert.equal(token.userName, await nameOf(admin));
      const revoked = await ok(admin, 'DELETE', `/api/v1/tokens/${created.id}`);
      assert.deepEqual([revoked.status, revoked.userName], ['revoked', await nameOf(admin)]);
    });

    test("model versions and data sources: who registered a version, a data source's owner", async () => {
      const [lead, owner] = [await t.user(['governance_lead']), await t.user([])];
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const version = await ok(lead, 'POST', `/api/v1/systems/${system.id}/model-versions`, {
        label: 'v-names',
        artifactSha256: randomBytes(32).toString('hex'),
      });
      assert.equal(version.registeredByName, await nameOf(lead));
      const versions = await ok(lead, 'GET', `/api/v1/systems/${system.id}/model-versions`);
      assert.deepEqual(
        versions.map((v: { registeredByName: string }) => v.registeredByName),
        [await nameOf(lead)],
      );
      const source = await ok(lead, 'POST', `/api/v1/systems/${system.id}/data-sources`, {
        name: 'CRM export',
        kind: 'table',
        containsPersonalData: true,
        ownerId: owner.id,
        rationale: 'needed for the income check',
      });
      assert.equal(source.ownerName, await nameOf(owner));
      const sources = await ok(lead, 'GET', `/api/v1/systems/${system.id}/data-sources`);
      assert.deepEqual(
        sources.map((s: { ownerName: string }) => s.ownerName),
        [await nameOf(owner)],
      );
    });
  });
}
