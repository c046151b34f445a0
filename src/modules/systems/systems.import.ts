// Bulk import of the inventory from CSV or JSON, and export in the same shape. Every row is checked
// first, with the API's compiled schema and createSystem's rules, and every problem reported with
// its line; only a file without problems is written, all of it in the caller's one transaction,
// through the same use case as POST /systems.

import type { ErrorObject } from 'ajv';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { compileBody, schemaProblem } from '../../server/validation.js';
import { presentSystem } from './systems.presenter.js';
import { SYSTEM_COLUMNS, type SystemMatch, systemsMatching } from './systems.repository.js';
import { assertGovernor } from './systems.rules.js';
import { CreateSystemBody, type NewSystem } from './systems.schema.js';
import { assertMayCreateSystem, createSystems } from './systems.service.js';

export type ImportFormat = 'csv' | 'json';

export const IMPORT_COLUMNS = [
  'name',
  'purpose',
  'intendedUse',
  'description',
  'aiType',
  'deploymentKind',
  'status',
  'euRiskTier',
  'orgRiskTier',
  'vendor',
  'businessUnit',
  'jurisdictions',
  'tags',
  'accountableOwnerEmail',
] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** One input record and where it came from: the CSV file line, or the JSON array index + 1. */
export interface ImportRow {
  line: number;
  fields: Record<string, unknown>;
}

export interface ImportReport {
  valid: number;
  invalid: Array<{ line: number; errors: string[] }>;
  imported: number;
}

/** Splits a file into rows; a file that cannot be read at all is one validation_failed error. */
export function parseImport(text: string, format: ImportFormat): ImportRow[] {
  return format === 'csv' ? parseCsv(text) : parseJson(text);
}

function parseCsv(text: string): ImportRow[] {
  let records: Array<{ record: Record<string, string>; info: { lines: number }; raw: string }>;
  try {
    records = parse(text, { columns: true, bom: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    const where = (error as { lines?: number }).lines;
    throw new AppError('validation_failed', `the CSV cannot be read${where ? ` (line ${where})` : ''}: ${(error as Error).message}`, {
      field: 'body',
      line: where ?? null,
    });
  }
  return records.map(({ record, info, raw }) => {
    // info.lines is where the record ends; a quoted value may span lines, so count back to its start.
    const body = raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
    const line = info.lines - (body.match(/\n/g)?.length ?? 0);
    return { line, fields: record };
  });
}

function parseJson(text: string): ImportRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('validation_failed', `the JSON cannot be read: ${(error as Error).message}`, { field: 'body' });
  }
  return jsonRows(value);
}

/** JSON input already parsed (the HTTP body): an array of objects. */
export function jsonRows(value: unknown): ImportRow[] {
  if (!Array.isArray(value)) throw new AppError('validation_failed', 'the JSON must be an array of systems', { field: 'body' });
  return value.map((item, index) => ({
    line: index + 1,
    fields: item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { __notAnObject: true },
  }));
}

interface CheckedRow {
  line: number;
  input: NewSystem;
  ownerEmail: string | null;
  errors: string[];
}

/** The API's own validator of a new system (the route's schema, compiled once by the API's Ajv). */
const validateNewSystem = compileBody<NewSystem>(CreateSystemBody);

const LIST_COLUMNS: readonly ImportColumn[] = ['jurisdictions', 'tags'];

/** A cell as the API would receive it: text trimmed, a blank cell absent, a list split on ";". */
function cellValue(column: ImportColumn, value: unknown): unknown {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return undefined;
    if (LIST_COLUMNS.includes(column))
      return text
        .split(';')
        .map((v) => v.trim())
        .filter(Boolean);
    return text;
  }
  if (Array.isArray(value) && LIST_COLUMNS.includes(column))
    return value.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '');
  return value ?? undefined;
}

/** "aiType: "robotic" is not one of ..." rather than Ajv's "must be equal to constant". */
function describeProblem(error: ErrorObject, body: Record<string, unknown>): string {
  const { field, message } = schemaProblem(error);
  const property = (CreateSystemBody.properties as Record<string, { anyOf?: Array<{ const?: unknown }> }>)[field];
  const allowed = property?.anyOf?.flatMap((branch) => (typeof branch.const === 'string' ? [branch.const] : []));
  if (allowed && allowed.length > 0 && (error.keyword === 'const' || error.keyword === 'anyOf')) {
    return `${field}: "${String(body[field])}" is not one of ${allowed.join(', ')}`;
  }
  return `${field}: ${message}`;
}

/** Checks one row on its own with the API's schema (the owner, given by email, is resolved later). */
function checkRow({ line, fields }: ImportRow): CheckedRow {
  const errors: string[] = [];
  const body: Record<string, unknown> = {};
  let ownerEmail: string | null = null;
  if (fields.__notAnObject) errors.push('must be an object with the system fields');
  for (const [key, raw] of Object.entries(fields)) {
    if (key === '__notAnObject') continue;
    if (!(IMPORT_COLUMNS as readonly string[]).includes(key)) {
      errors.push(`${key}: is not a known field`);
      continue;
    }
    const value = cellValue(key as ImportColumn, raw);
    if (key === 'accountableOwnerEmail') {
      if (value === undefined) continue;
      if (typeof value === 'string') ownerEmail = value.toLowerCase();
      else errors.push('accountableOwnerEmail: must be text');
    } else if (value !== undefined) body[key] = value;
  }
  // Ajv stops at a row's first problem (as the API does); the row's line names it.
  const first = errors.length === 0 && !validateNewSystem(body) ? validateNewSystem.errors?.[0] : undefined;
  if (first) errors.push(describeProblem(first, body));
  return { line, input: body as NewSystem, ownerEmail, errors };
}

/** Active users by email, in one query per 500 distinct emails. */
async function activeUsersByEmail(db: Kysely<Database>, emails: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const unique = [...new Set(emails)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', 'in', unique.slice(i, i + 500))
      .where('status', '=', 'active')
      .execute();
    for (const row of rows) found.set(row.email, row.id);
  }
  return found;
}

/** A refusal of `createSystem`'s rules, named by the import's column. */
function ruleProblem(ctx: RequestContext, input: NewSystem): string | null {
  try {
    assertMayCreateSystem(ctx, input);
    return null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const field = typeof error.details.field === 'string' ? error.details.field : 'status' in error.details ? 'status' : null;
    const column = field === 'accountableOwnerId' ? 'accountableOwnerEmail' : field;
    const message = error.message.replace(/^[A-Za-z]+: /, '');
    return column ? `${column}: ${message}` : message;
  }
}

/** Checks every row with the API's schema and `createSystem`'s rules, reporting every bad row with
 * its line; a file without problems is written through `createSystems`, the use case behind
 * `createSystem`, in the caller's one transaction. */
export async function importSystems(
  trx: Tx,
  {
    ctx,
    rows,
    dryRun = false,
    onProgress,
  }: { ctx: RequestContext; rows: ImportRow[]; dryRun?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<ImportReport> {
  assertGovernor(ctx.actor, 'importing systems');
  const checked = rows.map(checkRow);
  const owners = await activeUsersByEmail(
    trx,
    checked.flatMap((row) => (row.ownerEmail ? [row.ownerEmail] : [])),
  );
  for (const row of checked) {
    if (row.errors.length > 0) continue;
    if (row.ownerEmail) {
      const ownerId = owners.get(row.ownerEmail);
      if (!ownerId) {
        row.errors.push(`accountableOwnerEmail: ${row.ownerEmail} is not an active user`);
        continue;
      }
      row.input.accountableOwnerId = ownerId;
    }
    const problem = ruleProblem(ctx, row.input);
    if (problem) row.errors.push(problem);
  }
  const invalid = checked.filter((row) => row.errors.length > 0).map((row) => ({ line: row.line, errors: row.errors }));
  const report: ImportReport = { valid: checked.length - invalid.length, invalid, imported: 0 };
  if (dryRun || invalid.length > 0) {
    onProgress?.(checked.length, checked.length);
    return report;
  }
  onProgress?.(0, checked.length);
  const created = await createSystems(trx, { ctx, inputs: checked.map((row) => row.input), onProgress });
  report.imported = created.length;
  return report;
}

/** The systems the filter means (the inventory list's filters; none: the whole inventory) in the
 * import format (owner as email), sorted by name. */
export async function exportSystems(db: Kysely<Database>, format: ImportFormat, filter: SystemMatch = {}): Promise<string> {
  const rows = await systemsMatching(db, filter, new Date().toISOString())
    .leftJoin('users', 'users.id', 'ai_systems.accountable_owner_id')
    .select([...SYSTEM_COLUMNS.map((c) => `ai_systems.${c}` as const), 'users.email as owner_email'])
    .orderBy('ai_systems.name')
    .orderBy('ai_systems.id')
    .execute();
  const records = rows.map((row) => {
    const view = presentSystem(row);
    return {
      name: view.name,
      purpose: view.purpose,
      intendedUse: view.intendedUse,
      description: view.description,
      aiType: view.aiType,
      deploymentKind: view.deploymentKind,
      status: view.status,
      euRiskTier: view.euRiskTier,
      orgRiskTier: view.orgRiskTier,
      vendor: view.vendor,
      businessUnit: view.businessUnit,
      jurisdictions: view.jurisdictions,
      tags: view.tags,
      accountableOwnerEmail: row.owner_email ?? null,
    };
  });
  if (format === 'json') return `${JSON.stringify(records, null, 2)}\n`;
  return stringify(
    records.map((r) => ({ ...r, jurisdictions: r.jurisdictions.join(';'), tags: r.tags.join(';') })),
    { header: true, columns: [...IMPORT_COLUMNS] },
  );
}
