import { Type } from 'typebox';
import { component, Id, StringEnum } from '../../server/http.js';

const Outcome = Type.Union([Type.Literal('upheld'), Type.Literal('rejected'), Type.Literal('partially_upheld')]);
const Status = Type.Union([Type.Literal('received'), Type.Literal('in_review'), Type.Literal('resolved')]);
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const Link = Type.Object(
  { type: Type.Union([Type.Literal('exception'), Type.Literal('lesson')]), id: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const PublicAppealBody = Type.Object(
  {
    systemRef: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 20,
        description: 'the public reference of the AI system (e.g. PL-7K3Q9D), from its public page or the decision you received',
      }),
    ),
    systemId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'the AI system named in the decision, when it gave an id rather than a reference',
      }),
    ),
    decisionId: Type.String({ minLength: 1, maxLength: 200, description: 'the decision reference you received' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    contact: Type.Optional(Type.String({ maxLength: 320, description: 'how we can reach you with the answer' })),
    statement: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'why you challenge the decision (at least 10 visible characters, or as configured)',
    }),
  },
  { additionalProperties: false },
);

export const PublicAppealReceipt = Type.Object({
  caseNumber: Type.String(),
  secret: Type.String({ description: 'keep it: with the case number it shows the status of your appeal' }),
  status: Type.Literal('received'),
  dueAt: Type.String(),
});

export const PublicStatusParams = Type.Object(
  { caseNumber: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
export const PublicStatusQuery = Type.Object({ secret: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const PublicStatusView = Type.Object({
  caseNumber: Type.String(),
  status: Status,
  receivedAt: Type.String(),
  dueAt: Type.String(),
  outcome: Type.Union([Outcome, Type.Null()]),
  outcomeExplanation: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
});

export const StaffAppealBody = Type.Object(
  {
    systemId: Type.String({ minLength: 1, maxLength: 100 }),
    decisionId: Type.String({ minLength: 1, maxLength: 200 }),
    appellantName: Type.String({ minLength: 1, maxLength: 200 }),
    appellantContact: Type.String({ maxLength: 320, default: '' }),
    statement: Type.String({ minLength: 1, maxLength: 4000 }),
    ownerId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const AppealView = component(
  'Appeal',
  Type.Object({
    id: Id,
    caseNumber: Type.String(),
    systemRef: Type.String(),
    decisionRef: Type.String(),
    decisionId: Nullable(Type.String()),
    decisionFound: Type.Boolean(),
    channel: StringEnum(['public', 'staff']),
    appellantName: Type.String(),
    appellantContact: Type.String(),
    statement: Type.String(),
    submittedBy: Nullable(Type.String()),
    submittedByName: Nullable(Type.String({ description: 'the display name of the staff member who filed it' })),
    ownerId: Nullable(Type.String()),
    ownerName: Nullable(Type.String({ description: "the owner's display name" })),
    status: Status,
    outcome: Type.Union([Outcome, Type.Null()]),
    outcomeExplanation: Nullable(Type.String()),
    dueAt: Type.String(),
    overdue: Type.Boolean(),
    resolvedAt: Nullable(Type.String()),
    resolvedBy: Nullable(Type.String()),
    resolvedByName: Nullable(Type.String({ description: "the resolver's display name" })),
    links: Type.Array(Link),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    version: Type.Integer(),
  }),
);

export const StaffAppealReceipt = Type.Object({ appeal: AppealView, secret: Type.String() });

export const VersionBody = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
export const AssignBody = Type.Object(
  { ownerId: Type.String({ minLength: 1, maxLength: 100 }), version: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
export const ResolveBody = Type.Object(
  {
    outcome: Outcome,
    explanation: Type.String({ minLength: 1, maxLength: 8000, description: 'the reasons, as they will be told to the appellant' }),
    links: Type.Array(Link, { maxItems: 50, default: [] }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export const LinkBody = Type.Object({ links: Type.Array(Link, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false });

export const AppealQuery = Type.Object(
  {
    status: Type.Optional(Status),
    systemId: Type.Optional(Type.String({ maxLength: 100 })),
    ownerId: Type.Optional(Type.String({ maxLength: 100 })),
    overdue: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
