// Feedback and support tickets about an AI system: what users and support desks report, in a
// closed set of categories, linked to a recorded decision where known.

export const FEEDBACK_CATEGORIES = ['error', 'bias_concern', 'harm', 'usability', 'security', 'other'] as const;
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];
/** internal: the signed-in form or API; ticket: a support-ticket system with an ingest token. */
export const FEEDBACK_CHANNELS = ['internal', 'ticket'] as const;
export type FeedbackChannel = (typeof FEEDBACK_CHANNELS)[number];

export interface FeedbackTable {
  id: string;
  system_id: string;
  category: FeedbackCategory;
  summary: string;
  details: string;
  /** The decision id it concerns, as recorded for the system (decisions.decision_id). */
  decision_id: string | null;
  channel: FeedbackChannel;
  /** The support ticket's own reference. */
  external_ref: string | null;
  submitted_by: string | null;
  token_id: string | null;
  /** The exception it was converted into: set once, never cleared. */
  exception_id: string | null;
  converted_by: string | null;
  converted_at: string | null;
  created_at: string;
}

export interface FeedbackTables {
  feedback: FeedbackTable;
}
