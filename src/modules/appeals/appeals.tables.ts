import type { Generated } from 'kysely';

export const APPEAL_STATUSES = ['received', 'in_review', 'resolved'] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];
export const APPEAL_OUTCOMES = ['upheld', 'rejected', 'partially_upheld'] as const;
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];

/** A challenge to a decision. The reference is kept as given: it need not match a recorded
 * decision (public intake must not reveal whether it does). */
export interface AppealsTable {
  id: string;
  case_number: string;
  system_ref: string;
  decision_ref: string;
  /** decisions.id when the reference matched a recorded decision. */
  decision_id: string | null;
  channel: 'public' | 'staff';
  appellant_name: string;
  appellant_contact: string;
  statement: string;
  submitted_by: string | null;
  owner_id: string | null;
  status: AppealStatus;
  outcome: AppealOutcome | null;
  outcome_explanation: string | null;
  due_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  /** sha256 hex of the status-lookup secret given to the appellant. */
  secret_hash: string;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface AppealLinksTable {
  appeal_id: string;
  link_type: 'exception' | 'lesson';
  link_id: string;
  linked_at: string;
}

export interface AppealCountersTable {
  year: number;
  last_number: number;
}

export interface AppealsTables {
  appeals: AppealsTable;
  appeal_links: AppealLinksTable;
  appeal_counters: AppealCountersTable;
}
