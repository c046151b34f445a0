// The controls' status at generation time, as a pack reports it. The seam: live control status
// (src/modules/controls/, being built) is not here yet, so this derives the minimal one from the
// frameworks mapping: a control is "evidenced" when an event type in scope can evidence it (always,
// or under a fact of its leaf: "conditional"), else "no_evidence". Replace `controlStatuses` when
// the live status lands; the pack's files keep their shape.
import { type Control, controlsOf, FRAMEWORK_IDS, type FrameworkId } from '../frameworks/catalog.js';
import { eventTypesEvidencing } from '../frameworks/event-controls.js';

export type ControlState = 'evidenced' | 'conditional' | 'no_evidence';

export interface ControlStatus {
  controlId: string;
  framework: FrameworkId;
  title: string;
  state: ControlState;
  /** The event types in the pack that evidence it, and how many events of each. */
  evidence: { eventType: string; events: number }[];
}

/** `eventTypes`: how many events of each type the pack holds. */
export function controlStatuses(
  eventTypes: ReadonlyMap<string, number>,
  frameworks: readonly FrameworkId[] = FRAMEWORK_IDS,
): ControlStatus[] {
  return frameworks.flatMap((framework) => controlsOf(framework).map((control) => statusOf(control, eventTypes)));
}

function statusOf(control: Control, eventTypes: ReadonlyMap<string, number>): ControlStatus {
  const evidencing = eventTypesEvidencing(control.controlId).filter((e) => eventTypes.has(e.eventType));
  const state: ControlState =
    evidencing.length === 0 ? 'no_evidence' : evidencing.some((e) => e.fact === null) ? 'evidenced' : 'conditional';
  return {
    controlId: control.controlId,
    framework: control.framework,
    title: control.title,
    state,
    evidence: evidencing.map((e) => ({ eventType: e.eventType, events: eventTypes.get(e.eventType) ?? 0 })),
  };
}

/** A Statement of Applicability: each control, whether it applies (every catalog control does here) and its state. */
export function statementOfApplicability(statuses: readonly ControlStatus[]) {
  return statuses.map((s) => ({
    controlId: s.controlId,
    title: s.title,
    applicable: true,
    justification: 'In the catalog Proofline applies; not excluded.',
    implemented: s.state !== 'no_evidence',
  }));
}
