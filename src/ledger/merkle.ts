// RFC 9162 Merkle tree over SHA-256: hashing, inclusion and consistency proofs, and the pieces a
// database-backed log needs to grow the tree incrementally and answer proofs from stored nodes.
//
// Proof generation is written once, as the RFC's PATH and SUBPROOF recursions over leaf ranges.
// The recursion names the ranges whose hashes make up a proof; an array of leaf hashes or a
// lookup of stored perfect-subtree nodes then supplies each range's hash.
//
// Sizes and indices are JavaScript numbers (safe integers, up to 2^53 - 1), so this file avoids
// 32-bit bitwise operators and does its bit arithmetic with division and remainders.
// Returned hashes may share memory with the hashes passed in: treat hashes as immutable.
import crypto, { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** A perfect subtree: leaves [index * 2^level, (index + 1) * 2^level). Leaves are level 0. */
export interface NodeId {
  level: number;
  index: number;
}

export interface MerkleNode extends NodeId {
  hash: Uint8Array;
}

/** Returns the hash of the perfect subtree at (level, index); throws if it is unknown. */
export type NodeLookup = (level: number, index: number) => Uint8Array;

// ---------------------------------------------------------------------------------------------
// Hashing

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// crypto.hash (Node >= 20.12) is a one-shot digest: about 20% faster than createHash for the
// 65-byte inputs of interior nodes, twice as fast for ~500-byte leaves. Older Node 20 releases
// fall back to createHash.
const sha256: (data: Uint8Array) => Uint8Array =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => createHash('sha256').update(data).digest();

// Reused for every interior node: hashing is synchronous, so nothing else can touch it meanwhile.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/** SHA-256 of the empty string: the root of the empty tree. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  // Copying into one buffer for a one-shot digest is over twice as fast as two createHash updates
  // for event-sized leaves: the per-call overhead of a Hash object dominates the copy.
  const input = Buffer.allocUnsafe(leaf.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(leaf, 1);
  return sha256(input);
}

/** SHA-256 of bytes that already begin with the 0x00 leaf prefix: leafHash without the copy. */
export function hashPrefixedLeaf(prefixedLeaf: Uint8Array): Uint8Array {
  return sha256(prefixedLeaf);
}

// Reused by leafHashOfText: a leaf string is encoded straight behind the prefix byte, so hashing a
// new event allocates nothing but the digest. Grows to the largest leaf seen (worst case 3 bytes
// per UTF-16 unit, which Buffer.write needs room for up front).
let textInput = Buffer.allocUnsafe(4096);

/** SHA-256(0x00 || UTF-8 bytes of leaf): leafHash of a leaf given as text. */
export function leafHashOfText(leaf: string): Uint8Array {
  if (textInput.length < 1 + leaf.length * 3) textInput = Buffer.allocUnsafe(1 + leaf.length * 3);
  textInput[0] = LEAF_PREFIX;
  const written = textInput.write(leaf, 1, 'utf8');
  return sha256(textInput.subarray(0, 1 + written));
}

/** SHA-256(0x01 || left || right). Accepts inputs of any length, as the RFC's HashChildren does. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256(nodeInput);
  }
  return createHash('sha256')
    .update(new Uint8Array([NODE_PREFIX]))
    .update(left)
    .update(right)
    .digest();
}

// ---------------------------------------------------------------------------------------------
// Proof structure: the RFC 9162 recursions, over leaf ranges [start, end)

interface LeafRange {
  start: number;
  end: number;
}

/** Hash of the subtree over leaves [start, end): MTH(D[start:end]) in the RFC's notation. */
type RangeHasher = (start: number, end: number) => Uint8Array;

/** The largest power of two strictly less than n (n >= 2): where the RFC splits a tree of n leaves. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 2.1.3.1 PATH(m, D[start:end]): sibling ranges from the leaf upwards. */
function pathRanges(m: number, start: number, end: number, out: LeafRange[]): LeafRange[] {
  const n = end - start;
  if (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      pathRanges(m, start, start + k, out);
      out.push({ start: start + k, end });
    } else {
      pathRanges(m - k, start + k, end, out);
      out.push({ start, end: start + k });
    }
  }
  return out;
}

/** RFC 9162 2.1.4.1 SUBPROOF(m, D[start:end], b). */
function subproofRanges(m: number, start: number, end: number, wholeOldTree: boolean, out: LeafRange[]): LeafRange[] {
  const n = end - start;
  if (m === n) {
    // The verifier already knows the old root; any other old subtree must be sent.
    if (!wholeOldTree) out.push({ start, end });
    return out;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofRanges(m, start, start + k, wholeOldTree, out);
    out.push({ start: start + k, end });
  } else {
    subproofRanges(m - k, start + k, end, false, out);
    out.push({ start, end: start + k });
  }
  return out;
}

function inclusionRanges(index: number, treeSize: number): LeafRange[] {
  if (!isSize(treeSize) || !isSize(index) || index >= treeSize) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${treeSize}`);
  }
  return pathRanges(index, 0, treeSize, []);
}

function consistencyRanges(size1: number, size2: number): LeafRange[] {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) {
    // Every tree is consistent with the empty tree; there is nothing to prove, so no proof.
    throw new RangeError(`no consistency proof from size ${size1} to size ${size2}: need 0 < size1 <= size2`);
  }
  return size1 === size2 ? [] : subproofRanges(size1, 0, size2, true, []);
}

/**
 * The perfect subtrees that make up [start, end), left to right. For every range the RFC
 * recursions produce, start is a multiple of the power of two at or above the range's size, so
 * folding these nodes from the right gives exactly MTH(D[start:end]).
 */
function perfectSubtrees(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    let width = 1;
    let level = 0;
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level += 1;
    }
    nodes.push({ level, index: at / width });
    at += width;
  }
  return nodes;
}

/** Folds subtree hashes listed left to right into the hash of the range they cover. */
function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  let hash = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHash(hashes[i], hash);
  return hash;
}

function hashLeafArray(leafHashes: readonly Uint8Array[]): RangeHasher {
  const mth: RangeHasher = (start, end) => {
    if (end - start === 1) return leafHashes[start];
    const k = splitPoint(end - start);
    return nodeHash(mth(start, start + k), mth(start + k, end));
  };
  return mth;
}

function hashFromNodes(getNode: NodeLookup): RangeHasher {
  return (start, end) => foldRight(perfectSubtrees(start, end).map((node) => getNode(node.level, node.index)));
}

function checkLeafCount(leafHashes: readonly Uint8Array[], treeSize: number): void {
  if (treeSize > leafHashes.length) {
    throw new RangeError(`tree size ${treeSize} exceeds the ${leafHashes.length} leaf hashes given`);
  }
}

// ---------------------------------------------------------------------------------------------
// Roots and proofs from an array of leaf hashes (O(n) per call: for tests, tools and small trees)

/** MTH over all the leaf hashes given. */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  return leafHashes.length === 0 ? emptyRoot() : hashLeafArray(leafHashes)(0, leafHashes.length);
}

/** Audit path for leaf `index` in the tree of the first `treeSize` leaf hashes. */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number, treeSize: number): Uint8Array[] {
  const ranges = inclusionRanges(index, treeSize);
  checkLeafCount(leafHashes, treeSize);
  const hashRange = hashLeafArray(leafHashes);
  return ranges.map((range) => hashRange(range.start, range.end));
}

/** Proof that the tree of the first `size1` leaves is a prefix of the tree of the first `size2`. */
export function consistencyProof(leafHashes: readonly Uint8Array[], size1: number, size2: number): Uint8Array[] {
  const ranges = consistencyRanges(size1, size2);
  checkLeafCount(leafHashes, size2);
  const hashRange = hashLeafArray(leafHashes);
  return ranges.map((range) => hashRange(range.start, range.end));
}

// ---------------------------------------------------------------------------------------------
// Roots and proofs from stored perfect-subtree nodes (O(log n) lookups per call)

/** The nodes `rootFromNodes` reads: the perfect subtrees along the tree's right edge. */
export function rootNodeIds(treeSize: number): NodeId[] {
  if (!isSize(treeSize)) throw new RangeError(`invalid tree size ${treeSize}`);
  return perfectSubtrees(0, treeSize);
}

/** The nodes `inclusionProofFromNodes` reads, so a database can fetch them in one query. */
export function inclusionProofNodeIds(index: number, treeSize: number): NodeId[] {
  return inclusionRanges(index, treeSize).flatMap((range) => perfectSubtrees(range.start, range.end));
}

/** The nodes `consistencyProofFromNodes` reads, so a database can fetch them in one query. */
export function consistencyProofNodeIds(size1: number, size2: number): NodeId[] {
  return consistencyRanges(size1, size2).flatMap((range) => perfectSubtrees(range.start, range.end));
}

export function rootFromNodes(getNode: NodeLookup, treeSize: number): Uint8Array {
  if (!isSize(treeSize)) throw new RangeError(`invalid tree size ${treeSize}`);
  return treeSize === 0 ? emptyRoot() : hashFromNodes(getNode)(0, treeSize);
}

export function inclusionProofFromNodes(getNode: NodeLookup, index: number, treeSize: number): Uint8Array[] {
  const hashRange = hashFromNodes(getNode);
  return inclusionRanges(index, treeSize).map((range) => hashRange(range.start, range.end));
}

export function consistencyProofFromNodes(getNode: NodeLookup, size1: number, size2: number): Uint8Array[] {
  const hashRange = hashFromNodes(getNode);
  return consistencyRanges(size1, size2).map((range) => hashRange(range.start, range.end));
}

/** A NodeLookup over fetched nodes; it throws a RangeError naming any node it was not given. */
export function nodeLookup(nodes: Iterable<MerkleNode>): NodeLookup {
  const byId = new Map<string, Uint8Array>();
  for (const node of nodes) byId.set(`${node.level}/${node.index}`, node.hash);
  return (level, index) => {
    const hash = byId.get(`${level}/${index}`);
    if (hash === undefined) throw new RangeError(`Merkle node (level ${level}, index ${index}) was not provided`);
    return hash;
  };
}

// ---------------------------------------------------------------------------------------------
// Verification: RFC 9162 2.1.3.2 and 2.1.4.2. Returns false on any malformed input, never throws.

/** Checks that `leafHash` is leaf `index` of the tree of `treeSize` leaves whose root is `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(root) || !isProof(proof)) return false;

  let fn = index;
  let sn = treeSize - 1;
  let hash = leafHash;
  for (const sibling of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      hash = nodeHash(sibling, hash);
      // Skip the levels where this node has no right sibling: it moves up unchanged.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      hash = nodeHash(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(hash, root);
}

/**
 * Checks that the tree of `size1` leaves with root `root1` is a prefix of the tree of `size2`
 * leaves with root `root2`. As in the transparency-dev/merkle test vectors, a proof from the empty
 * tree is rejected (it would prove nothing), and equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array) || !Array.isArray(proof)) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (!isHash(root1) || !isHash(root2) || proof.length === 0 || !isProof(proof)) return false;

  // When size1 is a power of two the old root is itself a node of the new tree, and not sent.
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
      oldHash = nodeHash(path[i], oldHash);
      newHash = nodeHash(path[i], newHash);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      newHash = nodeHash(newHash, path[i]);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(oldHash, root1) && bytesEqual(newHash, root2);
}

// ---------------------------------------------------------------------------------------------
// The frontier: the right edge of the tree, enough to append leaves and compute the root

export interface FrontierState {
  size: number;
  /** Hashes of the perfect subtrees along the right edge, largest (leftmost) first. */
  hashes: Uint8Array[];
}

/**
 * A compact range covering leaves [0, size): one perfect-subtree hash per set bit of size.
 * Appending is O(1) amortised and memory is O(log n), so it also serves as a streaming root
 * computer for verifying a whole log.
 */
export class MerkleFrontier {
  #size = 0;
  #hashes: Uint8Array[] = [];

  static fromState(size: number, hashes: readonly Uint8Array[]): MerkleFrontier {
    if (!isSize(size)) throw new RangeError(`invalid tree size ${size}`);
    if (hashes.length !== popCount(size)) {
      throw new RangeError(`a tree of size ${size} has ${popCount(size)} frontier hashes, not ${hashes.length}`);
    }
    if (!hashes.every(isHash)) throw new RangeError(`frontier hashes must be ${HASH_SIZE} bytes`);
    const frontier = new MerkleFrontier();
    frontier.#size = size;
    frontier.#hashes = [...hashes];
    return frontier;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds a leaf hash; returns the perfect subtrees it completes, from the leaf itself upwards. */
  append(leafHash: Uint8Array): MerkleNode[] {
    const completed: MerkleNode[] = [{ level: 0, index: this.#size, hash: leafHash }];
    this.add(leafHash, (level, index, hash) => void completed.push({ level, index, hash }));
    return completed;
  }

  /**
   * Adds a leaf hash and reports each interior node (level >= 1) it completes, from the bottom up.
   * The hot paths (append, verify) use this: no array or node object per leaf.
   */
  add(leafHash: Uint8Array, onInterior?: (level: number, index: number, hash: Uint8Array) => void): void {
    if (!isHash(leafHash)) throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes`);
    let hash = leafHash;
    let level = 0;
    let index = this.#size;
    // Each trailing one bit of the old size is a left sibling waiting for this subtree.
    for (let carry = this.#size; carry % 2 === 1; carry = (carry - 1) / 2) {
      hash = nodeHash(this.#hashes.pop() as Uint8Array, hash);
      level += 1;
      index = Math.floor(index / 2);
      onInterior?.(level, index, hash);
    }
    this.#hashes.push(hash);
    this.#size += 1;
  }

  root(): Uint8Array {
    return this.#size === 0 ? emptyRoot() : foldRight(this.#hashes);
  }

  state(): FrontierState {
    return { size: this.#size, hashes: [...this.#hashes] };
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function isProof(proof: readonly unknown[]): boolean {
  return Array.isArray(proof) && proof.every(isHash);
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
