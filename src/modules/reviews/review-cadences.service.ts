// How often each mandatory review kind recurs for a system: the organisation's default for the
// system's EU risk tier (configuration, PROOFLINE_REVIEW_CADENCES) unless the system has its own
// override (review_cadences, with a rationale). The scheduler reads the same function.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hasRole, type RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { MANDATORY_REVIEW_KINDS } from '../../governance/review-schedule.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';

export type MandatoryReviewKind = (typeof MANDATORY_REVIEW_KINDS)[number];
/** A system's override applies whatever its tier. */
const ANY_TIER = '*';
export const MAX_CADENCE_MONTHS = 60;

export interface Cadence {
  kind: MandatoryReviewKind;
  /** null: not scheduled. */
  months: number | null;
  source: 'default' | 'system';
  rationale: string | null;
}

/** Each mandatory kind's cadence for one system (its tier and overrides), in kind order. */
export async function systemCadences(
  db: Kysely<Database>,
  systemId: string,
  defaults: Readonly<Record<string, number>>,
): Promise<Cadence[]> {
  const system = await db.selectFrom('ai_systems').select(['eu_risk_tier']).where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('system', systemId);
  const overrides = await db
    .selectFrom('review_cadences')
    .select(['kind', 'interval_months', 'rationale'])
    .where('system_id', '=', systemId)
    .execute();
  return MANDATORY_REVIEW_KINDS.map((kind) => {
    const own = overrides.find((o) => o.kind === kind);
    if (own)
      return { kind, months: own.interval_months === 0 ? null : own.interval_months, source: 'system' as const, rationale: own.rationale };
    return { kind, months: defaults[`${kind}:${system.eu_risk_tier}`] ?? null, source: 'default' as const, rationale: null };
  });
}

/** Sets (or with `months: null`, removes) a system's own cadence for one kind; 0 months stops
 * scheduling that kind for the system. Governance leads and admins, with a rationale. */
export async function setReviewCadence(
  trx: Tx,
  {
    ctx,
    systemId,
    kind,
    months,
    rationale,
    defaults,
  }: {
    ctx: RequestContext;
    systemId: string;
    kind: MandatoryReviewKind;
    months: number | null;
    rationale: string;
    defaults: Readonly<Record<string, number>>;
  },
): Promise<Cadence[]> {
  if (!hasRole(ctx.actor, 'admin', 'governance_lead')) {
    throw new AppError('forbidden', "setting a system's review cadence needs the admin or governance_lead role", {
      required: ['admin', 'governance_lead'],
    });
  }
  if (!MANDATORY_REVIEW_KINDS.includes(kind)) {
    throw new AppError('validation_failed', `kind: one of ${MANDATORY_REVIEW_KINDS.join(', ')}`, { field: 'kind' });
  }
  if (months !== null && (!Number.isInteger(months) || months < 0 || months > MAX_CADENCE_MONTHS)) {
    throw new AppError('validation_failed', `months: a whole number from 0 to ${MAX_CADENCE_MONTHS}`, { field: 'months' });
  }
  const why = requireRationale(rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const before = await systemCadences(trx, systemId, defaults);
  await trx.deleteFrom('review_cadences').where('system_id', '=', systemId).where('kind', '=', kind).execute();
  if (months !== null) {
    await trx
      .insertInto('review_cadences')
      .values({
        id: randomUUID(),
        kind,
        eu_risk_tier: ANY_TIER,
        system_id: systemId,
        interval_months: months,
        rationale: why,
        updated_at: new Date().toISOString(),
      })
      .execute();
  }
  const after = await systemCadences(trx, systemId, defaults);
  await appendEvent(trx, ctx, {
    type: 'review.cadence_set',
    subject: { type: 'system', id: systemId },
    before: before.find((c) => c.kind === kind),
    after: after.find((c) => c.kind === kind),
    reason: why,
    data: { systemId },
  });
  return after;
}
