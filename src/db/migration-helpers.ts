// Frozen helpers for migrations: the few column types and guards that differ between dialects.
// Migrations may import only this file.
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

/** Binary column type: bytea on PostgreSQL, blob on SQLite. */
export const binary = (db: Kysely<unknown>) => (isPostgres(db) ? sql`bytea` : sql`blob`);

/** Big integer type: bigint on PostgreSQL, integer (64-bit) on SQLite. */
export const bigInt = (db: Kysely<unknown>) => (isPostgres(db) ? sql`bigint` : sql`integer`);

/** Make a table refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) at the database level. */
export async function makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void> {
  if (isPostgres(db)) {
    await sql`create or replace function proofline_refuse_change() returns trigger language plpgsql as $$
      begin raise exception 'append-only table %: % refused', tg_table_name, tg_op using errcode = 'P0001'; end $$`.execute(db);
    await sql
      .raw(`create trigger ${table}_append_only before update or delete on ${table}
      for each row execute function proofline_refuse_change()`)
      .execute(db);
    await sql
      .raw(`create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function proofline_refuse_change()`)
      .execute(db);
  } else {
    await sql
      .raw(`create trigger ${table}_no_update before update on ${table}
      begin select raise(abort, 'append-only table ${table}: UPDATE refused'); end`)
      .execute(db);
    await sql
      .raw(`create trigger ${table}_no_delete before delete on ${table}
      begin select raise(abort, 'append-only table ${table}: DELETE refused'); end`)
      .execute(db);
  }
}
