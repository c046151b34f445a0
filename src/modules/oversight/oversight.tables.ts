import type { Generated } from 'kysely';

export const AUTHORITIES = ['pause', 'restrict', 'resume', 'override'] as const;
export type Authority = (typeof AUTHORITIES)[number];
export const RUNTIME_STATES = ['active', 'restricted', 'paused'] as const;
export type RuntimeState = (typeof RUNTIME_STATES)[number];

/** A named oversight officer of one AI system (EU AI Act Art. 14, 26(2)). */
export interface OversightRosterTable {
  system_id: string;
  user_id: string;
  /** JSON array of Authority. */
  authorities: string;
  competence: string;
  training: string;
  added_at: string;
  added_by: string | null;
  updated_at: string;
  version: Generated<number>;
}

/** What a production AI system must do now. Kept apart from ai_systems.status (the lifecycle),
 * so a pause never rewrites the inventory record. No row means `active`, version 0. */
export interface SystemRuntimeTable {
  system_id: string;
  state: RuntimeState;
  /** JSON object, e.g. {"humanReviewAll": true, "text": "..."}. */
  conditions: string;
  reason: string;
  /** A high-risk resume waiting for a second officer. */
  pending_resume_by: string | null;
  pending_resume_reason: string | null;
  pending_resume_at: string | null;
  updated_by: string | null;
  updated_at: string;
  version: Generated<number>;
}

export interface OversightTables {
  oversight_roster: OversightRosterTable;
  system_runtime: SystemRuntimeTable;
}
