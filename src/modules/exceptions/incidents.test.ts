import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../../test/app.js';
import { buildSystem } from '../../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../../test/stores.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const dialect of DIALECTS) {
  describe(`incidents [${dialect}]`, () => {
    let t: TestApp;
    let owner: TestUser;
    let resolver: TestUser;
    let systemId: string;

    const ledgerCount = () => ledgerSize(t.store);

    async function openIncident(incident: Record<string, unknown>) {
      const res = await t.call(owner, 'POST', '/api/v1/incidents', {
        systemId,
        title: 'Chatbot disclosed another customer’s data',
        description: 'A prompt returned an account history belonging to someone else.',
        severity: 'critical',
        raisedBy: { type: 'alert', ref: 'monitor:dlp-17' },
        ownerId: owner.id,
        resolverId: resolver.id,
        incident,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }

    before(async () => {
      t = await createTestApp(dialect);
      owner = await t.user(['contributor']);
      resolver = await t.user(['contributor']);
      systemId = (await buildSystem(t.store, { accountableOwnerId: owner.id })).id;
    });
    after(() => t.close());

    test('an incident shows what is due when for each regime that applies', async () => {
      const awareAt = new Date(Date.now() - 2 * HOUR).toISOString();
      const classifiedAt = new Date(Date.now() - HOUR).toISOString();
      const view = await openIncident({
        harmCategories: ['fundamental_rights', 'personal_data_breach'],
        awareAt,
        doraMajor: true,
        doraClassifiedAt: classifiedAt,
      });
      assert.equal(view.kind, 'incident');
      assert.deepEqual(view.incident.harmCategories, ['fundamental_rights', 'personal_data_breach']);
      const due = Object.fromEntries(view.deadlines.map((d: { key: string; dueAt: string }) => [d.key, d.dueAt]));
      assert.equal(Date.parse(due.ai_act_art73) - Date.parse(awareAt), 15 * DAY);
      assert.equal(Date.parse(due.gdpr_art33) - Date.parse(awareAt), 72 * HOUR);
      assert.equal(Date.parse(due.dora_initial) - Date.parse(classifiedAt), 4 * HOUR);
      const deadlines = (await t.call(owner, 'GET', `/api/v1/incidents/${view.id}/deadlines`)).json();
      assert.deepEqual(
        deadlines.items.map((d: { key: string }) => d.key),
        ['dora_initial', 'gdpr_art33', 'dora_intermediate', 'ai_act_art73', 'dora_final'],
      );
      assert.ok(deadlines.items.every((d: { status: string; articles: string[] }) => d.status === 'due' && d.articles.length > 0));
      const events = await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', view.id).orderBy('seq').execute();
      assert.deepEqual(
        events.map((e) => e.type),
        ['exception.opened', 'incident.classified'],
      );
    });

    test('a report filed late is flagged late; on-time filings move the DORA clock', async () => {
      const awareAt = new Date(Date.now() - 4 * DAY).toISOString();
      const view = await openIncident({ personalDataBreach: true, doraMajor: true, doraClassifiedAt: awareAt, awareAt });
      const overdue = (await t.call(owner, 'GET', `/api/v1/incidents/${view.id}/deadlines`)).json().items;
      assert.equal(overdue.find((d: { key: string }) => d.key === 'gdpr_art33').status, 'overdue');

      const late = await t.call(owner, 'POST', `/api/v1/incidents/${view.id}/reports`, {
        deadlineKey: 'gdpr_art33',
        reference: 'DPA-2026-0042',
      });
      assert.equal(late.statusCode, 201, late.body);
      assert.equal(late.json().onTime, false);

      const initialFiledAt = new Date(Date.parse(awareAt) + 3 * HOUR).toISOString();
      const onTime = await t.call(owner, 'POST', `/api/v1/incidents/${view.id}/reports`, {
        deadlineKey: 'dora_initial',
        reference: 'DORA-INIT-1',
        filedAt: initialFiledAt,
      });
      assert.equal(onTime.json().onTime, true);
      const items = (await t.call(owner, 'GET', `/api/v1/incidents/${view.id}/deadlines`)).json().items;
      const byKey = Object.fromEntries(items.map((d: { key: string }) => [d.key, d]));
      assert.equal(byKey.gdpr_art33.status, 'filed_late');
      assert.equal(byKey.gdpr_art33.reports[0].reference, 'DPA-2026-0042');
      assert.equal(byKey.dora_initial.status, 'filed_on_time');
      assert.equal(
        Date.parse(byKey.dora_intermediate.dueAt) - Date.parse(initialFiledAt),
        72 * HOUR,
        'the intermediate clock runs from filing',
      );
      assert.equal(byKey.dora_intermediate.provisional, false);

      const types = (
        await t.store.db.selectFrom('ledger_events').select('type').where('subject_id', '=', view.id).orderBy('seq').execute()
      ).map((e) => e.type);
      assert.ok(types.includes('incident.report_filed_late'));
      assert.ok(types.includes('incident.report_filed'));
    });

    test('reclassifying changes the clock: a death shortens the AI Act deadline to 10 days', async () => {
      const view = await openIncident({ harmCategories: ['health_safety'] });
      const fifteen = view.deadlines.find((d: { key: string }) => d.key === 'ai_act_art73');
      assert.equal(Date.parse(fifteen.dueAt) - Date.parse(view.incident.awareAt), 15 * DAY);
      const res = await t.call(owner, 'PUT', `/api/v1/incidents/${view.id}`, {
        death: true,
        reason: 'the patient died',
        version: view.version,
      });
      assert.equal(res.statusCode, 200, res.body);
      const ten = res.json().deadlines.find((d: { key: string }) => d.key === 'ai_act_art73');
      assert.equal(Date.parse(ten.dueAt) - Date.parse(view.incident.awareAt), 10 * DAY);
      assert.ok(ten.articles.includes('Art. 73(4)'));
      const stale = await t.call(owner, 'PUT', `/api/v1/incidents/${view.id}`, {
        widespreadInfringement: true,
        reason: 'reclassified after review',
        version: view.version,
      });
      assert.equal(stale.statusCode, 409);
    });

    test('harm to property or the environment is a serious incident under AI Act Art. 73: due 15 days after awareness', async () => {
      const awareAt = new Date(Date.now() - HOUR).toISOString();
      const view = await openIncident({ harmCategories: ['property_environment'], awareAt });
      const aiAct = view.deadlines.find((d: { key: string }) => d.key === 'ai_act_art73');
      assert.ok(aiAct, 'an AI Act deadline applies');
      assert.equal(Date.parse(aiAct.dueAt) - Date.parse(awareAt), 15 * DAY);
      assert.ok(aiAct.articles.includes('Art. 73(2)'));
      const filed = await t.call(owner, 'POST', `/api/v1/incidents/${view.id}/reports`, {
        deadlineKey: 'ai_act_art73',
        reference: 'MSA-1',
      });
      assert.equal(filed.statusCode, 201, filed.body);
      assert.equal(filed.json().onTime, true);
    });

    test('DORA: classified as major exactly 24 h after awareness, the initial notification is due at that moment', async () => {
      const awareAt = new Date(Date.now() - 30 * HOUR).toISOString();
      const classifiedAt = new Date(Date.parse(awareAt) + 24 * HOUR).toISOString();
      const view = await openIncident({ doraMajor: true, awareAt, doraClassifiedAt: classifiedAt });
      const initial = view.deadlines.find((d: { key: string }) => d.key === 'dora_initial');
      assert.equal(initial.dueAt, classifiedAt, 'at most 24 h after awareness, not 4 h after classification');
      assert.equal(initial.provisional, false);
      const items = (await t.call(owner, 'GET', `/api/v1/incidents/${view.id}/deadlines`)).json().items;
      assert.equal(items.find((d: { key: string }) => d.key === 'dora_initial').status, 'overdue');
    });

    test('an incident is due its severity days after awareness, not after it was typed in', async () => {
      const awareAt = new Date(Date.now() - 2 * DAY).toISOString();
      const view = await openIncident({ harmCategories: ['health_safety'], awareAt });
      assert.equal(view.incident.awareAt, awareAt);
      assert.equal(Date.parse(view.dueAt) - Date.parse(awareAt), DAY, 'critical: 1 day after awareness');
      const opened = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', view.id)
        .where('type', '=', 'exception.opened')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(opened.leaf).after.due_at, view.dueAt, 'the opening event carries the same due date');
      const shown = (await t.call(owner, 'GET', `/api/v1/exceptions/${view.id}`)).json();
      assert.equal(shown.dueAt, view.dueAt);
      assert.equal(shown.overdue, true);

      const unstated = await openIncident({ harmCategories: ['health_safety'] });
      assert.equal(unstated.incident.awareAt, unstated.detectedAt, 'awareness defaults to detection');
      assert.equal(Date.parse(unstated.dueAt) - Date.parse(unstated.detectedAt), DAY);
    });

    test('correcting when the organisation became aware moves the incident’s due date with it', async () => {
      const view = await openIncident({ harmCategories: ['health_safety'] });
      const awareAt = new Date(Date.now() - 3 * DAY).toISOString();
      const res = await t.call(owner, 'PUT', `/api/v1/incidents/${view.id}`, {
        awareAt,
        reason: 'the complaint reached support three days ago',
        version: view.version,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(Date.parse(res.json().dueAt) - Date.parse(awareAt), DAY);
      const [event] = await t.store.db
        .selectFrom('ledger_events')
        .select('leaf')
        .where('subject_id', '=', view.id)
        .where('type', '=', 'incident.classified')
        .orderBy('seq', 'desc')
        .limit(1)
        .execute();
      assert.deepEqual(JSON.parse(event.leaf).data.dueAt, { before: view.dueAt, after: res.json().dueAt });
      const unchanged = await t.call(owner, 'PUT', `/api/v1/incidents/${view.id}`, {
        death: true,
        reason: 'patient died',
        version: res.json().version,
      });
      assert.equal(unchanged.json().dueAt, res.json().dueAt, 'other facts leave the due date alone');
    });

    test('a report against a deadline that does not apply is refused and nothing is written', async () => {
      const view = await openIncident({ harmCategories: ['property_environment'] });
      const before = await ledgerCount();
      const res = await t.call(owner, 'POST', `/api/v1/incidents/${view.id}/reports`, { deadlineKey: 'gdpr_art33', reference: 'X' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.details.field, 'deadlineKey');
      const future = await t.call(owner, 'POST', `/api/v1/incidents/${view.id}/reports`, {
        deadlineKey: 'ai_act_art73',
        reference: 'X',
        filedAt: new Date(Date.now() + DAY).toISOString(),
      });
      assert.equal(future.statusCode, 400, future.body);
      assert.equal(future.json().error.code, 'validation_failed');
      assert.equal(future.json().error.details.field, 'filedAt', 'refused for the future filing time, not for the deadline');
      const badHarm = await t.call(owner, 'PUT', `/api/v1/incidents/${view.id}`, {
        harmCategories: ['bad_vibes'],
        reason: 'reclassified after review',
        version: view.version,
      });
      assert.equal(badHarm.statusCode, 400);
      assert.equal(await ledgerCount(), before);
      const count = await t.store.db.selectFrom('incident_reports').select('id').where('exception_id', '=', view.id).execute();
      assert.equal(count.length, 0);
    });

    // INC-103: the times an incident's deadlines count from are facts of the past, in their order.
    const incidentRow = (id: string) =>
      t.store.db
        .selectFrom('incidents')
        .select(['aware_at', 'dora_classified_at'])
        .where('exception_id', '=', id)
        .executeTakeFirstOrThrow();
    const exceptionCount = async () => (await t.store.db.selectFrom('exceptions').select('id').execute()).length;
    /** Refused as validation_failed naming `field`; no ledger event, no exception, the incident as it was. */
    async function refusedTimes(field: string, attempt: () => Promise<{ statusCode: number; body: string }>, incidentId?: string) {
      const [ledgerBefore, exceptionsBefore] = [await ledgerCount(), await exceptionCount()];
      const rowBefore = incidentId ? await incidentRow(incidentId) : null;
      const res = await attempt();
      assert.equal(res.statusCode, 400, res.body);
      const error = JSON.parse(res.body).error;
      assert.equal(error.code, 'validation_failed');
      assert.equal(error.details.field, field);
      assert.equal(await ledgerCount(), ledgerBefore, 'nothing written');
      assert.equal(await exceptionCount(), exceptionsBefore, 'no exception opened');
      if (incidentId) assert.deepEqual(await incidentRow(incidentId), rowBefore, 'the incident as it was');
    }
    const tryOpen = (incident: Record<string, unknown>) =>
      t.call(owner, 'POST', '/api/v1/incidents', {
        systemId,
        title: 'Payments outage traced to the fraud model',
        description: 'The model blocked every card payment for forty minutes.',
        severity: 'high',
        raisedBy: { type: 'alert', ref: 'monitor:payments-3' },
        ownerId: owner.id,
        resolverId: resolver.id,
        incident,
      });
    const correct = async (id: string, facts: Record<string, unknown>) => {
      const { version } = (await t.call(owner, 'GET', `/api/v1/exceptions/${id}`)).json();
      return t.call(owner, 'PUT', `/api/v1/incidents/${id}`, { ...facts, reason: 'corrected from the on-call log', version });
    };

    test('DORA classification cannot precede awareness, when opening or correcting an incident; nothing is written', async () => {
      const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
      await refusedTimes('doraClassifiedAt', () => tryOpen({ doraMajor: true, awareAt: ago(2), doraClassifiedAt: ago(3) }));

      const view = await openIncident({ doraMajor: true, awareAt: ago(3), doraClassifiedAt: ago(2) });
      await refusedTimes('doraClassifiedAt', () => correct(view.id, { doraClassifiedAt: ago(4) }), view.id);
      await refusedTimes('doraClassifiedAt', () => correct(view.id, { awareAt: ago(1) }), view.id);
      const atAwareness = await correct(view.id, { doraClassifiedAt: view.incident.awareAt });
      assert.equal(atAwareness.statusCode, 200, 'classified the moment the organisation became aware: allowed');
      assert.equal(atAwareness.json().incident.doraClassifiedAt, view.incident.awareAt);
    });

    test('incident times cannot lie in the future: awareAt and doraClassifiedAt are refused, naming the field; nothing is written', async () => {
      const inAnHour = new Date(Date.now() + HOUR).toISOString();
      const anHourAgo = new Date(Date.now() - HOUR).toISOString();
      await refusedTimes('awareAt', () => tryOpen({ harmCategories: ['health_safety'], awareAt: inAnHour }));
      await refusedTimes('doraClassifiedAt', () => tryOpen({ doraMajor: true, awareAt: anHourAgo, doraClassifiedAt: inAnHour }));

      const view = await openIncident({ harmCategories: ['health_safety'], awareAt: anHourAgo });
      await refusedTimes('awareAt', () => correct(view.id, { awareAt: inAnHour }), view.id);
      await refusedTimes('doraClassifiedAt', () => correct(view.id, { doraMajor: true, doraClassifiedAt: inAnHour }), view.id);
    });

    test('an exception that is not an incident has no incident view', async () => {
      const res = await t.call(owner, 'POST', '/api/v1/exceptions', {
        systemId,
        kind: 'override',
        title: 'Override',
        description: 'Officer overrode a score',
        severity: 'low',
        raisedBy: { type: 'decision', ref: 'dec-1' },
        ownerId: owner.id,
        resolverId: resolver.id,
      });
      const id = res.json().id;
      assert.equal((await t.call(owner, 'GET', `/api/v1/incidents/${id}`)).statusCode, 404);
      const list = (await t.call(owner, 'GET', '/api/v1/incidents')).json();
      assert.ok(list.items.every((i: { kind: string }) => i.kind === 'incident'));
      assert.ok(list.total >= 4);
    });
  });
}
