import type { Generated } from 'kysely';

export const REQUEST_KINDS = [
  'system_use',
  'model_deployment',
  'intended_use_change',
  'data_source_change',
  'risk_tier_change',
  'system_retirement',
  'policy_change',
  'soa_change',
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'changes_requested', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type Decision = (typeof DECISIONS)[number];

/** A chain for one kind of request and one risk tier ('*': any tier). Id is `<kind>:<tier>`. */
export interface ApprovalPoliciesTable {
  id: string;
  kind: RequestKind;
  risk_tier: string;
  current_version: number;
  created_at: string;
  updated_at: string;
}

/** Immutable versions of a policy; a request keeps the version it started under. */
export interface ApprovalPolicyVersionsTable {
  policy_id: string;
  version: number;
  /** JSON array of PolicyStep. */
  steps: string;
  created_at: string;
  created_by: string | null;
  /** The policy_change request that approved this version (null: shipped default). */
  approval_request_id: string | null;
}

export interface ApprovalRequestsTable {
  id: string;
  kind: RequestKind;
  subject_type: 'ai_system' | 'model_version' | 'approval_policy' | 'soa';
  subject_id: string;
  system_id: string | null;
  title: string;
  justification: string;
  /** JSON snapshot of what is asked for; content_digest = SHA-256 of its RFC 8785 form. */
  content: string;
  content_digest: string;
  /** Starts at 1; each revision of the content restarts the chain. */
  revision: number;
  policy_id: string;
  policy_version: number;
  status: RequestStatus;
  requested_by: string;
  created_at: string;
  /** When the current revision started (queue ages count from here). */
  revised_at: string;
  completed_at: string | null;
  /** Earliest expiry of the approvals that completed it (null: no expiry). */
  valid_until: string | null;
  applied_at: string | null;
  /** The content digest of what was applied; a retrospective approval signs exactly this. */
  applied_digest: string | null;
  emergency_by: string | null;
  emergency_reason: string | null;
  emergency_at: string | null;
  exception_id: string | null;
  retrospective_due_at: string | null;
  escalated_at: string | null;
  updated_at: string;
  version: Generated<number>;
}

export interface ApprovalDecisionsTable {
  id: string;
  request_id: string;
  /** The request revision this decision saw; decisions of older revisions no longer count. */
  revision: number;
  step_index: number | null;
  decision: Decision;
  approver_id: string;
  /** The role that qualified the approver at that moment (e.g. `approver`, `system_owner@<id>`, `named`). */
  approver_role: string;
  /** Set when the approver decided as delegate of this person. */
  on_behalf_of: string | null;
  delegation_id: string | null;
  rationale: string;
  content_digest: string;
  decided_at: string;
  valid_until: string | null;
  event_id: string;
}

export interface ApprovalDelegationsTable {
  id: string;
  delegator_id: string;
  delegate_id: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  created_at: string;
  revoked_at: string | null;
}

/** One change to a system, model version, data source or policy: snapshots, diff, and what allowed it. */
export interface ChangeRecordsTable {
  id: string;
  subject_type: string;
  subject_id: string;
  system_id: string | null;
  subject_version: number | null;
  change_kind: string;
  before: string;
  after: string;
  diff: string;
  rationale: string;
  approval_request_id: string | null;
  exception_id: string | null;
  recorded_by: string | null;
  recorded_at: string;
  event_id: string;
  /** JSON array of {id, name}: who signed the approval that allowed the change ([] when none). */
  signed_by: string;
}

export interface ApprovalsTables {
  approval_policies: ApprovalPoliciesTable;
  approval_policy_versions: ApprovalPolicyVersionsTable;
  approval_requests: ApprovalRequestsTable;
  approval_decisions: ApprovalDecisionsTable;
  approval_delegations: ApprovalDelegationsTable;
  change_records: ChangeRecordsTable;
}
