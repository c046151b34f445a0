// Drift of one of a system's features between a reference (a window, or a frozen baseline) and a
// current window. The feature is `score` (the outcome's score, held for every labelled decision) or
// one the system declares (numeric or categorical; the values come with its decision records). The
// declarations and values are the decisions feature's tables (`feature_declarations`,
// `decision_features`), read here directly, as a report reads what another feature wrote; the
// statistics come from src/monitoring/stats/drift.ts.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import {
  type CategoricalDrift,
  categoricalDrift,
  freezeNumericBaseline,
  type NumericDrift,
  numericDrift,
  numericDriftFromBaseline,
} from '../../monitoring/stats/drift.js';
import type { CategoricalSketch, NumericSketch } from '../../monitoring/stats/sketches.js';
import type { Window } from './reports.service.js';

/** The feature every system has: its outcomes' scores. */
export const SCORE_FEATURE = 'score';

export type FeatureKind = 'numeric' | 'categorical';

interface Feature {
  name: string;
  kind: FeatureKind;
}

type Reader = Pick<Tx, 'selectFrom'>;

async function requireSystem(db: Reader, systemId: string) {
  const system = await db.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
}

/** `score`, or a feature the system declares; anything else is refused as not found. */
export async function resolveFeature(db: Reader, systemId: string, name: string): Promise<Feature> {
  if (name === SCORE_FEATURE) return { name, kind: 'numeric' };
  const row = await db.selectFrom('feature_declarations').select('features').where('system_id', '=', systemId).executeTakeFirst();
  const declared = row ? (JSON.parse(row.features) as Feature[]).find((f) => f.name === name) : undefined;
  if (!declared) {
    throw new AppError('not_found', `feature ${name} is not declared for system ${systemId}: name "score" or a declared feature`, {
      resource: 'feature',
      id: name,
      field: 'feature',
    });
  }
  return { name, kind: declared.kind };
}

async function numericValues(db: Reader, systemId: string, feature: Feature, window: Window): Promise<Float64Array> {
  if (feature.name === SCORE_FEATURE) {
    const rows = await db
      .selectFrom('decision_outcomes')
      .select('score')
      .where('system_id', '=', systemId)
      .where('score', 'is not', null)
      .$if(window.from !== undefined, (q) => q.where('decided_at', '>=', window.from as string))
      .$if(window.to !== undefined, (q) => q.where('decided_at', '<', window.to as string))
      .execute();
    return Float64Array.from(rows, (r) => Number(r.score));
  }
  const rows = await db
    .selectFrom('decision_features')
    .select('num_value')
    .where('system_id', '=', systemId)
    .where('feature', '=', feature.name)
    .where('num_value', 'is not', null)
    .$if(window.from !== undefined, (q) => q.where('decided_at', '>=', window.from as string))
    .$if(window.to !== undefined, (q) => q.where('decided_at', '<', window.to as string))
    .execute();
  return Float64Array.from(rows, (r) => Number(r.num_value));
}

async function categoryCounts(db: Reader, systemId: string, feature: Feature, window: Window): Promise<CategoricalSketch> {
  const rows = await db
    .selectFrom('decision_features')
    .select(['category', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('system_id', '=', systemId)
    .where('feature', '=', feature.name)
    .where('category', 'is not', null)
    .$if(window.from !== undefined, (q) => q.where('decided_at', '>=', window.from as string))
    .$if(window.to !== undefined, (q) => q.where('decided_at', '<', window.to as string))
    .groupBy('category')
    .execute();
  // fromEntries defines own properties: a category named like an Object.prototype key stays a category.
  return Object.fromEntries(rows.map((r) => [r.category as string, Number(r.n)]));
}

export interface BaselineView {
  id: string;
  systemId: string;
  feature: string;
  kind: FeatureKind;
  edges: number[];
  counts: number[];
  categories: CategoricalSketch | null;
  window: Window;
  frozenAt: string;
}

/** Freezes the reference window's bins and counts (numeric) or category counts (categorical);
 * drift against it never reads raw data again. */
export async function freezeBaseline(
  trx: Tx,
  { ctx, systemId, feature: name, window }: { ctx: RequestContext; systemId: string; feature: string; window: Window },
): Promise<BaselineView> {
  await requireSystem(trx, systemId);
  const feature = await resolveFeature(trx, systemId, name);
  let sketch: NumericSketch = { edges: [], counts: [] };
  let categories: CategoricalSketch | null = null;
  if (feature.kind === 'numeric') {
    const values = await numericValues(trx, systemId, feature, window);
    if (values.length === 0) throw new AppError('validation_failed', `the reference window holds no values of ${name}`, { field: 'from' });
    sketch = freezeNumericBaseline(values);
  } else {
    categories = await categoryCounts(trx, systemId, feature, window);
    if (Object.keys(categories).length === 0) {
      throw new AppError('validation_failed', `the reference window holds no values of ${name}`, { field: 'from' });
    }
  }
  const id = randomUUID();
  const frozenAt = new Date().toISOString();
  await trx
    .insertInto('monitoring_baselines')
    .values({
      id,
      system_id: systemId,
      feature: name,
      kind: feature.kind,
      edges: JSON.stringify(sketch.edges),
      counts: JSON.stringify(sketch.counts),
      categories: categories === null ? null : JSON.stringify(categories),
      window_from: window.from ?? null,
      window_to: window.to ?? null,
      frozen_by: ctx.actor.userId,
      frozen_at: frozenAt,
    })
    .execute();
  const view = {
    id,
    systemId,
    feature: name,
    kind: feature.kind,
    edges: sketch.edges,
    counts: sketch.counts,
    categories,
    window,
    frozenAt,
  };
  await appendEvent(trx, ctx, { type: 'monitoring.baseline_frozen', subject: { type: 'ai_system', id: systemId }, after: view });
  return view;
}

/** Drift of a numeric feature (PSI, Jensen-Shannon, KS) or a categorical one (chi-square, PSI,
 * Jensen-Shannon): one shape, the other kind's parts null. */
export interface FeatureDrift {
  feature: string;
  kind: FeatureKind;
  baselineId: string | null;
  n: { reference: number; current: number };
  psi: NumericDrift['psi'];
  jensenShannon: NumericDrift['jensenShannon'];
  reference: NumericSketch | null;
  current: NumericSketch | null;
  ks: NumericDrift['ks'] | null;
  categories: CategoricalDrift['categories'] | null;
  chiSquare: CategoricalDrift['chiSquare'] | null;
}

function presentNumeric(feature: string, baselineId: string | null, drift: NumericDrift): FeatureDrift {
  return { feature, kind: 'numeric', baselineId, ...drift, categories: null, chiSquare: null };
}

function presentCategorical(feature: string, baselineId: string | null, drift: CategoricalDrift): FeatureDrift {
  const n = drift.categories.reduce((s, c) => ({ reference: s.reference + c.reference, current: s.current + c.current }), {
    reference: 0,
    current: 0,
  });
  return { feature, kind: 'categorical', baselineId, n, reference: null, current: null, ks: null, ...drift };
}

/** Drift of the current window against a reference window or a frozen baseline of this system. */
export async function systemDrift(
  db: Reader,
  {
    systemId,
    feature: name,
    reference,
    baselineId,
    current,
    minCount,
  }: { systemId: string; feature: string; reference?: Window; baselineId?: string; current: Window; minCount?: number },
): Promise<FeatureDrift> {
  await requireSystem(db, systemId);
  const feature = await resolveFeature(db, systemId, name);
  if (baselineId !== undefined) {
    const baseline = await db
      .selectFrom('monitoring_baselines')
      .select(['edges', 'counts', 'feature', 'kind', 'categories'])
      .where('id', '=', baselineId)
      .where('system_id', '=', systemId)
      .executeTakeFirst();
    if (!baseline || baseline.feature !== name) throw notFound('baseline', baselineId);
    if (baseline.kind !== feature.kind) {
      throw new AppError(
        'validation_failed',
        `baseline ${baselineId} was frozen when ${name} was ${baseline.kind}; it is now ${feature.kind}`,
        {
          field: 'baselineId',
        },
      );
    }
    if (feature.kind === 'categorical') {
      const frozen = JSON.parse(baseline.categories ?? '{}') as CategoricalSketch;
      return presentCategorical(
        name,
        baselineId,
        categoricalDrift(frozen, await categoryCounts(db, systemId, feature, current), { minCount }),
      );
    }
    const sketch = { edges: JSON.parse(baseline.edges) as number[], counts: JSON.parse(baseline.counts) as number[] };
    return presentNumeric(
      name,
      baselineId,
      numericDriftFromBaseline(sketch, await numericValues(db, systemId, feature, current), { minCount }),
    );
  }
  if (!reference)
    throw new AppError('validation_failed', 'give a reference window (referenceFrom, referenceTo) or a baselineId', {
      field: 'baselineId',
    });
  if (feature.kind === 'categorical') {
    const [a, b] = [await categoryCounts(db, systemId, feature, reference), await categoryCounts(db, systemId, feature, current)];
    return presentCategorical(name, null, categoricalDrift(a, b, { minCount }));
  }
  const [a, b] = [await numericValues(db, systemId, feature, reference), await numericValues(db, systemId, feature, current)];
  return presentNumeric(name, null, numericDrift(a, b, { minCount }));
}
