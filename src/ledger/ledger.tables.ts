import type { Generated } from 'kysely';

/** One ledger event. `leaf` is the RFC 8785 canonical JSON of the event: the bytes that are hashed.
 * The other columns are copies of fields inside `leaf`, kept for indexed reading. */
export interface LedgerEventsTable {
  seq: number;
  event_id: string;
  type: string;
  actor_id: string | null;
  subject_type: string;
  subject_id: string;
  recorded_at: string;
  leaf: string;
  leaf_hash: Uint8Array;
  /** The AI system the event concerns: `systemIdOfEvent` (system-index.ts) of the leaf. */
  system_id: string | null;
}

/** Hash of the perfect subtree at (level, idx): leaves [idx * 2^level, (idx + 1) * 2^level).
 * Only levels >= LOWEST_STORED_LEVEL (ledger.repository.ts) are written; lower nodes are
 * recomputed from ledger_events.leaf_hash. Older databases also hold lower rows, never read. */
export interface LedgerNodesTable {
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** The current tree size and right-edge frontier; derivable from ledger_nodes and ledger_events, kept for speed. */
export interface LedgerHeadTable {
  id: number;
  size: number;
  frontier: string;
}

/** An event written by a PostgreSQL write transaction and not yet integrated into the tree
 * (ledger/integrator.ts): the index columns of ledger_events and the leaf around its sequence
 * number. Integration deletes it in the transaction that inserts it into ledger_events. */
export interface LedgerQueueTable {
  id: Generated<number>;
  event_id: string;
  type: string;
  actor_id: string | null;
  subject_type: string;
  subject_id: string;
  recorded_at: string;
  system_id: string | null;
  leaf_head: string;
  leaf_tail: string;
}

export interface LedgerCheckpointsTable {
  tree_size: number;
  root_hash: Uint8Array;
  note: string;
  created_at: string;
}

/** An annotation added to the ledger by a person (e.g. an auditor's remark on an event). */
export interface LedgerNotesTable {
  id: string;
  text: string;
  /** JSON array of the event ids the note refers to. */
  references: string;
  created_by: string | null;
  created_at: string;
}

/** One run of full verification (API or CLI) and its outcome; not a ledger event. */
export interface LedgerVerificationsTable {
  id: string;
  verified_at: string;
  ok: number;
  events: number;
  checkpoints_checked: number;
  problem_kind: string | null;
  problem_seq: number | null;
  verified_by: string | null;
  channel: 'api' | 'cli';
}

export interface LedgerTables {
  ledger_events: LedgerEventsTable;
  ledger_nodes: LedgerNodesTable;
  ledger_head: LedgerHeadTable;
  ledger_queue: LedgerQueueTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_notes: LedgerNotesTable;
  ledger_verifications: LedgerVerificationsTable;
}
