// The periodic jobs of the server process. Each feature adds its jobs here.

import { systemContext } from '../context.js';
import { checkpointIfGrown } from '../ledger/checkpoints.service.js';
import { escalateOverdue } from '../modules/exceptions/escalation.service.js';
import { scheduleDueReviews } from '../modules/reviews/review-scheduler.service.js';
import { deliverDueNotifications } from '../notifications/notifications.service.js';
import type { AppDeps } from '../server/http.js';
import { escalateUnacknowledgedAlerts } from '../workflows/alert-response.js';
import { escalateOverdueApprovals } from '../workflows/emergency-change.js';
import { evaluateAllMonitors } from '../workflows/monitor-evaluation.js';
import { escalateOverdueReviews } from '../workflows/overdue-reviews.js';
import type { Job } from './scheduler.js';

export function serverJobs(deps: AppDeps): Job[] {
  const { signer, mailer, policies } = deps.services;
  return [
    {
      name: 'ledger-checkpoint',
      // 0 turns periodic checkpoints off (the scheduler skips intervals <= 0).
      intervalMs: deps.config.checkpointIntervalSeconds * 1000,
      run: () => checkpointIfGrown(deps.store, signer),
    },
    {
      name: 'deliver-notifications',
      intervalMs: 2_000,
      run: () => deliverDueNotifications(deps.store, { mailer, from: deps.config.mailFrom }),
    },
    {
      name: 'escalate-overdue-approvals',
      intervalMs: 60_000,
      run: () =>
        deps.store.transact((trx) =>
          escalateOverdueApprovals(trx, { ctx: systemContext('job:escalate-overdue-approvals', policies), now: new Date() }),
        ),
    },
    { name: 'escalate-overdue', intervalMs: 60_000, run: () => escalateOverdue(deps.store, { now: new Date() }) },
    // Every enabled monitor, once a minute; a run counts each window once (idempotent).
    { name: 'evaluate-monitors', intervalMs: 60_000, run: () => evaluateAllMonitors(deps.store, { now: new Date(), policies }) },
    // Firing alerts of severity high or above escalate until acknowledged (levels in minutes).
    {
      name: 'escalate-unacknowledged-alerts',
      intervalMs: 30_000,
      run: () => escalateUnacknowledgedAlerts(deps.store, { now: new Date(), escalationMinutes: deps.config.alertEscalationMinutes }),
    },
    {
      name: 'schedule-reviews',
      intervalMs: 3_600_000,
      run: () =>
        scheduleDueReviews(deps.store, { now: new Date(), cadences: deps.config.reviewCadences, dueDays: deps.config.reviewDueDays }),
    },
    {
      name: 'escalate-overdue-reviews',
      intervalMs: 60_000,
      run: () => escalateOverdueReviews(deps.store, { now: new Date(), escalationHours: deps.config.reviewEscalationHours }),
    },
    // Shared rate-limit hits past every window (PostgreSQL; SQLite limits in memory).
    { name: 'sweep-rate-limits', intervalMs: 60_000, run: async () => deps.services.rateLimits?.sweep() },
  ];
}
