// Request and response schemas of decision records. `DecisionRecord` is the one declaration of a
// record's shape: the ingest checker (decisions.validate.ts) and the service take their types and
// limits from it, the client (packages/client/src/proofline-client.ts) keeps a copy held equal by a test.
import { type Static, Type } from 'typebox';
import { component, Id as RecordId, StringEnum } from '../../server/http.js';

export const MAX_BATCH_RECORDS = 5000;
export const MAX_ID_LENGTH = 200;
export const MAX_REF_LENGTH = 1000;
export const DIGEST_PATTERN = '^(?:sha256:)?[0-9a-f]{64}$';
export const FEATURE_NAME_PATTERN = '^[a-z][a-z0-9_]{0,49}$';
export const MAX_RECORD_FEATURES = 50;
export const MAX_CATEGORY_LENGTH = 100;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Id = (description?: string) => Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, ...(description ? { description } : {}) });

/** One decision an AI system reports. Besides this shape: an input reference, digest or raw input
 * is required, and `reviewedBy` when `humanReviewed` is true (checked by decisions.validate.ts). */
export const DecisionRecord = component(
  'DecisionRecord',
  Type.Object(
    {
      decisionId: Id("the AI system's own id, unique per system"),
      systemId: Id(),
      modelVersionId: Type.Optional(Nullable(Id())),
      decidedAt: Type.String({ format: 'date-time', description: 'an ISO 8601 date-time with a time zone' }),
      inputRef: Type.Optional(
        Nullable(Type.String({ minLength: 1, maxLength: MAX_REF_LENGTH, description: 'where the input can be found' })),
      ),
      inputDigest: Type.Optional(
        Nullable(Type.String({ pattern: DIGEST_PATTERN, description: 'SHA-256 hex of the input, optionally prefixed sha256:' })),
      ),
      rawInput: Type.Optional(Type.Unknown({ description: 'only when the system allows raw input' })),
      output: Type.Unknown(),
      confidence: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
      humanReviewed: Type.Optional(Type.Boolean()),
      reviewedBy: Type.Optional(Nullable(Id())),
      features: Type.Optional(
        Type.Record(
          Type.String({ pattern: FEATURE_NAME_PATTERN }),
          Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: MAX_CATEGORY_LENGTH })]),
          {
            maxProperties: MAX_RECORD_FEATURES,
            additionalProperties: false,
            description: `the decision's feature values, for drift: name -> number (a numeric feature) or category (a categorical one); each name declared for the system (PUT /api/v1/systems/{id}/features); at most ${MAX_RECORD_FEATURES}`,
          },
        ),
      ),
    },
    { additionalProperties: false },
  ),
);
export type DecisionRecord = Static<typeof DecisionRecord>;

/** Each record is checked by the service (decisions.validate.ts), which names every bad record. */
export const BatchBody = Type.Object(
  {
    records: Type.Array(Type.Unknown(), {
      minItems: 1,
      maxItems: MAX_BATCH_RECORDS,
      description: `1 to ${MAX_BATCH_RECORDS} decision records, each shaped as DecisionRecord: ${Object.keys(DecisionRecord.properties).join(', ')}`,
    }),
  },
  { additionalProperties: false },
);

/** The batch as the document shows it: every record a DecisionRecord. Requests are validated with
 * BatchBody, which leaves the records to the service so that one answer names every bad record
 * (Ajv would stop at the first); the route publishes this shape with `config.documentedBody`. */
export const DocumentedBatchBody = Type.Object(
  {
    records: Type.Array(DecisionRecord, {
      minItems: 1,
      maxItems: MAX_BATCH_RECORDS,
      description: `1 to ${MAX_BATCH_RECORDS} decision records; the answer to a bad batch names every bad record (details.problems)`,
    }),
  },
  { additionalProperties: false },
);

export const BatchReceiptView = Type.Object({
  batchId: RecordId,
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
  systemId: RecordId,
  allowRawInput: Type.Boolean(),
  reviewSampleRate: Type.Number(),
  version: Type.Integer(),
});

export const DecisionView = component(
  'RecordedDecision',
  Type.Object({
    id: RecordId,
    systemId: RecordId,
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
    reviewedByName: Type.Union([Type.String(), Type.Null()], {
      description: "the reported reviewer's display name, when reviewedBy is a known user",
    }),
    batchId: RecordId,
    receivedAt: Type.String(),
    review: Type.Union([
      Type.Object({
        status: StringEnum(['pending', 'confirmed', 'overridden']),
        queuedBecause: Type.Union([Type.String(), Type.Null()]),
        reviewerId: Type.Union([Type.String(), Type.Null()]),
        reviewerName: Type.Union([Type.String(), Type.Null()], { description: "the reviewer's display name" }),
        reviewedAt: Type.Union([Type.String(), Type.Null()]),
        reason: Type.Union([Type.String(), Type.Null()]),
        exceptionId: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ]),
  }),
);

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
