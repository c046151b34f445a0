// The evidence pack's layout: file names and the manifest, shared by the writer (the server or CLI)
// and the offline verifier. Nothing here reads a database.

/** Bumped when the layout changes in a way an older verifier would misread. */
export const PACK_FORMAT = 'proofline-evidence-pack/1';

export const PACK_FILES = {
  /** Always the zip's first entry: the verifier checks every later file against it as it streams. */
  /** The zip's last entry (it holds every other file's digest); the verifier reads it first. */
  manifest: 'manifest.json',
  /** One canonical leaf (RFC 8785 JSON, exactly the hashed bytes) per line, in seq order. */
  events: 'ledger/events.jsonl',
  /** With proofs = "paths": line i is `{"seq", "path"}`, the audit path of line i of events.jsonl. */
  proofs: 'ledger/proofs.jsonl',
  /** One line per earlier stored checkpoint: `{"size1", "checkpoint1", "proof"}` up to the anchor. */
  consistency: 'ledger/consistency.jsonl',
  checkpoint: 'ledger/checkpoint.txt',
  publicKey: 'ledger/public-key.txt',
  controls: 'controls/status.json',
  soa: 'controls/soa.json',
  report: 'report.pdf',
  assessmentResults: 'oscal/assessment-results.json',
  poam: 'oscal/poam.json',
} as const;

export interface PackScope {
  kind: 'organisation' | 'system' | 'control' | 'framework';
  /** The system id, control id or framework id; absent for the organisation. */
  id?: string;
  /** ISO date-times bounding the events' recorded time (from inclusive, to exclusive). */
  from?: string;
  to?: string;
}

export interface PackManifest {
  format: typeof PACK_FORMAT;
  packId: string;
  scope: PackScope;
  generatedAt: string;
  requestedBy: { id: string | null; name: string | null };
  /** The signed checkpoint every event is proved against. */
  checkpoint: { treeSize: number; rootHash: string; note: string; verifierKey: string };
  /**
   * "complete": events.jsonl holds every leaf of the checkpoint's tree, the verifier recomputes its
   * root (O(log n) memory, no proof bytes); "paths": a subset, each with its audit path.
   */
  proofs: 'complete' | 'paths';
  events: number;
  /** SHA-256 (hex) of every other file of the zip, by its path. */
  files: Record<string, string>;
}
