// Request and response schemas of the ledger API.
import { Type } from 'typebox';
import { component, PageQuery, StringEnum } from '../server/http.js';
import { PROBLEM_KINDS } from './verify.service.js';

export const EventQuery = Type.Object(
  {
    subjectType: Type.Optional(Type.String({ maxLength: 100 })),
    subjectId: Type.Optional(Type.String({ maxLength: 200 })),
    actorId: Type.Optional(Type.String({ maxLength: 200 })),
    type: Type.Optional(Type.String({ maxLength: 200 })),
    control: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'only events that evidence this control, e.g. iso42001:A.9.2, gdpr:art-33 (computed by the mapping, facts included)',
      }),
    ),
    systemId: Type.Optional(Type.String({ maxLength: 200, description: 'events concerning this AI system' })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0, description: 'only events after this sequence number' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const EventView = component(
  'LedgerEvent',
  Type.Object({
    seq: Type.Integer(),
    eventId: Type.String(),
    type: Type.String(),
    recordedAt: Type.String(),
    leafHash: Type.String({ description: 'hex SHA-256(0x00 || leaf)' }),
    event: Type.Unknown({ description: 'the event, parsed from its canonical JSON leaf' }),
    controls: Type.Array(Type.String(), { description: 'the controls the event evidences, by the mapping applied on read' }),
    recordedControls: Type.Array(Type.String(), {
      description: 'the tags the leaf itself carries (events written before the mapping), in canonical spelling',
    }),
  }),
);

export const SeqParams = Type.Object(
  { seq: Type.Integer({ minimum: 0, description: 'the sequence number (leaf index) of the event' }) },
  { additionalProperties: false },
);

export const LatestCheckpointQuery = Type.Object(
  {
    download: Type.Optional(
      Type.Boolean({ description: 'answer as a file to save (Content-Disposition: attachment), for `proofline verify --against FILE`' }),
    ),
  },
  { additionalProperties: false },
);

export const PublicKeyView = Type.Object({
  name: Type.String(),
  verifierKey: Type.String({ description: 'sumdb verifier key: <name>+<hex key id>+<base64 key>' }),
  publicKeyPem: Type.String(),
});

export const CheckpointView = component(
  'Checkpoint',
  Type.Object({
    treeSize: Type.Integer(),
    rootHash: Type.String({ description: 'hex' }),
    rootHashBase64: Type.String(),
    note: Type.String({ description: 'C2SP checkpoint signed note' }),
    createdAt: Type.String(),
  }),
);

export const CheckpointMade = Type.Object({ checkpoint: CheckpointView, created: Type.Boolean() });

export const InclusionQuery = Type.Object(
  {
    seq: Type.Optional(Type.Integer({ minimum: 0 })),
    eventId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    size: Type.Optional(Type.Integer({ minimum: 1, description: 'tree size; default: the latest checkpoint' })),
  },
  { additionalProperties: false },
);

export const InclusionProofView = Type.Object({
  seq: Type.Integer(),
  eventId: Type.String(),
  leaf: Type.String(),
  leafHash: Type.String(),
  treeSize: Type.Integer(),
  proof: Type.Array(Type.String()),
  rootHash: Type.String(),
  rootHashBase64: Type.String(),
  checkpoint: Type.Union([Type.String(), Type.Null()]),
});

export const ConsistencyQuery = Type.Object(
  { size1: Type.Integer({ minimum: 1 }), size2: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const ConsistencyProofView = Type.Object({
  size1: Type.Integer(),
  size2: Type.Integer(),
  proof: Type.Array(Type.String()),
  root1: Type.String(),
  root2: Type.String(),
  root1Base64: Type.String(),
  root2Base64: Type.String(),
  checkpoint1: Type.Union([Type.String(), Type.Null()]),
  checkpoint2: Type.Union([Type.String(), Type.Null()]),
});

export const VerifyReportView = Type.Object({
  ok: Type.Boolean(),
  events: Type.Integer(),
  rootHash: Type.String(),
  checkpointsChecked: Type.Integer(),
  problem: Type.Union([
    Type.Object({
      kind: StringEnum(PROBLEM_KINDS),
      seq: Type.Union([Type.Integer(), Type.Null()]),
      message: Type.String(),
      /** For an index_mismatch: the ledger_events column that disagrees with the leaf. */
      column: Type.Optional(Type.String()),
    }),
    Type.Null(),
  ]),
  queued: Type.Integer({ description: 'Events committed and not yet integrated into the tree (PostgreSQL; always 0 on SQLite)' }),
  oldestQueuedAt: Type.Union([Type.String(), Type.Null()]),
});

/** One line of `GET /api/v1/ledger/verify/progress`: how far the run is, then its report (or why it stopped). */
export const VerifyProgressLine = Type.Union([
  Type.Object({
    progress: Type.Object({
      done: Type.Integer({ description: 'events rehashed so far' }),
      total: Type.Integer({ description: 'events in the snapshot being verified' }),
    }),
  }),
  Type.Object({ report: VerifyReportView }),
  Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
]);

export const NoteBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 10_000 }),
    references: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const NoteView = Type.Object({
  id: Type.String(),
  text: Type.String(),
  references: Type.Array(Type.String()),
  createdAt: Type.String(),
  seq: Type.Integer(),
  eventId: Type.String(),
});
