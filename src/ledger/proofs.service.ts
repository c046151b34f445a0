// Inclusion and consistency proofs from the stored perfect-subtree nodes: O(log n) nodes, fetched
// in one query, so a proof costs the same in a ledger of a thousand or a billion events.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { checkpointAt, findLeaf, latestCheckpoint, readHead, readNodes } from './ledger.repository.js';
import {
  consistencyProofFromNodes,
  consistencyProofNodeIds,
  inclusionProofFromNodes,
  inclusionProofNodeIds,
  nodeLookup,
  rootFromNodes,
  rootNodeIds,
} from './merkle.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export interface InclusionProofView {
  seq: number;
  eventId: string;
  /** The leaf bytes (canonical JSON) whose hash is proved. */
  leaf: string;
  leafHash: string;
  treeSize: number;
  /** Hex hashes, from the leaf upwards (RFC 9162 audit path). */
  proof: string[];
  rootHash: string;
  rootHashBase64: string;
  /** The signed checkpoint of `treeSize`, when one exists: what to check `rootHash` against. */
  checkpoint: string | null;
}

export interface ConsistencyProofView {
  size1: number;
  size2: number;
  proof: string[];
  root1: string;
  root2: string;
  root1Base64: string;
  root2Base64: string;
  checkpoint1: string | null;
  checkpoint2: string | null;
}

/** Without a size: the latest checkpoint's, so the answer verifies against a signed root. */
async function defaultTreeSize(db: Kysely<Database>): Promise<number> {
  const latest = await latestCheckpoint(db);
  return latest ? latest.treeSize : (await readHead(db)).size;
}

async function checkSize(db: Kysely<Database>, size: number, field: string): Promise<void> {
  const head = await readHead(db);
  if (size > head.size) {
    throw new AppError('validation_failed', `${field}: the ledger has ${head.size} events, not ${size}`, { field, ledgerSize: head.size });
  }
}

export async function proveInclusion(
  db: Kysely<Database>,
  { seq, eventId, treeSize }: { seq?: number; eventId?: string; treeSize?: number },
): Promise<InclusionProofView> {
  if ((seq === undefined) === (eventId === undefined)) {
    throw new AppError('validation_failed', 'give either seq or eventId', { field: 'seq' });
  }
  const leaf = await findLeaf(db, seq !== undefined ? { seq } : { eventId: eventId as string });
  if (!leaf) throw notFound('ledger event', seq ?? (eventId as string));
  const size = treeSize ?? (await defaultTreeSize(db));
  if (size <= leaf.seq) {
    throw new AppError('validation_failed', `size: event ${leaf.seq} is not in a tree of ${size} events`, { field: 'size' });
  }
  await checkSize(db, size, 'size');
  const nodes = await readNodes(db, [...inclusionProofNodeIds(leaf.seq, size), ...rootNodeIds(size)]);
  const lookup = nodeLookup(nodes);
  const rootHash = rootFromNodes(lookup, size);
  const checkpoint = await checkpointAt(db, size);
  return {
    seq: leaf.seq,
    eventId: leaf.eventId,
    leaf: leaf.leaf,
    leafHash: hex(leaf.leafHash),
    treeSize: size,
    proof: inclusionProofFromNodes(lookup, leaf.seq, size).map(hex),
    rootHash: hex(rootHash),
    rootHashBase64: base64(rootHash),
    checkpoint: checkpoint?.note ?? null,
  };
}

export async function proveConsistency(
  db: Kysely<Database>,
  { size1, size2 }: { size1: number; size2: number },
): Promise<ConsistencyProofView> {
  if (size1 < 1 || size1 > size2) {
    throw new AppError('validation_failed', 'size1: need 0 < size1 <= size2 (every tree extends the empty one)', { field: 'size1' });
  }
  await checkSize(db, size2, 'size2');
  const nodes = await readNodes(db, [...consistencyProofNodeIds(size1, size2), ...rootNodeIds(size1), ...rootNodeIds(size2)]);
  const lookup = nodeLookup(nodes);
  const root1 = rootFromNodes(lookup, size1);
  const root2 = rootFromNodes(lookup, size2);
  const [checkpoint1, checkpoint2] = await Promise.all([checkpointAt(db, size1), checkpointAt(db, size2)]);
  return {
    size1,
    size2,
    proof: consistencyProofFromNodes(lookup, size1, size2).map(hex),
    root1: hex(root1),
    root2: hex(root2),
    root1Base64: base64(root1),
    root2Base64: base64(root2),
    checkpoint1: checkpoint1?.note ?? null,
    checkpoint2: checkpoint2?.note ?? null,
  };
}
