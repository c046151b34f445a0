import type { Generated } from 'kysely';

export const EXCEPTION_KINDS = ['override', 'deviation', 'emergency_change', 'control_failure', 'incident'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const EXCEPTION_STATUSES = [
  'open',
  'triaged',
  'investigating',
  'remediating',
  'verifying',
  'closed',
  'rejected',
  'duplicate',
] as const;
export const RAISED_BY_TYPES = ['person', 'alert', 'appeal', 'decision', 'review', 'feedback'] as const;
export const FOLLOW_UP_KINDS = ['policy_update', 'training_need', 'control_change'] as const;
export const FOLLOW_UP_STATUSES = ['open', 'in_progress', 'done'] as const;

export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];
export type Severity = (typeof SEVERITIES)[number];
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];
export type RaisedByType = (typeof RAISED_BY_TYPES)[number];
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export interface ExceptionsTable {
  id: string;
  system_id: string;
  kind: ExceptionKind;
  title: string;
  description: string;
  severity: Severity;
  status: ExceptionStatus;
  detected_at: string;
  raised_by_type: RaisedByType;
  raised_by_ref: string;
  owner_id: string;
  resolver_id: string;
  due_at: string;
  /** JSON array of { type, id }: decisions, appeals, approvals, ... */
  links: string;
  root_cause_category: string | null;
  root_cause_text: string | null;
  /** Normalised category + text, compared across exceptions of one system to flag recurrence. */
  root_cause_key: string | null;
  recurring: number;
  /** JSON array of earlier exception ids with the same root-cause key. */
  recurring_refs: string;
  duplicate_of: string | null;
  verified_by: string | null;
  verified_at: string | null;
  verification_note: string | null;
  closed_at: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  version: Generated<number>;
}

export interface CorrectiveActionsTable {
  id: string;
  exception_id: string;
  description: string;
  owner_id: string;
  due_at: string;
  status: 'open' | 'completed';
  evidence: string | null;
  completed_at: string | null;
  completed_by: string | null;
  created_at: string;
  version: Generated<number>;
}

export interface LessonsLearnedTable {
  id: string;
  exception_id: string;
  text: string;
  created_at: string;
  created_by: string | null;
}

export interface FollowUpsTable {
  id: string;
  exception_id: string;
  lesson_id: string;
  kind: FollowUpKind;
  description: string;
  owner_id: string;
  due_at: string;
  status: FollowUpStatus;
  evidence: string | null;
  done_at: string | null;
  created_at: string;
  version: Generated<number>;
}

/** One row per (item, level): the same escalation level is never sent twice. */
export interface EscalationsTable {
  id: string;
  item_type: 'exception' | 'corrective_action' | 'follow_up' | 'alert';
  item_id: string;
  exception_id: string;
  level: number;
  due_at: string;
  /** JSON array of user ids notified. */
  recipients: string;
  escalated_at: string;
}

/** Incident detail for an exception of kind incident. */
export interface IncidentsTable {
  exception_id: string;
  /** JSON array of harm categories. */
  harm_categories: string;
  aware_at: string;
  widespread_infringement: number;
  critical_infrastructure_disruption: number;
  death: number;
  personal_data_breach: number;
  dora_major: number;
  dora_classified_at: string | null;
  updated_at: string;
}

export interface IncidentReportsTable {
  id: string;
  exception_id: string;
  /** The deadline this report answers, e.g. `ai_act_art73`, `gdpr_art33`, `dora_initial`. */
  deadline_key: string;
  due_at: string | null;
  filed_at: string;
  reference: string;
  on_time: number;
  note: string;
  created_at: string;
  created_by: string | null;
}

export interface ExceptionsTables {
  exceptions: ExceptionsTable;
  corrective_actions: CorrectiveActionsTable;
  lessons_learned: LessonsLearnedTable;
  follow_ups: FollowUpsTable;
  escalations: EscalationsTable;
  incidents: IncidentsTable;
  incident_reports: IncidentReportsTable;
}
