// Verifies an evidence pack in the browser, trusting only the key the person gives: the same checks
// as `proofline pack verify` (src/evidence/pack-verify.ts), in the same order, written for Web Crypto
// and a zip read with fflate. The SHA-256 of every file against manifest.json, each event's leaf hash
// (RFC 9162: SHA-256(0x00 || leaf)), its inclusion in the signed checkpoint's tree (the whole tree
// recomputed, or each audit path), the checkpoint's Ed25519 signature, the consistency proofs from
// earlier checkpoints and the pack's own generation event. Reports the first thing that fails,
// naming the file (and, for an event, its sequence number). Nothing leaves the browser.
import { unzipSync } from 'fflate';
import {
  type Checkpoint,
  canonicalJson,
  fromHex,
  leafHash,
  nodeHash,
  parseCheckpoint,
  parseVerifierKey,
  toHex,
  type Verifier,
  verifyInclusion,
  verifyNote,
} from '../ledger/proof';

/** The layout of src/evidence/pack-format.ts (format proofline-evidence-pack/1). */
export const PACK_FORMAT = 'proofline-evidence-pack/1';
export const PACK_FILES = {
  manifest: 'manifest.json',
  events: 'ledger/events.jsonl',
  proofs: 'ledger/proofs.jsonl',
  consistency: 'ledger/consistency.jsonl',
  checkpoint: 'ledger/checkpoint.txt',
} as const;

export interface PackProblem {
  /** The file that fails (`(key)` for the key, `(zip)` for a file that is no zip). */
  file: string;
  /** For an event: its sequence number in the ledger. */
  seq?: number;
  reason: string;
}

export interface PackSummary {
  packId: string;
  scope: { kind: string; id?: string; from?: string; to?: string };
  generatedAt: string;
  requestedBy: string | null;
  /** The key the pack itself names: shown, never trusted. */
  claimedKey: string | null;
}

export interface PackVerification {
  ok: boolean;
  problem?: PackProblem;
  /** Events read from ledger/events.jsonl. */
  events: number;
  /** Files whose digest matched the manifest. */
  filesChecked: number;
  treeSize?: number;
  rootHash?: string;
  origin?: string;
  summary?: PackSummary;
}

export interface PackProgress {
  /** What is being checked: a file's name, or the signature. */
  step: string;
  /** Files done of all files the manifest lists. */
  filesDone: number;
  filesTotal: number;
  /** Events hashed so far. */
  events: number;
}

interface Manifest {
  format?: string;
  packId?: string;
  scope?: PackSummary['scope'];
  generatedAt?: string;
  requestedBy?: { id?: string | null; name?: string | null };
  checkpoint?: { treeSize?: number; rootHash?: string; note?: string; verifierKey?: string };
  proofs?: 'complete' | 'paths';
  events?: number;
  files?: Record<string, string>;
}

class Problem extends Error {
  constructor(
    readonly file: string,
    reason: string,
    readonly seq?: number,
  ) {
    super(reason);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource)));
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

function parseJson<T>(file: string, text: string, seq?: number): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Problem(file, 'not valid JSON', seq);
  }
}

function hash32(text: unknown, file: string, what: string): Uint8Array {
  const bytes = typeof text === 'string' && /^[0-9a-f]{64}$/.test(text) ? fromHex(text) : undefined;
  if (!bytes) throw new Problem(file, `${what} is not a 32-byte hex hash`);
  return bytes;
}

/** Each line of `content` (without its newline); a last line without a newline counts, an empty tail does not. */
function linesOf(content: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let nl = content.indexOf(10, start); nl !== -1; nl = content.indexOf(10, start)) {
    lines.push(content.subarray(start, nl));
    start = nl + 1;
  }
  if (start < content.length) lines.push(content.subarray(start));
  return lines;
}

/** The right edge of an RFC 9162 tree: enough to fold every leaf into the root (src/ledger/merkle.ts). */
class Frontier {
  size = 0;
  #hashes: Uint8Array[] = [];

  async add(leaf: Uint8Array): Promise<void> {
    let hash = leaf;
    for (let carry = this.size; carry % 2 === 1; carry = (carry - 1) / 2) hash = await nodeHash(this.#hashes.pop() as Uint8Array, hash);
    this.#hashes.push(hash);
    this.size += 1;
  }

  async root(): Promise<Uint8Array> {
    if (this.#hashes.length === 0) return new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(0)));
    let hash = this.#hashes[this.#hashes.length - 1];
    for (let i = this.#hashes.length - 2; i >= 0; i--) hash = await nodeHash(this.#hashes[i], hash);
    return hash;
  }
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** RFC 9162 2.1.4.2: is the tree of `size1` leaves (root1) a prefix of the tree of `size2` (root2)? */
export async function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): Promise<boolean> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 <= 0 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (root1.length !== 32 || root2.length !== 32 || proof.length === 0 || proof.some((p) => p.length !== 32)) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let oldHash = path[0];
  let newHash = path[0];
  for (let i = 1; i < path.length; i++) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      oldHash = await nodeHash(path[i], oldHash);
      newHash = await nodeHash(path[i], newHash);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      newHash = await nodeHash(newHash, path[i]);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(oldHash, root1) && bytesEqual(newHash, root2);
}

/** A signed checkpoint note checked with `verifier`, parsed; `reason` when either step fails. */
async function checkpointOf(note: string, verifier: Verifier): Promise<{ ok: true; value: Checkpoint } | { ok: false; reason: string }> {
  const body = await verifyNote(note, verifier);
  if (!body.ok) return body;
  return parseCheckpoint(body.value);
}

/** How often (in events) progress is reported, and the page given a chance to draw it. */
const PROGRESS_EVERY = 500;
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Verifies the pack `zip` (its bytes) against `verifierKey` (`<name>+<id>+<key>`): trust comes from
 * that key alone; the key the pack names is reported, not used. Never throws: the answer names the
 * first problem.
 */
export async function verifyPack(
  zip: Uint8Array,
  verifierKey: string,
  { onProgress }: { onProgress?: (progress: PackProgress) => void } = {},
): Promise<PackVerification> {
  const result: PackVerification = { ok: false, events: 0, filesChecked: 0 };
  try {
    const key = await parseVerifierKey(verifierKey.trim());
    if (!key.ok) throw new Problem('(key)', key.reason);
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(zip);
    } catch (error) {
      throw new Problem('(zip)', `not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
    }
    await verifyEntries(entries, key.value, result, onProgress ?? (() => {}));
    result.ok = true;
    return result;
  } catch (error) {
    result.problem =
      error instanceof Problem
        ? { file: error.file, ...(error.seq !== undefined ? { seq: error.seq } : {}), reason: error.message }
        : { file: '(pack)', reason: `the browser could not check it: ${error instanceof Error ? error.message : String(error)}` };
    return result;
  }
}

async function verifyEntries(
  entries: Record<string, Uint8Array>,
  verifier: Verifier,
  result: PackVerification,
  onProgress: (progress: PackProgress) => void,
): Promise<void> {
  const manifestBytes = entries[PACK_FILES.manifest];
  if (!manifestBytes) throw new Problem(PACK_FILES.manifest, 'is missing');
  const manifest = parseJson<Manifest>(PACK_FILES.manifest, decoder.decode(manifestBytes));
  if (manifest.format !== PACK_FORMAT) throw new Problem(PACK_FILES.manifest, `format is not ${PACK_FORMAT}`);
  result.summary = {
    packId: String(manifest.packId ?? ''),
    scope: manifest.scope ?? { kind: 'unknown' },
    generatedAt: String(manifest.generatedAt ?? ''),
    requestedBy: manifest.requestedBy?.name ?? manifest.requestedBy?.id ?? null,
    claimedKey: manifest.checkpoint?.verifierKey ?? null,
  };
  const expected = new Map(Object.entries(manifest.files ?? {}));
  const progress = { step: 'checkpoint signature', filesDone: 0, filesTotal: expected.size, events: 0 };
  onProgress({ ...progress });

  const anchor = await checkpointOf(manifest.checkpoint?.note ?? '', verifier);
  if (!anchor.ok) throw new Problem(PACK_FILES.manifest, `checkpoint: ${anchor.reason}`);
  const { treeSize, rootHash, origin } = anchor.value;
  Object.assign(result, { treeSize, rootHash: toHex(rootHash), origin });

  let generationEventSeen = false;
  const pendingHashes: Uint8Array[] = [];
  const frontier = manifest.proofs === 'complete' ? new Frontier() : null;

  for (const [name, content] of Object.entries(entries)) {
    if (name === PACK_FILES.manifest || name.endsWith('/')) continue;
    const want = expected.get(name);
    if (want === undefined) throw new Problem(name, 'is not listed in manifest.json');
    onProgress({ ...progress, step: name });
    // A failure inside a file is reported after its digest, so a changed file is named as such.
    const actual = await sha256Hex(content);
    if (actual !== want) throw new Problem(name, `SHA-256 ${actual} differs from manifest.json (${want})`);
    if (name === PACK_FILES.events) {
      for (const line of linesOf(content)) {
        const seq = frontier ? result.events : undefined;
        const hash = await leafHash(line);
        if (frontier) await frontier.add(hash);
        else pendingHashes.push(hash);
        if (!generationEventSeen) {
          const text = decoder.decode(line);
          if (text.includes('"evidence_pack.generated"')) generationEventSeen = checkGenerationEvent(text, manifest, seq);
        }
        result.events += 1;
        if (result.events % PROGRESS_EVERY === 0) {
          onProgress({ ...progress, step: name, events: result.events });
          await nextTask();
        }
      }
      progress.events = result.events;
    } else if (name === PACK_FILES.proofs) {
      const lines = linesOf(content);
      for (const [i, line] of lines.entries()) {
        const proof = parseJson<{ seq: number; path?: string[] }>(name, decoder.decode(line));
        const hash = pendingHashes[i];
        if (!hash) throw new Problem(name, `line ${i + 1} has no event in ${PACK_FILES.events}`, proof.seq);
        const path = (proof.path ?? []).map((h) => hash32(h, name, `seq ${proof.seq}: path`));
        const included = await verifyInclusion(hash, proof.seq, treeSize, path, rootHash);
        if (!included.ok) throw new Problem(PACK_FILES.events, `event ${proof.seq} is not included in the checkpoint's tree`, proof.seq);
        if ((i + 1) % PROGRESS_EVERY === 0) await nextTask();
      }
      if (lines.length !== pendingHashes.length)
        throw new Problem(name, `${pendingHashes.length - lines.length} events have no inclusion proof`);
    } else if (name === PACK_FILES.consistency) {
      for (const line of linesOf(content)) await checkConsistency(decoder.decode(line), verifier, treeSize, rootHash);
    } else if (name === PACK_FILES.checkpoint) {
      if (decoder.decode(content) !== manifest.checkpoint?.note)
        throw new Problem(name, 'differs from the checkpoint named in manifest.json');
    }
    expected.delete(name);
    result.filesChecked += 1;
    progress.filesDone += 1;
  }
  for (const missing of expected.keys()) throw new Problem(missing, 'listed in manifest.json but missing from the zip');
  if (frontier) {
    if (frontier.size !== treeSize) throw new Problem(PACK_FILES.events, `holds ${frontier.size} events, the checkpoint ${treeSize}`);
    if (!bytesEqual(await frontier.root(), rootHash)) {
      throw new Problem(PACK_FILES.events, "the events' Merkle root differs from the signed checkpoint's");
    }
  }
  if (!generationEventSeen) throw new Problem(PACK_FILES.events, `no evidence_pack.generated event for pack ${manifest.packId}`);
  onProgress({ ...progress, step: 'done' });
}

/** The manifest's scope, time and requester are those of its own signed generation event. */
function checkGenerationEvent(text: string, manifest: Manifest, seq: number | undefined): boolean {
  const event = parseJson<{ type?: string; data?: Record<string, unknown>; actor?: { id?: string } }>(PACK_FILES.events, text, seq);
  if (event.type !== 'evidence_pack.generated' || event.data?.packId !== manifest.packId) return false;
  const claimed = canonicalJson([manifest.scope ?? null, manifest.generatedAt ?? null, manifest.requestedBy?.id ?? null]);
  const recorded = canonicalJson([event.data?.scope ?? null, event.data?.generatedAt ?? null, event.actor?.id ?? null]);
  if (claimed !== recorded)
    throw new Problem(PACK_FILES.manifest, 'scope, time or requester differ from its evidence_pack.generated event');
  return true;
}

async function checkConsistency(text: string, verifier: Verifier, treeSize: number, rootHash: Uint8Array): Promise<void> {
  const entry = parseJson<{ size1?: number; checkpoint1?: string; proof?: string[] }>(PACK_FILES.consistency, text);
  const earlier = await checkpointOf(entry.checkpoint1 ?? '', verifier);
  if (!earlier.ok) throw new Problem(PACK_FILES.consistency, `checkpoint of size ${entry.size1}: ${earlier.reason}`);
  const proof = (entry.proof ?? []).map((h) => hash32(h, PACK_FILES.consistency, `size ${entry.size1}: proof`));
  const { treeSize: size1, rootHash: root1 } = earlier.value;
  if (!(await verifyConsistency(size1, treeSize, proof, root1, rootHash))) {
    throw new Problem(PACK_FILES.consistency, `the tree of ${size1} events is not a prefix of the anchored tree`);
  }
}
