// Table types of scheduled reviews (migration 20261130_1800).
import type { Generated } from 'kysely';

export const REVIEW_KINDS = ['fairness', 'performance', 'risk', 'custom'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
/** prepared: created, nothing attached; findings: snapshot + findings + decision attached, open for
 * signatures; signed: both signatures on the current snapshot digest. */
export const REVIEW_STATUSES = ['prepared', 'findings', 'signed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_DECISIONS = ['satisfactory', 'satisfactory_with_actions', 'unsatisfactory'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export const SIGNATURE_ROLES = ['reviewer', 'second_signatory'] as const;
export type SignatureRole = (typeof SIGNATURE_ROLES)[number];

export interface ReviewCadencesTable {
  id: string;
  kind: ReviewKind;
  eu_risk_tier: string;
  system_id: string | null;
  interval_months: number;
  rationale: string | null;
  updated_at: string;
}

export interface ReviewsTable {
  id: string;
  system_id: string;
  kind: ReviewKind;
  period_from: string;
  period_to: string;
  due_at: string;
  preparer_id: string;
  reviewer_id: string;
  second_signatory_id: string;
  status: ReviewStatus;
  /** Canonical JSON (RFC 8785) of what the signatories see. */
  snapshot: string | null;
  /** SHA-256 hex of `snapshot`: a signature binds to it. */
  snapshot_digest: string | null;
  findings: string | null;
  decision: ReviewDecision | null;
  /** JSON list of action texts. */
  actions: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
  /** 1: created by the scheduler (one per system, kind and period); 0: by hand (migration 1900). */
  scheduled: Generated<number>;
}

export interface ReviewSignaturesTable {
  review_id: string;
  role: SignatureRole;
  signer_id: string;
  snapshot_digest: string;
  rationale: string;
  signed_at: string;
}

/** Migration 20261130_1900: one row per (review, due date, level) escalated. */
export interface ReviewEscalationsTable {
  review_id: string;
  due_at: string;
  level: number;
  /** JSON list of the user ids written to. */
  recipients: string;
  escalated_at: string;
}

/** A person's calendar feed token (SHA-256 hex); it reads that person's feed and nothing else. */
export interface ReviewFeedTokensTable {
  user_id: string;
  token_hash: string;
  created_at: string;
}

export interface ReviewsTables {
  review_cadences: ReviewCadencesTable;
  reviews: ReviewsTable;
  review_signatures: ReviewSignaturesTable;
  review_escalations: ReviewEscalationsTable;
  review_feed_tokens: ReviewFeedTokensTable;
}
