// What an alert sets in motion beyond the alerts feature: a firing alert of severity high or above
// opens an exception (raised by: monitoring alert) assigned to the system's accountable owner, and
// escalates by email and signed webhook (the exceptions' escalation, on faster levels) until
// someone acknowledges it; one action from an alert pauses or restricts the system (the oversight
// roster decides who may) or opens an incident. Every step is a ledger event in the caller's
// transaction.
import type { Selectable } from 'kysely';
import { DEFAULT_ALERT_ESCALATION_MINUTES } from '../config.js';
import { type RequestContext, systemContext } from '../context.js';
import type { Store, Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { appendEvent } from '../ledger/ledger.service.js';
import {
  type AlertmanagerNotification,
  type AlertmanagerReceipt,
  receiveAlertmanagerNotification,
} from '../modules/alerts/alertmanager.service.js';
import { attachException, findAlert, ingestMetricPoints, type PointsReceipt, presentAlert } from '../modules/alerts/alerts.service.js';
import type { AlertsTable } from '../modules/alerts/alerts.tables.js';
import { type EscalationAudience, escalateOne } from '../modules/exceptions/escalation.service.js';
import { openException } from '../modules/exceptions/exceptions.service.js';
import { openIncident } from '../modules/exceptions/incidents.service.js';
import { pauseSystem, restrictSystem } from '../modules/oversight/oversight.service.js';
import { requireRationale } from '../rationale.js';

/** Severities that open an exception and escalate until acknowledged. */
export const ESCALATING_SEVERITIES: ReadonlyArray<AlertsTable['severity']> = ['high', 'critical'];

/** An unacknowledged alert's escalation, counted from when it fired, each level wider than the
 * one before: at once to the exception's owner (the system's accountable owner, else the monitor's
 * owner); then (15 minutes by default) also the system's accountable owner and the governance
 * leads; then (an hour) also the admins. Levels 2 and 3 are configuration
 * (PROOFLINE_ALERT_ESCALATION_MINUTES). */
export type AlertEscalationLevel = { level: number; afterMs: number; audience: EscalationAudience };

/** The three levels with levels 2 and 3 after these minutes. */
export function alertEscalationLevels(minutes: readonly [number, number] = DEFAULT_ALERT_ESCALATION_MINUTES): AlertEscalationLevel[] {
  return [
    { level: 1, afterMs: 0, audience: 'owner' },
    { level: 2, afterMs: minutes[0] * 60_000, audience: 'owner_and_leads' },
    { level: 3, afterMs: minutes[1] * 60_000, audience: 'leads_and_admins' },
  ];
}

export const ALERT_ESCALATION_LEVELS: ReadonlyArray<AlertEscalationLevel> = alertEscalationLevels();

/** Who owns what an alert opens: the system's accountable owner, else the monitor's owner. */
async function ownerFor(trx: Tx, alert: Selectable<AlertsTable>): Promise<string | null> {
  const system = await trx.selectFrom('ai_systems').select('accountable_owner_id').where('id', '=', alert.system_id).executeTakeFirst();
  if (system?.accountable_owner_id) return system.accountable_owner_id;
  if (!alert.monitor_id) return null;
  const monitor = await trx.selectFrom('monitors').select('owner_id').where('id', '=', alert.monitor_id).executeTakeFirst();
  return monitor?.owner_id ?? null;
}

async function escalateAlert(
  trx: Tx,
  alert: Selectable<AlertsTable>,
  ownerId: string,
  now: Date,
  levels: ReadonlyArray<AlertEscalationLevel> = ALERT_ESCALATION_LEVELS,
): Promise<number> {
  if (!alert.exception_id || alert.status !== 'firing') return 0;
  let sent = 0;
  for (const level of levels) {
    if (Date.parse(alert.fired_at) + level.afterMs > now.getTime()) break;
    const item = {
      itemType: 'alert' as const,
      itemId: alert.id,
      exceptionId: alert.exception_id,
      systemId: alert.system_id,
      title: alert.title,
      ownerId,
      dueAt: alert.fired_at,
      headline: `Unacknowledged ${alert.severity} alert`,
    };
    if (await escalateOne(trx, item, level, now.toISOString(), levels.length)) sent += 1;
  }
  return sent;
}

/** For each new alert of severity high or above: its exception, and the first escalation at once. */
export async function respondToAlerts(
  trx: Tx,
  { ctx, alertIds, now = new Date() }: { ctx: RequestContext; alertIds: string[]; now?: Date },
) {
  const opened: string[] = [];
  const raisedBy = systemContext('monitoring-alert', ctx.policies);
  for (const alertId of alertIds) {
    const alert = await findAlert(trx, alertId);
    if (!ESCALATING_SEVERITIES.includes(alert.severity) || alert.exception_id || alert.status !== 'firing') continue;
    const ownerId = await ownerFor(trx, alert);
    if (!ownerId) continue; // no one to assign: the alert stays visible on the system's alert list
    const evidence = JSON.parse(alert.evidence) as Record<string, unknown>;
    const exception = await openException(trx, {
      ctx: raisedBy,
      rationaleComposed: true,
      input: {
        systemId: alert.system_id,
        kind: 'control_failure',
        title: `Monitoring alert: ${alert.title}`.slice(0, 500),
        description: `Raised by a monitoring alert (${alert.severity}). Values that caused it: ${JSON.stringify(evidence)}`,
        severity: alert.severity,
        detectedAt: alert.fired_at,
        raisedBy: { type: 'alert', ref: alert.id },
        ownerId,
        resolverId: ownerId,
        links: [{ type: 'alert', id: alert.id }, ...(alert.monitor_id ? [{ type: 'monitor', id: alert.monitor_id }] : [])],
      },
    });
    await attachException(trx, { alertId, exceptionId: exception.id });
    await escalateAlert(trx, { ...alert, exception_id: exception.id }, ownerId, now);
    opened.push(exception.id);
  }
  return opened;
}

/** The metric points ingest, with the response to the alerts it raised. */
export async function recordMetricPoints(
  trx: Tx,
  { ctx, points, now = new Date() }: { ctx: RequestContext; points: unknown[]; now?: Date },
): Promise<PointsReceipt> {
  const receipt = await ingestMetricPoints(trx, { ctx, points, now });
  await respondToAlerts(trx, { ctx, alertIds: receipt.alertsFired, now });
  return receipt;
}

/** The Alertmanager intake, with the response to the alerts it opened. */
export async function recordAlertmanagerNotification(
  trx: Tx,
  { ctx, notification, now = new Date() }: { ctx: RequestContext; notification: AlertmanagerNotification; now?: Date },
): Promise<AlertmanagerReceipt> {
  const receipt = await receiveAlertmanagerNotification(trx, { ctx, notification, now });
  await respondToAlerts(trx, { ctx, alertIds: receipt.fired, now });
  return receipt;
}

/** The escalation job: every level reached by a firing (unacknowledged) alert with an exception,
 * each sent once. An acknowledged or resolved alert escalates no further. */
export async function escalateUnacknowledgedAlerts(
  store: Store,
  { now = new Date(), escalationMinutes }: { now?: Date; escalationMinutes?: readonly [number, number] } = {},
) {
  const levels = escalationMinutes ? alertEscalationLevels(escalationMinutes) : ALERT_ESCALATION_LEVELS;
  const firing = await store.db
    .selectFrom('alerts')
    .selectAll()
    .where('status', '=', 'firing')
    .where('exception_id', 'is not', null)
    .execute();
  let escalated = 0;
  for (const alert of firing) {
    escalated += await store.transact(async (trx) => {
      const current = await findAlert(trx, alert.id);
      const ownerId = current.exception_id
        ? ((await trx.selectFrom('exceptions').select('owner_id').where('id', '=', current.exception_id).executeTakeFirst())?.owner_id ??
          null)
        : null;
      return ownerId ? escalateAlert(trx, current, ownerId, now, levels) : 0;
    });
  }
  return { escalated };
}

export const ALERT_ACTIONS = ['pause', 'restrict', 'open_incident'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** One action from an alert. Pause and restrict go through the oversight roster's rules (its
 * `not_on_roster` and `forbidden` answers); an incident is opened on the alert's system, linked to
 * it, owned by the system's accountable owner. A resolved alert takes no action. */
export async function actOnAlert(
  trx: Tx,
  {
    ctx,
    alertId,
    action,
    reason: written,
    conditions,
  }: { ctx: RequestContext; alertId: string; action: AlertAction; reason: string; conditions?: Record<string, unknown> },
) {
  const reason = requireRationale(written, { field: 'reason', minimum: ctx.policies.minRationaleLength });
  const alert = await findAlert(trx, alertId);
  if (alert.status === 'resolved') throw new AppError('invalid_transition', 'the alert is resolved; act on the system directly');
  const why = `Alert ${alert.id} (${alert.title}): ${reason}`;
  let result: Record<string, unknown>;
  if (action === 'pause') {
    const runtime = await pauseSystem(trx, { ctx, systemId: alert.system_id, reason: why });
    result = { runtimeState: runtime.state, runtimeVersion: runtime.version };
  } else if (action === 'restrict') {
    const runtime = await restrictSystem(trx, { ctx, systemId: alert.system_id, reason: why, conditions: conditions ?? {} });
    result = { runtimeState: runtime.state, runtimeVersion: runtime.version };
  } else {
    const ownerId = (await ownerFor(trx, alert)) ?? ctx.actor.userId;
    if (!ownerId) throw new AppError('validation_failed', 'the system has no accountable owner to own the incident', { field: 'action' });
    const incident = await openIncident(trx, {
      ctx,
      input: {
        systemId: alert.system_id,
        title: `Incident from alert: ${alert.title}`.slice(0, 500),
        description: `${reason}\nValues that caused the alert: ${alert.evidence}`,
        severity: alert.severity,
        raisedBy: { type: 'alert', ref: alert.id },
        ownerId,
        resolverId: ownerId,
        links: [{ type: 'alert', id: alert.id }],
        incident: {},
      },
    });
    result = { incidentId: incident.id };
  }
  await appendEvent(trx, ctx, {
    type: 'alert.action_taken',
    subject: { type: 'alert', id: alert.id },
    reason,
    data: { systemId: alert.system_id, action, ...result },
  });
  return { alert: presentAlert(await findAlert(trx, alertId)), action, ...result };
}
