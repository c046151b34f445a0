// Asking for a change of the Statement of Applicability: the controls feature's routes and the CLI
// open a `soa_change` approval request through here (the approvals feature's use case), so the SoA
// has no write path of its own: it changes when the request's chain completes
// (apply-approved-change.ts -> governance/soa-versions.ts).
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { SOA_SUBJECT_ID, type SoaEntryInput } from '../governance/soa.js';
import { createRequest } from '../modules/approvals/requests.service.js';

export async function requestSoaChange(
  trx: Tx,
  { ctx, entries, rationale, title }: { ctx: RequestContext; entries: SoaEntryInput[]; rationale: string; title?: string },
) {
  const row = await createRequest(trx, {
    ctx,
    input: {
      kind: 'soa_change',
      subjectId: SOA_SUBJECT_ID,
      title: title?.trim() || `Statement of Applicability: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`,
      justification: rationale,
      change: { soaEntries: entries },
    },
  });
  return {
    id: row.id,
    kind: 'soa_change' as const,
    title: row.title,
    // A request is pending when it is opened.
    status: 'pending' as const,
    contentDigest: row.content_digest,
    policy: { id: row.policy_id, version: Number(row.policy_version) },
    createdAt: row.created_at,
    version: Number(row.version),
  };
}
