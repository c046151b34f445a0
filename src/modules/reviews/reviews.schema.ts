// Request and response shapes of scheduled reviews (TypeBox: validation, types and OpenAPI).
import { type Static, Type } from 'typebox';
import { MANDATORY_REVIEW_KINDS } from '../../governance/review-schedule.js';
import { component, Id, StringEnum } from '../../server/http.js';
import { REVIEW_DECISIONS, REVIEW_KINDS, REVIEW_STATUSES, SIGNATURE_ROLES } from './reviews.tables.js';

const oneOf = <const T extends string[]>(values: readonly [...T]) => Type.Enum(values);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Digest = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 hex of the snapshot in canonical JSON (RFC 8785)' });

export const ReviewSignature = component(
  'ReviewSignature',
  Type.Object({
    role: StringEnum(SIGNATURE_ROLES),
    signerId: Type.String(),
    signerName: Nullable(Type.String({ description: "the signatory's display name" })),
    snapshotDigest: Type.String(),
    rationale: Type.String(),
    signedAt: Type.String(),
  }),
);

export const ReviewView = component(
  'Review',
  Type.Object({
    id: Id,
    systemId: Type.String(),
    kind: StringEnum(REVIEW_KINDS),
    periodFrom: Type.String(),
    periodTo: Type.String(),
    dueAt: Type.String(),
    overdue: Type.Boolean({ description: 'a mandatory review still open after its due date' }),
    preparerId: Type.String(),
    preparerName: Nullable(Type.String()),
    reviewerId: Type.String(),
    reviewerName: Nullable(Type.String()),
    secondSignatoryId: Type.String(),
    secondSignatoryName: Nullable(Type.String()),
    status: StringEnum(REVIEW_STATUSES),
    snapshot: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'what the signatories sign: computed metrics of the period, what the preparer attached, findings, decision, actions',
    }),
    snapshotDigest: Nullable(Type.String()),
    findings: Nullable(Type.String()),
    decision: Type.Union([StringEnum(REVIEW_DECISIONS), Type.Null()]),
    actions: Type.Array(Type.String()),
    signatures: Type.Array(ReviewSignature),
    completedAt: Nullable(Type.String()),
    createdAt: Type.String(),
    version: Type.Integer(),
  }),
);
export type ReviewViewType = Static<typeof ReviewView>;

export const ReviewQuery = Type.Object(
  {
    mine: Type.Optional(Type.Boolean({ description: 'only reviews the caller prepares or signs' })),
    systemId: Type.Optional(Id),
    status: Type.Optional(oneOf(REVIEW_STATUSES)),
    overdue: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

const DateTime = Type.String({ format: 'date-time', maxLength: 40 });

export const CreateReviewBody = Type.Object(
  {
    systemId: Id,
    kind: oneOf(REVIEW_KINDS),
    periodFrom: DateTime,
    periodTo: DateTime,
    dueAt: DateTime,
    preparerId: Id,
    reviewerId: Id,
    secondSignatoryId: Id,
  },
  { additionalProperties: false },
);

export const FindingsBody = Type.Object(
  {
    metrics: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'what the preparer adds to the computed metrics (a JSON object)' }),
    ),
    findings: Type.String({ minLength: 1, maxLength: 20000 }),
    decision: oneOf(REVIEW_DECISIONS),
    actions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { maxItems: 50 })),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const SignBody = Type.Object(
  { snapshotDigest: Digest, rationale: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);

export const SignOffView = Type.Object({
  review: ReviewView,
  exceptionId: Type.Union([Id, Type.Null()], { description: 'the exception an unsatisfactory review opened on completion' }),
});

export const CadenceView = component(
  'ReviewCadence',
  Type.Object({
    kind: StringEnum(MANDATORY_REVIEW_KINDS),
    months: Type.Union([Type.Integer(), Type.Null()], { description: 'months between reviews; null: not scheduled' }),
    source: StringEnum(['default', 'system']),
    rationale: Nullable(Type.String()),
  }),
);
export const CadenceList = Type.Object({ systemId: Type.String(), cadences: Type.Array(CadenceView) });

export const CadenceParams = Type.Object({ id: Id, kind: oneOf(MANDATORY_REVIEW_KINDS) }, { additionalProperties: false });
export const CadenceBody = Type.Object(
  {
    months: Type.Union([Type.Integer({ minimum: 0, maximum: 60 }), Type.Null()], {
      description: 'months between reviews; 0 stops scheduling; null returns to the default',
    }),
    rationale: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);

export const CalendarTokenView = Type.Object({
  token: Type.String({ description: 'shown once: the feed reads with it, nothing else does' }),
  url: Type.String({ description: 'the feed address to give a calendar application' }),
  createdAt: Type.String(),
});
export const CalendarQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
