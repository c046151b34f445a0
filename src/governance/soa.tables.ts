// The Statement of Applicability (ISO/IEC 42001 clause 6.1.3): which Annex A controls apply, each
// with its justification. Written only by an approved `soa_change` request (governance/soa-versions.ts).

/** The current entry of one Annex A control. No row: the default entry of version 0 (applicable,
 * not yet reviewed, never approved). */
export interface SoaEntriesTable {
  /** Canonical control id, e.g. `iso42001:A.2.2`. */
  control_id: string;
  /** 1 applicable, 0 excluded (an integer on both databases). */
  applicable: number;
  justification: string;
  /** The SoA version that last changed this entry. */
  version: number;
  approval_request_id: string;
  approved_at: string;
}

/** One version of the SoA (1, 2, ...; 0 is the unreviewed default and has no row), as approved. */
export interface SoaVersionsTable {
  version: number;
  /** JSON object: control id -> {applicable, justification, version}, the whole SoA at this version. */
  entries: string;
  /** JSON array of the entries this version changed: {controlId, applicable, justification}. */
  changes: string;
  approval_request_id: string;
  requested_by: string;
  /** JSON array of {id, name, onBehalfOf}: who signed the request. */
  approved_by: string;
  /** Who applied it: the person whose decision completed the chain. */
  applied_by: string | null;
  approved_at: string;
  change_record_id: string;
}

export interface SoaTables {
  soa_entries: SoaEntriesTable;
  soa_versions: SoaVersionsTable;
}
