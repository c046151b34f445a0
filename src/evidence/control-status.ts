// The controls' status at generation time, as a pack reports it. The seam: live control status
// (src/modules/controls/, being built) is not here yet, so this derives the minimal one from the
// frameworks mapping: a control is "evidenced" when an event type in scope can evidence it (always,
// or under a fact of its leaf: "conditional"), else "no_evidence". Replace `controlStatuses` when
// the live status lands; the pack's files keep their shape.
import { type Control, controlsOf, FRAMEWORK_IDS, type FrameworkId } from '../frameworks/catalog.js';
import { eventTypesEvidencing } from '../frameworks/event-controls.js';
import type { SoaView } from '../governance/soa.js';

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

/** The Statement of Applicability as the pack reports it: each control in scope with the real SoA's
 * entry (governance/soa.ts, read when the pack is generated: applicable or excluded, the
 * justification, the version and who approved it; version 0 is the unreviewed default). A control
 * that is not an ISO/IEC 42001 Annex A control is outside the SoA and says so. */
export function statementOfApplicability(statuses: readonly ControlStatus[], soa: SoaView) {
  const entries = new Map(soa.entries.map((e) => [e.controlId, e]));
  return statuses.map((s) => {
    const entry = entries.get(s.controlId);
    return {
      controlId: s.controlId,
      title: s.title,
      applicable: entry?.applicable ?? true,
      justification: entry?.justification ?? 'not an ISO/IEC 42001 Annex A control: outside the Statement of Applicability',
      implemented: (entry?.applicable ?? true) && s.state !== 'no_evidence',
      soaVersion: entry ? entry.version : null,
      approved: entry?.approved ?? false,
      approvalRequestId: entry?.approvalRequestId ?? null,
      approvedBy: entry?.approvedBy.map((p) => ({ id: p.id, name: p.name })) ?? [],
    };
  });
}
