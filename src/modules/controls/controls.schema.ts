// Request and response shapes of live control status and gap analysis (GET /api/v1/controls/...).
import { Type } from 'typebox';
import { component, StringEnum } from '../../server/http.js';
import { CONTROL_STATUSES } from './controls.rules.js';

export const ControlStatusQuery = Type.Object(
  {
    framework: Type.String({ minLength: 1, maxLength: 100, description: 'iso42001, nist-ai-rmf, eu-ai-act, gdpr or dora' }),
    system: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'one AI system; without it, the organisation' })),
  },
  { additionalProperties: false },
);

const Status = StringEnum(CONTROL_STATUSES);
const Counts = Type.Object({
  satisfied: Type.Integer(),
  partly: Type.Integer(),
  not_satisfied: Type.Integer(),
  not_applicable: Type.Integer(),
});

/** The kinds of record a control's evidence points at. */
export const RECORD_TYPES = [
  'ai_system',
  'user',
  'person',
  'phase_owner',
  'approval_request',
  'oversight_roster',
  'exception',
  'incident',
  'review',
  'ledger_verification',
] as const;

export const RecordRefView = component('RecordRef', Type.Object({ type: StringEnum(RECORD_TYPES), id: Type.String() }));

export const ConditionResultView = component(
  'ControlCondition',
  Type.Object({
    condition: Type.String({ description: 'the evidence condition, e.g. use_approved, roster_staffed' }),
    holds: Type.Union([Type.Boolean(), Type.Null()], { description: 'null: it cannot be evaluated on the records yet' }),
    records: Type.Array(RecordRefView, { description: 'the records that prove it, or that break it' }),
    reason: Type.Union([Type.String(), Type.Null()]),
  }),
);

export const SystemControlStatusView = component(
  'SystemControlStatus',
  Type.Object({
    systemId: Type.String(),
    name: Type.String(),
    status: Status,
    conditions: Type.Array(ConditionResultView),
    reasons: Type.Array(Type.String()),
    since: Type.Union([Type.String(), Type.Null()], { description: 'since when this status has held (when it last changed)' }),
  }),
);

export const ControlStatusItem = component(
  'ControlStatus',
  Type.Object({
    controlId: Type.String(),
    title: Type.String(),
    status: Status,
    basis: StringEnum(['rule', 'crosswalk', 'manual', 'excluded'] as const, {
      description:
        'rule: evaluated on the records; crosswalk: from the linked ISO/IEC 42001 controls; manual: no record shows it; excluded: the Statement of Applicability excludes it (reason: its justification)',
    }),
    derivedFrom: Type.Array(Type.String()),
    reason: Type.Union([Type.String(), Type.Null()]),
    counts: Counts,
    since: Type.Union([Type.String(), Type.Null()], { description: 'since when this status has held (when it last changed)' }),
    systems: Type.Array(SystemControlStatusView),
  }),
);

export const ControlStatusReport = Type.Object({
  framework: Type.String(),
  systemId: Type.Union([Type.String(), Type.Null()]),
  evaluatedAt: Type.String(),
  summary: Counts,
  items: Type.Array(ControlStatusItem),
});

export const ControlGapView = component(
  'ControlGap',
  Type.Object({
    controlId: Type.String(),
    systemId: Type.String(),
    systemName: Type.String(),
    condition: Type.String(),
    reason: Type.String(),
    ownerId: Type.Union([Type.String(), Type.Null()], { description: 'who owns fixing it: the accountable owner of the system' }),
    ownerName: Type.Union([Type.String(), Type.Null()], { description: "the owner's display name" }),
    act: Type.String({ description: 'the API path a fix starts from' }),
    via: Type.Array(Type.String(), {
      description:
        'for a control without an evidence rule of its own: the ISO/IEC 42001 controls (linked by the crosswalk) whose failing condition this gap is; empty for a control with its own rule',
    }),
  }),
);

export const ControlGapReport = Type.Object({
  framework: Type.String(),
  systemId: Type.Union([Type.String(), Type.Null()]),
  evaluatedAt: Type.String(),
  items: Type.Array(ControlGapView),
});
