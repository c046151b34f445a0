// Writing a version of the Statement of Applicability: the one write path of the SoA, called only by
// workflows/apply-approved-change.ts when a `soa_change` request's chain completes. It checks the
// approval again (the gate: approved, every step, the digest every approver signed, the SoA not
// moved since, not applied yet), then writes the version, the current entries, the change record
// and its `soa.changed` event in the caller's transaction.
import type { RequestContext } from '../context.js';
import type { Tx } from '../db/store.js';
import { AppError } from '../errors.js';
import { assertNotYetApplied, assertRequestUsable } from './approval-gate.js';
import { recordChange } from './change-records.service.js';
import { contentOf, loadRequestState, type RequestRow } from './requests.repository.js';
import { currentSoaEntries, type SoaEntryInput, type StoredSoaEntry } from './soa.js';

export async function writeSoaVersion(
  trx: Tx,
  { ctx, request, rationale }: { ctx: RequestContext; request: RequestRow; rationale: string },
) {
  if (request.kind !== 'soa_change')
    throw new AppError('approval_required', `request ${request.id} is a ${request.kind}, not a soa_change`, {
      requestId: request.id,
      requestKind: 'soa_change',
    });
  if (request.emergency_at) throw new AppError('invalid_transition', 'the Statement of Applicability never changes before its approval');
  await assertRequestUsable(trx, await loadRequestState(trx, request.id));
  await assertNotYetApplied(trx, request.id);
  const changes = (contentOf(request).change as { entries: SoaEntryInput[] }).entries;
  const current = await currentSoaEntries(trx);
  const version = current.version + 1;
  const at = new Date().toISOString();
  const entries: Record<string, StoredSoaEntry> = { ...current.entries };
  for (const c of changes) entries[c.controlId] = { applicable: c.applicable, justification: c.justification, version };
  const pick = (from: Record<string, StoredSoaEntry>) =>
    Object.fromEntries(
      changes.map((c) => [c.controlId, { applicable: from[c.controlId].applicable, justification: from[c.controlId].justification }]),
    );
  const signers = ctx.actor.applying?.signers ?? [];
  const record = await recordChange(trx, {
    ctx,
    change: {
      subjectType: 'soa',
      subjectId: request.subject_id,
      systemId: null,
      subjectVersion: version,
      changeKind: 'soa.changed',
      before: { version: current.version, entries: pick(current.entries) },
      after: { version, entries: pick(entries) },
      rationale,
      approvalRequestId: request.id,
      exceptionId: null,
    },
    event: {
      type: 'soa.changed',
      subject: { type: 'soa', id: request.subject_id, version },
      before: { version: current.version, entries: pick(current.entries) },
      after: { version, entries: pick(entries) },
      data: { changed: changes.map((c) => c.controlId), contentDigest: request.content_digest },
    },
  });
  await trx
    .insertInto('soa_versions')
    .values({
      version,
      entries: JSON.stringify(entries),
      changes: JSON.stringify(changes),
      approval_request_id: request.id,
      requested_by: request.requested_by,
      approved_by: JSON.stringify(signers),
      applied_by: ctx.actor.userId,
      approved_at: at,
      change_record_id: record.id,
    })
    .execute();
  for (const c of changes) {
    const values = {
      applicable: c.applicable ? 1 : 0,
      justification: c.justification,
      version,
      approval_request_id: request.id,
      approved_at: at,
    };
    await trx
      .insertInto('soa_entries')
      .values({ control_id: c.controlId, ...values })
      .onConflict((oc) => oc.column('control_id').doUpdateSet(values))
      .execute();
  }
  return {
    applied: { changeKind: 'soa.changed', subject: { type: 'soa', id: request.subject_id, version } },
    record: { id: record.id, diff: record.diff },
  };
}
