// Decision records (GDPR Art. 22, EU AI Act Art. 86): batches ingested from AI systems. A batch is
// all or nothing: any malformed record rejects it whole, naming every bad record; an acknowledged
// batch is one transaction with one ledger event carrying its digest and count. Built for volume:
// the systems and model versions of a batch are checked with one query each, rows go in through
// the store's bulk insert.
import { createHash, randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import { hasSystemRole, type RequestContext } from '../../context.js';
import { addToCounter, insertRows, isUniqueViolation, type Tx, withSavepoint } from '../../db/store.js';
import { AppError, notFound } from '../../errors.js';
import {
  BATCH_DIGEST_ALGORITHM,
  batchDigest,
  checkBatch,
  findRepeatedDecisions,
  type RecordProblem,
  rejectBatch,
} from '../../ingest/batch.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { type DecisionRecord, MAX_BATCH_RECORDS } from './decisions.schema.js';
import type { DecisionsTable } from './decisions.tables.js';

export { MAX_BATCH_RECORDS } from './decisions.schema.js';

import { checkRecord } from './decisions.validate.js';
import { checkFeatureValues, featureRows } from './features.service.js';

interface SystemPolicy {
  allowRawInput: boolean;
  sampleRate: number;
  reviewAll: boolean;
}

async function loadPolicies(trx: Tx, systemIds: string[]): Promise<Map<string, SystemPolicy>> {
  const rows = await trx
    .selectFrom('ai_systems')
    .leftJoin('decision_settings', 'decision_settings.system_id', 'ai_systems.id')
    .leftJoin('system_runtime', 'system_runtime.system_id', 'ai_systems.id')
    .select([
      'ai_systems.id',
      'decision_settings.allow_raw_input',
      'decision_settings.review_sample_rate',
      'system_runtime.state',
      'system_runtime.conditions',
    ])
    .where('ai_systems.id', 'in', systemIds)
    .execute();
  const policies = new Map<string, SystemPolicy>();
  for (const row of rows) {
    const conditions = row.state === 'restricted' ? (JSON.parse(row.conditions ?? '{}') as { humanReviewAll?: boolean }) : {};
    policies.set(row.id, {
      allowRawInput: row.allow_raw_input === 1,
      sampleRate: row.review_sample_rate ?? 0,
      reviewAll: conditions.humanReviewAll === true,
    });
  }
  return policies;
}

/** Deterministic sampling: the same decision is always in or out of the sample. */
function inSample(systemId: string, decisionId: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const h = createHash('sha256').update(`${systemId}\u0000${decisionId}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < rate;
}

/** Checks references against the database: one query per kind of reference, whatever the batch
 * size. Decision ids already recorded are found by findRecorded, only when needed. */
async function checkReferences(trx: Tx, records: DecisionRecord[], policies: Map<string, SystemPolicy>, problems: RecordProblem[]) {
  const modelIds = [...new Set(records.map((r) => r.modelVersionId).filter((id): id is string => typeof id === 'string'))];
  const models = new Map<string, string>();
  for (let i = 0; i < modelIds.length; i += 500) {
    const rows = await trx
      .selectFrom('model_versions')
      .select(['id', 'system_id'])
      .where('id', 'in', modelIds.slice(i, i + 500))
      .execute();
    for (const row of rows) models.set(row.id, row.system_id);
  }
  records.forEach((r, index) => {
    const policy = policies.get(r.systemId);
    if (!policy) problems.push({ index, field: 'systemId', message: `no AI system ${r.systemId}` });
    else if (r.rawInput !== undefined && !policy.allowRawInput) {
      problems.push({
        index,
        field: 'rawInput',
        message: 'this system is not configured to accept raw input; send inputRef or inputDigest',
      });
    }
    if (r.modelVersionId && models.get(r.modelVersionId) !== r.systemId) {
      problems.push({ index, field: 'modelVersionId', message: `no model version ${r.modelVersionId} of system ${r.systemId}` });
    }
  });
  findRepeatedDecisions(records, problems);
}

/** Names every record whose decision id was already recorded for its system: one query per 500
 * ids of a system. Run when a batch is refused anyway, or when the insert hit the unique
 * (system_id, decision_id) constraint, so a good batch pays nothing for it. */
async function findRecorded(trx: Tx, records: DecisionRecord[], problems: RecordProblem[]) {
  const bySystem = new Map<string, string[]>();
  for (const r of records) (bySystem.get(r.systemId) ?? bySystem.set(r.systemId, []).get(r.systemId))?.push(r.decisionId);
  for (const [systemId, ids] of bySystem) {
    for (let i = 0; i < ids.length; i += 500) {
      const existing = await trx
        .selectFrom('decisions')
        .select('decision_id')
        .where('system_id', '=', systemId)
        .where('decision_id', 'in', ids.slice(i, i + 500))
        .execute();
      const taken = new Set(existing.map((e) => e.decision_id));
      if (taken.size === 0) continue;
      records.forEach((r, index) => {
        if (r.systemId === systemId && taken.has(r.decisionId)) {
          problems.push({ index, field: 'decisionId', message: 'was already recorded for this system' });
        }
      });
    }
  }
}

/** Row ids for a batch's records, in their order: UUIDv7 (RFC 9562) with the receipt time in
 * milliseconds, then the record's index as an 18-bit counter (rand_a and the top 6 bits of rand_b,
 * RFC 9562 §6.2 method 1; a batch holds at most MAX_BATCH_RECORDS < 2^18), then 56 random bits. So
 * new rows land at the right edge of the primary-key index instead of on random pages all over it:
 * with random ids every batch rewrote most of that index's pages, and the commit (and the WAL
 * checkpoints behind it) paid for each; and the review queue (by receipt time, then id) lists a
 * batch's decisions in the order they were sent. */
export function decisionRowIds(count: number, receivedAtMs: number): string[] {
  const ms = receivedAtMs.toString(16).padStart(12, '0');
  const prefix = `${ms.slice(0, 8)}-${ms.slice(8)}-7`;
  const ids = new Array<string>(count);
  for (let index = 0; index < count; index++) {
    const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: 122 random bits
    const counterHigh = (index >> 6).toString(16).padStart(3, '0');
    const variantCounterLow = (0x8000 | ((index & 0x3f) << 8) | Number.parseInt(random.slice(21, 23), 16)).toString(16);
    ids[index] = `${prefix}${counterHigh}-${variantCounterLow}-${random.slice(24)}`;
  }
  return ids;
}

export interface BatchReceipt {
  batchId: string;
  count: number;
  digest: string;
  queuedForReview: number;
  receivedAt: string;
}

export async function ingestDecisionBatch(trx: Tx, { ctx, records }: { ctx: RequestContext; records: unknown[] }): Promise<BatchReceipt> {
  const typed = checkBatch<DecisionRecord>(records, { maxRecords: MAX_BATCH_RECORDS, check: checkRecord });
  const problems: RecordProblem[] = [];
  const policies = await loadPolicies(trx, [...new Set(typed.map((r) => r.systemId))]);
  await checkReferences(trx, typed, policies, problems);
  await checkFeatureValues(trx, typed, problems);
  if (problems.length > 0) {
    await findRecorded(trx, typed, problems);
    throw rejectBatch(problems);
  }

  const batchId = randomUUID();
  const received = Date.now();
  const receivedAt = new Date(received).toISOString();
  const ids = decisionRowIds(typed.length, received);
  const digest = batchDigest(records);
  let queued = 0;
  // Columns left out (the review's outcome, reviewer, time and exception) are null until a review.
  const rows: Array<Insertable<DecisionsTable>> = typed.map((r, index) => {
    const policy = policies.get(r.systemId) as SystemPolicy;
    const reason = policy.reviewAll ? 'restricted' : inSample(r.systemId, r.decisionId, policy.sampleRate) ? 'sample' : null;
    if (reason) queued += 1;
    return {
      id: ids[index],
      system_id: r.systemId,
      decision_id: r.decisionId,
      model_version_id: r.modelVersionId ?? null,
      decided_at: r.decidedAt,
      input_ref: r.inputRef ?? null,
      input_digest: r.inputDigest ?? null,
      raw_input: r.rawInput === undefined ? null : JSON.stringify(r.rawInput),
      output: JSON.stringify(r.output),
      confidence: r.confidence ?? null,
      human_reviewed: r.humanReviewed ? 1 : 0,
      reviewed_by: r.reviewedBy ?? null,
      batch_id: batchId,
      received_at: receivedAt,
      review_status: reason ? 'pending' : null,
      review_reason: reason,
    };
  });
  await trx
    .insertInto('decision_batches')
    .values({
      id: batchId,
      record_count: rows.length,
      digest,
      submitted_by: ctx.actor.userId,
      token_id: ctx.actor.tokenId ?? null,
      received_at: receivedAt,
    })
    .execute();
  try {
    await withSavepoint(trx, 'decisions_insert', () => insertRows(trx, 'decisions', rows));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await findRecorded(trx, typed, problems);
    if (problems.length > 0) throw rejectBatch(problems);
    throw error;
  }
  // The dashboard's count of decisions awaiting review: the batch's pending ones enter it at once
  // (migration 20261202_0100; a review's later changes move it through triggers).
  await addToCounter(
    trx,
    'decisions_review_pending',
    rows.reduce((n, row) => n + (row.review_status === 'pending' ? 1 : 0), 0),
  );
  await insertRows(trx, 'decision_features', featureRows(typed, ids));
  await appendEvent(trx, ctx, {
    type: 'decisions.batch_recorded',
    subject: { type: 'decision_batch', id: batchId },
    data: {
      count: rows.length,
      digest,
      digestAlgorithm: BATCH_DIGEST_ALGORITHM,
      systems: [...policies.keys()],
      // A batch of one system is part of that system's history (ledger/system-index.ts).
      ...(policies.size === 1 ? { systemId: [...policies.keys()][0] } : {}),
      queuedForReview: queued,
    },
  });
  return { batchId, count: rows.length, digest, queuedForReview: queued, receivedAt };
}

export interface DecisionSettingsInput {
  allowRawInput: boolean;
  reviewSampleRate: number;
}

export async function configureDecisionSettings(
  trx: Tx,
  { ctx, systemId, input }: { ctx: RequestContext; systemId: string; input: DecisionSettingsInput },
) {
  if (ctx.actor.kind !== 'system' && !hasSystemRole(ctx.actor, systemId, 'admin', 'governance_lead', 'system_owner')) {
    throw new AppError('forbidden', 'only an admin, the governance lead or the system owner configures decision records');
  }
  const system = await trx.selectFrom('ai_systems').select('id').where('id', '=', systemId).executeTakeFirst();
  if (!system) throw notFound('AI system', systemId);
  if (!(input.reviewSampleRate >= 0 && input.reviewSampleRate <= 1)) {
    throw new AppError('validation_failed', 'reviewSampleRate: must be from 0 to 1', { field: 'reviewSampleRate' });
  }
  const before = await trx.selectFrom('decision_settings').selectAll().where('system_id', '=', systemId).executeTakeFirst();
  const values = {
    allow_raw_input: input.allowRawInput ? 1 : 0,
    review_sample_rate: input.reviewSampleRate,
    updated_at: new Date().toISOString(),
  };
  const version = (before?.version ?? 0) + 1;
  if (before)
    await trx
      .updateTable('decision_settings')
      .set({ ...values, version })
      .where('system_id', '=', systemId)
      .execute();
  else
    await trx
      .insertInto('decision_settings')
      .values({ system_id: systemId, ...values, version })
      .execute();
  const after = { systemId, allowRawInput: input.allowRawInput, reviewSampleRate: input.reviewSampleRate, version };
  await appendEvent(trx, ctx, {
    type: 'decisions.settings_changed',
    subject: { type: 'ai_system', id: systemId },
    before: before ? { allowRawInput: before.allow_raw_input === 1, reviewSampleRate: before.review_sample_rate } : undefined,
    after,
  });
  return after;
}
