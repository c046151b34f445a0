import { Type } from 'typebox';
import { MAX_BATCH_RECORDS } from './decisions.service.js';

/** Each record is checked by the service (decisions.validate.ts), which names every bad record;
 * the schema here documents it. */
export const DecisionRecordDoc = Type.Object(
  {
    decisionId: Type.String({ maxLength: 200, description: "the AI system's own id, unique per system" }),
    systemId: Type.String(),
    modelVersionId: Type.Optional(Type.String()),
    decidedAt: Type.String({ format: 'date-time' }),
    inputRef: Type.Optional(Type.String({ description: 'where the input can be found' })),
    inputDigest: Type.Optional(Type.String({ description: 'sha256 hex of the input' })),
    rawInput: Type.Optional(Type.Unknown({ description: 'only when the system allows raw input' })),
    output: Type.Unknown(),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    humanReviewed: Type.Optional(Type.Boolean()),
    reviewedBy: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const BatchBody = Type.Object(
  {
    records: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: MAX_BATCH_RECORDS,
      description: `1 to ${MAX_BATCH_RECORDS} decision records, each shaped as DecisionRecord: decisionId, systemId, modelVersionId?, decidedAt, inputRef? | inputDigest? | rawInput?, output, confidence?, humanReviewed?, reviewedBy?`,
    }),
  },
  { additionalProperties: false },
);

export const BatchReceiptView = Type.Object({
  batchId: Type.String(),
  count: Type.Integer(),
  digest: Type.String(),
  queuedForReview: Type.Integer(),
  receivedAt: Type.String(),
});

export const SettingsBody = Type.Object(
  {
    allowRawInput: Type.Boolean({ description: 'accept raw (possibly personal) input data in decision records' }),
    reviewSampleRate: Type.Number({ minimum: 0, maximum: 1, description: 'share of decisions sent to the human review queue' }),
  },
  { additionalProperties: false },
);

export const SettingsView = Type.Object({
  systemId: Type.String(),
  allowRawInput: Type.Boolean(),
  reviewSampleRate: Type.Number(),
  version: Type.Integer(),
});

export const DecisionView = Type.Object({
  id: Type.String(),
  systemId: Type.String(),
  decisionId: Type.String(),
  modelVersionId: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.String(),
  inputRef: Type.Union([Type.String(), Type.Null()]),
  inputDigest: Type.Union([Type.String(), Type.Null()]),
  hasRawInput: Type.Boolean(),
  output: Type.Unknown(),
  confidence: Type.Union([Type.Number(), Type.Null()]),
  humanReviewed: Type.Boolean(),
  reviewedBy: Type.Union([Type.String(), Type.Null()]),
  batchId: Type.String(),
  receivedAt: Type.String(),
  review: Type.Union([
    Type.Object({
      status: Type.String(),
      queuedBecause: Type.Union([Type.String(), Type.Null()]),
      reviewerId: Type.Union([Type.String(), Type.Null()]),
      reviewedAt: Type.Union([Type.String(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      exceptionId: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

export const ReviewBody = Type.Object(
  {
    outcome: Type.Union([Type.Literal('confirm'), Type.Literal('override')]),
    reason: Type.String({ minLength: 1, maxLength: 4000, description: 'why: at least the configured minimum of visible characters' }),
    correctedOutput: Type.Optional(Type.Unknown()),
    severity: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('critical')])),
    ownerId: Type.Optional(Type.String({ maxLength: 100 })),
    resolverId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
