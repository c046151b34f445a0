// Request and response schemas of the approvals API (TypeBox: validation and OpenAPI).

import { Type } from 'typebox';
import { ACTOR_KINDS, ROLES } from '../../context.js';
import { DECISIONS, REQUEST_KINDS, REQUEST_STATUSES } from '../../governance/approvals.tables.js';
import { SYSTEM_USE_TARGETS } from '../../governance/governed-changes.js';
import { SignerRef } from '../../governance/signer.schema.js';
import { EU_RISK_TIERS } from '../../governance/system-states.js';
import { component, Id, PageQuery, StringEnum } from '../../server/http.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Json = Type.Unknown();
/** What an approval request is about (approval_requests.subject_type). */
const SUBJECT_TYPES = ['ai_system', 'model_version', 'approval_policy', 'soa'] as const;
/** What a change record is about (change_records.subject_type). */
const CHANGED_SUBJECT_TYPES = ['ai_system', 'model_version', 'data_source', 'approval_policy', 'soa'] as const;
const oneOf = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));

export const PolicyStepSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    stage: Type.Integer({ minimum: 1, maximum: 50 }),
    roles: Type.Optional(Type.Array(oneOf(ROLES), { maxItems: 10 })),
    userIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    required: Type.Integer({ minimum: 1, maximum: 20 }),
  },
  { additionalProperties: false },
);

export const PolicyView = Type.Object({
  policyId: Type.String(),
  kind: StringEnum(REQUEST_KINDS),
  riskTier: StringEnum([...EU_RISK_TIERS, '*'], { description: 'the EU risk tier the chain applies to; * any tier' }),
  version: Type.Integer(),
  steps: Type.Array(PolicyStepSchema),
});

export const PolicyHistoryView = Type.Object({
  policyId: Type.String(),
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      steps: Type.Array(PolicyStepSchema),
      createdAt: Type.String(),
      createdBy: Nullable(Type.String()),
      approvalRequestId: Nullable(Type.String()),
    }),
  ),
});

/** soa_change: one Annex A control and what it becomes, with why. */
const SoaEntryBody = Type.Object(
  {
    controlId: Type.String({ minLength: 1, maxLength: 100, description: 'an Annex A control, e.g. iso42001:A.2.2' }),
    applicable: Type.Boolean(),
    justification: Type.String({ minLength: 1, maxLength: 10_000 }),
  },
  { additionalProperties: false },
);

const ChangeBody = Type.Object(
  {
    targetStatus: Type.Optional(
      Type.Union(
        SYSTEM_USE_TARGETS.map((status) => Type.Literal(status)),
        {
          description: 'system_use: the status to move to (into use, or back out of it: a governed move)',
        },
      ),
    ),
    legalRationale: Type.Optional(
      Type.String({ minLength: 1, maxLength: 10_000, description: 'risk_tier_change out of the prohibited tier: the legal reasoning' }),
    ),
    intendedUse: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    euRiskTier: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    dataSourceAction: Type.Optional(Type.Union([Type.Literal('add'), Type.Literal('update')])),
    dataSourceId: Type.Optional(Type.String({ maxLength: 100 })),
    dataSource: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          kind: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          containsPersonalData: Type.Optional(Type.Boolean()),
          provenance: Type.Optional(Type.String({ maxLength: 5000 })),
        },
        { additionalProperties: false },
      ),
    ),
    steps: Type.Optional(Type.Array(PolicyStepSchema, { minItems: 1, maxItems: 20 })),
    soaEntries: Type.Optional(Type.Array(SoaEntryBody, { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const CreateRequestBody = Type.Object(
  {
    kind: oneOf(REQUEST_KINDS),
    subjectId: Type.String({ minLength: 1, maxLength: 200 }),
    title: Type.String({ minLength: 1, maxLength: 300 }),
    justification: Type.String({ minLength: 1, maxLength: 10_000 }),
    change: Type.Optional(ChangeBody),
  },
  { additionalProperties: false },
);

export const ReviseRequestBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 10_000 }),
    change: Type.Optional(ChangeBody),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const ReasonBody = Type.Object({ reason: Type.String({ maxLength: 10_000 }) }, { additionalProperties: false });

export const DecisionBody = Type.Object(
  {
    decision: oneOf(DECISIONS),
    rationale: Type.String({ maxLength: 10_000 }),
    contentDigest: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    validUntil: Type.Optional(Type.String({ format: 'date-time' })),
    stepIndex: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const RequestListQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(oneOf(REQUEST_STATUSES)),
    kind: Type.Optional(oneOf(REQUEST_KINDS)),
    systemId: Type.Optional(Type.String({ maxLength: 100 })),
    subjectId: Type.Optional(Type.String({ maxLength: 200 })),
    requestedBy: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'requests filed by this user id' })),
    emergency: Type.Optional(Type.Boolean({ description: 'true: only requests whose change was made as an emergency' })),
  },
  { additionalProperties: false },
);

const Person = Type.Object({ id: Type.String(), name: Type.String() });

export const DecisionView = component(
  'ApprovalDecision',
  Type.Object({
    id: Id,
    revision: Type.Integer(),
    counts: Type.Boolean(),
    stepIndex: Nullable(Type.Integer()),
    decision: StringEnum(DECISIONS),
    approver: Person,
    approverRole: Type.String({ description: 'the role signed in, `role@systemId` when held for that system only' }),
    onBehalfOf: Nullable(Person),
    rationale: Type.String(),
    contentDigest: Type.String(),
    decidedAt: Type.String(),
    validUntil: Nullable(Type.String()),
    expired: Type.Boolean(),
    eventId: Type.String(),
  }),
);

export const RequestView = Type.Object({
  id: Id,
  kind: StringEnum(REQUEST_KINDS),
  title: Type.String(),
  justification: Type.String(),
  subject: Type.Object({ type: StringEnum(SUBJECT_TYPES), id: Type.String() }),
  systemId: Nullable(Id),
  content: Json,
  contentDigest: Type.String(),
  currentSnapshot: Type.Unknown({
    description: 'the subject as it is now, in the shape of content.subject.snapshot (null when it no longer exists)',
  }),
  revision: Type.Integer(),
  policy: Type.Object({ id: Type.String(), version: Type.Integer() }),
  status: StringEnum(REQUEST_STATUSES),
  requestedBy: Type.String(),
  requestedByName: Nullable(Type.String({ description: "the requester's display name" })),
  createdAt: Type.String(),
  revisedAt: Type.String(),
  completedAt: Nullable(Type.String()),
  validUntil: Nullable(Type.String()),
  appliedAt: Nullable(Type.String()),
  emergency: Nullable(
    Type.Object({
      by: Type.String(),
      byName: Nullable(Type.String({ description: 'the display name of who proceeded with the emergency change' })),
      reason: Type.String(),
      at: Type.String(),
      exceptionId: Nullable(Type.String()),
      retrospectiveDueAt: Nullable(Type.String()),
      escalatedAt: Nullable(Type.String()),
    }),
  ),
  chain: Type.Object({
    complete: Type.Boolean(),
    openStage: Nullable(Type.Integer()),
    steps: Type.Array(
      Type.Object({
        index: Type.Integer(),
        name: Type.String(),
        stage: Type.Integer(),
        required: Type.Integer(),
        approvals: Type.Integer(),
        expired: Type.Integer(),
        complete: Type.Boolean(),
      }),
    ),
  }),
  decisions: Type.Array(DecisionView),
  version: Type.Integer(),
});

export const RequestSummary = component(
  'ApprovalRequestSummary',
  Type.Object({
    id: Id,
    kind: StringEnum(REQUEST_KINDS),
    title: Type.String(),
    subjectId: Type.String(),
    systemId: Nullable(Id),
    status: StringEnum(REQUEST_STATUSES),
    revision: Type.Integer(),
    contentDigest: Type.String(),
    requestedBy: Id,
    createdAt: Type.String(),
    emergencyAt: Nullable(Type.String({ description: 'when the change was made as an emergency, before approval' })),
    retrospectiveDueAt: Nullable(Type.String({ description: "an emergency change's retrospective approval is due by then" })),
    version: Type.Integer(),
  }),
);

export const QueueView = Type.Object({
  items: Type.Array(
    Type.Object({
      requestId: Type.String(),
      kind: StringEnum(REQUEST_KINDS),
      title: Type.String(),
      systemId: Nullable(Type.String()),
      subjectId: Type.String(),
      stepIndex: Type.Integer(),
      stepName: Type.String(),
      onBehalfOf: Nullable(Type.String()),
      onBehalfOfName: Nullable(Type.String({ description: 'the display name of the person you would sign for' })),
      contentDigest: Type.String(),
      revision: Type.Integer(),
      waitingSince: Type.String(),
      ageSeconds: Type.Integer(),
      renewalDue: Type.Boolean(),
      retrospectiveDueAt: Nullable(Type.String()),
    }),
  ),
  counts: Type.Object({
    total: Type.Integer(),
    byKind: Type.Record(Type.String(), Type.Integer()),
    renewalsDue: Type.Integer(),
    oldestAgeSeconds: Type.Integer(),
  }),
});

export const EmergencyView = Type.Object({
  request: RequestSummary,
  exceptionId: Type.String(),
  changeRecordId: Type.String(),
  retrospectiveDueAt: Type.String(),
});

export const DelegationBody = Type.Object(
  {
    delegateId: Type.String({ minLength: 1, maxLength: 100 }),
    startsAt: Type.Optional(Type.String({ format: 'date-time' })),
    endsAt: Type.String({ format: 'date-time' }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const DelegationView = Type.Object({
  id: Type.String(),
  delegatorId: Type.String(),
  delegatorName: Nullable(Type.String({ description: "the delegator's display name" })),
  delegateId: Type.String(),
  delegateName: Nullable(Type.String({ description: "the delegate's display name" })),
  startsAt: Type.String(),
  endsAt: Type.String(),
  reason: Type.String(),
  revokedAt: Nullable(Type.String()),
});

/** Who signed the approval that allowed a change (and for whom, when delegated). */
export const SignerView = SignerRef;

export const ChangeRecordView = component(
  'ChangeRecord',
  Type.Object({
    id: Id,
    subjectType: StringEnum(CHANGED_SUBJECT_TYPES),
    subjectId: Type.String(),
    systemId: Nullable(Id),
    subjectVersion: Nullable(Type.Integer()),
    changeKind: Type.String(),
    before: Json,
    after: Json,
    diff: Type.Array(Type.Object({ path: Type.String(), before: Json, after: Json })),
    rationale: Type.String(),
    approvalRequestId: Nullable(Type.String()),
    exceptionId: Nullable(Type.String()),
    recordedBy: Nullable(Type.String()),
    recordedByName: Nullable(Type.String({ description: 'the display name of who recorded the change' })),
    signedBy: Type.Array(SignerView, { description: 'who signed the approval that allowed the change; [] when none' }),
    recordedAt: Type.String(),
    eventId: Type.String(),
  }),
);

export const ChangeRecordQuery = Type.Object(
  { ...PageQuery, systemId: Type.Optional(Type.String({ maxLength: 100 })), subjectId: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

export const CompareQuery = Type.Object(
  { from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

const VersionState = Type.Object({
  version: Type.Integer(),
  state: Type.Record(Type.String(), Json),
  events: Type.Array(Type.Object({ seq: Type.Integer(), eventId: Type.String(), type: Type.String(), recordedAt: Type.String() })),
});

export const CompareView = Type.Object({
  subjectType: StringEnum(CHANGED_SUBJECT_TYPES),
  subjectId: Type.String(),
  from: VersionState,
  to: VersionState,
  diff: Type.Array(Type.Object({ path: Type.String(), before: Json, after: Json })),
});

export const ModelVersionCompareQuery = Type.Object(
  { from: Type.String({ minLength: 1, maxLength: 100 }), to: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

/** One step of a model version's life (registered, deployed, retired): who, when, under which approval. */
const LifeStep = Type.Object({
  at: Type.String(),
  by: Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()), kind: StringEnum(ACTOR_KINDS) }),
  signers: Type.Array(SignerView),
  approvalRequestId: Nullable(Type.String()),
  exceptionId: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  seq: Type.Integer(),
  eventId: Type.String(),
});

const ModelVersionSide = Type.Object({
  id: Type.String(),
  version: Type.Integer({ description: "the model version's latest version in the ledger" }),
  state: Type.Record(Type.String(), Json),
  registered: Nullable(LifeStep),
  deployed: Nullable(LifeStep),
  retired: Nullable(Type.Object({ ...LifeStep.properties, supersededBy: Type.String() })),
});

export const ModelVersionCompareView = Type.Object({
  systemId: Type.String(),
  from: ModelVersionSide,
  to: ModelVersionSide,
  diff: Type.Array(Type.Object({ path: Type.String(), before: Json, after: Json })),
});
