// Request and response schemas of the AI system inventory (TypeBox: validation and OpenAPI).

import { type Static, type TLiteral, type TUnion, Type } from 'typebox';
import { ACTOR_KINDS } from '../../context.js';
import { SignerRef } from '../../governance/signer.schema.js';
import { HISTORY_KINDS } from '../../ledger/system-index.js';
import { CursorPage, component, Id, StringEnum } from '../../server/http.js';
import { AI_TYPES, DEPLOYMENT_KINDS, EU_RISK_TIERS, LIFECYCLE_PHASES, SYSTEM_SORTS, SYSTEM_STATUSES } from './systems.tables.js';

/** One of a closed list of strings; typed as the union of the list's literals, so `Static<>` keeps it. */
const oneOf = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;

export const AiTypeSchema = oneOf(AI_TYPES);
export const DeploymentKindSchema = oneOf(DEPLOYMENT_KINDS);
export const SystemStatusSchema = oneOf(SYSTEM_STATUSES);
export const EuRiskTierSchema = oneOf(EU_RISK_TIERS);
export const PhaseSchema = oneOf(LIFECYCLE_PHASES);

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const OptionalText = (maxLength: number) => Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()]));
const StringList = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 });
const Link = Type.Object({ label: Text(200), url: Type.String({ format: 'uri', maxLength: 2000 }) }, { additionalProperties: false });
const Rationale = Type.String({ maxLength: 10_000, description: 'Why: required, at least the configured minimum of visible characters' });
const Version = Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read (or send If-Match)' }));

export const SystemView = component(
  'System',
  Type.Object({
    id: Id,
    name: Type.String(),
    purpose: Type.String(),
    intendedUse: Type.String(),
    description: Type.String(),
    aiType: StringEnum(AI_TYPES),
    deploymentKind: StringEnum(DEPLOYMENT_KINDS),
    status: StringEnum(SYSTEM_STATUSES),
    euRiskTier: StringEnum(EU_RISK_TIERS),
    orgRiskTier: Type.Union([Type.String(), Type.Null()]),
    vendor: Type.Union([Type.String(), Type.Null()]),
    businessUnit: Type.Union([Type.String(), Type.Null()]),
    jurisdictions: Type.Array(Type.String()),
    tags: Type.Array(Type.String()),
    links: Type.Array(Type.Object({ label: Type.String(), url: Type.String() })),
    accountableOwnerId: Type.Union([Type.String(), Type.Null()]),
    accountableOwnerName: Type.Union([Type.String(), Type.Null()], { description: "the accountable owner's display name" }),
    triagedAt: Type.Union([Type.String(), Type.Null()]),
    runtimeDefault: StringEnum(['paused', 'active']),
    createdAt: Type.String(),
    createdBy: Type.Union([Type.String(), Type.Null()]),
    createdByName: Type.Union([Type.String(), Type.Null()], { description: "the creator's display name" }),
    updatedAt: Type.String(),
    version: Type.Integer(),
    reviewOverdue: Type.Optional(
      Type.Boolean({ description: 'a mandatory review of the system is overdue (on the inventory list and the system page)' }),
    ),
  }),
);

export const PhaseOwnerView = Type.Object({
  phase: StringEnum(LIFECYCLE_PHASES),
  userId: Type.String(),
  userName: Type.Union([Type.String(), Type.Null()], { description: "the phase owner's display name" }),
  assignedAt: Type.String(),
});

export const SystemDetailView = Type.Intersect([SystemView, Type.Object({ phaseOwners: Type.Array(PhaseOwnerView) })]);

export const CreateSystemBody = Type.Object(
  {
    name: Text(200),
    purpose: Text(2000),
    intendedUse: Text(2000),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    aiType: AiTypeSchema,
    deploymentKind: DeploymentKindSchema,
    status: Type.Optional(SystemStatusSchema),
    euRiskTier: Type.Optional(EuRiskTierSchema),
    orgRiskTier: OptionalText(100),
    vendor: OptionalText(200),
    businessUnit: OptionalText(200),
    jurisdictions: Type.Optional(StringList),
    tags: Type.Optional(StringList),
    links: Type.Optional(Type.Array(Link, { maxItems: 50 })),
    accountableOwnerId: OptionalText(100),
    runtimeDefault: Type.Optional(Type.Union([Type.Literal('paused'), Type.Literal('active')])),
  },
  { additionalProperties: false },
);

export const UpdateSystemBody = Type.Object(
  {
    version: Version,
    name: Type.Optional(Text(200)),
    purpose: Type.Optional(Text(2000)),
    intendedUse: Type.Optional(Text(2000)),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    aiType: Type.Optional(AiTypeSchema),
    deploymentKind: Type.Optional(DeploymentKindSchema),
    vendor: OptionalText(200),
    businessUnit: OptionalText(200),
    jurisdictions: Type.Optional(StringList),
    tags: Type.Optional(StringList),
    links: Type.Optional(Type.Array(Link, { maxItems: 50 })),
    runtimeDefault: Type.Optional(Type.Union([Type.Literal('paused'), Type.Literal('active')])),
    rationale: Type.Optional(Type.String({ maxLength: 5000, description: 'why; kept on the change record' })),
  },
  { additionalProperties: false },
);

/** A new system as the API and the import accept it. */
export type NewSystem = Static<typeof CreateSystemBody>;
/** The descriptive fields `updateSystem` changes (version and rationale travel beside them). */
export type SystemChanges = Omit<Static<typeof UpdateSystemBody>, 'version' | 'rationale'>;

export const ChangeOwnerBody = Type.Object({ ownerId: Text(100), rationale: Rationale, version: Version }, { additionalProperties: false });

export const ChangeStatusBody = Type.Object(
  { status: SystemStatusSchema, rationale: Rationale, approvalRequestId: Type.Optional(Text(100)), version: Version },
  { additionalProperties: false },
);

export const ChangeRiskTierBody = Type.Object(
  { euRiskTier: Type.Optional(EuRiskTierSchema), orgRiskTier: OptionalText(100), rationale: Rationale, version: Version },
  { additionalProperties: false },
);

export const TriageBody = Type.Object({ rationale: Rationale, version: Version }, { additionalProperties: false });

export const PhaseParams = Type.Object({ id: Id, phase: PhaseSchema }, { additionalProperties: false });
export const AssignPhaseOwnerBody = Type.Object({ userId: Text(100), rationale: Rationale }, { additionalProperties: false });
export const UnassignPhaseOwnerBody = Type.Object({ rationale: Rationale }, { additionalProperties: false });

/** Which systems: the filters of the inventory list, shared by its export (the same names, the same checks). */
const SystemFilterFields = {
  status: Type.Optional(SystemStatusSchema),
  euRiskTier: Type.Optional(EuRiskTierSchema),
  deploymentKind: Type.Optional(DeploymentKindSchema),
  aiType: Type.Optional(AiTypeSchema),
  ownerId: Type.Optional(Text(100)),
  withoutOwner: Type.Optional(Type.Boolean()),
  untriagedShadow: Type.Optional(Type.Boolean()),
  reviewOverdue: Type.Optional(Type.Boolean({ description: 'only systems with (true) or without (false) an overdue mandatory review' })),
  tag: Type.Optional(Text(100)),
  q: Type.Optional(Text(200)),
};

export const ListSystemsQuery = Type.Object(
  {
    ...SystemFilterFields,
    sort: Type.Optional(oneOf(SYSTEM_SORTS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

export const SummaryView = Type.Object({
  total: Type.Integer(),
  byEuRiskTier: Type.Record(Type.String(), Type.Integer()),
  byStatus: Type.Record(Type.String(), Type.Integer()),
  withoutOwner: Type.Integer(),
  untriagedShadow: Type.Integer(),
});

export const TimelineEntryView = component(
  'TimelineEntry',
  Type.Object({
    seq: Type.Integer(),
    eventId: Type.String(),
    type: Type.String(),
    recordedAt: Type.String(),
    actor: Type.Object({
      kind: StringEnum(ACTOR_KINDS),
      id: Type.Union([Type.String(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()]),
      email: Type.Union([Type.String(), Type.Null()]),
    }),
    reason: Type.Union([Type.String(), Type.Null()]),
    before: Type.Unknown(),
    after: Type.Unknown(),
    data: Type.Unknown(),
  }),
);

export const TimelineQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Person = Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()) });

export const HistoryQuery = Type.Object(
  {
    kind: Type.Optional(
      Type.String({ maxLength: 200, description: `comma-separated kinds: ${HISTORY_KINDS.join(', ')}`, examples: ['approval,exception'] }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'server time, inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'server time, exclusive' })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc', description: 'asc: oldest first' })),
    cursor: Type.Optional(Type.Integer({ minimum: 0, description: 'the nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

export const HistoryEntryView = component(
  'HistoryEntry',
  Type.Object({
    seq: Type.Integer({ description: 'ledger sequence number: prove the entry with GET /api/v1/ledger/proofs/inclusion' }),
    eventId: Type.String(),
    recordedAt: Type.String({ description: 'server time' }),
    kind: StringEnum(HISTORY_KINDS),
    type: Type.String(),
    summary: Type.String(),
    subject: Type.Object({ type: Type.String(), id: Type.String() }),
    actor: Type.Object({
      kind: StringEnum(ACTOR_KINDS),
      id: Nullable(Type.String()),
      name: Nullable(Type.String()),
      email: Nullable(Type.String()),
    }),
    onBehalfOf: Nullable(Person),
    signers: Nullable(Type.Array(SignerRef)),
    rationale: Nullable(Type.String()),
    links: Type.Record(Type.String(), Type.String()),
    leafHash: Type.String(),
  }),
);

/** One page of a system's history, in ledger order: send `nextCursor` as `cursor` for the next. */
export const HistoryPageView = CursorPage(HistoryEntryView);

export const ModelVersionView = Type.Object({
  id: Id,
  systemId: Id,
  label: Type.String(),
  artifactSha256: Type.String(),
  trainingDataRefs: Type.Array(Type.String()),
  parameters: Type.Unknown(),
  registeredBy: Type.Union([Type.String(), Type.Null()]),
  registeredByName: Type.Union([Type.String(), Type.Null()], { description: 'the display name of who registered it' }),
  notes: Type.String(),
  status: StringEnum(['registered', 'deployed', 'retired']),
  deployedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  version: Type.Integer(),
});

export const RegisterModelVersionBody = Type.Object(
  {
    label: Text(200),
    artifactSha256: Type.String({ maxLength: 64, description: 'SHA-256 of the model artifact, 64 hex digits' }),
    trainingDataRefs: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 200 })),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    notes: Type.Optional(Type.String({ maxLength: 20_000 })),
  },
  { additionalProperties: false },
);

export const DeployModelVersionBody = Type.Object({ approvalRequestId: Type.Optional(Text(100)) }, { additionalProperties: false });

export const DataSourceView = Type.Object({
  id: Id,
  systemId: Id,
  name: Type.String(),
  kind: Type.String(),
  containsPersonalData: Type.Boolean(),
  provenance: Type.String(),
  ownerId: Type.Union([Type.String(), Type.Null()]),
  ownerName: Type.Union([Type.String(), Type.Null()], { description: "the owner's display name" }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  version: Type.Integer(),
});

export const AddDataSourceBody = Type.Object(
  {
    name: Text(200),
    kind: Text(100),
    containsPersonalData: Type.Boolean(),
    provenance: Type.Optional(Type.String({ maxLength: 5000 })),
    ownerId: OptionalText(100),
    rationale: Type.Optional(Type.String({ maxLength: 5000, description: 'why; kept on the change record' })),
  },
  { additionalProperties: false },
);

export const UpdateDataSourceBody = Type.Object(
  {
    version: Version,
    name: Type.Optional(Text(200)),
    kind: Type.Optional(Text(100)),
    containsPersonalData: Type.Optional(Type.Boolean()),
    provenance: Type.Optional(Type.String({ maxLength: 5000 })),
    ownerId: OptionalText(100),
    rationale: Type.Optional(Type.String({ maxLength: 5000, description: 'why; kept on the change record' })),
  },
  { additionalProperties: false },
);

export const ImportQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])),
    dryRun: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const ImportReportView = Type.Object({
  valid: Type.Integer(),
  invalid: Type.Array(Type.Object({ line: Type.Integer(), errors: Type.Array(Type.String()) })),
  imported: Type.Integer(),
});

/** The export takes the list's filters (without its paging and sort: every match, by name). */
export const ExportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])), ...SystemFilterFields },
  { additionalProperties: false },
);
