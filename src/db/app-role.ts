// PostgreSQL defence in depth: besides the triggers, the role the server connects as may lack the
// privilege to UPDATE, DELETE or TRUNCATE ledger rows at all. The owner role runs migrations
// (`proofline migrate`); `proofline db grant-app-role ROLE` gives the server's role what it needs.
import { type Kysely, sql } from 'kysely';
import { AppError } from '../errors.js';
import type { Database } from './schema.js';

/** Tables that only ever grow. */
export const APPEND_ONLY_TABLES = ['ledger_events', 'ledger_nodes', 'ledger_checkpoints', 'ledger_notes'] as const;

export async function grantAppRole(db: Kysely<Database>, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) {
    throw new AppError('validation_failed', `role: "${role}" is not a plain PostgreSQL role name`, { field: 'role' });
  }
  const ident = sql.id(role);
  await sql`grant usage on schema public to ${ident}`.execute(db);
  await sql`grant select, insert, update, delete on all tables in schema public to ${ident}`.execute(db);
  await sql`grant usage, select on all sequences in schema public to ${ident}`.execute(db);
  for (const table of APPEND_ONLY_TABLES) {
    await sql`revoke update, delete, truncate on ${sql.table(table)} from ${ident}`.execute(db);
  }
}
