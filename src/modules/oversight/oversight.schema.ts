import { Type } from 'typebox';
import { Id, StringEnum } from '../../server/http.js';
import { AUTHORITIES } from './oversight.tables.js';

const Authorities = Type.Array(
  Type.Union([Type.Literal('pause'), Type.Literal('restrict'), Type.Literal('resume'), Type.Literal('override')]),
  { minItems: 1, maxItems: 4, uniqueItems: true },
);
const Reason = Type.String({ minLength: 1, maxLength: 2000, description: 'why: at least the configured minimum of visible characters' });

export const SystemParams = Type.Object({ id: Id }, { additionalProperties: false });
export const RosterParams = Type.Object({ id: Id, userId: Id }, { additionalProperties: false });

export const RosterAddBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 100 }),
    authorities: Authorities,
    competence: Type.String({ minLength: 3, maxLength: 4000, description: 'why this person is competent to oversee the system' }),
    training: Type.String({ maxLength: 4000, default: '', description: 'training completed, with dates' }),
  },
  { additionalProperties: false },
);

export const RosterUpdateBody = Type.Object(
  {
    authorities: Authorities,
    competence: Type.String({ minLength: 3, maxLength: 4000 }),
    training: Type.String({ maxLength: 4000, default: '' }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const RosterRemoveBody = Type.Object({ reason: Reason }, { additionalProperties: false });

export const RosterEntryView = Type.Object({
  systemId: Id,
  userId: Id,
  userName: Type.Union([Type.String(), Type.Null()], { description: "the officer's display name" }),
  authorities: Type.Array(StringEnum(AUTHORITIES)),
  competence: Type.String(),
  training: Type.String(),
  addedAt: Type.String(),
  addedBy: Type.Union([Type.String(), Type.Null()]),
  addedByName: Type.Union([Type.String(), Type.Null()], { description: 'the display name of who added the officer' }),
  updatedAt: Type.String(),
  version: Type.Integer(),
});

export const RosterList = Type.Object({ items: Type.Array(RosterEntryView) });

export const ActionBody = Type.Object(
  { reason: Reason, version: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);

export const RestrictBody = Type.Object(
  {
    reason: Reason,
    conditions: Type.Object(
      {
        humanReviewAll: Type.Optional(Type.Boolean({ description: 'a human reviews every output before it takes effect' })),
        text: Type.Optional(Type.String({ maxLength: 4000, description: 'free-text conditions' })),
        maxConfidenceAutonomy: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      },
      { additionalProperties: false },
    ),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const StateUnion = Type.Union([Type.Literal('active'), Type.Literal('restricted'), Type.Literal('paused')]);

export const RuntimeDetailView = Type.Object({
  systemId: Id,
  state: StateUnion,
  conditions: Type.Record(Type.String(), Type.Unknown()),
  reason: Type.String(),
  version: Type.Integer(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()], { description: 'who set the current state (null before any action)' }),
  updatedByName: Type.Union([Type.String(), Type.Null()], { description: 'the display name of who set the current state' }),
  pendingResume: Type.Union([
    Type.Object({
      by: Type.String(),
      byName: Type.Union([Type.String(), Type.Null()], { description: 'the display name of the officer who asked to resume' }),
      reason: Type.String(),
      at: Type.String(),
    }),
    Type.Null(),
  ]),
  pendingConfirmation: Type.Optional(Type.Boolean()),
});

/** What an AI system reads before acting. */
export const RuntimeStatusView = Type.Object({
  systemId: Id,
  state: StateUnion,
  conditions: Type.Record(Type.String(), Type.Unknown()),
  version: Type.Integer(),
  checkedAt: Type.String(),
  /** What the client applies when it cannot reach Proofline. */
  failSafeDefault: Type.Union([Type.Literal('paused'), Type.Literal('active')]),
});
