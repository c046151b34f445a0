// Outcomes of recorded decisions (issue 11): batches of ground truth (decision id -> actual outcome,
// when it became known), with the group attributes of the person concerned where the organisation
// measures fairness. Like decision batches (the same batch checks, src/ingest/batch.ts): all or
// nothing, every bad record named, one transaction and one ledger event (digest and count) per
// acknowledged batch. Group attributes must be declared for the system (fairness-declarations.service.ts),
// go into one column of the outcome (canonical JSON, read only by the fairness report) and never into
// the ledger: the event carries only which attributes the batch held. The batch's confusion counts
// are added to the rollups (outcome-rollups.ts) in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { RequestContext } from '../../context.js';
import { inList, insertRows, isUniqueViolation, rowsByKeys, type Tx, withSavepoint } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { BATCH_DIGEST_ALGORITHM, batchDigest, checkBatch, type RecordProblem, rejectBatch } from '../../ingest/batch.js';
import { appendEvent } from '../../ledger/ledger.service.js';
import { isDateTime } from '../../server/input.js';
import { loadDeclaredAttributes } from './fairness-declarations.service.js';
import type { DecisionOutcomesTable, RecordedGroupAttributesTable } from './monitoring.tables.js';
import { addToRollups } from './outcome-rollups.js';

export const MAX_OUTCOME_RECORDS = 5000;
const MAX_ID = 200;
export const MAX_ATTRIBUTES = 10;
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,49}$/;
const KNOWN_FIELDS = new Set(['systemId', 'decisionId', 'actual', 'predicted', 'score', 'knownAt', 'groups']);

export interface OutcomeRecord {
  systemId: string;
  decisionId: string;
  actual: 0 | 1;
  predicted: 0 | 1;
  score?: number | null;
  knownAt: string;
  groups?: Record<string, string>;
}

const problemAt = (out: RecordProblem[], index: number, field: string, message: string) => out.push({ index, field, message });

/** One record's structural problems (the published OutcomeRecord schema's verdict; outcomes.validate.test.ts).
 * Runs once per record of every batch: no closure or array is made per record. */
export function checkOutcome(record: unknown, index: number, out: RecordProblem[]): void {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    problemAt(out, index, '', 'must be an object');
    return;
  }
  const r = record as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!KNOWN_FIELDS.has(key)) problemAt(out, index, key, 'is not a known field');
  if (!isId(r.systemId)) problemAt(out, index, 'systemId', `is required: a string of 1 to ${MAX_ID} characters`);
  if (!isId(r.decisionId)) problemAt(out, index, 'decisionId', `is required: a string of 1 to ${MAX_ID} characters`);
  if (r.actual !== 0 && r.actual !== 1) problemAt(out, index, 'actual', 'is required: 0 or 1');
  if (r.predicted !== 0 && r.predicted !== 1) problemAt(out, index, 'predicted', 'is required: 0 or 1');
  if (r.score !== undefined && r.score !== null && (typeof r.score !== 'number' || !(r.score >= 0 && r.score <= 1))) {
    problemAt(out, index, 'score', 'must be a number from 0 to 1');
  }
  if (typeof r.knownAt !== 'string' || !isDateTime(r.knownAt))
    problemAt(out, index, 'knownAt', 'is required: an ISO 8601 date-time with a time zone');
  if (r.groups !== undefined) checkGroups(r.groups, index, out);
}

const isId = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;

function checkGroups(groups: unknown, index: number, out: RecordProblem[]): void {
  if (typeof groups !== 'object' || groups === null || Array.isArray(groups)) {
    problemAt(out, index, 'groups', 'must be an object of attribute: value');
    return;
  }
  const names = Object.keys(groups);
  if (names.length > MAX_ATTRIBUTES) problemAt(out, index, 'groups', `at most ${MAX_ATTRIBUTES} attributes`);
  for (const name of names) {
    const value = (groups as Record<string, unknown>)[name];
    if (!ATTRIBUTE_NAME.test(name)) problemAt(out, index, `groups.${name}`, 'an attribute name is lower case letters, digits and _');
    else if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
      problemAt(out, index, `groups.${name}`, 'must be a string of 1 to 100 characters');
    }
  }
}

interface RecordedDecision {
  /** The decision's row id, its outcome's key. */
  id: string;
  decision_id: string;
  model_version_id: string | null;
  decided_at: string;
}

const NONE_KNOWN: ReadonlySet<string> = new Set();

/** Ids per lookup query: a whole batch of one system (well within both databases' parameter limits). */
const LOOKUP_CHUNK = MAX_OUTCOME_RECORDS;

/** The recorded decisions the batch names, per system and decision id: per system, one query per
 * LOOKUP_CHUNK ids. Keyed per system by the caller's id, so no combined key is built (and hashed)
 * per record. Whether a decision has an outcome already is not asked here: the outcome's key refuses
 * a second one at the insert, and only then (or when the batch is refused anyway) does
 * `decisionsWithOutcomes` say which. */
async function loadDecisions(trx: Tx, records: OutcomeRecord[]) {
  const bySystem = new Map<string, string[]>();
  for (const r of records) {
    const ids = bySystem.get(r.systemId);
    if (ids) ids.push(r.decisionId);
    else bySystem.set(r.systemId, [r.decisionId]);
  }
  const decisions = new Map<string, Map<string, RecordedDecision>>();
  for (const [systemId, ids] of bySystem) {
    const recorded = new Map<string, RecordedDecision>();
    decisions.set(systemId, recorded);
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const rows = await rowsByKeys(trx, {
        table: 'decisions',
        columns: ['id', 'decision_id', 'model_version_id', 'decided_at'],
        scope: ['system_id', systemId],
        key: 'decision_id',
        keys: i === 0 && ids.length <= LOOKUP_CHUNK ? ids : ids.slice(i, i + LOOKUP_CHUNK),
      });
      for (const [id, decisionId, modelVersionId, decidedAt] of rows as Array<[string, string, string | null, string]>) {
        recorded.set(decisionId, { id, decision_id: decisionId, model_version_id: modelVersionId, decided_at: decidedAt });
      }
    }
  }
  return { decisions, systems: [...bySystem.keys()] };
}

/** Of the matched decisions, those with an outcome recorded already (by the outcome's key: on
 * SQLite the decision's system, time and row id, on PostgreSQL its row id; the query names all
 * three, so either key finds them). Asked only on the way to a refusal, so its cost is not the batch's. */
async function decisionsWithOutcomes(
  trx: Tx,
  records: OutcomeRecord[],
  matched: ReadonlyArray<RecordedDecision | undefined>,
): Promise<Set<string>> {
  const bySystem = new Map<string, Map<string, RecordedDecision>>();
  matched.forEach((decision, index) => {
    if (decision === undefined) return;
    const systemId = records[index].systemId;
    const rows = bySystem.get(systemId) ?? bySystem.set(systemId, new Map()).get(systemId);
    rows?.set(decision.id, decision);
  });
  const found = new Set<string>();
  for (const [systemId, rows] of bySystem) {
    const decisions = [...rows.values()];
    for (let i = 0; i < decisions.length; i += LOOKUP_CHUNK) {
      const chunk = decisions.slice(i, i + LOOKUP_CHUNK);
      const given = await trx
        .selectFrom('decision_outcomes')
        .select('decision_row')
        .where('system_id', '=', systemId)
        .where(inList(trx, 'decided_at', [...new Set(chunk.map((d) => d.decided_at))]))
        .where(
          inList(
            trx,
            'decision_row',
            chunk.map((d) => d.id),
          ),
        )
        .execute();
      for (const row of given) found.add(row.decision_row);
    }
  }
  return found;
}

/** Each record's decision, or the problems that refuse the batch: a decision not recorded, one with
 * an outcome already (among `withOutcomes`, when known), one named twice in the batch (what
 * findRepeatedDecisions in ingest/batch.ts names, found here in the same pass over the per-system maps). */
function matchDecisions(
  records: OutcomeRecord[],
  decisions: Map<string, Map<string, RecordedDecision>>,
  withOutcomes: ReadonlySet<string>,
  problems: RecordProblem[],
): RecordedDecision[] {
  const matched: RecordedDecision[] = new Array(records.length);
  const used = new Set<RecordedDecision>();
  const seenUnknown = new Map<string, Set<string>>();
  for (let index = 0; index < records.length; index++) {
    const r = records[index];
    const decision = decisions.get(r.systemId)?.get(r.decisionId);
    if (decision === undefined) {
      problems.push({ index, field: 'decisionId', message: `no recorded decision ${r.decisionId} of system ${r.systemId}` });
      const seen = seenUnknown.get(r.systemId) ?? seenUnknown.set(r.systemId, new Set()).get(r.systemId);
      if (seen?.has(r.decisionId)) problems.push({ index, field: 'decisionId', message: 'appears twice in this batch' });
      seen?.add(r.decisionId);
      continue;
    }
    if (withOutcomes.has(decision.id)) problems.push({ index, field: 'decisionId', message: 'already has an outcome' });
    if (used.has(decision)) problems.push({ index, field: 'decisionId', message: 'appears twice in this batch' });
    used.add(decision);
    matched[index] = decision;
  }
  return matched;
}

/** The reference problems of the batch once it is known which decisions have an outcome already:
 * asked only on the way to a refusal (a problem found, or the outcome's key refusing a second
 * outcome), so a well-formed batch never pays for it. */
async function referenceProblems(
  trx: Tx,
  records: OutcomeRecord[],
  decisions: Map<string, Map<string, RecordedDecision>>,
  matched: RecordedDecision[],
): Promise<RecordProblem[]> {
  const problems: RecordProblem[] = [];
  matchDecisions(records, decisions, await decisionsWithOutcomes(trx, records, matched), problems);
  return problems;
}

/** Names every group attribute (or value) that the record's system has not declared. */
function checkDeclaredGroups(records: OutcomeRecord[], declared: Map<string, Map<string, Set<string>>>, problems: RecordProblem[]) {
  for (let index = 0; index < records.length; index++) {
    const r = records[index];
    if (r.groups === undefined) continue;
    const attributes = declared.get(r.systemId);
    for (const name in r.groups) {
      const values = attributes?.get(name);
      if (!values) {
        problems.push({ index, field: `groups.${name}`, message: `is not a fairness attribute declared for system ${r.systemId}` });
      } else if (!values.has(r.groups[name])) {
        problems.push({ index, field: `groups.${name}`, message: `${JSON.stringify(r.groups[name])} is not one of its declared values` });
      }
    }
  }
}

/** A record's group attributes as one column: a JSON object with its keys in order and no spaces
 * (attribute names are checked to be [a-z0-9_]), so the same groups are always the same text. */
export function canonicalGroups(groups: Record<string, string>): string | null {
  const names = Object.keys(groups);
  if (names.length === 0) return null;
  // Names in order already (as clients mostly send them): JSON.stringify writes exactly this text,
  // in one native call instead of one per value.
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++) sorted = names[i - 1] < names[i];
  if (sorted) return JSON.stringify(groups);
  names.sort();
  let text = '{';
  for (let i = 0; i < names.length; i++) text += `${i === 0 ? '' : ','}"${names[i]}":${JSON.stringify(groups[names[i]])}`;
  return `${text}}`;
}

export interface OutcomeBatchReceipt {
  batchId: string;
  count: number;
  digest: string;
  receivedAt: string;
}

/** Records a batch of outcomes: all or nothing. An outcome names a decision already recorded, and
 * is given once (a correction is a later, separate governed change, not a silent overwrite). */
export async function ingestOutcomeBatch(
  trx: Tx,
  { ctx, records }: { ctx: RequestContext; records: unknown[] },
): Promise<OutcomeBatchReceipt> {
  const typed = checkBatch<OutcomeRecord>(records, { maxRecords: MAX_OUTCOME_RECORDS, check: checkOutcome });
  const { decisions, systems } = await loadDecisions(trx, typed);
  const unmatched: RecordProblem[] = [];
  const matched = matchDecisions(typed, decisions, NONE_KNOWN, unmatched);
  const groupProblems: RecordProblem[] = [];
  if (typed.some((r) => r.groups !== undefined)) checkDeclaredGroups(typed, await loadDeclaredAttributes(trx, systems), groupProblems);
  if (unmatched.length > 0 || groupProblems.length > 0) {
    throw rejectBatch([...(await referenceProblems(trx, typed, decisions, matched)), ...groupProblems]);
  }

  const batchId = randomUUID();
  const receivedAt = new Date().toISOString();
  const digest = batchDigest(records);
  const outcomes: Array<Insertable<DecisionOutcomesTable>> = new Array(typed.length);
  const recorded = new Map<string, Set<string>>(); // system -> the attribute names its records carry
  for (let index = 0; index < typed.length; index++) {
    const r = typed[index];
    const decision = matched[index];
    outcomes[index] = {
      decision_row: decision.id,
      system_id: r.systemId,
      decision_id: r.decisionId,
      model_version_id: decision.model_version_id,
      decided_at: decision.decided_at,
      predicted: r.predicted,
      actual: r.actual,
      score: r.score ?? null,
      known_at: r.knownAt,
      batch_id: batchId,
      group_attributes: r.groups === undefined ? null : canonicalGroups(r.groups),
    };
    if (r.groups === undefined) continue;
    const names = recorded.get(r.systemId) ?? recorded.set(r.systemId, new Set()).get(r.systemId);
    for (const attribute in r.groups) names?.add(attribute);
  }
  const attributes = new Set<string>();
  const recordedRows: Array<Insertable<RecordedGroupAttributesTable>> = [];
  for (const [systemId, names] of recorded) {
    for (const attribute of names) {
      attributes.add(attribute);
      recordedRows.push({ system_id: systemId, attribute });
    }
  }
  await trx
    .insertInto('outcome_batches')
    .values({
      id: batchId,
      record_count: outcomes.length,
      digest,
      submitted_by: ctx.actor.userId,
      token_id: ctx.actor.tokenId ?? null,
      received_at: receivedAt,
    })
    .execute();
  try {
    // A concurrent batch may give the same decision its outcome between the check and the insert.
    await withSavepoint(trx, 'outcomes_insert', async () => {
      await insertRows(trx, 'decision_outcomes', outcomes);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A decision of the batch has an outcome already: named per record, as any other problem.
    // None visible to this transaction: a concurrent batch (PostgreSQL) recorded one first.
    const problems = await referenceProblems(trx, typed, decisions, matched);
    if (problems.length > 0) throw rejectBatch(problems);
    throw new AppError('conflict', 'another batch recorded an outcome of these decisions first; nothing was recorded');
  }
  await addToRollups(trx, outcomes);
  if (recordedRows.length > 0) {
    await trx
      .insertInto('recorded_group_attributes')
      .values(recordedRows)
      .onConflict((oc) => oc.columns(['system_id', 'attribute']).doNothing())
      .execute();
  }
  await appendEvent(trx, ctx, {
    type: 'monitoring.outcomes_recorded',
    subject: { type: 'outcome_batch', id: batchId },
    data: {
      count: outcomes.length,
      digest,
      digestAlgorithm: BATCH_DIGEST_ALGORITHM,
      systems,
      ...(systems.length === 1 ? { systemId: systems[0] } : {}),
      groupAttributes: [...attributes].sort(),
    },
  });
  return { batchId, count: outcomes.length, digest, receivedAt };
}
