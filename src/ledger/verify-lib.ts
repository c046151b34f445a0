// The public entry point `proofline/ledger`: everything an outside auditor needs to check a
// Proofline ledger export without trusting the server: leaf and tree hashing, inclusion and
// consistency proofs, signed checkpoints, and the canonical JSON the leaves are made of.
//
// The API is synchronous and Node-only. Hashing uses node:crypto, which is synchronous and faster
// than Web Crypto's promise-per-digest for the millions of small hashes a full audit computes;
// keys are node:crypto KeyObjects. All hashes are Uint8Array (Buffers are accepted).

export { canonicalJson } from './canonical.js';
export {
  type Checkpoint,
  type CheckpointInput,
  encodeSignerKey,
  encodeVerifierKey,
  formatCheckpoint,
  keyId,
  type Note,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  type Result,
  rawPublicKey,
  signNote,
  type VerifiedCheckpoint,
  type VerifiedNote,
  verifyCheckpoint,
  verifyNote,
} from './checkpoint-note.js';
export {
  consistencyProof,
  type FrontierState,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  type MerkleNode,
  nodeHash,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** Decodes hex (either case); throws a TypeError rather than silently truncating bad input. */
export function fromHex(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    throw new TypeError('not a hex string of whole bytes');
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}
