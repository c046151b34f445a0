// THE mapping from ledger events to the controls they evidence: one rule per event type (the
// registry in ledger/event-types.ts), here and nowhere else. Where the law depends on the facts, so
// does the rule: an incident evidences GDPR Art. 33 only when it is a personal data breach, DORA
// Art. 19 only when it is a major ICT-related incident of a financial entity, AI Act Art. 73 only
// when it is a serious incident. Events keep their leaves; controls are computed when reading.
import { EVENT_TYPES, type EventType, isEventType } from '../ledger/event-types.js';
import type { HistoryKind } from '../ledger/system-index.js';
import { normaliseControlId } from './catalog.js';

/** The parts of an event (its parsed leaf) the rules read. */
export interface EvidenceEvent {
  type: string;
  subject?: { type?: unknown } | null;
  after?: unknown;
  data?: unknown;
  /** Tags older events were written with, before this mapping. */
  controls?: unknown;
}

/** Controls that an event evidences only when a fact of its payload holds. */
export interface FactRule {
  /** The fact, in words (shown next to the control: `GET /api/v1/frameworks/{id}/controls`). */
  fact: string;
  holds: (event: EvidenceEvent) => boolean;
  controls: readonly string[];
}

export interface EventRule {
  /** The kind of record the event is about (a system's history kind). */
  record: HistoryKind;
  always: readonly string[];
  when?: readonly FactRule[];
}

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

/** A 0/1 column or a boolean, as an incident's row holds its flags. */
const flag = (value: unknown) => value === true || value === 1 || value === '1';

/** An incident row's harm categories: stored as a JSON text, or already a list. */
function harmCategories(after: unknown): string[] {
  const raw = field(after, 'harm_categories') ?? field(after, 'harmCategories');
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** The facts of an incident (incident.classified's `after`), read as incidents.service records them. */
const incident = {
  personalDataBreach: (e: EvidenceEvent) =>
    flag(field(e.after, 'personal_data_breach')) || harmCategories(e.after).includes('personal_data_breach'),
  doraMajor: (e: EvidenceEvent) => flag(field(e.after, 'dora_major')) || harmCategories(e.after).includes('ict_major'),
  /** A serious incident under AI Act Art. 3(49): death, harm to health, fundamental rights,
   * property or environment, critical infrastructure, or a widespread infringement. */
  serious: (e: EvidenceEvent) =>
    flag(field(e.after, 'death')) ||
    flag(field(e.after, 'critical_infrastructure_disruption')) ||
    flag(field(e.after, 'widespread_infringement')) ||
    harmCategories(e.after).some((c) =>
      ['health_safety', 'fundamental_rights', 'property_environment', 'critical_infrastructure', 'death'].includes(c),
    ),
};

const reportFor = (prefix: string) => (e: EvidenceEvent) => String(field(e.after, 'deadlineKey') ?? '').startsWith(prefix);
const statusBecomes =
  (...statuses: string[]) =>
  (e: EvidenceEvent) =>
    statuses.includes(String(field(e.after, 'status')));
const exceptionKind = (kind: string) => (e: EvidenceEvent) => field(e.after, 'kind') === kind;

const ACCESS = ['iso42001:7.5.3', 'dora:art-9'];
const ROLES = ['iso42001:5.3', 'iso42001:A.3.2', 'nist-ai-rmf:GOVERN-2.1'];
const TRANSPARENCY = [
  'iso42001:A.8.2',
  'iso42001:A.8.5',
  'eu-ai-act:art-13',
  'eu-ai-act:art-50',
  'eu-ai-act:art-86',
  'nist-ai-rmf:GOVERN-4.2',
];
const INVENTORY = ['iso42001:A.4.2', 'iso42001:A.6.2.3', 'nist-ai-rmf:GOVERN-1.6'];
const REQUEST = ['iso42001:8.1', 'iso42001:A.9.2', 'nist-ai-rmf:GOVERN-1.4'];
const DECISION = ['iso42001:6.1.3', 'iso42001:A.9.2', 'nist-ai-rmf:GOVERN-2.3', 'nist-ai-rmf:MANAGE-1.1', 'eu-ai-act:art-17'];
const DELEGATION = ['iso42001:5.3', 'iso42001:A.3.2', 'nist-ai-rmf:GOVERN-2.1'];
const NONCONFORMITY = ['iso42001:10.2', 'nist-ai-rmf:MANAGE-4.3'];
const CORRECTIVE = ['iso42001:10.2', 'eu-ai-act:art-20', 'nist-ai-rmf:MANAGE-4.3'];
const IMPROVEMENT = ['iso42001:10.1', 'dora:art-13', 'nist-ai-rmf:MANAGE-4.2'];
const OFFICERS = ['eu-ai-act:art-14', 'eu-ai-act:art-26', 'iso42001:A.3.2', 'nist-ai-rmf:GOVERN-3.2', 'nist-ai-rmf:MAP-3.5'];
const INTERVENTION = ['eu-ai-act:art-14', 'eu-ai-act:art-26', 'iso42001:A.9.2', 'iso42001:A.6.2.6', 'nist-ai-rmf:MANAGE-2.4'];
const DECISION_LOGS = ['eu-ai-act:art-12', 'eu-ai-act:art-19', 'eu-ai-act:art-26', 'iso42001:A.6.2.8', 'nist-ai-rmf:MEASURE-2.4'];
const HUMAN_REVIEW = ['eu-ai-act:art-14', 'gdpr:art-22', 'iso42001:A.9.2', 'nist-ai-rmf:MAP-3.5'];
const APPEAL = ['gdpr:art-22', 'eu-ai-act:art-86', 'iso42001:A.8.3', 'nist-ai-rmf:MEASURE-3.3'];
const MONITORING = ['iso42001:A.6.2.6', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-3.1', 'nist-ai-rmf:MANAGE-4.1'];
/** A scheduled review of a system (fairness, performance, risk): internal audit, monitoring, risk management. */
const REVIEW = ['iso42001:9.2', 'iso42001:A.6.2.6', 'eu-ai-act:art-9', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-4.1'];
const INCIDENT = ['iso42001:10.2', 'iso42001:A.8.4', 'nist-ai-rmf:GOVERN-4.3', 'nist-ai-rmf:MANAGE-4.3'];
const INCIDENT_FACTS: readonly FactRule[] = [
  { fact: 'a serious incident (AI Act Art. 3(49))', holds: incident.serious, controls: ['eu-ai-act:art-73'] },
  { fact: 'a personal data breach', holds: incident.personalDataBreach, controls: ['gdpr:art-33', 'gdpr:art-34'] },
  {
    fact: 'a major ICT-related incident of a financial entity',
    holds: incident.doraMajor,
    controls: ['dora:art-17', 'dora:art-18', 'dora:art-19'],
  },
];
const REPORT_FACTS: readonly FactRule[] = [
  { fact: 'a report under AI Act Art. 73', holds: reportFor('ai_act_'), controls: ['eu-ai-act:art-73'] },
  { fact: 'a personal data breach notification', holds: reportFor('gdpr_'), controls: ['gdpr:art-33'] },
  { fact: 'a major ICT-related incident report', holds: reportFor('dora_'), controls: ['dora:art-19'] },
];
const EXCEPTION_FACTS: readonly FactRule[] = [
  { fact: 'an override of an AI output', holds: exceptionKind('override'), controls: ['eu-ai-act:art-14', 'iso42001:A.9.4'] },
  { fact: 'a deviation from policy', holds: exceptionKind('deviation'), controls: ['iso42001:6.1.3', 'nist-ai-rmf:GOVERN-1.3'] },
  { fact: 'an emergency change', holds: exceptionKind('emergency_change'), controls: ['iso42001:6.3', 'nist-ai-rmf:MANAGE-2.3'] },
  { fact: 'a control failure', holds: exceptionKind('control_failure'), controls: ['iso42001:9.1', 'nist-ai-rmf:MEASURE-1.2'] },
];

export const EVENT_CONTROLS: Record<EventType, EventRule> = {
  'auth.login': { record: 'system', always: ACCESS },
  'auth.login_failed': { record: 'system', always: ACCESS },
  'auth.locked_out': { record: 'system', always: ACCESS },
  'auth.logout': { record: 'system', always: ACCESS },
  'token.created': { record: 'system', always: ACCESS },
  'token.revoked': { record: 'system', always: ACCESS },
  'user.created': { record: 'system', always: ROLES },
  'user.updated': { record: 'system', always: ['iso42001:7.5.2'] },
  'user.roles_changed': { record: 'system', always: ROLES },
  'user.deactivated': { record: 'system', always: [...ROLES, 'dora:art-9'] },
  'user.password_changed': { record: 'system', always: ACCESS },
  // An external auditor's access: who may read what, and what they read (access control, audit).
  'auditor_grant.created': { record: 'system', always: [...ACCESS, 'iso42001:9.2'] },
  'auditor_grant.revoked': { record: 'system', always: [...ACCESS, 'iso42001:9.2'] },
  'auditor_grant.read': { record: 'system', always: ['iso42001:7.5.3', 'iso42001:9.2'] },
  'webhook.subscribed': { record: 'system', always: ['iso42001:7.4'] },
  'webhook.deactivated': { record: 'system', always: ['iso42001:7.4'] },
  'ledger.note': { record: 'system', always: ['iso42001:7.5.2', 'iso42001:7.5.3'] },
  'evidence_pack.generated': { record: 'system', always: ['iso42001:7.5.3', 'iso42001:9.2'] },
  'system.created': { record: 'system', always: [...INVENTORY, 'iso42001:A.9.4', 'nist-ai-rmf:MAP-1.1'] },
  'system.updated': { record: 'system', always: [...INVENTORY, 'iso42001:7.5.2'] },
  'system.intended_use_changed': {
    record: 'system',
    always: ['iso42001:A.9.4', 'iso42001:8.2', 'nist-ai-rmf:MAP-1.1', 'nist-ai-rmf:MAP-3.3'],
  },
  'system.owner_changed': { record: 'system', always: ROLES },
  // What is published about a system, for the people it affects (AI Act Art. 13, 50 and 86; A.8).
  'system.publication_created': { record: 'system', always: TRANSPARENCY },
  'system.publication_updated': { record: 'system', always: TRANSPARENCY },
  'system.publication_published': { record: 'system', always: TRANSPARENCY },
  'system.publication_withdrawn': { record: 'system', always: TRANSPARENCY },
  'system.status_changed': {
    record: 'system',
    always: ['iso42001:8.1', 'nist-ai-rmf:MANAGE-1.1'],
    when: [
      {
        fact: 'put to use (approved for use or in production)',
        holds: statusBecomes('approved_for_use', 'in_production'),
        controls: ['iso42001:A.6.2.5', 'iso42001:A.9.2'],
      },
      { fact: 'retired', holds: statusBecomes('retired'), controls: ['nist-ai-rmf:GOVERN-1.7'] },
    ],
  },
  'system.risk_tier_changed': {
    record: 'system',
    always: ['eu-ai-act:art-6', 'iso42001:8.2', 'nist-ai-rmf:MAP-3.3'],
    when: [
      {
        fact: 'classified as a prohibited practice',
        holds: (e) => field(e.after, 'euRiskTier') === 'prohibited',
        controls: ['eu-ai-act:art-5'],
      },
    ],
  },
  'system.triaged': { record: 'system', always: ['eu-ai-act:art-6', 'iso42001:6.1.2', 'iso42001:8.2', 'nist-ai-rmf:MAP-1.1'] },
  'system.phase_owner_assigned': { record: 'system', always: ROLES },
  'system.phase_owner_unassigned': { record: 'system', always: ROLES },
  'model_version.registered': {
    record: 'model_version',
    always: ['iso42001:A.6.2.3', 'iso42001:A.6.2.7', 'eu-ai-act:art-11', 'nist-ai-rmf:MAP-2.1'],
  },
  'model_version.deployed': {
    record: 'model_version',
    always: ['iso42001:A.6.2.5', 'eu-ai-act:art-17', 'nist-ai-rmf:MANAGE-1.1', 'nist-ai-rmf:MANAGE-4.1'],
  },
  'model_version.retired': { record: 'model_version', always: ['iso42001:A.6.2.6', 'nist-ai-rmf:GOVERN-1.7'] },
  'data_source.added': {
    record: 'data_source',
    always: ['iso42001:A.4.3', 'iso42001:A.7.3', 'iso42001:A.7.5', 'eu-ai-act:art-10', 'nist-ai-rmf:MAP-4.1'],
    when: [
      {
        fact: 'holds personal data',
        holds: (e) => field(e.after, 'containsPersonalData') === true,
        controls: ['gdpr:art-30'],
      },
    ],
  },
  'data_source.updated': {
    record: 'data_source',
    always: ['iso42001:A.4.3', 'iso42001:A.7.5', 'eu-ai-act:art-10', 'nist-ai-rmf:MAP-4.1'],
    when: [
      {
        fact: 'holds personal data',
        holds: (e) => field(e.after, 'containsPersonalData') === true,
        controls: ['gdpr:art-30'],
      },
    ],
  },
  'change.recorded': {
    record: 'change_record',
    always: ['iso42001:7.5.2', 'iso42001:A.6.2.3', 'eu-ai-act:art-11', 'eu-ai-act:annex-iv', 'nist-ai-rmf:MANAGE-4.1'],
    when: [
      {
        fact: 'a change of an approval policy',
        holds: (e) => field(e.subject, 'type') === 'approval_policy',
        controls: ['iso42001:A.2.4', 'nist-ai-rmf:GOVERN-1.4'],
      },
    ],
  },
  'soa.changed': { record: 'system', always: ['iso42001:6.1.3', 'iso42001:7.5.2', 'nist-ai-rmf:GOVERN-1.4'] },
  'approval.requested': { record: 'approval', always: REQUEST },
  'approval.revised': { record: 'approval', always: REQUEST },
  'approval.withdrawn': { record: 'approval', always: REQUEST },
  'approval.granted': { record: 'approval', always: DECISION },
  'approval.rejected': { record: 'approval', always: DECISION },
  'approval.changes_requested': { record: 'approval', always: DECISION },
  'approval.completed': { record: 'approval', always: DECISION },
  'approval.applied': { record: 'approval', always: ['iso42001:8.1', 'iso42001:A.9.2', 'iso42001:A.6.2.5', 'nist-ai-rmf:MANAGE-1.1'] },
  'approval.delegated': { record: 'approval', always: DELEGATION },
  'approval.delegation_revoked': { record: 'approval', always: DELEGATION },
  'approval.delegation_ended': { record: 'approval', always: DELEGATION },
  'approval.emergency_bypass': {
    record: 'approval',
    always: ['iso42001:A.9.2', 'iso42001:10.2', 'nist-ai-rmf:MANAGE-1.3', 'nist-ai-rmf:MANAGE-2.3'],
  },
  'approval.escalated': { record: 'approval', always: ['iso42001:9.1', 'iso42001:A.3.3', 'nist-ai-rmf:GOVERN-1.5'] },
  'review.created': { record: 'system', always: REVIEW },
  'review.findings_attached': { record: 'system', always: [...REVIEW, 'nist-ai-rmf:MEASURE-4.2'] },
  'review.signed': { record: 'system', always: [...REVIEW, 'iso42001:9.3', 'nist-ai-rmf:GOVERN-1.5'] },
  'review.completed': { record: 'system', always: [...REVIEW, 'iso42001:9.3', 'nist-ai-rmf:GOVERN-1.5', 'nist-ai-rmf:MEASURE-4.3'] },
  'review.cadence_set': { record: 'system', always: [...REVIEW, 'nist-ai-rmf:GOVERN-1.5'] },
  'review.escalated': { record: 'system', always: ['iso42001:9.2', 'iso42001:A.3.3', 'nist-ai-rmf:GOVERN-1.5'] },
  'review.calendar_token_issued': { record: 'system', always: ACCESS },
  'exception.opened': {
    record: 'exception',
    always: ['iso42001:10.2', 'iso42001:A.9.2', 'nist-ai-rmf:MANAGE-1.3', 'nist-ai-rmf:MANAGE-1.4'],
    when: EXCEPTION_FACTS,
  },
  'exception.triaged': { record: 'exception', always: NONCONFORMITY },
  'exception.investigating': { record: 'exception', always: NONCONFORMITY },
  'exception.remediating': { record: 'exception', always: NONCONFORMITY },
  'exception.verifying': { record: 'exception', always: NONCONFORMITY },
  'exception.closed': { record: 'exception', always: NONCONFORMITY },
  'exception.rejected': { record: 'exception', always: NONCONFORMITY },
  'exception.duplicate': { record: 'exception', always: NONCONFORMITY },
  'exception.root_cause_recorded': { record: 'exception', always: [...NONCONFORMITY, 'dora:art-17'] },
  'exception.verified': { record: 'exception', always: ['iso42001:10.2', 'iso42001:9.1'] },
  'exception.emergency_rejected': { record: 'exception', always: ['iso42001:10.2', 'iso42001:A.9.2'] },
  'corrective_action.added': { record: 'exception', always: CORRECTIVE },
  'corrective_action.completed': { record: 'exception', always: CORRECTIVE },
  'follow_up.created': { record: 'exception', always: IMPROVEMENT },
  'follow_up.in_progress': { record: 'exception', always: IMPROVEMENT },
  'follow_up.done': { record: 'exception', always: IMPROVEMENT },
  'lesson.recorded': { record: 'exception', always: [...IMPROVEMENT, 'nist-ai-rmf:GOVERN-4.3'] },
  'escalation.sent': { record: 'exception', always: ['iso42001:7.4', 'iso42001:A.3.3', 'nist-ai-rmf:GOVERN-1.5'] },
  'incident.classified': { record: 'incident', always: INCIDENT, when: INCIDENT_FACTS },
  'incident.report_filed': { record: 'incident', always: ['iso42001:A.8.3', 'iso42001:A.8.4'], when: REPORT_FACTS },
  'incident.report_filed_late': { record: 'incident', always: ['iso42001:A.8.3', 'iso42001:A.8.4'], when: REPORT_FACTS },
  'oversight.officer_added': { record: 'oversight', always: OFFICERS },
  'oversight.officer_updated': { record: 'oversight', always: OFFICERS },
  'oversight.officer_removed': { record: 'oversight', always: OFFICERS },
  'oversight.paused': { record: 'oversight', always: INTERVENTION },
  'oversight.restricted': { record: 'oversight', always: INTERVENTION },
  'oversight.resume_requested': { record: 'oversight', always: ['eu-ai-act:art-14', 'iso42001:A.9.2', 'nist-ai-rmf:MANAGE-2.4'] },
  'oversight.resumed': { record: 'oversight', always: ['eu-ai-act:art-14', 'iso42001:A.9.2', 'nist-ai-rmf:MANAGE-2.4'] },
  // Post-market monitoring (AI Act Art. 72): what is measured, the monitors over it, and the alerts.
  'metrics.batch_recorded': { record: 'system', always: MONITORING },
  'monitor.created': { record: 'system', always: MONITORING },
  'monitor.disabled': { record: 'system', always: MONITORING },
  'monitor.updated': { record: 'system', always: MONITORING },
  'alert.fired': { record: 'system', always: [...MONITORING, 'nist-ai-rmf:MANAGE-4.3'] },
  'alert.acknowledged': { record: 'system', always: [...MONITORING, 'nist-ai-rmf:MANAGE-4.3'] },
  'alert.resolved': { record: 'system', always: [...MONITORING, 'nist-ai-rmf:MANAGE-4.3'] },
  'alert.action_taken': { record: 'system', always: [...MONITORING, 'nist-ai-rmf:MANAGE-4.3'] },
  'decisions.batch_recorded': { record: 'decision', always: DECISION_LOGS },
  'decisions.settings_changed': { record: 'decision', always: ['iso42001:A.6.2.8', 'iso42001:A.9.2', 'nist-ai-rmf:MAP-3.5'] },
  // Which features of a system's decisions are watched for drift (post-market monitoring).
  'decisions.features_declared': { record: 'system', always: ['iso42001:A.6.2.6', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-2.4'] },
  'decision.review_confirmed': { record: 'decision', always: HUMAN_REVIEW },
  'decision.review_overridden': { record: 'decision', always: [...HUMAN_REVIEW, 'nist-ai-rmf:MANAGE-2.4'] },
  'appeal.received': { record: 'appeal', always: APPEAL },
  'appeal.assigned': { record: 'appeal', always: APPEAL },
  'appeal.review_started': { record: 'appeal', always: APPEAL },
  'appeal.resolved': { record: 'appeal', always: APPEAL },
  'appeal.linked': { record: 'appeal', always: APPEAL },
  'monitoring.baseline_frozen': { record: 'system', always: ['iso42001:A.6.2.6', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-2.4'] },
  'monitoring.outcomes_recorded': {
    record: 'decision',
    always: ['iso42001:A.6.2.6', 'iso42001:A.7.4', 'eu-ai-act:art-10', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-2.11'],
  },
  // Which special-category data a system's outcomes may carry for bias monitoring, and why.
  'monitoring.fairness_attributes_declared': {
    record: 'system',
    always: ['iso42001:A.7.4', 'eu-ai-act:art-10', 'gdpr:art-25', 'gdpr:art-30', 'nist-ai-rmf:MEASURE-2.11'],
  },
  // Feedback from users and support desks (post-market monitoring), and its follow-up as an exception.
  'feedback.received': { record: 'system', always: ['iso42001:A.8.3', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-3.3'] },
  'feedback.converted': {
    record: 'system',
    always: ['iso42001:A.8.3', 'iso42001:10.2', 'eu-ai-act:art-72', 'nist-ai-rmf:MEASURE-3.3', 'nist-ai-rmf:MANAGE-4.3'],
  },
  // A bias audit of input data: the data source's groups against its reference population.
  'data_source.representativeness_recorded': {
    record: 'data_source',
    always: ['iso42001:A.7.4', 'eu-ai-act:art-10', 'nist-ai-rmf:MEASURE-2.11'],
  },
};

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

/** The leaf's own tags (events written before this mapping), in canonical spelling; a tag that
 * names no catalog entry is kept as written. */
export function recordedControls(event: EvidenceEvent): string[] {
  if (!Array.isArray(event.controls)) return [];
  return sorted(event.controls.map(String).map((tag) => normaliseControlId(tag) ?? tag));
}

/**
 * The controls an event evidences: its type's rule applied to its facts. An event of a type no
 * longer written (not in the registry) falls back to the tags it was recorded with, normalised.
 *
 * @example controlsFor({ type: 'incident.classified', after: { personal_data_breach: 1 } }) includes 'gdpr:art-33'
 */
/** A change is evidenced once, by its own event naming its change record (`data.changeRecordId`);
 * such an event evidences what a separate `change.recorded` event used to. */
const NAMES_A_CHANGE_RECORD = 'names its change record (a recorded change, with before/after and authority)';
const namesChangeRecord = (event: EvidenceEvent) =>
  typeof event.data === 'object' && event.data !== null && typeof (event.data as { changeRecordId?: unknown }).changeRecordId === 'string';

export function controlsFor(event: EvidenceEvent): string[] {
  if (!isEventType(event.type)) return recordedControls(event).filter((id) => id.includes(':'));
  const rule = EVENT_CONTROLS[event.type];
  const change = event.type !== 'change.recorded' && namesChangeRecord(event) ? EVENT_CONTROLS['change.recorded'].always : [];
  return sorted([...rule.always, ...(rule.when ?? []).filter((r) => r.holds(event)).flatMap((r) => r.controls), ...change]);
}

export interface EvidencingType {
  eventType: EventType;
  /** Null when every event of the type evidences the control, else the fact it takes. */
  fact: string | null;
}

/** For a control, the event types that can evidence it (and under which fact): what a filter by
 * control reads from the type index before applying the facts. */
export function eventTypesEvidencing(controlId: string): EvidencingType[] {
  return EVENT_TYPES.flatMap((eventType): EvidencingType[] => {
    const rule = EVENT_CONTROLS[eventType];
    if (rule.always.includes(controlId)) return [{ eventType, fact: null }];
    const byFact = (rule.when ?? []).filter((r) => r.controls.includes(controlId)).map((r) => ({ eventType, fact: r.fact }));
    const byChange = EVENT_CONTROLS['change.recorded'].always.includes(controlId) ? [{ eventType, fact: NAMES_A_CHANGE_RECORD }] : [];
    return byFact.length > 0 ? byFact : byChange;
  });
}

/** The controls a kind of record can evidence: every control of the event types about it. */
export function controlsForRecordKind(kind: HistoryKind): string[] {
  return sorted(
    EVENT_TYPES.filter((t) => EVENT_CONTROLS[t].record === kind).flatMap((t) => [
      ...EVENT_CONTROLS[t].always,
      ...(EVENT_CONTROLS[t].when ?? []).flatMap((r) => r.controls),
    ]),
  );
}
