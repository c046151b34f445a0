// Full verification of the stored ledger: every leaf rehashed from its bytes, the sequence checked,
// the index columns held against the leaf (verify-index.ts), the tree rebuilt in O(log n) memory and compared with every signed checkpoint (and, optionally,
// with a checkpoint saved elsewhere earlier). Reads one consistent snapshot, streamed, and stops
// at the first problem so the report names the first bad sequence number.
import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../db/store.js';
import { type NoteVerifier, verifyCheckpoint } from './checkpoint-note.js';
import type { IndexColumn, LeafBatch } from './leaf-batch.js';
import { HASH_SIZE, hashPrefixedLeaf, MerkleFrontier } from './merkle.js';
import { columnMismatch, columnsMatchLeaf, seqAfterKey, seqKeyAt } from './verify-index.js';
import { checkQueue } from './verify-queue.js';
import { openSnapshot, type Snapshot } from './verify-snapshots.js';

export const PROBLEM_KINDS = [
  'leaf_mismatch',
  'gap',
  'reorder',
  'index_mismatch',
  'bad_signature',
  'root_mismatch',
  'fork',
  'truncated',
  'head_mismatch',
  'integrated_twice',
  'queue_unguarded',
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface VerifyProblem {
  kind: ProblemKind;
  /** The first bad sequence number, when the problem has one. */
  seq: number | null;
  message: string;
  /** For an index_mismatch: the column of ledger_events that disagrees with the leaf. */
  column?: IndexColumn;
}

export interface VerifyReport {
  ok: boolean;
  /** Events read and rehashed. */
  events: number;
  /** Root of the rebuilt tree (hex), over the events read. */
  rootHash: string;
  checkpointsChecked: number;
  problem: VerifyProblem | null;
  /** Events committed and not yet integrated (PostgreSQL's queue; 0 on SQLite), when read. */
  queued: number;
  oldestQueuedAt: string | null;
}

/** A checkpoint to hold the rebuilt tree against when it reaches `treeSize` leaves. */
interface Mark {
  treeSize: number;
  note: string;
  storedRoot: Uint8Array | null;
  /** A saved checkpoint from outside (--against), rather than one from ledger_checkpoints. */
  saved: boolean;
}

class FoundProblem extends Error {
  constructor(readonly problem: VerifyProblem) {
    super(problem.message);
  }
}

const fail = (kind: ProblemKind, seq: number | null, message: string, column?: IndexColumn): never => {
  throw new FoundProblem(column === undefined ? { kind, seq, message } : { kind, seq, message, column });
};

/** The top-level `seq` of a canonical leaf, found without JSON.parse (see seqKeyAt), or -1. */
export function seqInLeaf(leaf: Uint8Array): number {
  const bytes = Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf.buffer, leaf.byteOffset, leaf.length);
  const at = seqKeyAt(bytes, 0, bytes.length);
  return at < 0 ? -1 : seqAfterKey(bytes, at, bytes.length);
}

const sameHash = (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export async function verifyLedger(
  store: Store,
  { verifier, against, onProgress }: { verifier: NoteVerifier; against?: string; onProgress?: (done: number, total: number) => void },
): Promise<VerifyReport> {
  const snapshot = await openSnapshot(store);
  const frontier = new MerkleFrontier();
  let checked = 0;
  try {
    const marks = marksFor(snapshot, verifier, against);
    let next = 0;
    const reachMarks = () => {
      while (next < marks.length && marks[next].treeSize === frontier.size) {
        checkMark(marks[next], frontier, verifier);
        checked += 1;
        next += 1;
      }
    };
    reachMarks();
    for await (const batch of snapshot.batches()) {
      checkBatch(batch, frontier, () => {
        if (next < marks.length && marks[next].treeSize === frontier.size) reachMarks();
      });
      onProgress?.(frontier.size, Math.max(snapshot.headSize, frontier.size));
    }
    checkEnd(snapshot, frontier, marks.slice(next));
    // Nothing queued lost or integrated twice (verify-queue.ts).
    const queue = await checkQueue(store);
    const report = { events: frontier.size, rootHash: hex(frontier.root()), checkpointsChecked: checked, ...queue.state };
    if (queue.problem) return { ok: false, ...report, problem: { ...queue.problem, seq: null } };
    return { ok: true, ...report, problem: null };
  } catch (error) {
    if (!(error instanceof FoundProblem)) throw error;
    const report = { events: frontier.size, rootHash: hex(frontier.root()), checkpointsChecked: checked };
    return { ok: false, ...report, problem: error.problem, queued: 0, oldestQueuedAt: null };
  } finally {
    await snapshot.close();
  }
}

/** Rehashes each row of the batch, checks its place in the sequence, and grows the tree. */
function checkBatch(batch: LeafBatch, frontier: MerkleFrontier, afterEach: () => void): void {
  const leaves = Buffer.from(batch.leaves.buffer, batch.leaves.byteOffset, batch.leaves.length);
  const hashes = Buffer.from(batch.hashes.buffer, batch.hashes.byteOffset, batch.hashes.length);
  const { seqs, leafStarts, leafEnds, hashOffsets, leafHashes, columnOffsets, columnNulls, rowsConfirmed } = batch;
  for (let i = 0; i < batch.count; i++) {
    const seq = seqs[i];
    const expected = frontier.size;
    if (seq !== expected) fail('gap', expected, `gap: sequence number ${expected} is missing (the next row is ${seq})`);
    // Hashed by the reader ahead of time, or here: each leaf sits behind its 0x00 prefix, so it is
    // hashed in place. (A hash kept by the frontier may be a view of leafHashes: a batch at most.)
    const hash =
      i < batch.hashedRows
        ? leafHashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)
        : hashPrefixedLeaf(leaves.subarray(leafStarts[i], leafEnds[i]));
    if (hashes.compare(hash, 0, hash.length, hashOffsets[i], hashOffsets[i + 1]) !== 0)
      fail('leaf_mismatch', seq, `leaf mismatch at ${seq}: the leaf bytes do not hash to the stored leaf hash`);
    // A row the reader confirmed ahead (own seq and index columns, checkRowsAhead) needs no more;
    // any other is checked here, which also names what is wrong.
    if (i >= batch.checkedRows || rowsConfirmed[i] !== 1) {
      const start = leafStarts[i] + 1;
      const end = leafEnds[i];
      const seqAt = seqKeyAt(leaves, start, end);
      const own = seqAt < 0 ? -1 : seqAfterKey(leaves, seqAt, end);
      if (own !== seq) fail('reorder', seq, `reorder at ${seq}: the row holds the event recorded as sequence number ${own}`);
      // The leaf is authentic and in its place; the columns queries filter on must say the same.
      if (!columnsMatchLeaf(leaves, start, end, seqAt, columnOffsets, columnNulls, i)) {
        const bad = columnMismatch(leaves, start, end, columnOffsets, columnNulls, i);
        if (bad) fail('index_mismatch', seq, `index mismatch at ${seq}: ${bad.message}`, bad.column);
      }
    }
    frontier.add(hash);
    afterEach();
  }
}

/** The stored checkpoints and the saved one, by size; a bad saved note fails before any reading. */
function marksFor(snapshot: Snapshot, verifier: NoteVerifier, against: string | undefined): Mark[] {
  const marks: Mark[] = snapshot.checkpoints.map((c) => ({ treeSize: c.treeSize, note: c.note, storedRoot: c.rootHash, saved: false }));
  if (against !== undefined) {
    const saved = verifyCheckpoint(against, verifier);
    if (!saved.ok) fail('bad_signature', null, `bad signature on the saved checkpoint: ${saved.reason}`);
    else marks.push({ treeSize: saved.value.checkpoint.treeSize, note: against, storedRoot: null, saved: true });
  }
  // Stored checkpoints first at equal sizes: the ledger's own evidence is named before the saved one.
  return marks.sort((a, b) => a.treeSize - b.treeSize || Number(a.saved) - Number(b.saved));
}

function checkMark(mark: Mark, frontier: MerkleFrontier, verifier: NoteVerifier): void {
  const lastSeq = mark.treeSize > 0 ? mark.treeSize - 1 : null;
  const verified = verifyCheckpoint(mark.note, verifier);
  if (!verified.ok) fail('bad_signature', lastSeq, `bad signature on checkpoint ${mark.treeSize}: ${verified.reason}`);
  else {
    const signed = verified.value.checkpoint;
    const root = frontier.root();
    if (mark.saved && !sameHash(signed.rootHash, root)) {
      fail(
        'fork',
        lastSeq,
        `fork from saved checkpoint ${mark.treeSize}: the first ${mark.treeSize} events no longer hash to the saved root`,
      );
    }
    if (!mark.saved && (signed.treeSize !== mark.treeSize || (mark.storedRoot && !sameHash(signed.rootHash, mark.storedRoot)))) {
      fail('root_mismatch', lastSeq, `root mismatch at checkpoint ${mark.treeSize}: the stored row differs from its signed note`);
    }
    if (!sameHash(signed.rootHash, root)) {
      fail(
        'root_mismatch',
        lastSeq,
        `root mismatch at checkpoint ${mark.treeSize}: events 0..${mark.treeSize - 1} do not hash to the signed root`,
      );
    }
  }
}

/** After the last row: checkpoints beyond it mean a truncated tail; the head must match too. */
function checkEnd(snapshot: Snapshot, frontier: MerkleFrontier, pending: Mark[]): void {
  const rows = frontier.size;
  for (const mark of pending) {
    const what = mark.saved ? 'the saved checkpoint' : `checkpoint ${mark.treeSize}`;
    fail('truncated', rows, `truncated: ${what} covers ${mark.treeSize} events but the ledger ends at ${rows}`);
  }
  if (snapshot.headSize > rows)
    fail('truncated', rows, `truncated: the head records ${snapshot.headSize} events but the ledger ends at ${rows}`);
  if (snapshot.headSize < rows)
    fail('head_mismatch', snapshot.headSize, `head mismatch: rows exist beyond the recorded head size ${snapshot.headSize}`);
  const headRoot = MerkleFrontier.fromState(snapshot.headSize, snapshot.headFrontier).root();
  if (!sameHash(headRoot, frontier.root()))
    fail('root_mismatch', rows - 1, 'root mismatch at the head: the stored frontier differs from the rebuilt tree');
}
