// The SQLite fast path for decision rows: one cached prepared statement run per row on the
// writer's own handle. Used inside store.transact: the SQLite store runs every use case on that
// handle, inside its BEGIN IMMEDIATE (and savepoint), so these rows commit or roll back with the
// rest of the batch. Kysely would compile and SQLite would re-prepare a large multi-row INSERT for
// every batch, which costs more than the inserts themselves.
import type SQLite from 'better-sqlite3';
import { AppError } from '../../errors.js';
import type { DecisionsTable } from './decisions.tables.js';

const COLUMNS: Array<keyof DecisionsTable> = [
  'id',
  'system_id',
  'decision_id',
  'model_version_id',
  'decided_at',
  'input_ref',
  'input_digest',
  'raw_input',
  'output',
  'confidence',
  'human_reviewed',
  'reviewed_by',
  'batch_id',
  'received_at',
  'review_status',
  'review_reason',
  'review_outcome_reason',
  'reviewer_id',
  'reviewed_at',
  'exception_id',
];

export type DecisionRowWriter = (rows: DecisionsTable[]) => void;

const statements = new WeakMap<SQLite.Database, SQLite.Statement>();

export function sqliteDecisionWriter(handle: SQLite.Database): DecisionRowWriter {
  let insert = statements.get(handle);
  if (!insert) {
    insert = handle.prepare(`insert into decisions (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
    statements.set(handle, insert);
  }
  const statement = insert;
  return (rows) => {
    if (!handle.inTransaction) throw new Error('sqliteDecisionWriter must run inside store.transact');
    rows.forEach((row, index) => {
      try {
        // Positional parameters: binding by name costs a property lookup per column per row.
        statement.run(COLUMNS.map((column) => row[column]));
      } catch (error) {
        // The unique (system_id, decision_id) constraint names the duplicate without a lookup per
        // batch; the caller's transaction rolls back the rows already written.
        if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
        const field = `records[${index}].decisionId`;
        throw new AppError('validation_failed', `${field} was already recorded for this system; nothing was recorded`, {
          field,
          badRecords: [index],
          problems: [{ index, field: 'decisionId', message: 'was already recorded for this system' }],
          problemCount: 1,
        });
      }
    });
  };
}
