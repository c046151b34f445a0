// Checks a ledger entry in the browser, trusting nothing the server computed: the leaf is
// re-canonicalised from the event's content and hashed here (RFC 9162: SHA-256(0x00 || leaf)),
// the audit path is folded up to a root (SHA-256(0x01 || left || right)), and that root must be
// the one in a checkpoint note whose Ed25519 signature verifies under the ledger's public key.
// The same rules as src/ledger/{merkle,checkpoint-note,canonical}.ts, written for Web Crypto.

export type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

const encoder = new TextEncoder();
const HASH_SIZE = 32;
const ED25519_ALGORITHM = 0x01;
const SIGNATURE_LINE_PREFIX = '\u2014 ';

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Hex (either case) to bytes; undefined for anything that is not whole bytes of hex. */
export function fromHex(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Strict standard base64 (padding required, nothing else tolerated). */
export function fromBase64(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return toBase64(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON (RFC 8785) and hashing (RFC 9162)

/** RFC 8785 canonical JSON: keys sorted by UTF-16 code units, JSON.stringify's strings and numbers. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite numbers have no JSON form');
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('value has no JSON form');
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

/** SHA-256(0x00 || leaf). */
export async function leafHash(leaf: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0x00]), leaf));
}

/** SHA-256(0x01 || left || right). */
export async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(new Uint8Array([0x01]), left, right));
}

/** RFC 9162 2.1.3.2: does `proof` lead from leaf `index` of a `treeSize` tree up to `root`? */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<Check<true>> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) {
    return fail(`entry ${index} cannot be in a tree of ${treeSize} entries`);
  }
  if (leaf.length !== HASH_SIZE || root.length !== HASH_SIZE || proof.some((p) => p.length !== HASH_SIZE)) {
    return fail('a hash of the proof is not 32 bytes');
  }
  let fn = index;
  let sn = treeSize - 1;
  let hash = leaf;
  for (const sibling of proof) {
    if (sn === 0) return fail('the proof is longer than the tree is deep');
    if (fn % 2 === 1 || fn === sn) {
      hash = await nodeHash(sibling, hash);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      hash = await nodeHash(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return fail('the proof is shorter than the tree is deep');
  if (!bytesEqual(hash, root)) return fail('the proof does not lead to the root hash');
  return { ok: true, value: true };
}

// ---------------------------------------------------------------------------------------------
// Signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), Ed25519

export interface Verifier {
  name: string;
  keyId: Uint8Array;
  /** The 32 raw Ed25519 public-key bytes. */
  publicKey: Uint8Array;
}

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
}

/** First 4 bytes of SHA-256(name || "\n" || 0x01 || public key). */
export async function keyId(name: string, publicKey: Uint8Array): Promise<Uint8Array> {
  return (await sha256(concat(encoder.encode(name), new Uint8Array([0x0a, ED25519_ALGORITHM]), publicKey))).subarray(0, 4);
}

const isKeyName = (name: string) => name !== '' && !/[\s+]/u.test(name);

/** A verifier key `<name>+<hex key id>+<base64(0x01 || key)>`, its id checked against its key. */
export async function parseVerifierKey(text: string): Promise<Check<Verifier>> {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return fail('the verifier key is not <name>+<id>+<key>');
  const name = text.slice(0, first);
  const id = /^[0-9a-fA-F]{8}$/.test(text.slice(first + 1, second)) ? fromHex(text.slice(first + 1, second)) : undefined;
  const key = fromBase64(text.slice(second + 1));
  if (!isKeyName(name) || !id) return fail('the verifier key has a bad name or id');
  if (!key || key[0] !== ED25519_ALGORITHM || key.length !== 33) return fail('the verifier key is not an Ed25519 key');
  const publicKey = key.subarray(1);
  if (!bytesEqual(await keyId(name, publicKey), id)) return fail('the verifier key id does not match its key');
  return { ok: true, value: { name, keyId: id, publicKey } };
}

/** A signed note's body and its Ed25519 signature by `verifier` (other signers are ignored). */
export async function verifyNote(note: string, verifier: Verifier): Promise<Check<string>> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return fail('the note has no signatures');
  const body = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) return fail('the note does not end with a newline');
  let verified = false;
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return fail('a signature line does not start with an em dash');
    const [name, blobText] = line.slice(SIGNATURE_LINE_PREFIX.length).split(' ');
    const blob = blobText === undefined ? undefined : fromBase64(blobText);
    if (!blob || blob.length <= 4) return fail('a signature line is malformed');
    if (name !== verifier.name || !bytesEqual(blob.subarray(0, 4), verifier.keyId)) continue;
    const key = await crypto.subtle.importKey('raw', verifier.publicKey as BufferSource, { name: 'Ed25519' }, false, ['verify']);
    const signature = blob.subarray(4);
    const valid =
      signature.length === 64 &&
      (await crypto.subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, encoder.encode(body) as BufferSource));
    if (!valid) return fail(`the signature by ${verifier.name} does not verify: the checkpoint was altered or signed by another key`);
    verified = true;
  }
  if (!verified) return fail(`the checkpoint is not signed by ${verifier.name}+${toHex(verifier.keyId)}`);
  return { ok: true, value: body };
}

/** The checkpoint in a note body: origin, tree size, base64 root hash, then extension lines. */
export function parseCheckpoint(body: string): Check<Checkpoint> {
  if (!body.endsWith('\n')) return fail('the checkpoint does not end with a newline');
  const [origin, size, root] = body.slice(0, -1).split('\n');
  if (!origin || size === undefined || root === undefined) return fail('the checkpoint lacks an origin, a size or a root');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return fail('the checkpoint size is not a number');
  const rootHash = fromBase64(root);
  if (!rootHash || rootHash.length !== HASH_SIZE) return fail('the checkpoint root is not 32 bytes of base64');
  return { ok: true, value: { origin, treeSize: Number(size), rootHash } };
}

// ---------------------------------------------------------------------------------------------
// One ledger entry, end to end

/** What the page shows of the entry: the proof must be about this very event. */
export interface ExpectedEvent {
  seq: number;
  eventId: string;
  type?: string;
  recordedAt?: string;
}

/** The server's inclusion proof answer (GET /api/v1/ledger/proofs/inclusion). */
export interface InclusionAnswer {
  seq: number;
  leaf: string;
  treeSize: number;
  proof: string[];
}

export interface ProofVerdict {
  treeSize: number;
  rootHash: string;
  leafHash: string;
  origin: string;
}

/**
 * Verifies `answer` for `expected` against a signed `checkpoint` note and the ledger's `verifierKey`.
 * The leaf hash is computed here from the event re-canonicalised; any hash the server sends beside
 * it is ignored. Never throws: a failure carries the reason to show.
 */
export async function verifyEntry(
  expected: ExpectedEvent,
  answer: InclusionAnswer,
  checkpoint: string,
  verifierKey: string,
): Promise<Check<ProofVerdict>> {
  try {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(answer.leaf) as Record<string, unknown>;
    } catch {
      return fail('the leaf is not JSON');
    }
    if (event.id !== expected.eventId || event.seq !== expected.seq) return fail('the proof is about another event than this entry');
    if (expected.type !== undefined && event.type !== expected.type) return fail('the event type differs from the entry shown');
    if (expected.recordedAt !== undefined && event.recordedAt !== expected.recordedAt) {
      return fail('the event time differs from the entry shown');
    }
    const leaf = canonicalJson(event);
    if (leaf !== answer.leaf) return fail('the leaf is not in canonical form');
    const verifier = await parseVerifierKey(verifierKey);
    if (!verifier.ok) return verifier;
    const body = await verifyNote(checkpoint, verifier.value);
    if (!body.ok) return body;
    const signed = parseCheckpoint(body.value);
    if (!signed.ok) return signed;
    if (signed.value.treeSize !== answer.treeSize) {
      return fail(`the proof is for ${answer.treeSize} entries, the checkpoint signs ${signed.value.treeSize}`);
    }
    const path = answer.proof.map(fromHex);
    if (path.some((p) => p === undefined)) return fail('the proof has a hash that is not hex');
    const hash = await leafHash(encoder.encode(leaf));
    const included = await verifyInclusion(hash, expected.seq, answer.treeSize, path as Uint8Array[], signed.value.rootHash);
    if (!included.ok) return included;
    return {
      ok: true,
      value: {
        treeSize: signed.value.treeSize,
        rootHash: toHex(signed.value.rootHash),
        leafHash: toHex(hash),
        origin: signed.value.origin,
      },
    };
  } catch (error) {
    return fail(`the browser could not check it: ${error instanceof Error ? error.message : String(error)}`);
  }
}
