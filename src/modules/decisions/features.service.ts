// Which features a system's decision records carry, so their drift can be watched (issue 11): each
// feature's name, kind (numeric or categorical) and, for a categorical one, optionally the categories
// it may take. Decision ingestion refuses a record naming an undeclared feature or a value of the
// wrong kind; the values it accepts go to `decision_features`, apart from the decision row.
import { hasSystemRole, type RequestContext } from '../../context.js';
import type { Tx } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import type { RecordProblem } from '../../ingest/batch.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { requireRationale } from '../../rationale.js';
import { assertExpectedVersion, assertGuardedWrite } from '../../versions.js';
import type { DecisionRecord } from './decisions.schema.js';
import type { DecisionFeaturesTable } from './decisions.tables.js';

export type FeatureKind = 'numeric' | 'categorical';

export interface DeclaredFeature {
  name: string;
  kind: FeatureKind;
  /** A categorical feature's allowed categories; absent: any category of 1 to 100 characters. */
  categories?: string[];
}

export interface FeatureDeclaration {
  systemId: string;
  features: DeclaredFeature[];
  rationale: string | null;
  version: number;
  updatedAt: string | null;
}

/** The decision's score (from its outcome) is always there; no declared feature takes its name. */
export const SCORE_FEATURE = 'score';

type Reader = Pick<Tx, 'selectFrom'>;

/** A system's declaration; a system that declared nothing has none (version 0): its records carry no features. */
export async function getFeatureDeclaration(db: Reader, systemId: string): Promise<FeatureDeclaration> {
  const system = await db.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  const row = await db
    .selectFrom('feature_declarations')
    .select(['features', 'rationale', 'version', 'updated_at'])
    .where('system_id', '=', systemId)
    .executeTakeFirst();
  if (!row) return { systemId, features: [], rationale: null, version: 0, updatedAt: null };
  return {
    systemId,
    features: JSON.parse(row.features) as DeclaredFeature[],
    rationale: row.rationale,
    version: Number(row.version),
    updatedAt: row.updated_at,
  };
}

function checkFeatures(features: DeclaredFeature[]): DeclaredFeature[] {
  const names = new Set<string>();
  return features.map((feature, i) => {
    const field = `features[${i}]`;
    if (feature.name === SCORE_FEATURE) {
      throw new AppError('validation_failed', `${field}.name: "score" is the decision's score, always watched; choose another name`, {
        field: `${field}.name`,
      });
    }
    if (names.has(feature.name)) {
      throw new AppError('validation_failed', `${field}.name: ${feature.name} is declared twice`, { field: `${field}.name` });
    }
    names.add(feature.name);
    if (feature.categories === undefined) return { name: feature.name, kind: feature.kind };
    if (feature.kind !== 'categorical') {
      throw new AppError('validation_failed', `${field}.categories: only a categorical feature lists categories`, {
        field: `${field}.categories`,
      });
    }
    const categories = feature.categories.map((c) => c.trim());
    if (new Set(categories).size !== categories.length || categories.some((c) => c === '')) {
      throw new AppError('validation_failed', `${field}.categories: each category once, none empty`, { field: `${field}.categories` });
    }
    return { name: feature.name, kind: feature.kind, categories };
  });
}

/** A feature's recorded values are all of one kind, the kind it had when they were recorded, so a
 * drift window never mixes numbers and categories and a frozen baseline stays comparable: a feature
 * declared with another kind than its recorded values (changed in place, or dropped and declared
 * again) is refused. Only features whose kind is new to this declaration are looked up. As this rule
 * keeps each feature's values of one kind, its first and last value (two reads at the ends of its
 * range of `decision_features`' key) tell the kind, however many values it holds. */
async function assertKindsKept(trx: Tx, systemId: string, previous: DeclaredFeature[], declared: DeclaredFeature[]): Promise<void> {
  const kindBefore = new Map(previous.map((f) => [f.name, f.kind]));
  for (const [i, feature] of declared.entries()) {
    if (kindBefore.get(feature.name) === feature.kind) continue;
    for (const direction of ['asc', 'desc'] as const) {
      const recorded = await trx
        .selectFrom('decision_features')
        .select(['decided_at', 'num_value'])
        .where('system_id', '=', systemId)
        .where('feature', '=', feature.name)
        .orderBy('decided_at', direction)
        .limit(1)
        .executeTakeFirst();
      if (!recorded) break;
      const recordedKind: FeatureKind = recorded.num_value === null ? 'categorical' : 'numeric';
      if (recordedKind === feature.kind) continue;
      throw new AppError(
        'feature_kind_locked',
        `features[${i}].kind: ${feature.name} cannot become ${feature.kind}: decision records carry ${recordedKind} values of it (one decided at ${recorded.decided_at}); a feature keeps its kind once values are recorded, so declare the ${feature.kind} feature under a new name`,
        { field: `features[${i}].kind`, feature: feature.name, kind: feature.kind, recordedKind },
      );
    }
  }
}

/** Replaces a system's declared features, with its reason, as one ledger event carrying before and
 * after. Only an admin, the governance lead or the system's owner declares them. */
export async function declareFeatures(
  trx: Tx,
  {
    ctx,
    systemId,
    features,
    rationale,
    expectedVersion,
  }: { ctx: RequestContext; systemId: string; features: DeclaredFeature[]; rationale: string; expectedVersion?: number },
): Promise<FeatureDeclaration> {
  if (ctx.actor.kind !== 'system' && !hasSystemRole(ctx.actor, systemId, 'admin', 'governance_lead', 'system_owner')) {
    throw new AppError('forbidden', "only an admin, the governance lead or the system's owner declares its features");
  }
  const why = requireRationale(rationale, { field: 'rationale', minimum: ctx.policies.minRationaleLength });
  const before = await getFeatureDeclaration(trx, systemId);
  assertExpectedVersion(`the feature declaration of system ${systemId}`, before.version, expectedVersion);
  const declared = checkFeatures(features);
  await assertKindsKept(trx, systemId, before.features, declared);
  const now = new Date().toISOString();
  const version = before.version + 1;
  const values = { features: JSON.stringify(declared), rationale: why, version, updated_by: ctx.actor.userId, updated_at: now };
  if (before.version === 0) {
    await trx
      .insertInto('feature_declarations')
      .values({ system_id: systemId, ...values })
      .execute();
  } else {
    const result = await trx
      .updateTable('feature_declarations')
      .set(values)
      .where('system_id', '=', systemId)
      .where('version', '=', before.version)
      .executeTakeFirst();
    assertGuardedWrite(`the feature declaration of system ${systemId}`, result, before.version);
  }
  await appendEvent(trx, ctx, {
    type: 'decisions.features_declared',
    subject: { type: 'ai_system', id: systemId },
    before: before.version === 0 ? undefined : { features: before.features, version: before.version },
    after: { features: declared, version },
    reason: why,
    data: { systemId },
  });
  return { systemId, features: declared, rationale: why, version, updatedAt: now };
}

interface CheckedFeature {
  kind: FeatureKind;
  categories: Set<string> | null;
}

/** Checks the feature values of a batch's records against their systems' declarations (one query,
 * only when some record carries features), naming each bad value. */
export async function checkFeatureValues(trx: Tx, records: DecisionRecord[], problems: RecordProblem[]): Promise<void> {
  const systemIds = [...new Set(records.filter((r) => r.features !== undefined).map((r) => r.systemId))];
  if (systemIds.length === 0) return;
  const rows = await trx.selectFrom('feature_declarations').select(['system_id', 'features']).where('system_id', 'in', systemIds).execute();
  const declared = new Map<string, Map<string, CheckedFeature>>();
  for (const row of rows) {
    const features = JSON.parse(row.features) as DeclaredFeature[];
    declared.set(
      row.system_id,
      new Map(features.map((f) => [f.name, { kind: f.kind, categories: f.categories ? new Set(f.categories) : null }])),
    );
  }
  records.forEach((r, index) => {
    if (r.features === undefined) return;
    const features = declared.get(r.systemId);
    for (const [name, value] of Object.entries(r.features)) {
      const field = `features.${name}`;
      const feature = features?.get(name);
      if (!feature) problems.push({ index, field, message: `is not a declared feature of system ${r.systemId}` });
      else if (feature.kind === 'numeric' && typeof value !== 'number')
        problems.push({ index, field, message: 'is numeric: send a number' });
      else if (feature.kind === 'categorical' && typeof value !== 'string') {
        problems.push({ index, field, message: 'is categorical: send a category (a string)' });
      } else if (feature.categories && !feature.categories.has(value as string)) {
        problems.push({ index, field, message: `is not one of the declared categories: ${[...feature.categories].join(', ')}` });
      }
    }
  });
}

/** The feature rows of a batch's (checked) records; `rowIds` are the decisions' row ids, in order. */
export function featureRows(records: DecisionRecord[], rowIds: string[]): DecisionFeaturesTable[] {
  const rows: DecisionFeaturesTable[] = [];
  records.forEach((r, index) => {
    if (r.features === undefined) return;
    for (const [feature, value] of Object.entries(r.features)) {
      rows.push({
        system_id: r.systemId,
        feature,
        decided_at: r.decidedAt,
        decision_row: rowIds[index],
        num_value: typeof value === 'number' ? value : null,
        category: typeof value === 'string' ? value : null,
      });
    }
  });
  return rows;
}
