// Changing a monitor's rule in place (its name, aggregation, comparison, threshold, window, severity,
// owner), with a reason, guarded by the version the editor read. The metric and the system stay: a
// monitor on another metric is another monitor.
import type { Updateable } from 'kysely';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { findMonitor, mayEditMonitors, presentMonitor, requireRationale } from './alerts.service.js';
import type { Aggregation, AlertSeverity, Comparison, MonitorsTable } from './alerts.tables.js';

export interface MonitorChanges {
  name?: string;
  aggregation?: Aggregation;
  comparison?: Comparison;
  threshold?: number;
  windowSeconds?: number;
  severity?: AlertSeverity;
  ownerId?: string;
}

export async function updateMonitor(
  trx: Tx,
  {
    ctx,
    monitorId,
    expectedVersion,
    changes,
    rationale,
  }: { ctx: RequestContext; monitorId: string; expectedVersion: number; changes: MonitorChanges; rationale: string },
) {
  const why = requireRationale(rationale);
  const before = await findMonitor(trx, monitorId);
  if (!mayEditMonitors(ctx, before.system_id)) {
    throw new AppError('forbidden', "only an admin, the governance lead or the system's owner sets its monitors");
  }
  if (Number(before.version) !== expectedVersion) {
    throw new AppError('version_conflict', `the monitor is at version ${before.version}, not ${expectedVersion}; reload and retry`, {
      current: Number(before.version),
    });
  }
  if (before.enabled !== 1) throw new AppError('invalid_transition', 'the monitor is disabled; set a new one instead');
  if (changes.name !== undefined && changes.name.trim() === '')
    throw new AppError('validation_failed', 'name: give it a name', { field: 'name' });
  if (changes.threshold !== undefined && !Number.isFinite(changes.threshold)) {
    throw new AppError('validation_failed', 'threshold: must be a number', { field: 'threshold' });
  }
  if (changes.ownerId !== undefined) {
    const owner = await trx.selectFrom('users').select('id').where('id', '=', changes.ownerId).executeTakeFirst();
    if (!owner) throw notFound('user', changes.ownerId);
  }
  const set: Updateable<MonitorsTable> = {
    ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
    ...(changes.aggregation !== undefined ? { aggregation: changes.aggregation } : {}),
    ...(changes.comparison !== undefined ? { comparison: changes.comparison } : {}),
    ...(changes.threshold !== undefined ? { threshold: changes.threshold } : {}),
    ...(changes.windowSeconds !== undefined ? { window_seconds: changes.windowSeconds } : {}),
    ...(changes.severity !== undefined ? { severity: changes.severity } : {}),
    ...(changes.ownerId !== undefined ? { owner_id: changes.ownerId } : {}),
  };
  if (Object.keys(set).length === 0) throw new AppError('validation_failed', 'nothing to change', { field: 'body' });
  // The version in the WHERE as well: two editors who read the same version cannot both win.
  const result = await trx
    .updateTable('monitors')
    .set((eb) => ({ ...set, updated_at: new Date().toISOString(), version: eb('version', '+', 1) }))
    .where('id', '=', monitorId)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) {
    throw new AppError('version_conflict', 'the monitor changed meanwhile; reload and retry', { current: Number(before.version) + 1 });
  }
  const after = await findMonitor(trx, monitorId);
  await appendEvent(trx, ctx, {
    type: 'monitor.updated',
    subject: { type: 'monitor', id: monitorId },
    before: presentMonitor(before),
    after: presentMonitor(after),
    data: { systemId: before.system_id, rationale: why },
  });
  return after;
}
