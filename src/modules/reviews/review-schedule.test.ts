// Reviews on schedule, on both databases: the scheduler creates one review per system, kind and
// period however often it runs; a system's own cadence overrides the default for its tier; an
// overdue review escalates like an exception, each level once; the calendar feed is read with a
// per-person token that reads nothing else and stops working when rotated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';
import { loadConfig } from '../../config.js';
import { lastCompletedPeriod } from '../../governance/review-schedule.js';
import { serverJobs } from '../../jobs/jobs.js';
import { escalateOverdueReviews } from '../../workflows/overdue-reviews.js';
import { scheduleDueReviews } from './review-scheduler.service.js';

const DAY = 86_400_000;
/** Far enough ahead that the systems made now existed before the last completed period. */
const LATER = new Date(Date.now() + 400 * DAY);

for (const dialect of DIALECTS) {
  describe(`reviews on schedule [${dialect}]`, () => {
    let t: TestApp;
    let leadA: TestUser;
    let leadB: TestUser;
    let owner: TestUser;
    let other: TestUser;

    const count = async (table: 'reviews', systemId?: string) =>
      Number(
        (
          await t.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .$if(systemId !== undefined, (q) => q.where('system_id', '=', systemId as string))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const inUse = async (tier: 'high' | 'limited' | 'minimal') => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id, euRiskTier: tier });
      // Setup only: the lifecycle's own rules are tested with the inventory.
      await t.store.transact((trx) => trx.updateTable('ai_systems').set({ status: 'in_production' }).where('id', '=', system.id).execute());
      return system.id;
    };
    const schedule = (now = LATER) => scheduleDueReviews(t.store, { now, cadences: t.config.reviewCadences, dueDays: 30 });

    before(async () => {
      t = await createTestApp(dialect);
      leadA = await t.user(['governance_lead']);
      leadB = await t.user(['governance_lead']);
      owner = await t.user(['contributor']);
      other = await t.user(['contributor']);
    });
    after(() => t.close());

    test('the scheduler creates one review per system, kind and period; running it again creates none', async () => {
      const high = await inUse('high');
      await schedule();
      const reviews = await t.store.db.selectFrom('reviews').selectAll().where('system_id', '=', high).orderBy('kind').execute();
      assert.deepEqual(
        reviews.map((r) => r.kind),
        ['fairness', 'performance', 'risk'],
      );
      const quarter = lastCompletedPeriod(LATER, 3);
      for (const r of reviews) {
        assert.deepEqual([r.period_from, r.period_to], [quarter.from, quarter.to], 'high risk: the last quarter');
        assert.equal(r.due_at, new Date(Date.parse(quarter.to) + 30 * DAY).toISOString());
        assert.equal(r.preparer_id, owner.id, 'the accountable owner prepares');
        assert.deepEqual(new Set([r.reviewer_id, r.second_signatory_id]), new Set([leadA.id, leadB.id]), 'two leads sign');
      }
      const size = await ledgerSize(t.store);
      const total = await count('reviews');
      await schedule();
      await schedule(new Date(LATER.getTime() + DAY));
      assert.equal(await count('reviews'), total, 'the same period is never scheduled twice');
      assert.equal(await ledgerSize(t.store), size, 'and nothing is written');
      // The next quarter is a new period.
      await schedule(new Date(LATER.getTime() + 100 * DAY));
      assert.equal(await count('reviews', high), 6);
    });

    test("a system's own cadence overrides its tier's default; only a lead sets it, with a rationale", async () => {
      const minimal = await inUse('minimal');
      const read = async () => (await t.call(other, 'GET', `/api/v1/systems/${minimal}/review-cadences`)).json().cadences;
      assert.deepEqual(
        (await read()).map((c: { kind: string; months: number; source: string }) => [c.kind, c.months, c.source]),
        [
          ['fairness', 12, 'default'],
          ['performance', 12, 'default'],
          ['risk', 12, 'default'],
        ],
      );
      const size = await ledgerSize(t.store);
      const denied = await t.call(other, 'PUT', `/api/v1/systems/${minimal}/review-cadences/fairness`, {
        months: 1,
        rationale: 'Monthly please, it matters',
      });
      assert.deepEqual([denied.statusCode, denied.json().error.code], [403, 'forbidden']);
      const short = await t.call(leadA, 'PUT', `/api/v1/systems/${minimal}/review-cadences/fairness`, { months: 1, rationale: 'short' });
      assert.deepEqual([short.statusCode, short.json().error.code], [400, 'validation_failed']);
      assert.equal(await ledgerSize(t.store), size, 'refusals write nothing');

      const set = await t.call(leadA, 'PUT', `/api/v1/systems/${minimal}/review-cadences/fairness`, {
        months: 1,
        rationale: 'Complaints about the scoring of older applicants',
      });
      assert.equal(set.statusCode, 200, set.body);
      const stop = await t.call(leadA, 'PUT', `/api/v1/systems/${minimal}/review-cadences/risk`, {
        months: 0,
        rationale: 'Risk reviewed with the parent system',
      });
      assert.equal(stop.statusCode, 200, stop.body);
      assert.deepEqual(
        (await read()).map((c: { kind: string; months: number | null; source: string }) => [c.kind, c.months, c.source]),
        [
          ['fairness', 1, 'system'],
          ['performance', 12, 'default'],
          ['risk', null, 'system'],
        ],
      );
      assert.equal(await ledgerSize(t.store), size + 2, 'review.cadence_set twice');
      await schedule();
      const kinds = await t.store.db
        .selectFrom('reviews')
        .select(['kind', 'period_from', 'period_to'])
        .where('system_id', '=', minimal)
        .execute();
      assert.deepEqual(kinds.map((k) => k.kind).sort(), ['fairness', 'performance']);
      const fairness = kinds.find((k) => k.kind === 'fairness');
      assert.deepEqual(
        [fairness?.period_from, fairness?.period_to],
        [lastCompletedPeriod(LATER, 1).from, lastCompletedPeriod(LATER, 1).to],
      );
    });

    test('an overdue review escalates like an exception: each level once, to its people, then the owner, then the leads', async () => {
      const system = await inUse('limited');
      await schedule();
      const review = await t.store.db
        .selectFrom('reviews')
        .selectAll()
        .where('system_id', '=', system)
        .where('kind', '=', 'risk')
        .executeTakeFirstOrThrow();
      const due = Date.parse(review.due_at);
      const levelsOf = async () =>
        (
          await t.store.db
            .selectFrom('review_escalations')
            .select(['level', 'recipients'])
            .where('review_id', '=', review.id)
            .orderBy('level')
            .execute()
        ).map((e) => [e.level, JSON.parse(e.recipients)]);
      await escalateOverdueReviews(t.store, { now: new Date(due - 1000) });
      assert.deepEqual(await levelsOf(), [], 'not before it is due');
      await escalateOverdueReviews(t.store, { now: new Date(due + 1000) });
      assert.deepEqual(await levelsOf(), [[1, [owner.id]]], 'level 1: the preparer, while nothing is attached');
      const size = await ledgerSize(t.store);
      await escalateOverdueReviews(t.store, { now: new Date(due + 2000) });
      assert.equal(await ledgerSize(t.store), size, 'a level is sent once');
      await escalateOverdueReviews(t.store, { now: new Date(due + 2 * DAY + 1000) });
      const levels = await levelsOf();
      assert.deepEqual(
        levels.map(([level]) => level),
        [1, 2, 3],
      );
      assert.deepEqual(levels[1][1], [owner.id], "level 2: the system's accountable owner");
      assert.deepEqual(new Set(levels[2][1]), new Set([leadA.id, leadB.id]), 'level 3: the governance leads');
      const events = await t.store.db
        .selectFrom('ledger_events')
        .select('type')
        .where('subject_id', '=', review.id)
        .where('type', '=', 'review.escalated')
        .execute();
      assert.equal(events.length, 3);
      const mails = await t.store.db
        .selectFrom('notifications')
        .select('target')
        .where('channel', '=', 'email')
        .where('subject', 'like', `%Overdue%risk review of system ${system}%`)
        .execute();
      assert.equal(mails.length, 4, 'emails through the outbox: preparer, owner, two leads');
      // A completed review is not overdue: nothing more is escalated for it.
      await t.store.transact((trx) => trx.updateTable('reviews').set({ status: 'signed' }).where('id', '=', review.id).execute());
      await escalateOverdueReviews(t.store, { now: new Date(due + 10 * DAY) });
      assert.equal((await levelsOf()).length, 3);
    });

    test('the configured hours (PROOFLINE_REVIEW_ESCALATION_HOURS) set when levels 2 and 3 of an overdue review go out', async () => {
      const system = await inUse('high');
      const created = await t.call(leadA, 'POST', '/api/v1/reviews', {
        systemId: system,
        kind: 'performance',
        periodFrom: '2026-01-01T00:00:00.000Z',
        periodTo: '2026-04-01T00:00:00.000Z',
        // Three hours overdue at the real clock, which the job reads.
        dueAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
        preparerId: other.id,
        reviewerId: leadA.id,
        secondSignatoryId: leadB.id,
      });
      assert.equal(created.statusCode, 201, created.body);
      const reviewId = created.json().id;
      const runJob = (hours: readonly [number, number]) => {
        const job = serverJobs({ store: t.store, config: { ...t.config, reviewEscalationHours: hours }, services: t.services }).find(
          (j) => j.name === 'escalate-overdue-reviews',
        );
        assert.ok(job);
        return job.run();
      };
      const levels = async () =>
        (
          await t.store.db.selectFrom('review_escalations').select('level').where('review_id', '=', reviewId).orderBy('level').execute()
        ).map((e) => e.level);
      assert.deepEqual(t.config.reviewEscalationHours, [24, 48], 'the defaults are unchanged (a day, two days)');
      await runJob(t.config.reviewEscalationHours);
      assert.deepEqual(await levels(), [1], 'by default, three hours overdue is level 1 only');
      await runJob(loadConfig({ PROOFLINE_REVIEW_ESCALATION_HOURS: '2,4' }).reviewEscalationHours);
      assert.deepEqual(await levels(), [1, 2], 'configured at two hours, level 2 leaves; level 3 (four hours) waits');
      const mails = await t.store.db
        .selectFrom('notifications')
        .select('target')
        .where('subject', 'like', '%Overdue (level 2)%performance review%')
        .where('body', 'like', `%${reviewId}%`)
        .execute();
      assert.deepEqual(
        mails.map((m) => m.target),
        [owner.email],
        "level 2's email goes to the system's accountable owner",
      );
      assert.throws(() => loadConfig({ PROOFLINE_REVIEW_ESCALATION_HOURS: 'soon' }), /PROOFLINE_REVIEW_ESCALATION_HOURS/);
    });

    test('the calendar feed: a per-person token lists their open reviews; a rotated token reads nothing; the token reads nothing else', async () => {
      await refusedFeed('no-such-token');
      const issued = await t.call(owner, 'POST', '/api/v1/reviews/calendar-token');
      assert.equal(issued.statusCode, 201, issued.body);
      const { token, url } = issued.json();
      assert.ok(url.endsWith(`/api/v1/reviews/calendar.ics?token=${encodeURIComponent(token)}`));
      const feed = await t.call(null, 'GET', `/api/v1/reviews/calendar.ics?token=${encodeURIComponent(token)}`);
      assert.equal(feed.statusCode, 200, feed.body);
      assert.match(String(feed.headers['content-type']), /^text\/calendar/);
      assert.match(feed.body, /^BEGIN:VCALENDAR/);
      const open = await t.store.db
        .selectFrom('reviews')
        .select('id')
        .where('preparer_id', '=', owner.id)
        .where('status', 'in', ['prepared', 'findings'])
        .execute();
      assert.ok(open.length > 0);
      assert.equal(feed.body.match(/BEGIN:VEVENT/g)?.length, open.length, 'one event per open review of theirs');
      assert.match(feed.body, /SUMMARY:Prepare the /);
      // A lead's feed lists what they sign, not the owner's to prepare.
      const leadToken = (await t.call(leadA, 'POST', '/api/v1/reviews/calendar-token')).json().token;
      const leadFeed = await t.call(null, 'GET', `/api/v1/reviews/calendar.ics?token=${encodeURIComponent(leadToken)}`);
      assert.doesNotMatch(leadFeed.body, /SUMMARY:Prepare the /);
      // The feed token is not an API credential.
      const asBearer = await t.call({ ...owner, token }, 'GET', '/api/v1/reviews');
      assert.equal(asBearer.statusCode, 401);
      // Rotating replaces the old token.
      const rotated = (await t.call(owner, 'POST', '/api/v1/reviews/calendar-token')).json().token;
      assert.notEqual(rotated, token);
      await refusedFeed(token);
      assert.equal((await t.call(null, 'GET', `/api/v1/reviews/calendar.ics?token=${encodeURIComponent(rotated)}`)).statusCode, 200);
    });

    async function refusedFeed(token: string) {
      const size = await ledgerSize(t.store);
      const res = await t.call(null, 'GET', `/api/v1/reviews/calendar.ics?token=${encodeURIComponent(token)}`);
      assert.deepEqual([res.statusCode, res.json().error.code], [401, 'unauthenticated']);
      assert.equal(await ledgerSize(t.store), size);
    }
  });
}
