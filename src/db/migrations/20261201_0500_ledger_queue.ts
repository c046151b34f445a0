// The ledger's write queue (issue 13, PostgreSQL): a write transaction records its events here,
// without sequence numbers, and commits beside other writers; the integrator (ledger/integrator.ts)
// then moves queued events into ledger_events in batches, assigning sequence numbers and extending
// the Merkle tree. A row leaves the queue only in the transaction that integrates it: on
// PostgreSQL a trigger refuses to delete a queued event that ledger_events does not hold, so a
// queued event cannot be lost, only integrated. SQLite appends in the write transaction itself and
// never uses this table; it exists there too so that both databases have one schema.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('ledger_queue')
    .addColumn('id', pg ? 'bigint' : 'integer', (c) => (pg ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text')
    // The event's leaf is leaf_head + its sequence number + leaf_tail (see ledger/event-leaf.ts).
    .addColumn('leaf_head', 'text', (c) => c.notNull())
    .addColumn('leaf_tail', 'text', (c) => c.notNull())
    .execute();
  if (pg) {
    await sql`create or replace function proofline_queue_integrated() returns trigger language plpgsql as $$
      begin
        if not exists (select 1 from ledger_events where event_id = old.event_id) then
          raise exception 'ledger_queue: event % leaves the queue without being integrated', old.event_id using errcode = 'P0001';
        end if;
        return old;
      end $$`.execute(db);
    await sql`create trigger ledger_queue_integrated_only before delete on ledger_queue
      for each row execute function proofline_queue_integrated()`.execute(db);
    await sql`create trigger ledger_queue_no_truncate before truncate on ledger_queue
      for each statement execute function proofline_refuse_change()`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
