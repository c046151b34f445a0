// The controls' status at generation time, as a pack reports it: the live control status
// (modules/controls/: the evidence rules on the records, the SoA's exclusions, the per-system
// conditions and their reasons, since when each status has held), evaluated for the pack's scope
// at its generation time, exactly as GET /api/v1/controls/status answers it. Beside it, what the
// ledger evidences by the frameworks mapping (event types in the pack per control): context, never
// the status. Evidence packs import this one feature, through this file only (architecture.test.ts).
import type { Store } from '../db/store.js';
import { FRAMEWORK_IDS, type FrameworkId, findControl } from '../frameworks/catalog.js';
import { eventTypesEvidencing } from '../frameworks/event-controls.js';
import type { SoaView } from '../governance/soa.js';
import { evaluateControlStatus } from '../modules/controls/controls.service.js';
import type { PackScope } from './pack-format.js';

/** One framework's live status: the body of GET /api/v1/controls/status?framework=&system=. */
export type FrameworkStatus = Awaited<ReturnType<typeof evaluateControlStatus>>;
export type LiveControlStatus = FrameworkStatus['items'][number];

/** controls/status.json. */
export interface PackControlStatus {
  evaluatedAt: string;
  /** The live status per framework in scope, each as the API answers it for the same scope and time. */
  frameworks: FrameworkStatus[];
  /** By the frameworks mapping: per control, the event types in the pack that can evidence it and how
   * many events of each (controls with none are left out). Not the status. */
  evidenceByMapping: Record<string, { eventType: string; events: number }[]>;
}

/** The frameworks whose status a pack carries: a framework scope's own, a control scope's
 * framework, every framework for the organisation or a system. */
export function statusFrameworks(scope: PackScope): FrameworkId[] {
  if (scope.kind === 'framework') return [scope.id as FrameworkId];
  if (scope.kind === 'control') return [findControl(scope.id as string)?.framework as FrameworkId];
  return [...FRAMEWORK_IDS];
}

/** The live status for the pack's scope (a system scope: that system's), evaluated at `now`. Like
 * the API, it records each status that changed (controls.transitions.ts): derived data, not evidence. */
export async function liveControlStatus(store: Store, scope: PackScope, now: Date): Promise<FrameworkStatus[]> {
  const systemId = scope.kind === 'system' ? scope.id : undefined;
  const frameworks: FrameworkStatus[] = [];
  for (const framework of statusFrameworks(scope)) frameworks.push(await evaluateControlStatus(store, { framework, systemId, now }));
  return frameworks;
}

/** `eventTypes`: how many events of each type the pack holds. */
export function evidenceByMapping(
  frameworks: readonly FrameworkStatus[],
  eventTypes: ReadonlyMap<string, number>,
): PackControlStatus['evidenceByMapping'] {
  const byControl: PackControlStatus['evidenceByMapping'] = {};
  for (const item of frameworks.flatMap((f) => f.items)) {
    const evidence = eventTypesEvidencing(item.controlId)
      .filter((e) => eventTypes.has(e.eventType))
      .map((e) => ({ eventType: e.eventType, events: eventTypes.get(e.eventType) ?? 0 }));
    if (evidence.length) byControl[item.controlId] = evidence;
  }
  return byControl;
}

/** Every assessed control of the pack's status, in order. */
export const statusItems = (status: { frameworks: readonly FrameworkStatus[] }): LiveControlStatus[] =>
  status.frameworks.flatMap((f) => f.items);

/** Why a control is not satisfied (or not applicable): its own reason, else each failing system's
 * reasons, "<system>: <reason>". */
export function reasonsOf(item: LiveControlStatus): string[] {
  if (item.reason) return [item.reason];
  return item.systems.flatMap((s) => (s.status === 'satisfied' ? [] : s.reasons.map((reason) => `${s.name}: ${reason}`)));
}

/** The Statement of Applicability as the pack reports it: each control in scope with the real SoA's
 * entry (governance/soa.ts, read when the pack is generated: applicable or excluded, the
 * justification, the version and who approved it; version 0 is the unreviewed default) and its live
 * status; implemented = applicable and satisfied. A control that is not an ISO/IEC 42001 Annex A
 * control is outside the SoA and says so. */
export function statementOfApplicability(items: readonly LiveControlStatus[], soa: SoaView) {
  const entries = new Map(soa.entries.map((e) => [e.controlId, e]));
  return items.map((s) => {
    const entry = entries.get(s.controlId);
    const applicable = entry?.applicable ?? true;
    return {
      controlId: s.controlId,
      title: s.title,
      applicable,
      justification: entry?.justification ?? 'not an ISO/IEC 42001 Annex A control: outside the Statement of Applicability',
      status: s.status,
      implemented: applicable && s.status === 'satisfied',
      soaVersion: entry ? entry.version : null,
      approved: entry?.approved ?? false,
      approvalRequestId: entry?.approvalRequestId ?? null,
      approvedBy: entry?.approvedBy.map((p) => ({ id: p.id, name: p.name })) ?? [],
    };
  });
}
