// What every record batch (decisions, outcomes) shares: all or nothing, every bad record named by
// index and field, duplicates within the batch found, the batch's digest. Below the features, so
// each ingesting feature checks its batches the same way without importing another.
import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';

export interface RecordProblem {
  index: number;
  field: string;
  message: string;
}

/** How many problems a refusal lists (it counts them all). */
export const MAX_PROBLEMS_REPORTED = 200;

/** Checks one record, pushing its problems (none when well-formed). */
export type RecordCheck = (record: unknown, index: number, out: RecordProblem[]) => void;

/** The one refusal of a malformed batch: validation_failed naming the first problem, every bad
 * record's index and the problems (up to MAX_PROBLEMS_REPORTED), and how many there are. */
export function rejectBatch(problems: RecordProblem[]): AppError {
  problems.sort((a, b) => a.index - b.index);
  const badRecords = [...new Set(problems.map((p) => p.index))];
  const first = problems[0];
  return new AppError(
    'validation_failed',
    `${badRecords.length} of the batch's records are malformed (first: records[${first.index}].${first.field} ${first.message}); nothing was recorded`,
    {
      field: `records[${first.index}].${first.field}`,
      badRecords: badRecords.slice(0, MAX_PROBLEMS_REPORTED),
      problems: problems.slice(0, MAX_PROBLEMS_REPORTED),
      problemCount: problems.length,
    },
  );
}

/**
 * The structural pass over a batch: its size, then every record through `check` (one function
 * built once, not a schema compiled per record); refuses the whole batch naming every bad record.
 * @example const typed = checkBatch<DecisionRecord>(body.records, { maxRecords: 5000, check: checkRecord });
 */
export function checkBatch<T>(records: unknown[], { maxRecords, check }: { maxRecords: number; check: RecordCheck }): T[] {
  if (records.length === 0) throw new AppError('validation_failed', 'records: a batch needs at least one record', { field: 'records' });
  if (records.length > maxRecords) {
    throw new AppError('validation_failed', `records: at most ${maxRecords} records per batch`, { field: 'records' });
  }
  const problems: RecordProblem[] = [];
  for (let index = 0; index < records.length; index++) check(records[index], index, problems);
  if (problems.length > 0) throw rejectBatch(problems);
  return records as T[];
}

/** Names each record whose (systemId, decisionId) an earlier record of the batch already used. */
export function findRepeatedDecisions(records: ReadonlyArray<{ systemId: string; decisionId: string }>, problems: RecordProblem[]): void {
  const seen = new Set<string>();
  for (let index = 0; index < records.length; index++) {
    const key = decisionKey(records[index].systemId, records[index].decisionId);
    if (seen.has(key)) problems.push({ index, field: 'decisionId', message: 'appears twice in this batch' });
    seen.add(key);
  }
}

/** One decision's key across systems. */
export const decisionKey = (systemId: string, decisionId: string) => `${systemId}\u0000${decisionId}`;

/** The batch's digest, as its ledger event records it: sha256 of the records' JSON as received. */
export const batchDigest = (records: unknown[]) => createHash('sha256').update(JSON.stringify(records)).digest('hex');
export const BATCH_DIGEST_ALGORITHM = 'sha256(JSON of records as received)';
