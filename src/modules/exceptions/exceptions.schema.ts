// Request and response schemas for exceptions, incidents and their remediation.
import { Type } from 'typebox';
import { component, PageQuery, Id as RecordId } from '../../server/http.js';
import {
  EXCEPTION_KINDS,
  EXCEPTION_STATUSES,
  FOLLOW_UP_KINDS,
  FOLLOW_UP_STATUSES,
  RAISED_BY_TYPES,
  SEVERITIES,
} from './exceptions.tables.js';
import { DEADLINE_KEYS, HARM_CATEGORIES } from './incident-deadlines.js';

const oneOf = <const T extends string[]>(values: readonly [...T]) => Type.Enum(values);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (max = 10_000) => Type.String({ minLength: 1, maxLength: max });
const Time = Type.String({ format: 'date-time' });
const Id = Type.String({ minLength: 1, maxLength: 100 });
const Version = Type.Optional(Type.Integer({ minimum: 1 }));
const Link = Type.Object({ type: Type.String({ minLength: 1, maxLength: 50 }), id: Id }, { additionalProperties: false });

const exceptionFields = {
  systemId: Id,
  title: Text(300),
  description: Text(),
  severity: oneOf(SEVERITIES),
  detectedAt: Type.Optional(Time),
  raisedBy: Type.Object({ type: oneOf(RAISED_BY_TYPES), ref: Text(300) }, { additionalProperties: false }),
  ownerId: Id,
  resolverId: Id,
  links: Type.Optional(Type.Array(Link, { maxItems: 50 })),
};

export const NewExceptionBody = Type.Object({ ...exceptionFields, kind: oneOf(EXCEPTION_KINDS) }, { additionalProperties: false });

export const ExceptionListQuery = Type.Object(
  {
    status: Type.Optional(oneOf(EXCEPTION_STATUSES)),
    kind: Type.Optional(oneOf(EXCEPTION_KINDS)),
    severity: Type.Optional(oneOf(SEVERITIES)),
    systemId: Type.Optional(Id),
    ownerId: Type.Optional(Id),
    open: Type.Optional(Type.Boolean({ description: 'only exceptions still open (not closed, rejected or a duplicate)' })),
    overdue: Type.Optional(Type.Boolean()),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const TransitionBody = Type.Object(
  { to: oneOf(EXCEPTION_STATUSES), reason: Text(2000), duplicateOf: Type.Optional(Id), version: Version },
  { additionalProperties: false },
);
export const RootCauseBody = Type.Object({ category: Text(100), text: Text(2000), version: Version }, { additionalProperties: false });
export const VerifyBody = Type.Object({ note: Text(2000), version: Version }, { additionalProperties: false });
export const NewCorrectiveActionBody = Type.Object({ description: Text(2000), ownerId: Id, dueAt: Time }, { additionalProperties: false });
export const CompleteActionBody = Type.Object({ evidence: Text(4000), version: Version }, { additionalProperties: false });
export const ActionParams = Type.Object({ id: RecordId, actionId: RecordId }, { additionalProperties: false });
export const FollowUpParams = Type.Object({ id: RecordId, followUpId: RecordId }, { additionalProperties: false });

const followUpFields = { kind: oneOf(FOLLOW_UP_KINDS), description: Text(2000), ownerId: Id, dueAt: Time };
export const NewLessonBody = Type.Object(
  {
    text: Text(4000),
    followUps: Type.Optional(Type.Array(Type.Object(followUpFields, { additionalProperties: false }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export const NewFollowUpBody = Type.Object({ lessonId: Id, ...followUpFields }, { additionalProperties: false });
export const FollowUpTransitionBody = Type.Object(
  { to: oneOf(FOLLOW_UP_STATUSES), reason: Text(2000), evidence: Type.Optional(Text(4000)), version: Version },
  { additionalProperties: false },
);

export const ExceptionView = component(
  'Exception',
  Type.Object({
    id: RecordId,
    systemId: RecordId,
    kind: oneOf(EXCEPTION_KINDS),
    title: Type.String(),
    description: Type.String(),
    severity: oneOf(SEVERITIES),
    status: oneOf(EXCEPTION_STATUSES),
    detectedAt: Type.String(),
    raisedBy: Type.Object({
      type: oneOf(RAISED_BY_TYPES),
      ref: Type.String(),
      refName: Nullable(Type.String({ description: 'when a person raised it: their display name' })),
    }),
    ownerId: Type.String(),
    ownerName: Nullable(Type.String({ description: "the owner's display name" })),
    resolverId: Type.String(),
    resolverName: Nullable(Type.String({ description: "the resolver's display name" })),
    dueAt: Type.String(),
    overdue: Type.Boolean(),
    links: Type.Array(Type.Object({ type: Type.String(), id: Type.String() })),
    rootCause: Nullable(Type.Object({ category: Type.String(), text: Type.String() })),
    recurring: Type.Boolean(),
    recurringRefs: Type.Array(Type.String()),
    duplicateOf: Nullable(Type.String()),
    verification: Nullable(
      Type.Object({
        by: Type.String(),
        byName: Nullable(Type.String({ description: "the verifier's display name" })),
        at: Type.String(),
        note: Type.String(),
      }),
    ),
    closedAt: Nullable(Type.String()),
    createdAt: Type.String(),
    createdBy: Nullable(Type.String()),
    createdByName: Nullable(Type.String({ description: "the creator's display name" })),
    updatedAt: Type.String(),
    version: Type.Integer(),
  }),
);

export const CorrectiveActionView = Type.Object({
  id: Type.String(),
  exceptionId: Type.String(),
  description: Type.String(),
  ownerId: Type.String(),
  ownerName: Nullable(Type.String({ description: "the owner's display name" })),
  dueAt: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('completed')]),
  overdue: Type.Boolean(),
  evidence: Nullable(Type.String()),
  completedAt: Nullable(Type.String()),
  completedBy: Nullable(Type.String()),
  completedByName: Nullable(Type.String({ description: 'the display name of who completed it' })),
  createdAt: Type.String(),
  version: Type.Integer(),
});

export const FollowUpView = Type.Object({
  id: Type.String(),
  exceptionId: Type.String(),
  lessonId: Type.String(),
  kind: oneOf(FOLLOW_UP_KINDS),
  description: Type.String(),
  ownerId: Type.String(),
  ownerName: Nullable(Type.String({ description: "the owner's display name" })),
  dueAt: Type.String(),
  status: oneOf(FOLLOW_UP_STATUSES),
  overdue: Type.Boolean(),
  evidence: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
  createdAt: Type.String(),
  version: Type.Integer(),
});

const lessonFields = {
  id: Type.String(),
  exceptionId: Type.String(),
  text: Type.String(),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
  createdByName: Nullable(Type.String({ description: 'the display name of who recorded the lesson' })),
};
export const LessonView = Type.Object(lessonFields);
export const LessonWithFollowUpsView = Type.Object({ ...lessonFields, followUps: Type.Array(FollowUpView) });

/** A status move as the ledger holds it: the row keeps only the current status. */
const StatusMoveView = Type.Object({
  from: Nullable(oneOf(EXCEPTION_STATUSES)),
  to: oneOf(EXCEPTION_STATUSES),
  at: Time,
  by: Nullable(Type.String({ description: 'who moved it (a user id; null for the system)' })),
  byName: Nullable(Type.String({ description: 'their display name as the ledger recorded it' })),
  reason: Type.String(),
});

const detailFields = {
  ...ExceptionView.properties,
  statusMoves: Type.Array(StatusMoveView, { description: 'every status move, oldest first: who, when, why' }),
  correctiveActions: Type.Array(CorrectiveActionView),
  lessons: Type.Array(LessonView),
  followUps: Type.Array(FollowUpView),
};
export const ExceptionDetailView = Type.Object(detailFields);

// Incidents
const incidentDetailFields = {
  harmCategories: Type.Optional(Type.Array(oneOf(HARM_CATEGORIES), { maxItems: HARM_CATEGORIES.length })),
  awareAt: Type.Optional(Time),
  widespreadInfringement: Type.Optional(Type.Boolean()),
  criticalInfrastructureDisruption: Type.Optional(Type.Boolean()),
  death: Type.Optional(Type.Boolean()),
  personalDataBreach: Type.Optional(Type.Boolean()),
  doraMajor: Type.Optional(Type.Boolean()),
  doraClassifiedAt: Type.Optional(Nullable(Time)),
};
export const NewIncidentBody = Type.Object(
  { ...exceptionFields, incident: Type.Object(incidentDetailFields, { additionalProperties: false }) },
  { additionalProperties: false },
);
export const UpdateIncidentBody = Type.Object(
  { ...incidentDetailFields, reason: Text(2000), version: Version },
  { additionalProperties: false },
);
export const IncidentListQuery = Type.Object(
  {
    status: Type.Optional(oneOf(EXCEPTION_STATUSES)),
    systemId: Type.Optional(Id),
    ownerId: Type.Optional(Id),
    open: Type.Optional(Type.Boolean({ description: 'only incidents still open (not closed, rejected or a duplicate)' })),
    overdue: Type.Optional(Type.Boolean()),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ReportView = Type.Object({
  id: Type.String(),
  deadlineKey: oneOf(DEADLINE_KEYS),
  dueAt: Nullable(Type.String()),
  filedAt: Type.String(),
  reference: Type.String(),
  onTime: Type.Boolean(),
  note: Type.String(),
});

export const DeadlineView = Type.Object({
  key: oneOf(DEADLINE_KEYS),
  regime: Type.Union([Type.Literal('eu_ai_act'), Type.Literal('gdpr'), Type.Literal('dora')]),
  title: Type.String(),
  dueAt: Type.String(),
  basis: Type.String(),
  rules: Type.Array(Type.String()),
  articles: Type.Array(Type.String()),
  provisional: Type.Boolean(),
  status: Type.Union([Type.Literal('due'), Type.Literal('overdue'), Type.Literal('filed_on_time'), Type.Literal('filed_late')]),
  reports: Type.Array(Type.Omit(ReportView, ['deadlineKey'])),
});
export const DeadlinesView = Type.Object({ items: Type.Array(DeadlineView) });

export const IncidentView = Type.Object({
  ...detailFields,
  incident: Type.Object({
    harmCategories: Type.Array(oneOf(HARM_CATEGORIES)),
    awareAt: Type.String(),
    widespreadInfringement: Type.Boolean(),
    criticalInfrastructureDisruption: Type.Boolean(),
    death: Type.Boolean(),
    personalDataBreach: Type.Boolean(),
    doraMajor: Type.Boolean(),
    doraClassifiedAt: Nullable(Type.String()),
  }),
  deadlines: Type.Array(DeadlineView),
});

export const FileReportBody = Type.Object(
  {
    deadlineKey: oneOf(DEADLINE_KEYS),
    filedAt: Type.Optional(Time),
    reference: Text(300),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
