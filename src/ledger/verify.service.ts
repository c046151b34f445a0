// Full verification of the stored ledger: every leaf rehashed from its bytes, the sequence checked,
// the tree rebuilt in O(log n) memory and compared with every signed checkpoint (and, optionally,
// with a checkpoint saved elsewhere earlier). Reads one consistent snapshot, streamed, and stops
// at the first problem so the report names the first bad sequence number.
import { timingSafeEqual } from 'node:crypto';
import SQLite from 'better-sqlite3';
import type { Store } from '../db/store.js';
import { type NoteVerifier, verifyCheckpoint } from './checkpoint-note.js';
import { leafHash, MerkleFrontier } from './merkle.js';

export type ProblemKind = 'leaf_mismatch' | 'gap' | 'reorder' | 'bad_signature' | 'root_mismatch' | 'fork' | 'truncated' | 'head_mismatch';

export interface VerifyProblem {
  kind: ProblemKind;
  /** The first bad sequence number, when the problem has one. */
  seq: number | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Events read and rehashed. */
  events: number;
  /** Root of the rebuilt tree (hex), over the events read. */
  rootHash: string;
  checkpointsChecked: number;
  problem: VerifyProblem | null;
}

/** [seq, leaf bytes, stored leaf hash] */
type LeafRow = [number, Uint8Array, Uint8Array];

interface Snapshot {
  headSize: number;
  headFrontier: Uint8Array[];
  checkpoints: Array<{ treeSize: number; rootHash: Uint8Array; note: string }>;
  batches(): AsyncIterable<LeafRow[]>;
  close(): Promise<void>;
}

const BATCH_ROWS = 10_000;

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

const fail = (kind: ProblemKind, seq: number | null, message: string): never => {
  throw new FoundProblem({ kind, seq, message });
};

// In canonical (RFC 8785) JSON the top-level keys are sorted, and only sourceAddress, subject,
// type and v sort after "seq": their values are strings, a number and {id, type, version}, none
// of which can hold the bytes `"seq":` (a quote inside a string is escaped). So the LAST `"seq":`
// in a leaf is the top-level one, and reading it needs no JSON.parse of the whole event.
const SEQ_KEY = Buffer.from('"seq":');

export function seqInLeaf(leaf: Uint8Array): number {
  const bytes = Buffer.isBuffer(leaf) ? leaf : Buffer.from(leaf.buffer, leaf.byteOffset, leaf.length);
  const at = bytes.lastIndexOf(SEQ_KEY);
  if (at < 0) return -1;
  let value = 0;
  let i = at + SEQ_KEY.length;
  const start = i;
  for (; i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39; i++) value = value * 10 + (bytes[i] - 0x30);
  return i === start ? -1 : value;
}

const sameHash = (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export async function verifyLedger(
  store: Store,
  { verifier, against }: { verifier: NoteVerifier; against?: string },
): Promise<VerifyReport> {
  const snapshot = store.dialect === 'sqlite' ? openSqliteSnapshot(store) : await openPostgresSnapshot(store);
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
      for (const [seq, leaf, storedHash] of batch) {
        const expected = frontier.size;
        if (seq !== expected) fail('gap', expected, `gap: sequence number ${expected} is missing (the next row is ${seq})`);
        const hash = leafHash(leaf);
        if (!sameHash(hash, storedHash))
          fail('leaf_mismatch', seq, `leaf mismatch at ${seq}: the leaf bytes do not hash to the stored leaf hash`);
        const own = seqInLeaf(leaf);
        if (own !== seq) fail('reorder', seq, `reorder at ${seq}: the row holds the event recorded as sequence number ${own}`);
        frontier.append(hash);
        if (next < marks.length && marks[next].treeSize === frontier.size) reachMarks();
      }
    }
    checkEnd(snapshot, frontier, marks.slice(next));
    return { ok: true, events: frontier.size, rootHash: hex(frontier.root()), checkpointsChecked: checked, problem: null };
  } catch (error) {
    if (!(error instanceof FoundProblem)) throw error;
    return { ok: false, events: frontier.size, rootHash: hex(frontier.root()), checkpointsChecked: checked, problem: error.problem };
  } finally {
    await snapshot.close();
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

function parseFrontier(text: string): Uint8Array[] {
  return (JSON.parse(text) as string[]).map((h) => Buffer.from(h, 'base64'));
}

/**
 * SQLite: a private read-only connection, so a long verification neither blocks the writer nor
 * sees half of a later commit; one read transaction (WAL snapshot) covers head, checkpoints and rows.
 */
function openSqliteSnapshot(store: Store): Snapshot {
  const writer = store.sqlite as SQLite.Database;
  const own = writer.memory ? null : new SQLite(writer.name, { readonly: true, fileMustExist: true });
  const handle = own ?? writer;
  handle.exec('begin');
  const head = handle.prepare('select size, frontier from ledger_head where id = 1').get() as { size: number; frontier: string };
  const checkpoints = (
    handle.prepare('select tree_size, root_hash, note from ledger_checkpoints order by tree_size').all() as Array<{
      tree_size: number;
      root_hash: Uint8Array;
      note: string;
    }>
  ).map((c) => ({ treeSize: Number(c.tree_size), rootHash: c.root_hash, note: c.note }));
  const rows = handle.prepare('select seq, cast(leaf as blob), leaf_hash from ledger_events order by seq').raw(true);
  return {
    headSize: Number(head.size),
    headFrontier: parseFrontier(head.frontier),
    checkpoints,
    async *batches() {
      let batch: LeafRow[] = [];
      for (const row of rows.iterate() as IterableIterator<LeafRow>) {
        batch.push(row);
        if (batch.length === BATCH_ROWS) {
          yield batch;
          batch = [];
          // Let the server answer other requests meanwhile; only safe on our own connection.
          if (own) await new Promise((resolve) => setImmediate(resolve));
        }
      }
      if (batch.length > 0) yield batch;
    },
    async close() {
      if (handle.inTransaction) handle.exec('commit');
      own?.close();
    },
  };
}

/** PostgreSQL: one REPEATABLE READ transaction, rows read by seq in keyset batches. */
async function openPostgresSnapshot(store: Store): Promise<Snapshot> {
  const client = await (store.pgPool as NonNullable<Store['pgPool']>).connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const head = (await client.query('select size, frontier from ledger_head where id = 1')).rows[0] as { size: number; frontier: string };
    const checkpoints = (await client.query('select tree_size, root_hash, note from ledger_checkpoints order by tree_size')).rows.map(
      (c: { tree_size: number; root_hash: Uint8Array; note: string }) => ({
        treeSize: Number(c.tree_size),
        rootHash: c.root_hash,
        note: c.note,
      }),
    );
    return {
      headSize: Number(head.size),
      headFrontier: parseFrontier(head.frontier),
      checkpoints,
      async *batches() {
        let after = -1;
        for (;;) {
          const result = await client.query<LeafRow>({
            text: "select seq, convert_to(leaf, 'UTF8'), leaf_hash from ledger_events where seq > $1 order by seq limit $2",
            values: [after, BATCH_ROWS],
            rowMode: 'array',
          });
          if (result.rows.length === 0) return;
          yield result.rows;
          after = result.rows[result.rows.length - 1][0];
        }
      },
      async close() {
        await client.query('rollback');
        client.release();
      },
    };
  } catch (error) {
    client.release();
    throw error;
  }
}
