// Request and response schemas of monitoring signals and reports.
import { type Static, Type } from 'typebox';
import { component, Id, StringEnum } from '../../server/http.js';
import { ATTRIBUTE_NAME, MAX_ATTRIBUTES, MAX_OUTCOME_RECORDS } from './outcomes.service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, options: { description?: string } = {}) =>
  Type.Union([t, Type.Null()], options);

/** One outcome, as an ingesting system sends it (checked record by record by outcomes.service.ts). */
export const OutcomeRecord = component(
  'OutcomeRecord',
  Type.Object(
    {
      systemId: Type.String({ minLength: 1, maxLength: 200 }),
      decisionId: Type.String({ minLength: 1, maxLength: 200, description: 'the id the decision was recorded under' }),
      actual: Type.Union([Type.Literal(0), Type.Literal(1)], { description: 'what turned out to be true' }),
      predicted: Type.Union([Type.Literal(0), Type.Literal(1)], { description: "the decision's reading as positive (1) or negative (0)" }),
      score: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
      knownAt: Type.String({ format: 'date-time', description: 'when the outcome became known' }),
      groups: Type.Optional(
        Type.Record(Type.String({ pattern: ATTRIBUTE_NAME.source }), Type.String({ minLength: 1, maxLength: 100 }), {
          maxProperties: MAX_ATTRIBUTES,
          additionalProperties: false,
          description: `group attributes of the person concerned, used only to measure fairness; stored apart from the decision: attribute name (a-z, 0-9, _; a letter first; up to 50) -> value (a string of 1 to 100); at most ${MAX_ATTRIBUTES}, each declared for the system (PUT /api/v1/systems/{id}/fairness-attributes)`,
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

export const OutcomeBatchBody = Type.Object(
  { records: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_OUTCOME_RECORDS }) },
  { additionalProperties: false },
);
export const DocumentedOutcomeBatchBody = Type.Object(
  { records: Type.Array(OutcomeRecord, { minItems: 1, maxItems: MAX_OUTCOME_RECORDS }) },
  { additionalProperties: false },
);

export const OutcomeBatchReceipt = Type.Object({
  batchId: Type.String(),
  count: Type.Integer(),
  digest: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
});

const Estimate = component(
  'Estimate',
  Type.Object({
    value: Nullable(Type.Number()),
    reason: Nullable(Type.String({ description: 'why the value is null (docs/MONITORING.md)' })),
  }),
);
const Gap = component(
  'FairnessGap',
  Type.Object(
    {
      value: Nullable(Type.Number()),
      reason: Nullable(Type.String()),
      convention: StringEnum(['between_groups', 'to_overall'] as const, {
        description: 'between_groups: max - min and min / max of the group rates; to_overall: each group against the rate over all rows',
      }),
      groupsCompared: Type.Integer({ description: 'how many groups had an estimate and were compared' }),
    },
    { description: 'a gap of one rate across groups; its convention says what it compares (docs/MONITORING.md)' },
  ),
);
const ImpactRatio = component(
  'ImpactRatio',
  Type.Object(
    {
      value: Nullable(Type.Number()),
      reason: Nullable(Type.String({ description: 'why the value is null (docs/MONITORING.md)' })),
      convention: StringEnum(['against_reference_group'] as const, {
        description: "this group's selection rate over the reference group's",
      }),
      referenceGroup: Nullable(
        Type.Record(Type.String(), Nullable(Type.String()), {
          description: 'the group compared against: the highest selection rate; null when no group has a rate',
        }),
      ),
    },
    { description: 'the impact ratio of one group, against the highest-rate group (29 CFR 1607.4(D))' },
  ),
);
const Counts = component(
  'ConfusionCounts',
  Type.Object({ tp: Type.Integer(), fp: Type.Integer(), tn: Type.Integer(), fn: Type.Integer() }),
);
const rates = {
  n: Type.Integer(),
  errorRate: Estimate,
  selectionRate: Estimate,
  tpr: Estimate,
  fpr: Estimate,
  fnr: Estimate,
  tnr: Estimate,
  precision: Estimate,
};

export const ModelPerformance = component(
  'ModelPerformance',
  Type.Object({
    modelVersion: Nullable(Type.String()),
    counts: Counts,
    ...rates,
    auc: Type.Object({ value: Nullable(Type.Number()), reason: Nullable(Type.String()), maxError: Nullable(Type.Number()) }),
  }),
);
export const PerformanceView = Type.Object({ systemId: Type.String(), versions: Type.Array(ModelPerformance) });

export const GroupFairness = component(
  'GroupFairness',
  Type.Object({
    attributes: Type.Record(Type.String(), Nullable(Type.String())),
    counts: Counts,
    ...rates,
    impactRatio: ImpactRatio,
    adverseImpact: Nullable(Type.Boolean({ description: 'impact ratio below 4/5, against the same reference group' })),
  }),
);
export const FairnessView = Type.Object({
  systemId: Type.String(),
  groupBy: Type.Array(Type.String()),
  minCount: Type.Integer(),
  overall: Type.Object(rates),
  groups: Type.Array(GroupFairness),
  demographicParityDifference: Gap,
  demographicParityRatio: Gap,
  equalizedOddsDifference: Gap,
  equalizedOddsRatio: Gap,
  equalOpportunityDifference: Gap,
});

const WindowQuery = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'decisions made at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'decisions made before' })),
  minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: "each rate's smallest denominator (default 30)" })),
};
export const PerformanceQuery = Type.Object(WindowQuery, { additionalProperties: false });
export type PerformanceQuery = Static<typeof PerformanceQuery>;
export const FairnessQuery = Type.Object(
  {
    ...WindowQuery,
    groupBy: Type.String({ pattern: '^[a-z][a-z0-9_]{0,49}(,[a-z][a-z0-9_]{0,49}){0,2}$', description: 'attr1,attr2: intersections' }),
  },
  { additionalProperties: false },
);

const Sketch = component('NumericSketch', Type.Object({ edges: Type.Array(Type.Number()), counts: Type.Array(Type.Integer()) }));
const Feature = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,49}$',
  description: 'score (the outcome score), or a feature the system declares (GET /api/v1/systems/{id}/features); another name is not_found',
});
const FeatureKind = Type.Union([Type.Literal('numeric'), Type.Literal('categorical')]);
const CategoryCounts = Type.Record(Type.String(), Type.Integer(), { description: 'category -> count' });

export const BaselineBody = Type.Object(
  { feature: Feature, from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);
export const BaselineView = component(
  'DriftBaseline',
  Type.Object({
    id: Type.String(),
    systemId: Type.String(),
    feature: Type.String(),
    kind: FeatureKind,
    edges: Type.Array(Type.Number(), { description: 'a numeric feature: its bin edges (empty for a categorical one)' }),
    counts: Type.Array(Type.Integer(), { description: "a numeric feature: each bin's count (empty for a categorical one)" }),
    categories: Nullable(CategoryCounts),
    window: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }),
    frozenAt: Type.String({ format: 'date-time' }),
  }),
);

export const DriftQuery = Type.Object(
  {
    feature: Feature,
    referenceFrom: Type.Optional(Type.String({ format: 'date-time' })),
    referenceTo: Type.Optional(Type.String({ format: 'date-time' })),
    baselineId: Type.Optional(Type.String({ format: 'uuid' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export const DriftView = component(
  'FeatureDrift',
  Type.Object({
    feature: Type.String(),
    kind: FeatureKind,
    baselineId: Nullable(Type.String()),
    n: Type.Object({ reference: Type.Integer(), current: Type.Integer() }),
    psi: Estimate,
    jensenShannon: Estimate,
    reference: Nullable(Sketch, { description: 'numeric: the bins and reference counts' }),
    current: Nullable(Sketch, { description: 'numeric: the current counts over the same bins' }),
    ks: Nullable(
      Type.Object({
        statistic: Estimate,
        pValue: Estimate,
        method: Nullable(Type.String()),
        from: Type.String(),
      }),
      { description: 'numeric: the two-sample Kolmogorov-Smirnov test' },
    ),
    categories: Nullable(Type.Array(Type.Object({ category: Type.String(), reference: Type.Integer(), current: Type.Integer() })), {
      description: 'categorical: the count of each category on each side',
    }),
    chiSquare: Nullable(Type.Object({ statistic: Estimate, degreesOfFreedom: Type.Integer(), pValue: Estimate }), {
      description: 'categorical: the chi-square test of homogeneity',
    }),
  }),
);

const AttributeName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,49}$' });

export const FairnessAttribute = component(
  'FairnessAttribute',
  Type.Object(
    {
      name: AttributeName,
      values: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        minItems: 1,
        maxItems: 100,
        description: 'the values it may take',
      }),
      fairnessOnly: Type.Boolean({ description: 'collected only to measure fairness (AI Act Art. 10(5)): never used to decide' }),
    },
    { additionalProperties: false },
  ),
);

export const FairnessDeclarationBody = Type.Object(
  {
    attributes: Type.Array(FairnessAttribute, { maxItems: 10 }),
    rationale: Type.String({ minLength: 1, maxLength: 4000, description: 'why these attributes are collected (GDPR Art. 9)' }),
    version: Type.Optional(Type.Integer({ minimum: 0, description: 'the version read; a stale one is refused (version_conflict)' })),
  },
  { additionalProperties: false },
);

export const FairnessDeclarationView = component(
  'FairnessDeclaration',
  Type.Object({
    systemId: Id,
    attributes: Type.Array(FairnessAttribute),
    rationale: Nullable(Type.String()),
    version: Type.Integer({ description: '0 when the system declared nothing: its outcomes carry no group attributes' }),
    updatedAt: Nullable(Type.String({ format: 'date-time' })),
  }),
);
