// Offline verification of an evidence pack: no server, no database, only the zip and the ledger's
// public key. Reads each entry once, in one pass: the SHA-256 of every file against the manifest,
// each event's leaf hash, its inclusion in the signed checkpoint's tree (by recomputing the whole
// tree, or by the audit paths in proofs.jsonl), the checkpoint's signature and the consistency
// proofs from earlier checkpoints. Reports the first thing that fails, naming the file or the seq.
import crypto, { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import type Yauzl from 'yauzl';
import { onFirstUse } from '../lazy.js';
import { canonicalJson } from '../ledger/canonical.js';
import { type NoteVerifier, parseVerifierKey, verifyCheckpoint } from '../ledger/checkpoint-note.js';
import { verifyConsistency, verifyInclusion } from '../ledger/merkle.js';
import { PACK_FILES, PACK_FORMAT, type PackManifest } from './pack-format.js';
import { type PackTree, packTree } from './pack-tree.js';

export interface PackVerification {
  ok: boolean;
  /** The first failure: which file (and, for an event, which seq) and why. */
  problem?: { file: string; seq?: number; reason: string };
  events: number;
  treeSize?: number;
}

class PackProblem extends Error {
  constructor(
    readonly file: string,
    reason: string,
    readonly seq?: number,
  ) {
    super(reason);
  }
}

const fromHex = (text: unknown, file: string, what: string): Uint8Array => {
  if (typeof text !== 'string' || !/^[0-9a-f]{64}$/.test(text)) throw new PackProblem(file, `${what} is not a 32-byte hex hash`);
  return new Uint8Array(Buffer.from(text, 'hex'));
};

const yauzl = onFirstUse<typeof Yauzl>('yauzl');

function openZip(file: string): Promise<Yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl().open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    ),
  );
}

/** Inflated output comes in chunks of this size: zlib's 16 KiB default made a million-event file
 * twenty thousand round trips through the thread pool, with the hashing thread waiting on each. */
const INFLATE_CHUNK = 1 << 18;

/** An entry's bytes. A deflated entry is inflated here (yauzl hands over the raw data) with large
 * chunks, and its length checked against the central directory as yauzl would. */
function openEntry(zip: Yauzl.ZipFile, entry: Yauzl.Entry): Promise<Readable> {
  const deflated = entry.compressionMethod === 8;
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, deflated ? { decompress: false } : {}, (error, raw) => {
      if (error) return reject(error);
      if (!deflated) return resolve(raw);
      const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK });
      raw.on('error', (e) => inflate.destroy(e));
      resolve(raw.pipe(inflate).pipe(new ByteCount(entry.uncompressedSize)));
    }),
  );
}

/** Passes bytes through; fails when there are more or fewer than the zip's directory says. */
class ByteCount extends Transform {
  #seen = 0;
  constructor(readonly expected: number) {
    // Room for a few chunks ahead, so the thread pool inflates while the reading thread hashes.
    super({ highWaterMark: 4 * INFLATE_CHUNK });
  }
  override _transform(chunk: Buffer, _encoding: string, done: TransformCallback) {
    this.#seen += chunk.length;
    if (this.#seen > this.expected) return done(new Error(`more than ${this.expected} bytes inflated`));
    done(null, chunk);
  }
  override _flush(done: TransformCallback) {
    done(this.#seen === this.expected ? null : new Error(`${this.#seen} bytes inflated, ${this.expected} expected`));
  }
}

/** Every entry of the zip, from its central directory (small: one record per file). */
async function entriesOf(zip: Yauzl.ZipFile): Promise<Yauzl.Entry[]> {
  const entries: Yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

/** Calls `onLine` with each line's bytes (without the newline), hashing the whole file on the way.
 * With a `marker`, `marked` says whether the line contains it: searched once per chunk, not once
 * per line (per line, that search cost as much as a fifth of a million-event verification). After
 * each chunk's lines, waits for `room` when it gives a promise (a worker thread behind). */
async function eachLineOf(
  stream: Readable,
  digest: ReturnType<typeof createHash>,
  onLine: (line: Buffer, marked: boolean) => void,
  marker?: Buffer,
  room?: () => Promise<void> | null,
): Promise<void> {
  let rest: Buffer | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    digest.update(chunk);
    let start = 0;
    // The line begun in the previous chunk ends in this one: only it is copied, not the chunk.
    if (rest) {
      const nl = chunk.indexOf(10);
      if (nl === -1) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const line = Buffer.concat([rest, chunk.subarray(0, nl)]);
      onLine(line, marker !== undefined && line.includes(marker));
      start = nl + 1;
    }
    let mark = marker ? chunk.indexOf(marker, start) : -1;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (mark !== -1 && mark < start) mark = chunk.indexOf(marker as Buffer, start);
      onLine(chunk.subarray(start, nl), mark !== -1 && mark + (marker as Buffer).length <= nl);
      start = nl + 1;
    }
    rest = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null;
    const wait = room?.();
    if (wait) await wait;
  }
  if (rest && rest.length > 0) onLine(rest, marker !== undefined && rest.includes(marker));
}

async function readAll(stream: Readable, digest: ReturnType<typeof createHash>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    digest.update(chunk);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Lines holding this are parsed to find the pack's own generation event. */
const GENERATION_MARKER = Buffer.from('"evidence_pack.generated"');

// Reused for every leaf: the line is copied behind the 0x00 prefix and hashed one-shot, which is
// over twice as fast as a Hash object per line (and leaves the collector nothing to do).
let leafInput = Buffer.alloc(4096);

function leafHashOf(line: Buffer): Uint8Array {
  if (leafInput.length < line.length + 1) leafInput = Buffer.alloc(line.length * 2 + 1);
  line.copy(leafInput, 1);
  return crypto.hash('sha256', leafInput.subarray(0, line.length + 1), 'buffer');
}

function parseJson<T>(file: string, text: string, seq?: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PackProblem(file, 'not valid JSON', seq);
  }
}

/**
 * Verifies the evidence pack at `file` against the ledger's verifier key (`<name>+<id>+<key>`): trust
 * comes from that key alone. The pack's own public-key.txt is only checked against the manifest's
 * digest, not compared with the given key. Never throws for a bad pack: the answer names it.
 *
 * @example
 * const result = await verifyEvidencePack('pack.zip', { verifierKey: fs.readFileSync('key.txt', 'utf8') });
 * if (!result.ok) console.error(result.problem);
 */
export async function verifyEvidencePack(
  file: string,
  { verifierKey, treeWorkerFromBytes }: { verifierKey: string; treeWorkerFromBytes?: number },
): Promise<PackVerification> {
  const key = parseVerifierKey(verifierKey.trim());
  if (!key.ok) return { ok: false, problem: { file: '(key)', reason: key.reason }, events: 0 };
  const state = { events: 0, treeSize: undefined as number | undefined };
  try {
    await verifyInto(file, key.value, state, treeWorkerFromBytes);
    return { ok: true, events: state.events, treeSize: state.treeSize };
  } catch (error) {
    if (error instanceof PackProblem) {
      return { ok: false, problem: { file: error.file, seq: error.seq, reason: error.message }, ...state };
    }
    return { ok: false, problem: { file, reason: `not a readable zip: ${(error as Error).message}` }, ...state };
  }
}

async function verifyInto(
  file: string,
  verifier: NoteVerifier,
  state: { events: number; treeSize?: number },
  treeWorkerFromBytes: number | undefined,
): Promise<void> {
  const zip = await openZip(file);
  // A whole-ledger pack (complete proofs): the tree of its events, recomputed (pack-tree.ts).
  let tree: PackTree | null = null;
  try {
    const entries = await entriesOf(zip);
    // The writer adds the manifest last (it holds every file's digest); it is read first.
    const manifests = entries.filter((e) => e.fileName === PACK_FILES.manifest);
    if (manifests.length !== 1) throw new PackProblem(PACK_FILES.manifest, manifests.length ? 'appears twice in the zip' : 'is missing');
    const manifestText = (await readAll(await openEntry(zip, manifests[0]), createHash('sha256'))).toString('utf8');
    const manifest = parseJson<PackManifest>(PACK_FILES.manifest, manifestText);
    if (manifest.format !== PACK_FORMAT) throw new PackProblem(PACK_FILES.manifest, `format is not ${PACK_FORMAT}`);
    const expected = new Map(Object.entries(manifest.files ?? {}));

    const anchor = verifyCheckpoint(manifest.checkpoint?.note ?? '', verifier);
    if (!anchor.ok) throw new PackProblem(PACK_FILES.manifest, `checkpoint: ${anchor.reason}`);
    const { treeSize, rootHash } = anchor.value.checkpoint;
    state.treeSize = treeSize;
    let generationEventSeen = false;
    const seen = new Set<string>();

    // Events arrive before their proofs; with audit paths, each leaf hash waits for its proof line.
    const pendingHashes: Uint8Array[] = [];

    for (const entry of entries) {
      const name = entry.fileName;
      if (name === PACK_FILES.manifest) continue;
      const stream = await openEntry(zip, entry);
      if (seen.has(name)) throw new PackProblem(name, 'appears twice in the zip');
      seen.add(name);
      const want = expected.get(name);
      if (want === undefined) throw new PackProblem(name, 'is not listed in manifest.json');
      const digest = createHash('sha256');
      // A failure inside a file is reported after its digest, so a changed file is named as such; the
      // file is still read to its end (a stream left half-read could not be hashed).
      let deferred: PackProblem | null = null;
      const eachLine = (
        source: Readable,
        hash: typeof digest,
        onLine: (line: Buffer, marked: boolean) => void,
        marker?: Buffer,
        room?: () => Promise<void> | null,
      ) =>
        eachLineOf(
          source,
          hash,
          (line, marked) => {
            if (deferred) return;
            try {
              onLine(line, marked);
            } catch (error) {
              if (!(error instanceof PackProblem)) throw error;
              deferred = error;
            }
          },
          marker,
          room,
        );
      if (name === PACK_FILES.events) {
        const events = manifest.proofs === 'complete' ? packTree(entry.uncompressedSize, treeWorkerFromBytes) : null;
        tree = events;
        await eachLine(
          stream,
          digest,
          (line, marked) => {
            const seq = events ? state.events : undefined;
            const hash = leafHashOf(line);
            if (events) events.add(hash);
            else pendingHashes.push(hash);
            if (!generationEventSeen && marked) generationEventSeen = checkGenerationEvent(line, manifest, seq);
            state.events += 1;
          },
          GENERATION_MARKER,
          () => events?.room() ?? null,
        );
      } else if (name === PACK_FILES.proofs) {
        let i = 0;
        await eachLine(stream, digest, (line) => {
          const proof = parseJson<{ seq: number; path: string[] }>(name, line.toString('utf8'));
          const hash = pendingHashes[i];
          if (!hash) throw new PackProblem(name, `line ${i + 1} has no event in ${PACK_FILES.events}`, proof.seq);
          const path = (proof.path ?? []).map((h) => fromHex(h, name, `seq ${proof.seq}: path`));
          if (!verifyInclusion(hash, proof.seq, treeSize, path, rootHash)) {
            throw new PackProblem(PACK_FILES.events, `event ${proof.seq} is not included in the checkpoint's tree `, proof.seq);
          }
          i += 1;
        });
        if (!deferred && i !== pendingHashes.length)
          throw new PackProblem(name, `${pendingHashes.length - i} events have no inclusion proof`);
      } else if (name === PACK_FILES.consistency) {
        await eachLine(stream, digest, (line) => checkConsistency(line, verifier, treeSize, rootHash));
      } else if (name === PACK_FILES.checkpoint) {
        const text = (await readAll(stream, digest)).toString('utf8');
        if (text !== manifest.checkpoint.note) throw new PackProblem(name, 'differs from the checkpoint named in manifest.json');
      } else {
        for await (const chunk of stream as AsyncIterable<Buffer>) digest.update(chunk);
      }
      const actual = digest.digest('hex');
      if (actual !== want) throw new PackProblem(name, `SHA-256 ${actual} differs from manifest.json (${want})`);
      if (deferred) throw deferred;
      expected.delete(name);
    }
    for (const missing of expected.keys()) throw new PackProblem(missing, 'listed in manifest.json but missing from the zip');
    if (manifest.proofs === 'complete') {
      if (!tree) throw new PackProblem(PACK_FILES.events, 'is missing');
      const recomputed = await tree.finish().catch((error: Error) => {
        throw new PackProblem(PACK_FILES.events, `its Merkle tree could not be recomputed: ${error.message}`);
      });
      if (recomputed.size !== treeSize)
        throw new PackProblem(PACK_FILES.events, `holds ${recomputed.size} events, the checkpoint ${treeSize}`);
      if (!Buffer.from(recomputed.root).equals(Buffer.from(rootHash))) {
        throw new PackProblem(PACK_FILES.events, "the events' Merkle root differs from the signed checkpoint's");
      }
    }
    if (!generationEventSeen) throw new PackProblem(PACK_FILES.events, `no evidence_pack.generated event for pack ${manifest.packId}`);
  } finally {
    zip.close();
    await tree?.close();
  }
}

/** The manifest's scope, time and requester are those of its own signed generation event. */
function checkGenerationEvent(line: Buffer, manifest: PackManifest, seq: number | undefined): boolean {
  const event = parseJson<{ type?: string; data?: Record<string, unknown>; actor?: { id?: string } }>(
    PACK_FILES.events,
    line.toString('utf8'),
    seq,
  );
  if (event.type !== 'evidence_pack.generated' || event.data?.packId !== manifest.packId) return false;
  const claimed = canonicalJson([manifest.scope ?? null, manifest.generatedAt ?? null, manifest.requestedBy?.id ?? null]);
  const recorded = canonicalJson([event.data?.scope ?? null, event.data?.generatedAt ?? null, event.actor?.id ?? null]);
  if (claimed !== recorded)
    throw new PackProblem(PACK_FILES.manifest, 'scope, time or requester differ from its evidence_pack.generated event');
  return true;
}

function checkConsistency(line: Buffer, verifier: NoteVerifier, treeSize: number, rootHash: Uint8Array): void {
  const entry = parseJson<{ size1: number; checkpoint1: string; proof: string[] }>(PACK_FILES.consistency, line.toString('utf8'));
  const earlier = verifyCheckpoint(entry.checkpoint1 ?? '', verifier);
  if (!earlier.ok) throw new PackProblem(PACK_FILES.consistency, `checkpoint of size ${entry.size1}: ${earlier.reason}`);
  const proof = (entry.proof ?? []).map((h) => fromHex(h, PACK_FILES.consistency, `size ${entry.size1}: proof`));
  const { treeSize: size1, rootHash: root1 } = earlier.value.checkpoint;
  if (!verifyConsistency(size1, treeSize, proof, root1, rootHash)) {
    throw new PackProblem(PACK_FILES.consistency, `the tree of ${size1} events is not a prefix of the anchored tree`);
  }
}
