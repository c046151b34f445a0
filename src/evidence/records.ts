// The records in a pack's scope, read straight from the tables through the Database type (this
// module imports no feature). What is left out on purpose: password, session and token hashes
// (users, sessions, api_tokens are never read but for a person's id and display name), e-mail
// addresses, and an appellant's name and contact (an appeal's statement stays: it is the record).
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { PackScope } from './pack-format.js';

type Row = Record<string, unknown>;

export interface RecordSet {
  /** File stem under records/: records/<name>.json and .csv. */
  name: string;
  rows: Row[];
}

const APPELLANT_FIELDS = new Set(['appellant_name', 'appellant_contact']);

/** Which table each set reads, and how a system scope narrows it (a column, or through exceptions/requests). */
const SETS: { name: string; table: string; system: string | { via: 'exceptions' | 'approval_requests'; column: string } }[] = [
  { name: 'systems', table: 'ai_systems', system: 'id' },
  { name: 'system-phase-owners', table: 'system_phase_owners', system: 'system_id' },
  { name: 'model-versions', table: 'model_versions', system: 'system_id' },
  { name: 'data-sources', table: 'data_sources', system: 'system_id' },
  { name: 'approval-requests', table: 'approval_requests', system: 'system_id' },
  { name: 'approval-signatures', table: 'approval_decisions', system: { via: 'approval_requests', column: 'request_id' } },
  { name: 'change-records', table: 'change_records', system: 'system_id' },
  { name: 'exceptions', table: 'exceptions', system: 'system_id' },
  { name: 'corrective-actions', table: 'corrective_actions', system: { via: 'exceptions', column: 'exception_id' } },
  { name: 'lessons-learned', table: 'lessons_learned', system: { via: 'exceptions', column: 'exception_id' } },
  { name: 'incidents', table: 'incidents', system: { via: 'exceptions', column: 'exception_id' } },
  { name: 'incident-reports', table: 'incident_reports', system: { via: 'exceptions', column: 'exception_id' } },
  { name: 'oversight-roster', table: 'oversight_roster', system: 'system_id' },
  { name: 'runtime-states', table: 'system_runtime', system: 'system_id' },
];

/** Every record set of the scope. A system scope reads that system's rows only (and no appeals). */
export async function readScopeRecords(db: Kysely<Database>, scope: PackScope): Promise<RecordSet[]> {
  // The tables are named from the list above, every one of them a table of Database.
  const tables = db as unknown as Kysely<Record<string, Row>>;
  const systemId = scope.kind === 'system' ? (scope.id as string) : null;
  const sets: RecordSet[] = [];
  for (const set of SETS) {
    let query = tables.selectFrom(set.table).selectAll();
    if (systemId !== null) {
      query =
        typeof set.system === 'string'
          ? query.where(set.system, '=', systemId)
          : query.where(set.system.column, 'in', tables.selectFrom(set.system.via).select('id').where('system_id', '=', systemId));
    }
    sets.push({ name: set.name, rows: await query.execute() });
  }
  if (systemId === null) {
    const appeals = await tables.selectFrom('appeals').selectAll().execute();
    sets.push({
      name: 'appeals',
      rows: appeals.map((a) => Object.fromEntries(Object.entries(a).filter(([k]) => !APPELLANT_FIELDS.has(k)))),
    });
  }
  // People: the id and the display name that records refer to; no e-mail, no credential of any kind.
  sets.push({ name: 'people', rows: await db.selectFrom('users').select(['id', 'display_name', 'status']).orderBy('id').execute() });
  return sets.map((set) => ({ name: set.name, rows: set.rows.map(plain) }));
}

/** Binary columns as hex, so JSON and CSV carry them. */
function plain(row: Row): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value;
  return out;
}

export function recordsCsv(rows: Row[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  return stringify(
    rows.map((row) =>
      columns.map((c) =>
        row[c] === null || row[c] === undefined ? '' : typeof row[c] === 'object' ? JSON.stringify(row[c]) : String(row[c]),
      ),
    ),
    { header: true, columns },
  );
}

/** The record sets a pack of this scope holds, in order (known before any is read). */
export function recordSetNames(scope: PackScope): string[] {
  return [...SETS.map((s) => s.name), ...(scope.kind === 'system' ? [] : ['appeals']), 'people'];
}
