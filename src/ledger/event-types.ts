// Every event type Proofline writes to the ledger, in one list. appendEvents refuses a type that is
// not here, so a new event cannot slip in unnoticed: the frameworks mapping
// (frameworks/event-controls.ts) must then say which controls it evidences, and its test fails
// until it does. The `test.` namespace is reserved for the ledger's own tests (arbitrary types).

export const EVENT_TYPES = [
  // accounts
  'auth.login',
  'auth.login_failed',
  'auth.locked_out',
  'auth.logout',
  'token.created',
  'token.revoked',
  'user.created',
  'user.updated',
  'user.roles_changed',
  'user.deactivated',
  'user.password_changed',
  // auditor grants (issue 12): an external auditor's access, and every read made under it
  'auditor_grant.created',
  'auditor_grant.revoked',
  'auditor_grant.read',
  // notifications
  'webhook.subscribed',
  'webhook.deactivated',
  // ledger
  'ledger.note',
  // evidence packs (src/evidence/): generating one is itself evidence
  'evidence_pack.generated',
  // the inventory
  'system.created',
  'system.updated',
  'system.intended_use_changed',
  // transparency: what the organisation publishes about a system
  'system.publication_created',
  'system.publication_updated',
  'system.publication_published',
  'system.publication_withdrawn',
  'system.owner_changed',
  'system.status_changed',
  'system.risk_tier_changed',
  'system.triaged',
  'system.phase_owner_assigned',
  'system.phase_owner_unassigned',
  'model_version.registered',
  'model_version.deployed',
  'model_version.retired',
  'data_source.added',
  'data_source.updated',
  'change.recorded',
  // the Statement of Applicability: a version written by an approved soa_change request
  'soa.changed',
  // approvals
  'approval.requested',
  'approval.revised',
  'approval.withdrawn',
  'approval.granted',
  'approval.rejected',
  'approval.changes_requested',
  'approval.completed',
  'approval.applied',
  'approval.delegated',
  'approval.delegation_revoked',
  'approval.delegation_ended',
  'approval.emergency_bypass',
  'approval.escalated',
  // monitoring: metric points, monitors and the alerts their breaches raise
  'metrics.batch_recorded',
  'monitor.created',
  'monitor.disabled',
  'monitor.updated',
  'alert.fired',
  'alert.acknowledged',
  'alert.resolved',
  'alert.action_taken',
  // exceptions and incidents (`exception.<status>` for each status an exception moves to)
  // scheduled reviews with double sign-off
  'review.created',
  'review.findings_attached',
  'review.signed',
  'review.completed',
  'review.cadence_set',
  'review.escalated',
  'review.calendar_token_issued',
  'exception.opened',
  'exception.triaged',
  'exception.investigating',
  'exception.remediating',
  'exception.verifying',
  'exception.closed',
  'exception.rejected',
  'exception.duplicate',
  'exception.root_cause_recorded',
  'exception.verified',
  'exception.emergency_rejected',
  'corrective_action.added',
  'corrective_action.completed',
  'follow_up.created',
  'follow_up.in_progress',
  'follow_up.done',
  'lesson.recorded',
  'escalation.sent',
  'incident.classified',
  'incident.report_filed',
  'incident.report_filed_late',
  // oversight
  'oversight.officer_added',
  'oversight.officer_updated',
  'oversight.officer_removed',
  'oversight.paused',
  'oversight.restricted',
  'oversight.resume_requested',
  'oversight.resumed',
  // decisions and appeals
  'decisions.batch_recorded',
  'decisions.settings_changed',
  'decisions.features_declared',
  'decision.review_confirmed',
  'decision.review_overridden',
  'appeal.received',
  'appeal.assigned',
  'appeal.review_started',
  'appeal.resolved',
  'appeal.linked',
  // monitoring
  'monitoring.outcomes_recorded',
  'monitoring.baseline_frozen',
  'monitoring.fairness_attributes_declared',
  // feedback and support tickets about a system
  'feedback.received',
  'feedback.converted',
  // a data source's group counts against its reference population (representativeness)
  'data_source.representativeness_recorded',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN = new Set<string>(EVENT_TYPES);

export const isEventType = (type: string): type is EventType => KNOWN.has(type);

/** The namespace the ledger's own tests write arbitrary event types under. */
export const TEST_EVENT_NAMESPACE = 'test.';

/** Throws (a programming error, never the caller's) when `type` is not a registered event type. */
export function requireEventType(type: string): void {
  if (!KNOWN.has(type) && !type.startsWith(TEST_EVENT_NAMESPACE)) {
    throw new Error(`ledger event type ${JSON.stringify(type)} is not registered in src/ledger/event-types.ts`);
  }
}
