// A system's history is one indexed read of the ledger: `ledger_events.system_id` is the system an
// event concerns, a pure function of its leaf (src/ledger/system-index.ts, `systemIdOfEvent`): the
// subject's id when the subject is an `ai_system`, else the leaf's `data.systemId` when it is a
// non-empty string, else null. Existing rows are filled here with that rule in SQL (the append-only
// trigger is lifted for this one statement). Change records also name who signed the approval that
// allowed them (`signed_by`, JSON array of {id, name}). Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ledger_events').addColumn('system_id', 'text').execute();
  if (isPostgres(db)) {
    await sql`alter table ledger_events disable trigger ledger_events_append_only`.execute(db);
    await sql`update ledger_events set system_id = case
        when (leaf::jsonb) #>> '{subject,type}' = 'ai_system' and jsonb_typeof((leaf::jsonb) #> '{subject,id}') = 'string'
          then (leaf::jsonb) #>> '{subject,id}'
        when jsonb_typeof((leaf::jsonb) #> '{data,systemId}') = 'string' and (leaf::jsonb) #>> '{data,systemId}' <> ''
          then (leaf::jsonb) #>> '{data,systemId}'
      end`.execute(db);
    await sql`alter table ledger_events enable trigger ledger_events_append_only`.execute(db);
  } else {
    await sql`drop trigger ledger_events_no_update`.execute(db);
    await sql`update ledger_events set system_id = case
        when json_extract(leaf, '$.subject.type') = 'ai_system' and json_type(leaf, '$.subject.id') = 'text'
          then json_extract(leaf, '$.subject.id')
        when json_type(leaf, '$.data.systemId') = 'text' and json_extract(leaf, '$.data.systemId') <> ''
          then json_extract(leaf, '$.data.systemId')
      end`.execute(db);
    // The same trigger as migration-helpers' makeAppendOnly writes.
    await sql
      .raw(`create trigger ledger_events_no_update before update on ledger_events
      begin select raise(abort, 'append-only table ledger_events: UPDATE refused'); end`)
      .execute(db);
  }
  await db.schema.createIndex('ledger_events_system_idx').on('ledger_events').columns(['system_id', 'seq']).execute();
  await db.schema
    .alterTable('change_records')
    .addColumn('signed_by', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
