// Statements written as literal SQL, for PostgreSQL messages that carry several statements at once
// (the simple query protocol takes no parameters): a write's deferred inserts (store.ts). Only plain
// values are written this way.
import pg from 'pg';

/** A value as a SQL literal, or null when it is not a plain one (arrays, objects, dates: pg
 * converts those itself, so they go through a parameterised query instead). */
export function sqlLiteral(value: unknown): string | null {
  if (value === undefined) return 'default'; // as Kysely, which leaves an undefined value out
  if (value === null) return 'null';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Uint8Array) return `'\\x${Buffer.from(value).toString('hex')}'::bytea`;
  return null;
}

/** A string as a SQL literal: `pg.escapeLiteral`'s text. That function copies the string one
 * character at a time (a long leaf becomes a chain of one-character pieces, joined again when the
 * message is written); a string without a quote or a backslash, nearly every one, needs no
 * escaping and is only put between quotes. */
export function stringLiteral(value: string): string {
  return ESCAPED.test(value) ? pg.escapeLiteral(value) : `'${value}'`;
}

const ESCAPED = /['\\]/;

/** INSERT of `rows` (each with `columns`) as one literal statement, or null when a value is not plain. */
export function insertStatement(table: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string | null {
  const tuples: string[] = [];
  for (const row of rows) {
    const values: string[] = [];
    for (const column of columns) {
      const text = sqlLiteral(row[column]);
      if (text === null) return null;
      values.push(text);
    }
    tuples.push(`(${values.join(', ')})`);
  }
  return `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}`;
}
