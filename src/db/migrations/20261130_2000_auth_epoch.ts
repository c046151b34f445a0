// A counter that moves whenever anything a caller's identity is resolved from changes (users, their
// roles, API tokens, sessions), bumped by triggers in the same statement as the change, whatever code
// makes it. Resolved callers are remembered per process together with the counter they were read
// under; one primary-key read of the counter tells whether the memory still holds (see
// accounts/actors.ts). Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { bigInt, isPostgres } from '../migration-helpers.js';

const TABLES = ['users', 'user_roles', 'api_tokens', 'sessions'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('auth_epoch')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('n', bigInt(db), (c) => c.notNull())
    .execute();
  await sql`insert into auth_epoch (id, n) values (1, 0)`.execute(db);
  if (isPostgres(db)) {
    await sql`create or replace function proofline_auth_epoch_bump() returns trigger language plpgsql as $$
      begin
        update auth_epoch set n = n + 1 where id = 1;
        return null;
      end $$`.execute(db);
    for (const table of TABLES) {
      await sql
        .raw(`create trigger ${table}_auth_epoch after insert or update or delete on ${table}
                for each statement execute function proofline_auth_epoch_bump()`)
        .execute(db);
    }
    return;
  }
  for (const table of TABLES) {
    for (const op of ['insert', 'update', 'delete']) {
      await sql
        .raw(`create trigger ${table}_auth_epoch_${op} after ${op} on ${table}
                begin update auth_epoch set n = n + 1 where id = 1; end`)
        .execute(db);
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
