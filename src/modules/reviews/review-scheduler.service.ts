// The scheduler's use case: for every system in use, each mandatory kind whose cadence has a
// period that ended and has no review yet gets one, due `dueDays` after the period ends. One review
// per system, kind and period: the check here, and the unique index (reviews_period_uq) when two
// instances race. People: the accountable owner (else a phase owner) prepares; two active global
// governance leads sign, the first one independent of the system's owners (assertSignatories).
import type { Kysely } from 'kysely';
import { systemContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import { lastCompletedPeriod } from '../../governance/review-schedule.js';
import { systemCadences } from './review-cadences.service.js';
import { createReview } from './reviews.service.js';

/** The statuses of a system in use: reviewed on its cadence. */
export const REVIEWED_STATUSES = ['approved_for_use', 'in_production', 'restricted', 'paused'] as const;
const BATCH = 500;

async function ownersOf(db: Kysely<Database>, systemId: string, accountable: string | null) {
  const phase = await db.selectFrom('system_phase_owners').select('user_id').where('system_id', '=', systemId).orderBy('user_id').execute();
  return {
    accountable,
    all: new Set([...(accountable ? [accountable] : []), ...phase.map((p) => p.user_id)]),
    phase: phase.map((p) => p.user_id),
  };
}

async function activeLeads(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select('users.id')
    .where('user_roles.role', '=', 'governance_lead')
    .where('user_roles.scope', '=', '')
    .where('users.status', '=', 'active')
    .orderBy('users.id')
    .execute();
  return [...new Set(rows.map((r) => r.id))];
}

export interface ScheduleResult {
  created: number;
  /** (system, kind) pairs due a review that nobody could be named for (no owner, or too few leads). */
  unassigned: Array<{ systemId: string; kind: string }>;
}

export async function scheduleDueReviews(
  store: Store,
  { now = new Date(), cadences, dueDays }: { now?: Date; cadences: Readonly<Record<string, number>>; dueDays: number },
): Promise<ScheduleResult> {
  const ctx = systemContext('job:schedule-reviews');
  const leads = await activeLeads(store.db);
  const result: ScheduleResult = { created: 0, unassigned: [] };
  let after = '';
  for (;;) {
    const systems = await store.db
      .selectFrom('ai_systems')
      .select(['id', 'accountable_owner_id', 'created_at'])
      .where('status', 'in', [...REVIEWED_STATUSES])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (systems.length === 0) break;
    after = systems[systems.length - 1].id;
    for (const system of systems) {
      for (const cadence of await systemCadences(store.db, system.id, cadences)) {
        if (cadence.months === null) continue;
        const period = lastCompletedPeriod(now, cadence.months);
        if (system.created_at >= period.to) continue;
        const existing = await store.db
          .selectFrom('reviews')
          .select('id')
          .where('system_id', '=', system.id)
          .where('kind', '=', cadence.kind)
          .where('period_from', '=', period.from)
          .where('scheduled', '=', 1)
          .executeTakeFirst();
        if (existing) continue;
        const owners = await ownersOf(store.db, system.id, system.accountable_owner_id);
        const preparerId = owners.accountable ?? owners.phase[0];
        const signers = [...leads.filter((l) => !owners.all.has(l)), ...leads.filter((l) => owners.all.has(l))].filter(
          (l) => l !== preparerId,
        );
        if (!preparerId || signers.length < 2) {
          result.unassigned.push({ systemId: system.id, kind: cadence.kind });
          continue;
        }
        await store.transact((trx) =>
          createReview(trx, {
            ctx,
            scheduled: true,
            review: {
              systemId: system.id,
              kind: cadence.kind,
              periodFrom: period.from,
              periodTo: period.to,
              dueAt: new Date(Date.parse(period.to) + dueDays * 86_400_000).toISOString(),
              preparerId,
              reviewerId: signers[0],
              secondSignatoryId: signers[1],
            },
          }),
        );
        result.created += 1;
      }
    }
  }
  return result;
}
