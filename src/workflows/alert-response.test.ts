// What an alert sets in motion: an exception and escalation for high alerts, flapping suppression,
// the evaluation job over computed statistics, tier defaults, and the actions from an alert.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../../test/app.js';
import { buildSystem } from '../../test/factories.js';
import { DIALECTS, ledgerSize } from '../../test/stores.js';
import { loadConfig } from '../config.js';
import { escalateUnacknowledgedAlerts } from './alert-response.js';
import { evaluateAllMonitors } from './monitor-evaluation.js';

for (const dialect of DIALECTS) {
  describe(`alert response and monitor evaluation [${dialect}]`, () => {
    let t: TestApp;
    let ingest: TestUser;
    let owner: TestUser;
    let lead: TestUser;
    let officer: TestUser;

    const eventsOf = async (type: string, subjectId: string) =>
      (
        await t.store.db.selectFrom('ledger_events').select('leaf').where('type', '=', type).where('subject_id', '=', subjectId).execute()
      ).map((e) => JSON.parse(e.leaf));
    const monitorOn = async (systemId: string, overrides: Record<string, unknown> = {}) => {
      const res = await t.call(lead, 'POST', '/api/v1/monitors', {
        systemId,
        name: 'error rate',
        source: 'points',
        metric: 'error_rate',
        aggregation: 'last',
        comparison: 'gt',
        threshold: 0.05,
        windowSeconds: 3600,
        severity: 'high',
        ownerId: lead.id,
        rationale: 'validated baseline 0.02 plus a margin',
        ...overrides,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    let minute = 0;
    const send = async (systemId: string, value: number) => {
      minute += 1;
      const at = new Date(Date.UTC(2026, 10, 30, 8, 0) + minute * 60_000).toISOString();
      const res = await t.call(ingest, 'POST', '/api/v1/metrics/points', { points: [{ systemId, metric: 'error_rate', value, at }] });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().alertsFired as string[];
    };
    const alertOf = async (id: string) => (await t.call(lead, 'GET', `/api/v1/alerts/${id}`)).json();
    /** A new system of `euRiskTier` and the tier defaults the lead applies to it, as the route answers them. */
    const applyTierDefaults = async (euRiskTier: 'high' | 'limited') => {
      const system = await buildSystem(t.store, { euRiskTier, accountableOwnerId: owner.id });
      const res = await t.call(lead, 'POST', `/api/v1/systems/${system.id}/monitors/defaults`, {
        ownerId: owner.id,
        rationale: 'post-market monitoring plan',
        fairnessAttribute: 'sex',
        validatedErrorRate: 0.03,
      });
      assert.equal(res.statusCode, 201, res.body);
      const applied = res.json() as {
        tier: string;
        created: Array<{ id: string; metric: string; comparison: string; threshold: number; severity: string }>;
      };
      return { system, ...applied };
    };

    before(async () => {
      t = await createTestApp(dialect);
      ingest = await t.user(['contributor'], { scopes: ['ingest'] });
      owner = await t.user(['contributor']);
      lead = await t.user(['governance_lead']);
      officer = await t.user(['oversight_officer']);
    });
    after(() => t.close());

    test("a high alert opens an exception (raised by the alert) owned by the system's owner and escalates at once; a medium one does neither", async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id, { name: 'medium', severity: 'medium' });
      const [mediumId] = await send(system.id, 0.4);
      assert.equal((await alertOf(mediumId)).exceptionId, null);
      assert.equal((await eventsOf('escalation.sent', mediumId)).length, 0);

      const other = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(other.id);
      const [highId] = await send(other.id, 0.4);
      const alert = await alertOf(highId);
      assert.ok(alert.exceptionId);
      const exception = await t.store.db.selectFrom('exceptions').selectAll().where('id', '=', alert.exceptionId).executeTakeFirstOrThrow();
      assert.equal(exception.raised_by_type, 'alert');
      assert.equal(exception.raised_by_ref, highId);
      assert.equal(exception.owner_id, owner.id);
      assert.equal(exception.severity, 'high');
      const escalations = await eventsOf('escalation.sent', highId);
      assert.equal(escalations.length, 1);
      assert.equal(escalations[0].after.level, 1);
      const mail = await t.store.db.selectFrom('notifications').select(['target', 'subject']).where('kind', '=', 'escalation').execute();
      assert.ok(mail.some((m) => m.target === owner.email && m.subject.includes('Unacknowledged high alert')));
    });

    test('an unacknowledged alert climbs the levels, each sent once; once acknowledged it escalates no further', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id);
      const [alertId] = await send(system.id, 0.5);
      const fired = Date.parse((await alertOf(alertId)).firedAt);
      assert.equal((await escalateUnacknowledgedAlerts(t.store, { now: new Date(fired + 16 * 60_000) })).escalated >= 1, true);
      const again = await ledgerSize(t.store);
      await escalateUnacknowledgedAlerts(t.store, { now: new Date(fired + 16 * 60_000) });
      assert.equal(await ledgerSize(t.store), again, 'the same level is never sent twice');
      assert.deepEqual((await eventsOf('escalation.sent', alertId)).map((e) => e.after.level).sort(), [1, 2]);
      const ack = await t.call(owner, 'POST', `/api/v1/alerts/${alertId}/acknowledge`, { rationale: 'on it' });
      assert.equal(ack.statusCode, 200, ack.body);
      await escalateUnacknowledgedAlerts(t.store, { now: new Date(fired + 5 * 3600_000) });
      assert.deepEqual((await eventsOf('escalation.sent', alertId)).map((e) => e.after.level).sort(), [1, 2]);
    });

    test('each level reaches a wider audience: the owner, then also the governance leads, then also the admins; the configured minutes set the timing', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id);
      const [alertId] = await send(system.id, 0.5);
      const fired = Date.parse((await alertOf(alertId)).firedAt);
      // The job's step at a given instant, with levels 2 and 3 as the configuration sets them.
      const escalationJob = (minutes: readonly [number, number], after: number) =>
        escalateUnacknowledgedAlerts(t.store, { now: new Date(fired + after * 60_000), escalationMinutes: minutes });
      const levels = async () =>
        (
          await t.store.db
            .selectFrom('escalations')
            .select(['level', 'recipients'])
            .where('item_id', '=', alertId)
            .orderBy('level')
            .execute()
        ).map((e) => [e.level, new Set(JSON.parse(e.recipients) as string[])] as const);
      await escalationJob(t.config.alertEscalationMinutes, 6);
      assert.deepEqual(
        (await levels()).map(([level]) => level),
        [1],
        'by default level 2 waits 15 minutes',
      );
      assert.deepEqual(t.config.alertEscalationMinutes, [15, 60], 'the defaults are unchanged');
      const configured = loadConfig({ PROOFLINE_ALERT_ESCALATION_MINUTES: '5,30' }).alertEscalationMinutes;
      await escalationJob(configured, 6);
      assert.equal((await levels()).length, 2, 'configured at 5 minutes, level 2 leaves; level 3 (30 minutes) does not');
      const [[, first], [, second]] = await levels();
      assert.deepEqual(first, new Set([owner.id]), 'level 1: the owner');
      const leads = await t.store.db
        .selectFrom('user_roles')
        .innerJoin('users', 'users.id', 'user_roles.user_id')
        .select(['user_roles.user_id', 'user_roles.role'])
        .where('user_roles.scope', 'in', ['', system.id])
        .where('users.status', '=', 'active')
        .execute();
      const holders = (role: string) => leads.filter((l) => l.role === role).map((l) => l.user_id);
      assert.ok(holders('governance_lead').includes(lead.id));
      assert.deepEqual(second, new Set([owner.id, ...holders('governance_lead')]), 'level 2: the owner and every governance lead');
      assert.ok(second.size > first.size, 'level 2 reaches more people than level 1');
      const mail = await t.store.db
        .selectFrom('notifications')
        .select('target')
        .where('kind', '=', 'escalation')
        .where('channel', '=', 'email')
        .where('subject', 'like', '%(level 2)%')
        .where('body', 'like', `%${alertId}%`)
        .execute();
      const emails = await t.store.db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('id', 'in', [...second])
        .execute();
      assert.deepEqual(new Set(mail.map((m) => m.target)), new Set(emails.map((e) => e.email)), 'an email each in the outbox');

      const admin = await t.user(['admin']);
      await escalationJob(loadConfig({ PROOFLINE_ALERT_ESCALATION_MINUTES: '5,6' }).alertEscalationMinutes, 6);
      const third = (await levels())[2]?.[1];
      assert.ok(third, 'level 3 leaves once its configured minutes have passed');
      assert.ok(third.has(admin.id) && third.has(lead.id) && third.has(owner.id), 'level 3: also the admins');
      assert.ok(third.size > second.size);
      assert.throws(() => loadConfig({ PROOFLINE_ALERT_ESCALATION_MINUTES: '60,15' }), /level2 <= level3/);
    });

    test('flapping is suppressed: a breach alerts only after holding for forEvaluations in a row; an open alert resolves after clearEvaluations clear ones', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id, { severity: 'low', forEvaluations: 2, clearEvaluations: 2 });
      assert.deepEqual(await send(system.id, 0.5), [], 'one breach is not enough');
      assert.deepEqual(await send(system.id, 0.01), []);
      assert.deepEqual(await send(system.id, 0.5), [], 'the streak starts again after a clear evaluation');
      const [alertId] = await send(system.id, 0.5);
      assert.ok(alertId, 'two breaches in a row raise it');
      await send(system.id, 0.01);
      assert.equal((await alertOf(alertId)).status, 'firing', 'one clear evaluation does not resolve it');
      await send(system.id, 0.01);
      assert.equal((await alertOf(alertId)).status, 'resolved');
      const resolved = await eventsOf('alert.resolved', alertId);
      assert.equal(resolved[0].data.automatic, true);
    });

    test('the evaluation job reads computed statistics: an impact ratio below 4/5 alerts with the groups as evidence; a second run at the same instant counts nothing', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const decisions = Array.from({ length: 120 }, (_, i) => ({
        decisionId: randomUUID(),
        systemId: system.id,
        decidedAt: '2026-11-27T10:00:00.000Z',
        inputDigest: 'a'.repeat(64),
        output: { approved: true },
        sex: i < 60 ? 'F' : 'M',
        selected: i < 60 ? i < 12 : i < 110,
      }));
      const recorded = await t.call(ingest, 'POST', '/api/v1/decisions/batch', {
        records: decisions.map(({ sex: _s, selected: _x, ...d }) => d),
      });
      assert.equal(recorded.statusCode, 200, recorded.body);
      const declared = await t.call(lead, 'PUT', `/api/v1/systems/${system.id}/fairness-attributes`, {
        attributes: [{ name: 'sex', values: ['F', 'M'], fairnessOnly: true }],
        rationale: 'Bias monitoring under our fairness policy',
      });
      assert.equal(declared.statusCode, 200, declared.body);
      const outcomes = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: decisions.map((d) => ({
          systemId: system.id,
          decisionId: d.decisionId,
          actual: 1,
          predicted: d.selected ? 1 : 0,
          knownAt: '2026-11-28T10:00:00.000Z',
          groups: { sex: d.sex },
        })),
      });
      assert.equal(outcomes.statusCode, 201, outcomes.body);
      const monitor = await monitorOn(system.id, {
        name: 'impact ratio',
        source: 'computed',
        metric: 'impact_ratio',
        group: 'sex',
        comparison: 'lt',
        threshold: 0.8,
        windowSeconds: 7 * 86400,
      });
      const now = new Date('2026-11-29T00:00:00.000Z');
      const run = await evaluateAllMonitors(t.store, { now });
      const alert = await t.store.db.selectFrom('alerts').selectAll().where('monitor_id', '=', monitor.id).executeTakeFirstOrThrow();
      assert.ok(run.fired.includes(alert.id));
      const evidence = JSON.parse(alert.evidence);
      assert.equal(evidence.value, 0.2 / (50 / 60));
      assert.deepEqual(evidence.lowestGroup, { sex: 'F' });
      assert.equal(evidence.groups.length, 2);
      assert.ok(alert.exception_id, 'high: an exception');
      const before = await ledgerSize(t.store);
      const again = await evaluateAllMonitors(t.store, { now });
      assert.ok(!again.fired.includes(alert.id));
      assert.equal(await ledgerSize(t.store), before, 'idempotent');
      const counted = await t.store.db
        .selectFrom('monitors')
        .select('breach_streak')
        .where('id', '=', monitor.id)
        .executeTakeFirstOrThrow();
      assert.equal(counted.breach_streak, 1);
    });

    test('a computed monitor on a model version reads only that version: its error rate alerts, the other version and the whole do not', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      const versions: string[] = [];
      for (const label of ['v1', 'v2']) {
        const reg = await t.callCurrent(lead, 'POST', `/api/v1/systems/${system.id}/model-versions`, {
          label,
          artifactSha256: (label === 'v1' ? 'd' : 'e').repeat(64),
        });
        assert.equal(reg.statusCode, 201, reg.body);
        versions.push(reg.json().id);
      }
      // v1: 40 decisions, all right; v2: 40, three in four wrong. The whole errs in 30 of 80.
      const decisions = Array.from({ length: 80 }, (_, i) => ({
        decisionId: randomUUID(),
        systemId: system.id,
        decidedAt: '2026-11-27T10:00:00.000Z',
        inputDigest: 'a'.repeat(64),
        output: { approved: true },
        modelVersionId: versions[i < 40 ? 0 : 1],
      }));
      const recorded = await t.call(ingest, 'POST', '/api/v1/decisions/batch', { records: decisions });
      assert.equal(recorded.statusCode, 200, recorded.body);
      const outcomes = await t.call(ingest, 'POST', '/api/v1/outcomes/batch', {
        records: decisions.map((d, i) => ({
          systemId: system.id,
          decisionId: d.decisionId,
          actual: 1,
          predicted: i < 40 || i % 4 === 0 ? 1 : 0,
          knownAt: '2026-11-28T10:00:00.000Z',
        })),
      });
      assert.equal(outcomes.statusCode, 201, outcomes.body);
      const errorRate = (name: string, modelVersionId?: string) =>
        monitorOn(system.id, {
          name,
          source: 'computed',
          metric: 'error_rate',
          comparison: 'gt',
          threshold: 0.5,
          windowSeconds: 7 * 86400,
          severity: 'medium',
          ...(modelVersionId ? { modelVersionId } : {}),
        });
      const onV1 = await errorRate('error rate v1', versions[0]);
      const onV2 = await errorRate('error rate v2', versions[1]);
      const whole = await errorRate('error rate');
      assert.equal(onV2.modelVersionId, versions[1]);
      await evaluateAllMonitors(t.store, { now: new Date('2026-11-29T00:00:00.000Z') });
      const alerts = await t.store.db
        .selectFrom('alerts')
        .select(['monitor_id', 'evidence'])
        .where('monitor_id', 'in', [onV1.id, onV2.id, whole.id])
        .execute();
      assert.deepEqual(
        alerts.map((a) => a.monitor_id),
        [onV2.id],
      );
      const evidence = JSON.parse(alerts[0].evidence);
      assert.equal(evidence.value, 30 / 40);
      assert.equal(evidence.n, 40);
      assert.equal(evidence.modelVersionId, versions[1]);
    });

    test('applying the defaults of a high-risk system adds impact ratio, PSI and error rate monitors, each a ledger event; applying again adds none', async () => {
      const { system, created } = await applyTierDefaults('high');
      assert.deepEqual(created.map((m) => [m.metric, m.comparison, m.threshold]).sort(), [
        ['error_rate', 'gt', 0.05],
        ['impact_ratio', 'lt', 0.8],
        ['psi', 'gt', 0.2],
      ]);
      for (const m of created) assert.equal((await eventsOf('monitor.created', m.id)).length, 1);
      const auditor = await t.user(['auditor']);
      const before = await ledgerSize(t.store);
      const again = await t.call(lead, 'POST', `/api/v1/systems/${system.id}/monitors/defaults`, { ownerId: owner.id, rationale: 'again' });
      assert.deepEqual(again.json().created, []);
      assert.equal(await ledgerSize(t.store), before);
      const refused = await t.call(auditor, 'POST', `/api/v1/systems/${system.id}/monitors/defaults`, {
        ownerId: owner.id,
        rationale: 'no',
      });
      assert.equal(refused.json().error.code, 'forbidden');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('a limited-risk system gets its own tier defaults: PSI above 0.25 and the error rate baseline plus 0.05, medium severity', async () => {
      const { tier, created } = await applyTierDefaults('limited');
      assert.equal(tier, 'limited');
      assert.deepEqual(created.map((m) => [m.metric, m.comparison, m.threshold, m.severity]).sort(), [
        ['error_rate', 'gt', 0.08, 'medium'],
        ['psi', 'gt', 0.25, 'medium'],
      ]);
      for (const m of created) assert.equal((await eventsOf('monitor.created', m.id)).length, 1);
    });

    test('pausing a system from an alert follows the oversight roster (not_on_roster, nothing written); an officer on it pauses, as alert.action_taken', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id);
      const [alertId] = await send(system.id, 0.9);
      const before = await ledgerSize(t.store);
      const refused = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/actions`, {
        action: 'pause',
        reason: 'error rate far above baseline',
      });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().error.code, 'not_on_roster');
      assert.equal(await ledgerSize(t.store), before);
      const enrolled = await t.call(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
        userId: officer.id,
        authorities: ['pause'],
        competence: 'Operations lead',
        training: 'AI oversight course 2026-01',
      });
      assert.equal(enrolled.statusCode, 201, enrolled.body);
      const paused = await t.call(officer, 'POST', `/api/v1/alerts/${alertId}/actions`, {
        action: 'pause',
        reason: 'error rate far above baseline',
      });
      assert.equal(paused.statusCode, 200, paused.body);
      assert.equal(paused.json().runtimeState, 'paused');
      const taken = await eventsOf('alert.action_taken', alertId);
      assert.equal(taken.length, 1);
      assert.equal(taken[0].data.action, 'pause');
      assert.equal((await eventsOf('oversight.paused', system.id)).length, 1);
    });

    test('restricting a system from an alert needs restrict authority on the roster and a condition; a restrict officer restricts, as alert.action_taken', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id);
      const [alertId] = await send(system.id, 0.9);
      const restrict = (who: TestUser, conditions?: Record<string, unknown>) =>
        t.call(who, 'POST', `/api/v1/alerts/${alertId}/actions`, {
          action: 'restrict',
          reason: 'error rate far above baseline',
          ...(conditions ? { conditions } : {}),
        });
      const pauser = await t.user(['oversight_officer']);
      const restrictor = await t.user(['oversight_officer']);
      for (const [who, authorities] of [
        [pauser, ['pause']],
        [restrictor, ['restrict']],
      ] as const) {
        const enrolled = await t.call(lead, 'POST', `/api/v1/systems/${system.id}/oversight/roster`, {
          userId: who.id,
          authorities,
          competence: 'Operations lead',
          training: 'AI oversight course 2026-01',
        });
        assert.equal(enrolled.statusCode, 201, enrolled.body);
      }
      const before = await ledgerSize(t.store);
      const notOnRoster = await restrict(lead, { maxAmount: 1000 });
      assert.equal(notOnRoster.statusCode, 403, notOnRoster.body);
      assert.equal(notOnRoster.json().error.code, 'not_on_roster');
      const noAuthority = await restrict(pauser, { maxAmount: 1000 });
      assert.equal(noAuthority.statusCode, 403, noAuthority.body);
      const noCondition = await restrict(restrictor);
      assert.equal(noCondition.statusCode, 400, noCondition.body);
      assert.equal(noCondition.json().error.code, 'validation_failed');
      assert.equal(await ledgerSize(t.store), before, 'a refused action writes nothing');

      const restricted = await restrict(restrictor, { maxAmount: 1000 });
      assert.equal(restricted.statusCode, 200, restricted.body);
      assert.equal(restricted.json().runtimeState, 'restricted');
      const taken = await eventsOf('alert.action_taken', alertId);
      assert.equal(taken.length, 1);
      assert.equal(taken[0].data.action, 'restrict');
      const [event] = await eventsOf('oversight.restricted', system.id);
      assert.deepEqual(event.after.conditions, { maxAmount: 1000 });
    });

    test('an incident opened from an alert is linked to it and raised by it; a resolved alert takes no action (invalid_transition)', async () => {
      const system = await buildSystem(t.store, { accountableOwnerId: owner.id });
      await monitorOn(system.id);
      const [alertId] = await send(system.id, 0.9);
      const res = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/actions`, {
        action: 'open_incident',
        reason: 'customers were refused credit in error',
      });
      assert.equal(res.statusCode, 200, res.body);
      const incident = await t.store.db
        .selectFrom('exceptions')
        .selectAll()
        .where('id', '=', res.json().incidentId)
        .executeTakeFirstOrThrow();
      assert.equal(incident.kind, 'incident');
      assert.equal(incident.raised_by_ref, alertId);
      assert.equal((await eventsOf('alert.action_taken', alertId))[0].data.incidentId, incident.id);
      await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/resolve`, { rationale: 'rolled back' });
      const before = await ledgerSize(t.store);
      const late = await t.call(lead, 'POST', `/api/v1/alerts/${alertId}/actions`, {
        action: 'open_incident',
        reason: 'too late for this',
      });
      assert.equal(late.json().error.code, 'invalid_transition');
      assert.equal(await ledgerSize(t.store), before);
    });

    test('an Alertmanager notification with one alert naming an unknown system is refused whole (alert_system_unknown); nothing is written', async () => {
      const system = await buildSystem(t.store);
      const before = await ledgerSize(t.store);
      const alert = (labels: Record<string, string>, fingerprint: string) => ({
        status: 'firing',
        labels: { alertname: 'X', ...labels },
        startsAt: '2026-11-30T10:00:00Z',
        fingerprint,
      });
      const res = await t.call(ingest, 'POST', '/api/v1/alerts/alertmanager', {
        version: '4',
        alerts: [alert({ proofline_system: system.id }, 'a1'), alert({ proofline_system: 'nope' }, 'a2'), alert({}, 'a3')],
      });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().error.code, 'alert_system_unknown');
      assert.deepEqual(
        res.json().error.details.unknown.map((u: { fingerprint: string }) => u.fingerprint),
        ['a2', 'a3'],
      );
      assert.equal(await ledgerSize(t.store), before);
      const ok = await t.call(ingest, 'POST', '/api/v1/alerts/alertmanager', { alerts: [alert({ proofline_system: system.name }, 'a1')] });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().fired.length, 1);
      const repeat = await t.call(ingest, 'POST', '/api/v1/alerts/alertmanager', {
        alerts: [alert({ proofline_system: system.id }, 'a1')],
      });
      assert.deepEqual(repeat.json().repeated, ok.json().fired, 'the same fingerprint counts on the open alert');
    });
  });
}
