// An external auditor's grant: who, which scope, until when, and its revocation.

export interface AuditorGrantsTable {
  id: string;
  auditor_id: string;
  /** null: every system. */
  system_id: string | null;
  /** A framework id (iso42001, eu-ai-act, ...); null: every framework. */
  framework: string | null;
  /** The period of records the auditor may read (ledger events, packs); null ends are open. */
  period_from: string | null;
  period_to: string | null;
  expires_at: string;
  rationale: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  revocation_rationale: string | null;
}

export interface AuditorGrantsTables {
  auditor_grants: AuditorGrantsTable;
}
