// Signed checkpoints: the tree size and root at a moment, signed with the ledger key (C2SP
// checkpoint in a signed note). Anyone who keeps one can later demand a consistency proof that
// today's ledger extends it.
//
// Making a checkpoint writes no ledger event on purpose: an event would grow the tree, so every
// checkpoint would leave the tree "grown since the last checkpoint" and the periodic job would
// never rest. The checkpoint row itself is the record (append-only, like the events).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isSequenced, type Store, type Tx } from '../db/store.js';
import { formatCheckpoint, signNote } from './checkpoint-note.js';
import { type CheckpointRecord, latestCheckpoint, readHead } from './ledger.repository.js';
import { MerkleFrontier } from './merkle.js';
import type { LedgerSigner } from './signing-key.js';

export interface CheckpointOutcome {
  checkpoint: CheckpointRecord;
  /** False when the tree had not grown and the latest checkpoint already covers it. */
  created: boolean;
}

/** Signs the current tree head, unless the latest checkpoint already has this size. */
export async function makeCheckpoint(trx: Tx, { signer }: { signer: LedgerSigner }): Promise<CheckpointOutcome> {
  // Elsewhere the head may not be final: queued events are still to be integrated before it.
  if (!isSequenced(trx)) throw new Error('makeCheckpoint runs in a sequenced transaction (store.transact(fn, { sequenced: true }))');
  const head = await readHead(trx);
  const latest = await latestCheckpoint(trx);
  if (latest && latest.treeSize === head.size) return { checkpoint: latest, created: false };
  const rootHash = MerkleFrontier.fromState(head.size, head.frontier).root();
  const note = signNote(formatCheckpoint({ origin: signer.name, treeSize: head.size, rootHash }), signer.signer);
  const checkpoint: CheckpointRecord = { treeSize: head.size, rootHash, note, createdAt: new Date().toISOString() };
  await trx
    .insertInto('ledger_checkpoints')
    .values({ tree_size: checkpoint.treeSize, root_hash: rootHash, note, created_at: checkpoint.createdAt })
    .execute();
  return { checkpoint, created: true };
}

/** The periodic job: a checkpoint only when events arrived since the last one. */
export async function checkpointIfGrown(store: Store, signer: LedgerSigner): Promise<CheckpointOutcome | null> {
  if (!(await hasGrown(store.db))) return null;
  return store.transact((trx) => makeCheckpoint(trx, { signer }), { sequenced: true });
}

async function hasGrown(db: Kysely<Database>): Promise<boolean> {
  const [head, latest] = await Promise.all([readHead(db), latestCheckpoint(db)]);
  return head.size > 0 && (latest === undefined || head.size > latest.treeSize);
}
