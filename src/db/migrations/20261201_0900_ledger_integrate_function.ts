// The integrator's round inside PostgreSQL (issue 13): one call of proofline_integrate(limit) takes
// the ledger lock, moves up to `limit` queued events into ledger_events in queue order (each leaf is
// leaf_head + its sequence number + leaf_tail, hashed with sha256 as RFC 9162 says: 0x00 || leaf),
// extends the Merkle frontier, stores the completed nodes from level 4 up (LOWEST_STORED_LEVEL in
// ledger/ledger.repository.ts), writes the head and deletes the integrated rows from the queue. It
// returns how many it integrated. Called in a transaction of its own, a round is one round trip and
// its commit, and the events never travel to the server process and back. The tree it makes is the
// one ledger/merkle.ts makes (ledger/integrate-function.test.ts compares them; verify recomputes
// every leaf hash and node). SQLite appends in the write transaction and has no such function.
// Frozen once merged.
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../migration-helpers.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create or replace function proofline_integrate(round_limit integer) returns integer
    language plpgsql as $$
    declare
      tree_size bigint;
      frontier_hashes bytea[];
      depth integer;
      queued record;
      event_leaf text;
      node_hash bytea;
      carry bigint;
      node_level integer;
      node_idx bigint;
      integrated bigint[] := '{}';
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
      for queued in
        select q.id, q.event_id, q.type, q.actor_id, q.subject_type, q.subject_id, q.recorded_at, q.system_id,
               q.leaf_head, q.leaf_tail
          from ledger_queue q order by q.id limit round_limit
      loop
        event_leaf := queued.leaf_head || tree_size::text || queued.leaf_tail;
        node_hash := sha256(decode('00', 'hex') || convert_to(event_leaf, 'UTF8'));
        insert into ledger_events (seq, event_id, type, actor_id, subject_type, subject_id, recorded_at, leaf, leaf_hash, system_id)
          values (tree_size, queued.event_id, queued.type, queued.actor_id, queued.subject_type, queued.subject_id,
                  queued.recorded_at, event_leaf, node_hash, queued.system_id);
        -- Each trailing one bit of the old size is a left sibling waiting for this subtree.
        node_level := 0;
        node_idx := tree_size;
        carry := tree_size;
        while carry % 2 = 1 loop
          node_hash := sha256(decode('01', 'hex') || frontier_hashes[depth] || node_hash);
          depth := depth - 1;
          node_level := node_level + 1;
          node_idx := node_idx / 2;
          carry := carry / 2;
          if node_level >= 4 then
            insert into ledger_nodes (level, idx, hash) values (node_level, node_idx, node_hash);
          end if;
        end loop;
        depth := depth + 1;
        frontier_hashes[depth] := node_hash;
        tree_size := tree_size + 1;
        integrated := integrated || queued.id;
      end loop;
      if cardinality(integrated) = 0 then
        return 0;
      end if;
      update ledger_head h
         set size = tree_size,
             frontier = array_to_json(array(select encode(frontier_hashes[i], 'base64') from generate_series(1, depth) as i order by i))::text
       where h.id = 1;
      delete from ledger_queue where id = any(integrated);
      return cardinality(integrated);
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
