// Drift of a system's scores between a reference (a window, or a frozen baseline) and a current
// window. Scores are the one numeric feature Proofline holds for every labelled decision; the
// statistics come from src/monitoring/stats/drift.ts.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { freezeNumericBaseline, type NumericDrift, numericDrift, numericDriftFromBaseline } from '../../monitoring/stats/drift.js';
import type { Window } from './reports.service.js';

export const DRIFT_FEATURES = ['score'] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

async function requireSystem(trx: Tx, systemId: string) {
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
}

async function scores(trx: Tx, systemId: string, window: Window): Promise<Float64Array> {
  const rows = await trx
    .selectFrom('decision_outcomes')
    .select('score')
    .where('system_id', '=', systemId)
    .where('score', 'is not', null)
    .$if(window.from !== undefined, (q) => q.where('decided_at', '>=', window.from as string))
    .$if(window.to !== undefined, (q) => q.where('decided_at', '<', window.to as string))
    .execute();
  return Float64Array.from(rows, (r) => Number(r.score));
}

export interface BaselineView {
  id: string;
  systemId: string;
  feature: DriftFeature;
  edges: number[];
  counts: number[];
  window: Window;
  frozenAt: string;
}

/** Freezes the reference window's bins and counts; drift against it never reads raw data again. */
export async function freezeBaseline(
  trx: Tx,
  { ctx, systemId, feature, window }: { ctx: RequestContext; systemId: string; feature: DriftFeature; window: Window },
): Promise<BaselineView> {
  await requireSystem(trx, systemId);
  const values = await scores(trx, systemId, window);
  if (values.length === 0) throw new AppError('validation_failed', 'the reference window holds no scored decisions', { field: 'from' });
  const sketch = freezeNumericBaseline(values);
  const id = randomUUID();
  const frozenAt = new Date().toISOString();
  await trx
    .insertInto('monitoring_baselines')
    .values({
      id,
      system_id: systemId,
      feature,
      edges: JSON.stringify(sketch.edges),
      counts: JSON.stringify(sketch.counts),
      window_from: window.from ?? null,
      window_to: window.to ?? null,
      frozen_by: ctx.actor.userId,
      frozen_at: frozenAt,
    })
    .execute();
  const view = { id, systemId, feature, edges: sketch.edges, counts: sketch.counts, window, frozenAt };
  await appendEvent(trx, ctx, { type: 'monitoring.baseline_frozen', subject: { type: 'ai_system', id: systemId }, after: view });
  return view;
}

/** Drift of the current window against a reference window or a frozen baseline of this system. */
export async function systemDrift(
  trx: Tx,
  {
    systemId,
    feature,
    reference,
    baselineId,
    current,
    minCount,
  }: { systemId: string; feature: DriftFeature; reference?: Window; baselineId?: string; current: Window; minCount?: number },
): Promise<NumericDrift & { feature: DriftFeature; baselineId: string | null }> {
  await requireSystem(trx, systemId);
  const values = await scores(trx, systemId, current);
  if (baselineId !== undefined) {
    const baseline = await trx
      .selectFrom('monitoring_baselines')
      .select(['edges', 'counts', 'feature'])
      .where('id', '=', baselineId)
      .where('system_id', '=', systemId)
      .executeTakeFirst();
    if (!baseline || baseline.feature !== feature) throw notFound('baseline', baselineId);
    const sketch = { edges: JSON.parse(baseline.edges) as number[], counts: JSON.parse(baseline.counts) as number[] };
    return { feature, baselineId, ...numericDriftFromBaseline(sketch, values, { minCount }) };
  }
  if (!reference)
    throw new AppError('validation_failed', 'give a reference window (referenceFrom, referenceTo) or a baselineId', {
      field: 'baselineId',
    });
  return { feature, baselineId: null, ...numericDrift(await scores(trx, systemId, reference), values, { minCount }) };
}
