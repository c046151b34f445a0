// Offline verification of an evidence pack: no server, no database, only the zip and the ledger's
// public key. Reads each entry once, in one pass: the SHA-256 of every file against the manifest,
// each event's leaf hash, its inclusion in the signed checkpoint's tree (by recomputing the whole
// tree, or by the audit paths in proofs.jsonl), the checkpoint's signature and the consistency
// proofs from earlier checkpoints. Reports the first thing that fails, naming the file or the seq.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { canonicalJson } from '../ledger/canonical.js';
import { type NoteVerifier, parseVerifierKey, verifyCheckpoint } from '../ledger/checkpoint-note.js';
import { MerkleFrontier, verifyConsistency, verifyInclusion } from '../ledger/merkle.js';
import { PACK_FILES, PACK_FORMAT, type PackManifest } from './pack-format.js';

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

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    ),
  );
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

/** Every entry of the zip, from its central directory (small: one record per file). */
async function entriesOf(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  return entries;
}

/** Calls `onLine` with each line's bytes (without the newline), hashing the whole file on the way. */
async function eachLineOf(stream: Readable, digest: ReturnType<typeof createHash>, onLine: (line: Buffer) => void): Promise<void> {
  let rest: Buffer | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    digest.update(chunk);
    const data: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      onLine(data.subarray(start, nl));
      start = nl + 1;
    }
    rest = start < data.length ? Buffer.from(data.subarray(start)) : null;
  }
  if (rest && rest.length > 0) onLine(rest);
}

async function readAll(stream: Readable, digest: ReturnType<typeof createHash>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    digest.update(chunk);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const LEAF_PREFIX = Buffer.from([0]);

function leafHashOf(line: Buffer): Uint8Array {
  return createHash('sha256').update(LEAF_PREFIX).update(line).digest();
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
export async function verifyEvidencePack(file: string, { verifierKey }: { verifierKey: string }): Promise<PackVerification> {
  const key = parseVerifierKey(verifierKey.trim());
  if (!key.ok) return { ok: false, problem: { file: '(key)', reason: key.reason }, events: 0 };
  const state = { events: 0, treeSize: undefined as number | undefined };
  try {
    await verifyInto(file, key.value, state);
    return { ok: true, events: state.events, treeSize: state.treeSize };
  } catch (error) {
    if (error instanceof PackProblem) {
      return { ok: false, problem: { file: error.file, seq: error.seq, reason: error.message }, ...state };
    }
    return { ok: false, problem: { file, reason: `not a readable zip: ${(error as Error).message}` }, ...state };
  }
}

async function verifyInto(file: string, verifier: NoteVerifier, state: { events: number; treeSize?: number }): Promise<void> {
  const zip = await openZip(file);
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
    const frontier = manifest.proofs === 'complete' ? new MerkleFrontier() : null;

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
      const eachLine = (source: Readable, hash: typeof digest, onLine: (line: Buffer) => void) =>
        eachLineOf(source, hash, (line) => {
          if (deferred) return;
          try {
            onLine(line);
          } catch (error) {
            if (!(error instanceof PackProblem)) throw error;
            deferred = error;
          }
        });
      if (name === PACK_FILES.events) {
        await eachLine(stream, digest, (line) => {
          const seq = frontier ? state.events : undefined;
          const hash = leafHashOf(line);
          if (frontier) frontier.add(hash);
          else pendingHashes.push(hash);
          if (!generationEventSeen && line.includes('"evidence_pack.generated"')) {
            generationEventSeen = checkGenerationEvent(line, manifest, seq);
          }
          state.events += 1;
        });
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
    if (frontier) {
      if (frontier.size !== treeSize) throw new PackProblem(PACK_FILES.events, `holds ${frontier.size} events, the checkpoint ${treeSize}`);
      if (!Buffer.from(frontier.root()).equals(Buffer.from(rootHash))) {
        throw new PackProblem(PACK_FILES.events, "the events' Merkle root differs from the signed checkpoint's");
      }
    }
    if (!generationEventSeen) throw new PackProblem(PACK_FILES.events, `no evidence_pack.generated event for pack ${manifest.packId}`);
  } finally {
    zip.close();
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
