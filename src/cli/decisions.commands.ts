// `proofline decisions ingest|show`: a file of decision records recorded as one batch, exactly as
// POST /api/v1/decisions/batch records it (same schema, same use case, all or nothing, every bad
// record named), and one recorded decision with its review.
//
// Who may ingest (see ingestContext): over HTTP only reporting systems do, with an ingest-scoped
// token of an account holding a writer role. Here either the same (`--as EMAIL --token-stdin`), or
// operator maintenance as the system actor (no `--as`), e.g. to load records a system buffered
// while the server was down.
import fs from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { BatchBody } from '../modules/decisions/decisions.schema.js';
import { ingestDecisionBatch } from '../modules/decisions/decisions.service.js';
import type { RecordProblem } from '../modules/decisions/decisions.validate.js';
import { findDecision, namedDecision, presentDecision } from '../modules/decisions/review.service.js';
import { schemaCheck } from '../server/schema-check.js';
import { ingestContext, printJson, withStore } from './cli-context.js';

const checkBatch = schemaCheck(BatchBody, { part: 'body' });

interface ParsedFile {
  records: unknown[];
  /** The file line of each record (JSON Lines), to name a bad record where the reader can find it. */
  lines: number[] | null;
}

/** A JSON array of records, a JSON object `{ "records": [...] }` (the API's body), or JSON Lines
 * (one record per line; blank lines are skipped). */
export function parseDecisionFile(text: string): ParsedFile {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return { records: parseJson(text, 'the file') as unknown[], lines: null };
  if (trimmed.startsWith('{')) {
    try {
      const whole = JSON.parse(text) as unknown;
      if (whole !== null && typeof whole === 'object' && !Array.isArray(whole) && 'records' in whole) {
        return { records: checkBatch(whole).records, lines: null };
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      // Not one JSON document: JSON Lines.
    }
  }
  const records: unknown[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    records.push(parseJson(line, `line ${i + 1}`));
    lines.push(i + 1);
  });
  return { records, lines };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError('invalid_json', `${where} is not valid JSON: ${(error as Error).message}`, { field: where });
  }
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('not_found', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file });
  }
}

/** One line per problem on standard error, before the one-line error itself. */
function printProblems(error: AppError, lines: number[] | null): void {
  const problems = (error.details.problems ?? []) as RecordProblem[];
  for (const p of problems) {
    const where = lines ? `line ${lines[p.index]}: ` : '';
    process.stderr.write(`${where}records[${p.index}]${p.field ? `.${p.field}` : ''} ${p.message}\n`);
  }
  const count = Number(error.details.problemCount ?? problems.length);
  if (count > problems.length) process.stderr.write(`... and ${count - problems.length} more problem(s)\n`);
}

export function registerDecisionsCommands(program: Command): void {
  const decisions = program.command('decisions').description('decision records reported by AI systems');

  decisions
    .command('ingest')
    .description('record a JSON or JSON Lines file of decision records as one batch (as the API: all or nothing, every bad record named)')
    .argument('<file>', 'the file: a JSON array, {"records": [...]}, or one JSON record per line')
    .option('--as <email>', 'the reporting account (needs --token-stdin); default: the system actor, for operator maintenance')
    .option('--token-stdin', "read that account's API token (ingest scope) from standard input")
    .option('--json', 'print the receipt as JSON')
    .action(async (file: string, opts: { as?: string; tokenStdin?: boolean; json?: boolean }) => {
      const { records, lines } = parseDecisionFile(readFile(file));
      checkBatch({ records });
      const receipt = await withStore(async (store) => {
        const ctx = await ingestContext(store, opts);
        try {
          return await store.transact((trx) => ingestDecisionBatch(trx, { ctx, records }));
        } catch (error) {
          if (error instanceof AppError && Array.isArray(error.details.problems)) printProblems(error, lines);
          throw error;
        }
      });
      if (opts.json) return printJson(receipt);
      process.stdout.write(
        `recorded batch ${receipt.batchId}: ${receipt.count} decision(s), ${receipt.queuedForReview} queued for review, sha256 ${receipt.digest}\n`,
      );
    });

  decisions
    .command('show')
    .description('one recorded decision with its human review')
    .argument('<id>', 'the decision record id (as returned by the API)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const view = await withStore(async (store) => namedDecision(store.db, presentDecision(await findDecision(store.db, id))));
      if (opts.json) return printJson(view);
      const lines = [
        `decision ${view.id}: ${view.systemId}/${view.decisionId} at ${view.decidedAt}`,
        `  model version ${view.modelVersionId ?? '-'}; input ${view.inputRef ?? view.inputDigest ?? (view.hasRawInput ? 'raw' : '-')}`,
        `  output ${JSON.stringify(view.output)}${view.confidence === null ? '' : ` (confidence ${view.confidence})`}`,
        `  batch ${view.batchId}, received ${view.receivedAt}`,
        view.review
          ? `  review ${view.review.status}${view.review.reason ? `: ${view.review.reason}` : ''}${view.review.exceptionId ? ` (exception ${view.review.exceptionId})` : ''}`
          : '  not queued for review',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
