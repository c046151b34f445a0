// Checkpoints (c2sp.org/tlog-checkpoint) in the signed-note format (c2sp.org/signed-note), signed
// with Ed25519 and named by keys in the Go sumdb key formats. Formatting and signing throw on bad
// arguments; parsing and verifying return a failure with a reason, and never throw.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { HASH_SIZE } from './merkle.js';

export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  /** Optional lines after the root hash, without their newlines. */
  extensions: string[];
}

export interface CheckpointInput {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}

export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
}

export interface NoteVerifier {
  name: string;
  publicKey: KeyObject;
}

export interface NoteSignature {
  name: string;
  /** First 4 bytes of the signature blob: which key signed. */
  keyId: Uint8Array;
  /** The rest of the blob: a 64-byte Ed25519 signature for Ed25519 keys. */
  signature: Uint8Array;
}

export interface Note {
  /** The signed text, ending in a newline. */
  body: string;
  signatures: NoteSignature[];
}

export interface VerifiedNote extends Note {
  /** The signature that verified; `signatures` also lists any by other keys, unverified. */
  verifiedBy: NoteSignature;
}

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  note: VerifiedNote;
}

const ED25519_ALGORITHM = 0x01;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
const KEY_ID_SIZE = 4;
const SIGNATURE_LINE_PREFIX = '\u2014 '; // em dash, space
const MAX_SIGNATURES = 100; // as Go's note.Open: bounds the work an untrusted note can cause
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
// DER prefixes wrapping a raw Ed25519 key (RFC 8410) so node:crypto can import it.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// ---------------------------------------------------------------------------------------------
// Checkpoints

/** The checkpoint body: origin, tree size and base64 root hash, then any extension lines. */
export function formatCheckpoint(input: CheckpointInput): string {
  if (input.origin === '' || !isNoteText(input.origin) || input.origin.includes('\n')) {
    throw new TypeError('checkpoint origin must be a non-empty single line of text');
  }
  if (!Number.isSafeInteger(input.treeSize) || input.treeSize < 0) {
    throw new RangeError(`invalid tree size ${input.treeSize}`);
  }
  if (!(input.rootHash instanceof Uint8Array) || input.rootHash.length !== HASH_SIZE) {
    throw new RangeError(`root hash must be ${HASH_SIZE} bytes`);
  }
  const extensions = input.extensions ?? [];
  for (const line of extensions) {
    if (line === '' || !isNoteText(line) || line.includes('\n')) {
      throw new TypeError('checkpoint extension lines must be non-empty single lines of text');
    }
  }
  const lines = [input.origin, String(input.treeSize), toBase64(input.rootHash), ...extensions];
  return `${lines.join('\n')}\n`;
}

/**
 * Parses a checkpoint body, or a whole signed note whose signatures are then NOT checked (use
 * verifyCheckpoint for that). A body cannot contain a blank line, so the two cannot be confused.
 */
export function parseCheckpoint(text: string): Result<Checkpoint> {
  let body = text;
  if (typeof text === 'string' && text.includes('\n\n')) {
    const note = parseNote(text);
    if (!note.ok) return note;
    body = note.value.body;
  }
  if (typeof body !== 'string' || !isNoteText(body)) return fail('checkpoint is not valid note text');
  if (!body.endsWith('\n')) return fail('checkpoint must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return fail('checkpoint needs an origin, a tree size and a root hash line');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === '') return fail('checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) {
    return fail(`checkpoint tree size ${JSON.stringify(sizeLine)} is not a decimal number below 2^53`);
  }
  const rootHash = fromBase64(rootLine);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    return fail(`checkpoint root hash is not ${HASH_SIZE} bytes of base64`);
  }
  if (extensions.some((line) => line === '')) return fail('checkpoint extension lines must not be empty');
  return { ok: true, value: { origin, treeSize: Number(sizeLine), rootHash, extensions } };
}

/** Verifies a signed checkpoint note against one trusted key, then parses its body. */
export function verifyCheckpoint(text: string, verifier: NoteVerifier): Result<VerifiedCheckpoint> {
  const note = verifyNote(text, verifier);
  if (!note.ok) return note;
  const checkpoint = parseCheckpoint(note.value.body);
  if (!checkpoint.ok) return checkpoint;
  return { ok: true, value: { checkpoint: checkpoint.value, note: note.value } };
}

// ---------------------------------------------------------------------------------------------
// Signed notes

/** Signs `body` (which must end in a newline) and returns the note with one signature line. */
export function signNote(body: string, signer: NoteSigner): string {
  if (!isNoteText(body) || !body.endsWith('\n')) {
    throw new TypeError('note body must be text without control characters, ending in a newline');
  }
  if (!isKeyName(signer.name)) throw new TypeError(`invalid key name ${JSON.stringify(signer.name)}`);
  if (signer.privateKey.type !== 'private' || signer.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('note signer needs an Ed25519 private key');
  }
  const id = keyId(signer.name, rawPublicKey(signer.privateKey));
  const signature = sign(null, Buffer.from(body, 'utf8'), signer.privateKey);
  return `${body}\n${SIGNATURE_LINE_PREFIX}${signer.name} ${toBase64(concat(id, signature))}\n`;
}

/** Splits a signed note into its body and signature lines, checking form but no signature. */
export function parseNote(text: string): Result<Note> {
  if (typeof text !== 'string' || !isNoteText(text)) return fail('note is not valid text');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return fail('note has no blank line before its signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return fail('note signature block must end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return fail(`note has more than ${MAX_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return fail('note signature line must start with an em dash');
    const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const blob = space < 0 ? undefined : fromBase64(rest.slice(space + 1));
    if (!isKeyName(name) || blob === undefined || blob.length <= KEY_ID_SIZE) {
      return fail('note signature line is malformed');
    }
    signatures.push({ name, keyId: blob.subarray(0, KEY_ID_SIZE), signature: blob.subarray(KEY_ID_SIZE) });
  }
  return { ok: true, value: { body, signatures } };
}

/**
 * Verifies a signed note against one trusted key. Succeeds if the key signed it; signatures by
 * other keys are ignored, but a bad signature claiming to be by this key fails the whole note.
 */
export function verifyNote(text: string, verifier: NoteVerifier): Result<VerifiedNote> {
  const note = parseNote(text);
  if (!note.ok) return note;
  if (!isKeyName(verifier.name)) return fail('verifier key name is invalid');
  const publicKey = ed25519PublicKey(verifier.publicKey);
  if (publicKey === undefined) return fail('verifier needs an Ed25519 public key');
  const id = keyId(verifier.name, publicKey.raw);
  const message = Buffer.from(note.value.body, 'utf8');
  let verifiedBy: NoteSignature | undefined;
  for (const candidate of note.value.signatures) {
    if (candidate.name !== verifier.name || !Buffer.from(candidate.keyId).equals(id)) continue;
    const valid = candidate.signature.length === ED25519_SIGNATURE_SIZE && verify(null, message, publicKey.key, candidate.signature);
    if (!valid) return fail(`invalid signature by ${verifier.name}`);
    verifiedBy ??= candidate;
  }
  if (verifiedBy === undefined) return fail(`note is not signed by ${verifier.name}+${toHex(id)}`);
  return { ok: true, value: { ...note.value, verifiedBy } };
}

// ---------------------------------------------------------------------------------------------
// Keys

/** First 4 bytes of SHA-256(name || "\n" || 0x01 || 32-byte Ed25519 public key). */
export function keyId(name: string, rawPublicKey: Uint8Array): Uint8Array {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(new Uint8Array([0x0a, ED25519_ALGORITHM]))
    .update(rawPublicKey)
    .digest();
  return digest.subarray(0, KEY_ID_SIZE);
}

/** The 32 raw public-key bytes of an Ed25519 public or private KeyObject. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

/** Verifier key string: `<name>+<hex key id>+<base64(0x01 || public key)>`. */
export function encodeVerifierKey(name: string, publicKey: KeyObject): string {
  if (!isKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  const raw = rawPublicKey(publicKey);
  return `${name}+${toHex(keyId(name, raw))}+${toBase64(concat(new Uint8Array([ED25519_ALGORITHM]), raw))}`;
}

export function parseVerifierKey(text: string): Result<NoteVerifier & { keyId: Uint8Array }> {
  const parts = typeof text === 'string' ? splitKeyString(text) : undefined;
  if (parts === undefined) return fail('verifier key must have the form <name>+<hex id>+<base64 key>');
  const key = parseKeyParts(parts[0], parts[1], parts[2]);
  if (!key.ok) return key;
  if (!Buffer.from(keyId(key.value.name, key.value.raw)).equals(key.value.keyId)) {
    return fail('verifier key id does not match its key');
  }
  try {
    return { ok: true, value: { name: key.value.name, keyId: key.value.keyId, publicKey: publicKeyFromRaw(key.value.raw) } };
  } catch {
    return fail('verifier key is not a usable Ed25519 public key');
  }
}

/** Signer key string: `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>`. */
export function encodeSignerKey(name: string, privateKey: KeyObject): string {
  if (!isKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}`);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('signer key must be an Ed25519 private key');
  }
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  const id = keyId(name, rawPublicKey(privateKey));
  return `${SIGNER_KEY_PREFIX}${name}+${toHex(id)}+${toBase64(concat(new Uint8Array([ED25519_ALGORITHM]), seed))}`;
}

export function parseSignerKey(text: string): Result<NoteSigner & { keyId: Uint8Array }> {
  if (typeof text !== 'string' || !text.startsWith(SIGNER_KEY_PREFIX)) {
    return fail(`signer key must start with ${SIGNER_KEY_PREFIX}`);
  }
  const parts = splitKeyString(text.slice(SIGNER_KEY_PREFIX.length));
  if (parts === undefined) return fail('signer key must have the form PRIVATE+KEY+<name>+<hex id>+<base64 key>');
  const seed = parseKeyParts(parts[0], parts[1], parts[2]);
  if (!seed.ok) return seed;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: concat(PKCS8_ED25519_PREFIX, seed.value.raw), format: 'der', type: 'pkcs8' });
  } catch {
    return fail('signer key is not a usable Ed25519 seed');
  }
  // The id names the public key, so it can only be checked once the seed has been expanded.
  if (!Buffer.from(keyId(seed.value.name, rawPublicKey(privateKey))).equals(seed.value.keyId)) {
    return fail('signer key id does not match its key');
  }
  return { ok: true, value: { name: seed.value.name, keyId: seed.value.keyId, privateKey } };
}

/** Splits `<name>+<id>+<key>` at its first two plus signs: base64 keys can contain more. */
function splitKeyString(text: string): [string, string, string] | undefined {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return undefined;
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

/** Checks the name, the id's syntax, the algorithm byte and the key length. */
function parseKeyParts(name: string, idHex: string, keyBase64: string): Result<{ name: string; keyId: Uint8Array; raw: Uint8Array }> {
  if (!isKeyName(name)) return fail('key name is invalid');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) return fail('key id must be 8 hex digits');
  const key = fromBase64(keyBase64);
  if (key === undefined || key.length === 0) return fail('key is not base64');
  if (key[0] !== ED25519_ALGORITHM) return fail(`unsupported key algorithm ${key[0]}`);
  if (key.length !== 1 + ED25519_KEY_SIZE) return fail('Ed25519 key must be 32 bytes');
  return { ok: true, value: { name, keyId: Buffer.from(idHex, 'hex'), raw: key.subarray(1) } };
}

function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: concat(SPKI_ED25519_PREFIX, raw), format: 'der', type: 'spki' });
}

function ed25519PublicKey(key: KeyObject): { key: KeyObject; raw: Uint8Array } | undefined {
  if (typeof key !== 'object' || key === null || key.asymmetricKeyType !== 'ed25519') return undefined;
  return { key, raw: rawPublicKey(key) };
}

// ---------------------------------------------------------------------------------------------
// Text and encoding helpers

/** Valid note text: well-formed Unicode with no control characters other than newline. */
function isNoteText(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  return !/[\u0000-\u0009\u000b-\u001f]|\p{Cs}/u.test(text);
}

/** Key names are non-empty, without spaces or plus signs (which separate key string fields). */
function isKeyName(name: string): boolean {
  return typeof name === 'string' && name !== '' && isNoteText(name) && !/[\s+]/u.test(name);
}

/** Strict standard base64: Node's decoder skips junk, so require an exact round trip. */
function fromBase64(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

function concat(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.concat([a, b]);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
