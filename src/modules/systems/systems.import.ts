// Bulk import of the inventory from CSV or JSON, and export in the same shape. Every row is checked
// first and every problem reported with its line; only a file without problems is written, all of
// it in the caller's one transaction, in chunks, with one ledger event per system.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { AppError } from '../../errors.js';
import { APPROVAL_GATED_STATUSES } from '../../governance/governed-changes.js';
import { appendEvents } from '../../ledger/ledger.service.js';
import { presentSystem } from './systems.presenter.js';
import { SYSTEM_COLUMNS } from './systems.repository.js';
import { assertGovernor } from './systems.rules.js';
import { type NewSystem, newSystemRow } from './systems.service.js';
import { AI_TYPES, DEPLOYMENT_KINDS, EU_RISK_TIERS, SYSTEM_STATUSES } from './systems.tables.js';

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

const CHUNK = 250;

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

const blankToNull = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());

function textField(fields: Record<string, unknown>, column: ImportColumn, errors: string[]): string | undefined {
  const value = fields[column];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.push(`${column}: must be text`);
    return undefined;
  }
  return value;
}

function listField(fields: Record<string, unknown>, column: ImportColumn, errors: string[]): string[] {
  const value = fields[column];
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim()).filter(Boolean);
  if (typeof value === 'string')
    return value
      .split(';')
      .map((v) => v.trim())
      .filter(Boolean);
  errors.push(`${column}: must be a list of text (separated by ";" in CSV)`);
  return [];
}

function enumField<T extends string>(
  fields: Record<string, unknown>,
  column: ImportColumn,
  allowed: readonly T[],
  errors: string[],
  required: boolean,
): T | undefined {
  const value = blankToNull(textField(fields, column, errors));
  if (value === null) {
    if (required) errors.push(`${column}: is required (one of ${allowed.join(', ')})`);
    return undefined;
  }
  if (!allowed.includes(value as T)) {
    errors.push(`${column}: "${value}" is not one of ${allowed.join(', ')}`);
    return undefined;
  }
  return value as T;
}

/** Checks one row on its own (everything except whether the owner's email is a user). */
function checkRow({ line, fields }: ImportRow): CheckedRow {
  const errors: string[] = [];
  if (fields.__notAnObject) errors.push('must be an object with the system fields');
  for (const key of Object.keys(fields)) {
    if (key !== '__notAnObject' && !(IMPORT_COLUMNS as readonly string[]).includes(key)) errors.push(`${key}: is not a known field`);
  }
  const required = (column: ImportColumn, max: number) => {
    const value = blankToNull(textField(fields, column, errors));
    if (value === null) errors.push(`${column}: is required`);
    else if (value.length > max) errors.push(`${column}: is longer than ${max} characters`);
    return value ?? '';
  };
  const optional = (column: ImportColumn) => blankToNull(textField(fields, column, errors));
  const input: NewSystem = {
    name: required('name', 200),
    purpose: required('purpose', 2000),
    intendedUse: required('intendedUse', 2000),
    description: optional('description') ?? '',
    aiType: enumField(fields, 'aiType', AI_TYPES, errors, true) ?? 'other',
    deploymentKind: enumField(fields, 'deploymentKind', DEPLOYMENT_KINDS, errors, true) ?? 'internal',
    status: enumField(fields, 'status', SYSTEM_STATUSES, errors, false) ?? 'proposed',
    euRiskTier: enumField(fields, 'euRiskTier', EU_RISK_TIERS, errors, false) ?? 'unassessed',
    orgRiskTier: optional('orgRiskTier'),
    vendor: optional('vendor'),
    businessUnit: optional('businessUnit'),
    jurisdictions: listField(fields, 'jurisdictions', errors),
    tags: listField(fields, 'tags', errors),
  };
  const ownerEmail = optional('accountableOwnerEmail')?.toLowerCase() ?? null;
  const status = input.status ?? 'proposed';
  if (APPROVAL_GATED_STATUSES.includes(status)) errors.push(`status: ${status} is reached only through a completed approval`);
  if (status !== 'proposed' && !ownerEmail)
    errors.push('accountableOwnerEmail: an accountable owner is required unless status is proposed');
  return { line, input, ownerEmail, errors };
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
    if (!row.ownerEmail) continue;
    const ownerId = owners.get(row.ownerEmail);
    if (ownerId) row.input.accountableOwnerId = ownerId;
    else row.errors.push(`accountableOwnerEmail: ${row.ownerEmail} is not an active user`);
  }
  const invalid = checked.filter((row) => row.errors.length > 0).map((row) => ({ line: row.line, errors: row.errors }));
  const report: ImportReport = { valid: checked.length - invalid.length, invalid, imported: 0 };
  if (dryRun || invalid.length > 0) {
    onProgress?.(checked.length, checked.length);
    return report;
  }
  const now = new Date().toISOString();
  const systems = checked.map((row) => ({ ...newSystemRow(row.input, ctx.actor.userId, now), version: 1 }));
  onProgress?.(0, systems.length);
  for (let i = 0; i < systems.length; i += CHUNK) {
    const chunk = systems.slice(i, i + CHUNK);
    await trx.insertInto('ai_systems').values(chunk).execute();
    const tags = chunk.flatMap((s) => (JSON.parse(s.tags) as string[]).map((tag) => ({ system_id: s.id, tag })));
    for (let j = 0; j < tags.length; j += 1000)
      await trx
        .insertInto('system_tags')
        .values(tags.slice(j, j + 1000))
        .execute();
    const roles = chunk.flatMap((s) =>
      s.accountable_owner_id
        ? [{ user_id: s.accountable_owner_id, role: 'system_owner', scope: s.id, granted_at: now, granted_by: ctx.actor.userId }]
        : [],
    );
    if (roles.length > 0) await trx.insertInto('user_roles').values(roles).execute();
    await appendEvents(
      trx,
      ctx,
      chunk.map((s) => ({
        type: 'system.created',
        subject: { type: 'ai_system', id: s.id, version: 1 },
        after: presentSystem(s),
        data: { import: true },
        controls: ['iso42001:A.9.2'],
      })),
    );
    report.imported += chunk.length;
    onProgress?.(report.imported, systems.length);
  }
  return report;
}

/** The whole inventory in the import format (owner as email), sorted by name. */
export async function exportSystems(db: Kysely<Database>, format: ImportFormat): Promise<string> {
  const rows = await db
    .selectFrom('ai_systems')
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
