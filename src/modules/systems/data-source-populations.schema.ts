// Request and response schemas of a data source's reference population and group counts.
import { Type } from 'typebox';
import { component, Id } from '../../server/http.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Group = Type.String({ minLength: 1, maxLength: 100 });
const Estimate = Type.Object({
  value: Nullable(Type.Number()),
  reason: Nullable(Type.String({ description: 'why the value is null (docs/MONITORING.md)' })),
});

const report = {
  attribute: Type.String({ pattern: '^[a-z][a-z0-9_]{0,49}$', description: 'the group attribute counted, e.g. age_band' }),
  reference: Type.Record(Group, Type.Number({ minimum: 0, maximum: 1 }), {
    description: 'the reference population: group -> expected share, adding up to 1',
    maxProperties: 200,
  }),
  counts: Type.Record(Group, Type.Integer({ minimum: 0 }), {
    description: "the data source's rows per group; every group must be in the reference",
    maxProperties: 200,
  }),
};

export const PopulationBody = Type.Object(
  { ...report, version: Type.Optional(Type.Integer({ minimum: 0, description: 'the version read; a stale one is refused' })) },
  { additionalProperties: false },
);

export const PopulationView = component(
  'DataSourcePopulation',
  Type.Object({
    dataSourceId: Id,
    systemId: Id,
    ...report,
    result: Type.Object({
      n: Type.Integer(),
      groups: Type.Array(
        Type.Object({ group: Type.String(), n: Type.Integer(), observedShare: Estimate, referenceShare: Type.Number(), gap: Estimate }),
      ),
      chiSquare: Type.Object({ statistic: Estimate, degreesOfFreedom: Type.Integer(), pValue: Estimate }),
    }),
    version: Type.Integer(),
    updatedAt: Type.String({ format: 'date-time' }),
    stale: Nullable(
      Type.Object(
        {
          reportedAgainstVersion: Nullable(Type.Integer({ description: "the data source's version the report was made against" })),
          dataSourceVersion: Type.Integer({ description: "the data source's version now" }),
          change: Nullable(
            Type.Object({
              changeRecordId: Id,
              kind: Type.String(),
              version: Type.Integer(),
              at: Type.String({ format: 'date-time' }),
              rationale: Type.String(),
            }),
          ),
        },
        {
          description:
            'null while the report is of the data source as it is; else the data source record changed after it (the first such change), and the population should be reported again',
        },
      ),
    ),
  }),
);
