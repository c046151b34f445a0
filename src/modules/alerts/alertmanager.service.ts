// The Alertmanager intake: a Prometheus Alertmanager webhook notification becomes Proofline alerts
// on the system its `proofline_system` label names (the system's id or its exact name). A firing
// alert opens one Proofline alert per Alertmanager fingerprint (repeats count on it), a resolved
// one resolves it. A notification naming an unknown system, or none, is refused whole
// (`alert_system_unknown`): nothing is written, and Alertmanager does not retry a 4xx.
import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import { type RequestContext, systemContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { resolveAlert } from './alerts.service.js';
import type { AlertSeverity, AlertsTable } from './alerts.tables.js';

export const SYSTEM_LABEL = 'proofline_system';

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint: string;
}

export interface AlertmanagerNotification {
  version?: string;
  groupKey?: string;
  status?: string;
  receiver?: string;
  externalURL?: string;
  alerts: AlertmanagerAlert[];
}

export interface AlertmanagerReceipt {
  /** Proofline alerts opened by this notification. */
  fired: string[];
  /** Open alerts a repeat of their fingerprint counted on. */
  repeated: string[];
  resolved: string[];
}

/** Alertmanager's severity label, read into Proofline's four levels; anything else is medium. */
export function severityOf(labels: Record<string, string>): AlertSeverity {
  switch ((labels.severity ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
      return 'critical';
    case 'high':
    case 'error':
      return 'high';
    case 'low':
    case 'info':
    case 'none':
      return 'low';
    default:
      return 'medium';
  }
}

async function systemsNamed(trx: Tx, alerts: AlertmanagerAlert[]): Promise<Map<string, string>> {
  const wanted = [...new Set(alerts.map((a) => a.labels[SYSTEM_LABEL]).filter((v): v is string => typeof v === 'string' && v !== ''))];
  const found = new Map<string, string>();
  if (wanted.length === 0) return found;
  const rows = await trx
    .selectFrom('ai_systems')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', 'in', wanted), eb('name', 'in', wanted)]))
    .execute();
  for (const row of rows) {
    found.set(row.name, row.id);
    found.set(row.id, row.id);
  }
  return found;
}

/** Records one webhook notification. Refused whole when an alert names no known system. */
export async function receiveAlertmanagerNotification(
  trx: Tx,
  { ctx, notification, now = new Date() }: { ctx: RequestContext; notification: AlertmanagerNotification; now?: Date },
): Promise<AlertmanagerReceipt> {
  const systems = await systemsNamed(trx, notification.alerts);
  const unknown = notification.alerts.filter((a) => !systems.has(a.labels[SYSTEM_LABEL] ?? ''));
  if (unknown.length > 0) {
    throw new AppError(
      'alert_system_unknown',
      `${unknown.length} of the notification's alerts name no known AI system in their ${SYSTEM_LABEL} label; nothing was recorded`,
      {
        field: `alerts.labels.${SYSTEM_LABEL}`,
        unknown: unknown
          .slice(0, 50)
          .map((a) => ({ fingerprint: a.fingerprint, system: a.labels[SYSTEM_LABEL] ?? null, alertname: a.labels.alertname ?? null })),
      },
    );
  }
  const receipt: AlertmanagerReceipt = { fired: [], repeated: [], resolved: [] };
  const at = now.toISOString();
  for (const alert of notification.alerts) {
    const systemId = systems.get(alert.labels[SYSTEM_LABEL]) as string;
    const open = await trx
      .selectFrom('alerts')
      .select(['id', 'fire_count'])
      .where('external_key', '=', alert.fingerprint)
      .where('system_id', '=', systemId)
      .where('status', 'in', ['firing', 'acknowledged'])
      .executeTakeFirst();
    if (alert.status === 'resolved') {
      if (!open) continue; // resolved already, or never seen firing: nothing to do
      await resolveAlert(trx, {
        ctx: systemContext('alertmanager', ctx.policies),
        alertId: open.id,
        rationale: `Alertmanager reported it resolved${alert.endsAt ? ` at ${alert.endsAt}` : ''}`,
      });
      receipt.resolved.push(open.id);
      continue;
    }
    if (open) {
      await trx
        .updateTable('alerts')
        .set({ fire_count: open.fire_count + 1, last_fired_at: at })
        .where('id', '=', open.id)
        .execute();
      receipt.repeated.push(open.id);
      continue;
    }
    const severity = severityOf(alert.labels);
    const name = alert.labels.alertname ?? 'alert';
    const summary = alert.annotations?.summary ?? alert.annotations?.description ?? '';
    const evidence = {
      source: 'alertmanager',
      fingerprint: alert.fingerprint,
      startsAt: alert.startsAt,
      generatorURL: alert.generatorURL ?? null,
      externalURL: notification.externalURL ?? null,
      receiver: notification.receiver ?? null,
    };
    const row: Insertable<AlertsTable> = {
      id: randomUUID(),
      system_id: systemId,
      monitor_id: null,
      external_key: alert.fingerprint,
      title: (summary ? `${name}: ${summary}` : name).slice(0, 500),
      severity,
      status: 'firing',
      evidence: JSON.stringify(evidence),
      fire_count: 1,
      fired_at: at,
      last_fired_at: at,
      acknowledged_at: null,
      acknowledged_by: null,
      ack_rationale: null,
      resolved_at: null,
      exception_id: null,
      labels: JSON.stringify({ labels: alert.labels, annotations: alert.annotations ?? {} }),
    };
    await trx.insertInto('alerts').values(row).execute();
    await appendEvent(trx, ctx, {
      type: 'alert.fired',
      subject: { type: 'alert', id: row.id },
      data: { systemId, monitorId: null, severity, evidence, labels: alert.labels },
    });
    receipt.fired.push(row.id);
  }
  return receipt;
}
