// The integration round inserts its events in one statement (issue 13, PostgreSQL). The round
// (migration 20261201_0900) inserted each event into ledger_events with a statement of its own, and
// deleting the integrated rows from the queue ran the guard (migration 20261201_0500) once per row:
// executor start-up, trigger and function calls for every event. Now one INSERT ... SELECT moves
// the round's events in queue order, numbered and hashed in SQL, and returns their leaf hashes; the
// loop that extends the Merkle frontier only computes hashes and gathers the completed nodes, which
// go in one insert; the guard runs once per DELETE statement and checks every row it removed
// against the ledger. The leaves, hashes, nodes and head are the same
// (ledger/integrate-function.test.ts compares them with ledger/merkle.ts). The settings of the
// round's plans (migration 20261202_1200) are part of the new definition. Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create or replace function proofline_integrate(round_limit integer) returns integer
    language plpgsql
    set enable_seqscan = off
    set enable_sort = off
    set jit = off
    as $$
    declare
      tree_size bigint;
      frontier_hashes bytea[];
      depth integer;
      taken_ids bigint[];
      leaf_hashes bytea[];
      taken_count integer;
      node_hash bytea;
      carry bigint;
      node_level integer;
      node_idx bigint;
      node_levels integer[] := '{}';
      node_idxs bigint[] := '{}';
      node_hashes bytea[] := '{}';
      interior constant bytea := decode('01', 'hex');
    begin
      perform pg_advisory_xact_lock(4242001);
      -- Read after the lock: each statement of a function sees every commit before it began.
      select h.size,
             coalesce((select array_agg(decode(f.value, 'base64') order by f.ordinality)
                         from json_array_elements_text(h.frontier::json) with ordinality as f(value, ordinality)),
                      '{}')
        into tree_size, frontier_hashes
        from ledger_head h where h.id = 1;
      depth := coalesce(array_length(frontier_hashes, 1), 0);
      -- The round's events in queue order, each numbered from the tree's size, its leaf made and
      -- hashed (RFC 9162: 0x00 || leaf); their queue ids and leaf hashes in that order.
      with taken as (
        select q.id, q.event_id, q.type, q.actor_id, q.subject_type, q.subject_id, q.recorded_at, q.system_id,
               q.leaf_head, q.leaf_tail, tree_size + row_number() over (order by q.id) - 1 as event_seq
          from (select * from ledger_queue order by id limit round_limit) q
      ), added as (
        insert into ledger_events (seq, event_id, type, actor_id, subject_type, subject_id, recorded_at, leaf, leaf_hash, system_id)
        select t.event_seq, t.event_id, t.type, t.actor_id, t.subject_type, t.subject_id, t.recorded_at,
               t.leaf_head || t.event_seq::text || t.leaf_tail,
               sha256(decode('00', 'hex') || convert_to(t.leaf_head || t.event_seq::text || t.leaf_tail, 'UTF8')),
               t.system_id
          from taken t
        returning seq, leaf_hash
      )
      select (select array_agg(a.leaf_hash order by a.seq) from added a), (select array_agg(t.id order by t.id) from taken t)
        into leaf_hashes, taken_ids;
      taken_count := coalesce(cardinality(taken_ids), 0);
      if taken_count = 0 then
        return 0;
      end if;
      for k in 1 .. taken_count loop
        node_hash := leaf_hashes[k];
        -- Each trailing one bit of the old size is a left sibling waiting for this subtree.
        node_level := 0;
        node_idx := tree_size;
        carry := tree_size;
        while carry % 2 = 1 loop
          node_hash := sha256(interior || frontier_hashes[depth] || node_hash);
          depth := depth - 1;
          node_level := node_level + 1;
          node_idx := node_idx / 2;
          carry := carry / 2;
          if node_level >= 4 then
            node_levels := node_levels || node_level;
            node_idxs := node_idxs || node_idx;
            node_hashes := node_hashes || node_hash;
          end if;
        end loop;
        depth := depth + 1;
        frontier_hashes[depth] := node_hash;
        tree_size := tree_size + 1;
      end loop;
      if cardinality(node_levels) > 0 then
        insert into ledger_nodes (level, idx, hash) select * from unnest(node_levels, node_idxs, node_hashes);
      end if;
      update ledger_head h
         set size = tree_size,
             frontier = array_to_json(array(select encode(frontier_hashes[i], 'base64') from generate_series(1, depth) as i order by i))::text
       where h.id = 1;
      delete from ledger_queue where id = any(taken_ids);
      return taken_count;
    end $$`.execute(db);
  await sql`create or replace function proofline_queue_all_integrated() returns trigger language plpgsql as $$
    declare
      lost text;
    begin
      select l.event_id into lost from left_queue l
        where not exists (select 1 from ledger_events e where e.event_id = l.event_id) limit 1;
      if found then
        raise exception 'ledger_queue: event % leaves the queue without being integrated', lost using errcode = 'P0001';
      end if;
      return null;
    end $$`.execute(db);
  await sql`drop trigger ledger_queue_integrated_only on ledger_queue`.execute(db);
  await sql`create trigger ledger_queue_integrated_only after delete on ledger_queue
    referencing old table as left_queue
    for each statement execute function proofline_queue_all_integrated()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
