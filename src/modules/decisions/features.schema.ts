// Request and response schemas of a system's declared features (features.service.ts).
import { Type } from 'typebox';
import { component, Id, StringEnum } from '../../server/http.js';
import { FEATURE_NAME_PATTERN, MAX_CATEGORY_LENGTH } from './decisions.schema.js';

export const MAX_DECLARED_FEATURES = 50;

export const DeclaredFeature = component(
  'DeclaredFeature',
  Type.Object(
    {
      name: Type.String({ pattern: FEATURE_NAME_PATTERN, description: 'the key in decision records\' features; not "score"' }),
      kind: StringEnum(['numeric', 'categorical'] as const, {
        description: 'numeric: PSI, KS and Jensen-Shannon drift; categorical: chi-square and PSI',
      }),
      categories: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: MAX_CATEGORY_LENGTH }), {
          minItems: 1,
          maxItems: 200,
          description: 'a categorical feature: the categories it may take (absent: any)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

export const FeatureDeclarationBody = Type.Object(
  {
    features: Type.Array(DeclaredFeature, { maxItems: MAX_DECLARED_FEATURES }),
    rationale: Type.String({ minLength: 1, maxLength: 4000, description: 'why these features are watched' }),
    version: Type.Optional(Type.Integer({ minimum: 0, description: 'the version read; a stale one is refused (version_conflict)' })),
  },
  { additionalProperties: false },
);

export const FeatureDeclarationView = component(
  'FeatureDeclaration',
  Type.Object({
    systemId: Id,
    features: Type.Array(DeclaredFeature),
    rationale: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer({ description: '0 when the system declared nothing: its decision records carry no features' }),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
);
