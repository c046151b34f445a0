// Merkle tree tests: the published transparency-dev/merkle vectors and golden files (copied into
// test/fixtures/merkle, see ATTRIBUTION.md there), then fast-check properties on trees of up to
// 4,096 leaves.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  consistencyProof,
  consistencyProofFromNodes,
  consistencyProofNodeIds,
  emptyRoot,
  inclusionProof,
  inclusionProofFromNodes,
  inclusionProofNodeIds,
  leafHash,
  MerkleFrontier,
  type MerkleNode,
  type NodeId,
  type NodeLookup,
  nodeHash,
  nodeLookup,
  rootFromNodes,
  rootHash,
  rootNodeIds,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

const fixtures = new URL('../../test/fixtures/merkle/', import.meta.url);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));
const hexes = (hashes: readonly Uint8Array[]) => hashes.map(hex);

// ---------------------------------------------------------------------------------------------
// Vectors from VECTORS.md sections A to D

describe('hasher vectors', () => {
  test('empty root, leaf and node hashes', () => {
    assert.equal(hex(emptyRoot()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(hex(rootHash([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(hex(leafHash(new Uint8Array(0))), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    assert.equal(hex(leafHash(Buffer.from('L123456'))), '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    assert.equal(
      hex(nodeHash(Buffer.from('N123'), Buffer.from('N456'))),
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  test('nodeHash on 32-byte inputs equals the general path and does not reuse its output', () => {
    const left = leafHash(Buffer.from('left'));
    const right = leafHash(Buffer.from('right'));
    const first = nodeHash(left, right);
    const second = nodeHash(right, left);
    assert.notEqual(hex(first), hex(second));
    assert.equal(hex(first), hex(nodeHash(left, right)));
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from([1]), left, right]))
      .digest();
    assert.equal(hex(first), hex(expected));
  });
});

const classicLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((leaf) =>
  leafHash(unhex(leaf)),
);

const classicRoots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const classicNodes: Record<number, string[]> = {
  0: [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  1: [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  2: [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  3: ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
};

const classicInclusion: Array<{ index: number; size: number; proof: string[] }> = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const classicConsistency: Array<{ size1: number; size2: number; proof: string[] }> = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

describe('the classic 8-leaf tree', () => {
  const frontier = new MerkleFrontier();
  const completed: MerkleNode[] = [];
  const frontierRoots = [hex(frontier.root())];
  for (const leaf of classicLeaves) {
    completed.push(...frontier.append(leaf));
    frontierRoots.push(hex(frontier.root()));
  }
  const lookup = nodeLookup(completed);

  test('roots for every size, three ways', () => {
    for (let size = 0; size <= 8; size++) {
      assert.equal(hex(rootHash(classicLeaves.slice(0, size))), classicRoots[size], `rootHash at size ${size}`);
      assert.equal(hex(rootFromNodes(lookup, size)), classicRoots[size], `rootFromNodes at size ${size}`);
    }
    assert.deepEqual(frontierRoots, classicRoots);
  });

  test('the frontier reports every node of the tree exactly once', () => {
    const byLevel: Record<number, string[]> = {};
    for (const node of completed) {
      byLevel[node.level] ??= [];
      assert.equal(byLevel[node.level].length, node.index, 'nodes on a level arrive in index order');
      byLevel[node.level].push(hex(node.hash));
    }
    assert.deepEqual(byLevel, classicNodes);
  });

  test('inclusion proofs', () => {
    for (const { index, size, proof } of classicInclusion) {
      assert.deepEqual(hexes(inclusionProof(classicLeaves, index, size)), proof, `array proof ${index}/${size}`);
      assert.deepEqual(hexes(inclusionProofFromNodes(lookup, index, size)), proof, `node proof ${index}/${size}`);
      assert.equal(verifyInclusion(classicLeaves[index], index, size, proof.map(unhex), unhex(classicRoots[size])), true);
    }
  });

  test('inclusion with index 0 in the empty tree is invalid', () => {
    assert.throws(() => inclusionProof(classicLeaves, 0, 0), RangeError);
    assert.throws(() => inclusionProofFromNodes(lookup, 0, 0), RangeError);
    assert.equal(verifyInclusion(classicLeaves[0], 0, 0, [], unhex(classicRoots[0])), false);
  });

  test('consistency proofs', () => {
    for (const { size1, size2, proof } of classicConsistency) {
      assert.deepEqual(hexes(consistencyProof(classicLeaves, size1, size2)), proof, `array proof ${size1}->${size2}`);
      assert.deepEqual(hexes(consistencyProofFromNodes(lookup, size1, size2)), proof, `node proof ${size1}->${size2}`);
      const root1 = unhex(classicRoots[size1]);
      const root2 = unhex(classicRoots[size2]);
      assert.equal(verifyConsistency(size1, size2, proof.map(unhex), root1, root2), true);
    }
  });

  test('node ids name the perfect subtrees each proof reads', () => {
    assert.deepEqual(inclusionProofNodeIds(1, 5), [
      { level: 0, index: 0 },
      { level: 1, index: 1 },
      { level: 0, index: 4 },
    ]);
    assert.deepEqual(consistencyProofNodeIds(6, 7), [
      { level: 1, index: 2 },
      { level: 0, index: 6 },
      { level: 2, index: 0 },
    ]);
    // [0, 7) = [0, 4) + [4, 6) + [6, 7)
    assert.deepEqual(rootNodeIds(7), [
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    // Inclusion of leaf 2 of 7 needs the hash of [4, 7), which is not a perfect subtree.
    assert.deepEqual(inclusionProofNodeIds(2, 7), [
      { level: 0, index: 3 },
      { level: 1, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    assert.equal(inclusionProofFromNodes(lookup, 2, 7).length, 3);
  });
});

// ---------------------------------------------------------------------------------------------
// Golden files (VECTORS.md sections E and F): each says whether verification must fail

interface InclusionProbe {
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  wantErr: boolean;
}

interface ConsistencyProbe {
  size1: number;
  size2: number;
  root1: string | null;
  root2: string | null;
  proof: string[] | null;
  wantErr: boolean;
}

interface SubtreeInclusionProbe extends Omit<InclusionProbe, 'treeSize'> {
  start: number;
  end: number;
}

interface SubtreeConsistencyProbe extends Omit<ConsistencyProbe, 'size1' | 'size2'> {
  start: number;
  end: number;
  size: number;
}

const goldenRoot = new URL('golden/', fixtures);
const goldenFiles = (readdirSync(goldenRoot, { recursive: true }) as string[]).filter((file) => file.endsWith('.json')).sort();
const readGolden = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, goldenRoot), 'utf8')) as T;
// Go's encoding/json writes []byte as base64 and nil as null.
const b64 = (text: string | null) => new Uint8Array(Buffer.from(text ?? '', 'base64'));
const b64s = (texts: string[] | null) => (texts ?? []).map(b64);

const filesIn = (family: string) => goldenFiles.filter((file) => file.startsWith(`${family}/`));

describe('golden files', () => {
  test('all 518 upstream files are present', () => {
    assert.equal(goldenFiles.length, 518);
    assert.equal(filesIn('inclusion').length, 98);
    assert.equal(filesIn('consistency').length, 98);
  });

  for (const file of filesIn('inclusion')) {
    const probe = readGolden<InclusionProbe>(file);
    test(`${file} ${probe.wantErr ? 'rejects' : 'accepts'}`, () => {
      const accepted = verifyInclusion(b64(probe.leafHash), probe.leafIdx, probe.treeSize, b64s(probe.proof), b64(probe.root));
      assert.equal(accepted, !probe.wantErr);
    });
  }

  for (const file of filesIn('consistency')) {
    const probe = readGolden<ConsistencyProbe>(file);
    test(`${file} ${probe.wantErr ? 'rejects' : 'accepts'}`, () => {
      const accepted = verifyConsistency(probe.size1, probe.size2, b64s(probe.proof), b64(probe.root1), b64(probe.root2));
      assert.equal(accepted, !probe.wantErr);
    });
  }

  // The subtree files test the newer "subtree" proofs (proofs about leaves [start, end) of a
  // larger tree), an API we do not offer. A subtree starting at leaf 0 is the tree of size `end`,
  // so those files are ordinary RFC 9162 proofs and we run them; the rest are skipped. Subtree
  // consistency from an empty subtree (end = 0) is also skipped: that API treats it as trivially
  // consistent, where RFC 9162 consistency from size 0 is rejected.
  const subtreeInclusion = filesIn('subtreeinclusion').map((file) => ({ file, probe: readGolden<SubtreeInclusionProbe>(file) }));
  const subtreeConsistency = filesIn('subtreeconsistency').map((file) => ({
    file,
    probe: readGolden<SubtreeConsistencyProbe>(file),
  }));
  const runnableInclusion = subtreeInclusion.filter(({ probe }) => probe.start === 0);
  const runnableConsistency = subtreeConsistency.filter(({ probe }) => probe.start === 0 && probe.end > 0);

  test('subtree files: how many fit the RFC 9162 API', () => {
    assert.equal(subtreeInclusion.length, 204);
    assert.equal(runnableInclusion.length, 101);
    assert.equal(subtreeConsistency.length, 118);
    assert.equal(runnableConsistency.length, 91);
  });

  for (const { file, probe } of runnableInclusion) {
    test(`${file} ${probe.wantErr ? 'rejects' : 'accepts'}`, () => {
      const accepted = verifyInclusion(b64(probe.leafHash), probe.leafIdx, probe.end, b64s(probe.proof), b64(probe.root));
      assert.equal(accepted, !probe.wantErr);
    });
  }

  for (const { file, probe } of runnableConsistency) {
    test(`${file} ${probe.wantErr ? 'rejects' : 'accepts'}`, () => {
      const accepted = verifyConsistency(probe.end, probe.size, b64s(probe.proof), b64(probe.root1), b64(probe.root2));
      assert.equal(accepted, !probe.wantErr);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Arguments: generators throw RangeError, verifiers return false

describe('bad arguments', () => {
  const root = unhex(classicRoots[8]);
  const proof = inclusionProof(classicLeaves, 5, 8);

  test('proof generators throw RangeError', () => {
    assert.throws(() => inclusionProof(classicLeaves, 8, 8), RangeError);
    assert.throws(() => inclusionProof(classicLeaves, -1, 8), RangeError);
    assert.throws(() => inclusionProof(classicLeaves, 1.5, 8), RangeError);
    assert.throws(() => inclusionProof(classicLeaves, 0, 9), RangeError, 'more leaves than given');
    assert.throws(() => consistencyProof(classicLeaves, 0, 8), RangeError, 'from the empty tree');
    assert.throws(() => consistencyProof(classicLeaves, 5, 4), RangeError);
    assert.throws(() => consistencyProof(classicLeaves, 4, 9), RangeError);
    assert.throws(() => consistencyProofNodeIds(3, 2), RangeError);
    assert.throws(() => inclusionProofNodeIds(Number.NaN, 2), RangeError);
    assert.throws(() => rootNodeIds(-1), RangeError);
    assert.throws(() => rootFromNodes(() => root, 2 ** 53), RangeError);
  });

  test('a missing stored node is named in the error', () => {
    const lookup = nodeLookup([{ level: 0, index: 0, hash: classicLeaves[0] }]);
    assert.throws(() => inclusionProofFromNodes(lookup, 0, 2), /level 0, index 1/);
  });

  test('verifyInclusion returns false on malformed input instead of throwing', () => {
    const leaf = classicLeaves[5];
    assert.equal(verifyInclusion(leaf, 5, 8, proof, root), true, 'the unmodified call verifies');
    const garbage: unknown[] = [null, undefined, 'x', 5, {}, [], new Uint8Array(31), new Uint8Array(33)];
    for (const bad of garbage) {
      assert.equal(verifyInclusion(bad as Uint8Array, 5, 8, proof, root), false);
      assert.equal(verifyInclusion(leaf, 5, 8, proof, bad as Uint8Array), false);
      assert.equal(verifyInclusion(leaf, 5, 8, [proof[0], bad as Uint8Array, proof[2]], root), false);
      assert.equal(verifyInclusion(leaf, 5, 8, bad as Uint8Array[], root), false);
    }
    for (const [index, size] of [
      [-1, 8],
      [5.5, 8],
      [5, 8.5],
      [Number.NaN, 8],
      [5, Number.POSITIVE_INFINITY],
      [5, 2 ** 53],
      [8, 8],
    ]) {
      assert.equal(verifyInclusion(leaf, index, size, proof, root), false, `index ${index}, size ${size}`);
    }
    assert.equal(verifyInclusion(leaf, 5, 8, [...proof, ...proof], root), false, 'too long');
    assert.equal(verifyInclusion(leaf, 5, 8, new Array(200).fill(proof[0]), root), false, 'far too long');
  });

  test('verifyConsistency returns false on malformed input instead of throwing', () => {
    const cproof = consistencyProof(classicLeaves, 6, 8);
    const root6 = unhex(classicRoots[6]);
    assert.equal(verifyConsistency(6, 8, cproof, root6, root), true, 'the unmodified call verifies');
    const garbage: unknown[] = [null, undefined, 'x', 5, {}, [], new Uint8Array(31)];
    for (const bad of garbage) {
      assert.equal(verifyConsistency(6, 8, cproof, bad as Uint8Array, root), false);
      assert.equal(verifyConsistency(6, 8, cproof, root6, bad as Uint8Array), false);
      assert.equal(verifyConsistency(6, 8, [bad as Uint8Array, ...cproof.slice(1)], root6, root), false);
      assert.equal(verifyConsistency(6, 8, bad as Uint8Array[], root6, root), false);
      if (!Array.isArray(bad)) assert.equal(verifyConsistency(8, 8, bad as Uint8Array[], root, root), false);
    }
    assert.equal(verifyConsistency(8, 8, [], root, root), true, 'equal sizes need an empty proof');
    for (const [size1, size2] of [
      [-6, 8],
      [6.5, 8],
      [6, Number.NaN],
      [6, 2 ** 53],
      [0, 8],
      [9, 8],
    ]) {
      assert.equal(verifyConsistency(size1, size2, cproof, root6, root), false, `sizes ${size1} -> ${size2}`);
    }
  });

  test('the frontier rejects malformed state and leaves', () => {
    assert.throws(() => MerkleFrontier.fromState(3, [root]), RangeError, 'size 3 needs two hashes');
    assert.throws(() => MerkleFrontier.fromState(2, [new Uint8Array(31)]), RangeError);
    assert.throws(() => MerkleFrontier.fromState(-1, []), RangeError);
    assert.throws(() => new MerkleFrontier().append(new Uint8Array(16)), RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties on one deterministic 4,096-leaf tree, computed once

const MAX_LEAVES = 4096;
const leaves = Array.from({ length: MAX_LEAVES }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
const storedNodes = new Map<string, Uint8Array>();
/** roots[n] = root of the first n leaves, computed by the frontier as they are appended. */
const roots: Uint8Array[] = [];
{
  const frontier = new MerkleFrontier();
  roots.push(frontier.root());
  for (const leaf of leaves) {
    for (const node of frontier.append(leaf)) storedNodes.set(`${node.level}/${node.index}`, node.hash);
    roots.push(frontier.root());
  }
}
const getNode: NodeLookup = (level, index) => {
  const hash = storedNodes.get(`${level}/${index}`);
  if (hash === undefined) throw new Error(`test tree has no node ${level}/${index}`);
  return hash;
};
/** A lookup holding only the listed nodes: proves the id lists are complete. */
const lookupOnly = (ids: NodeId[], treeSize: number): NodeLookup =>
  nodeLookup(
    ids.map((id) => {
      assert.ok((id.index + 1) * 2 ** id.level <= treeSize, `node ${id.level}/${id.index} lies inside the tree`);
      return { ...id, hash: getNode(id.level, id.index) };
    }),
  );

const flipBit = (hash: Uint8Array, bit: number): Uint8Array => {
  const copy = new Uint8Array(hash);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
};

// Reference shapes written straight from RFC 9162's PATH and SUBPROOF: which side each proof
// element joins on ('L' or 'R'), and for consistency whether the first element seeds the old root.
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function pathShape(m: number, n: number): string {
  if (n <= 1) return '';
  const k = splitPoint(n);
  return m < k ? `${pathShape(m, k)}R` : `${pathShape(m - k, n - k)}L`;
}
function subproofShape(m: number, n: number, wholeOldTree: boolean): string {
  if (m === n) return wholeOldTree ? '' : 'S';
  const k = splitPoint(n);
  return m <= k ? `${subproofShape(m, k, wholeOldTree)}R` : `${subproofShape(m - k, n - k, false)}L`;
}

const treeSize = fc.integer({ min: 1, max: MAX_LEAVES });
const sizeAndIndex = treeSize.chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
const sizePair = treeSize.chain((size2) => fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2)));

describe('properties', () => {
  test('frontier root equals rootHash for every size up to 1,024, and rootFromNodes up to 4,096', () => {
    for (let size = 0; size <= 1024; size++) {
      assert.equal(hex(roots[size]), hex(rootHash(leaves.slice(0, size))), `size ${size}`);
    }
    for (let size = 0; size <= MAX_LEAVES; size++) {
      assert.equal(hex(rootFromNodes(getNode, size)), hex(roots[size]), `size ${size}`);
    }
  });

  test('frontier root equals rootHash at random sizes up to 4,096', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_LEAVES }), (size) => {
        assert.equal(hex(rootHash(leaves.slice(0, size))), hex(roots[size]));
        assert.equal(hex(rootFromNodes(lookupOnly(rootNodeIds(size), size), size)), hex(roots[size]));
      }),
      { numRuns: 40 },
    );
  });

  test('a frontier restored from its state continues identically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 1, max: 300 }), (size, more) => {
        const original = new MerkleFrontier();
        for (const leaf of leaves.slice(0, size)) original.append(leaf);
        const { size: savedSize, hashes } = original.state();
        const restored = MerkleFrontier.fromState(savedSize, hashes);
        assert.equal(restored.size, size);
        for (const leaf of leaves.slice(size, size + more)) {
          const expected = original.append(leaf).map((node) => `${node.level}/${node.index}/${hex(node.hash)}`);
          assert.deepEqual(
            restored.append(leaf).map((node) => `${node.level}/${node.index}/${hex(node.hash)}`),
            expected,
          );
          assert.equal(hex(restored.root()), hex(roots[restored.size]));
        }
      }),
      { numRuns: 30 },
    );
  });

  test('every inclusion proof in the 4,096-leaf tree verifies', () => {
    const root = roots[MAX_LEAVES];
    for (let index = 0; index < MAX_LEAVES; index++) {
      const proof = inclusionProofFromNodes(getNode, index, MAX_LEAVES);
      assert.equal(verifyInclusion(leaves[index], index, MAX_LEAVES, proof, root), true, `leaf ${index}`);
    }
  });

  test('every consistency proof into the 4,096-leaf tree verifies', () => {
    for (let size1 = 1; size1 <= MAX_LEAVES; size1++) {
      const proof = consistencyProofFromNodes(getNode, size1, MAX_LEAVES);
      assert.equal(verifyConsistency(size1, MAX_LEAVES, proof, roots[size1], roots[MAX_LEAVES]), true, `from ${size1}`);
    }
  });

  test('all proofs in all trees of up to 48 leaves: array and node versions agree and verify', () => {
    for (let size = 1; size <= 48; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(leaves, index, size);
        assert.deepEqual(hexes(inclusionProofFromNodes(getNode, index, size)), hexes(proof));
        assert.equal(verifyInclusion(leaves[index], index, size, proof, roots[size]), true);
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const proof = consistencyProof(leaves, size1, size);
        assert.deepEqual(hexes(consistencyProofFromNodes(getNode, size1, size)), hexes(proof));
        assert.equal(verifyConsistency(size1, size, proof, roots[size1], roots[size]), true);
      }
    }
  });

  test('inclusion: node-based proofs equal array-based ones and verify', () => {
    fc.assert(
      fc.property(sizeAndIndex, ([size, index]) => {
        const ids = inclusionProofNodeIds(index, size);
        const fromNodes = inclusionProofFromNodes(lookupOnly(ids, size), index, size);
        assert.deepEqual(hexes(fromNodes), hexes(inclusionProof(leaves, index, size)));
        assert.equal(verifyInclusion(leaves[index], index, size, fromNodes, roots[size]), true);
      }),
      { numRuns: 150 },
    );
  });

  test('inclusion: any one-bit change to a proof element, the leaf or the root is rejected', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), fc.integer({ min: 0, max: 255 }), ([size, index], pick, bit) => {
        const proof = inclusionProofFromNodes(getNode, index, size);
        const root = roots[size];
        const leaf = leaves[index];
        assert.equal(verifyInclusion(flipBit(leaf, bit), index, size, proof, root), false, 'leaf');
        assert.equal(verifyInclusion(leaf, index, size, proof, flipBit(root, bit)), false, 'root');
        if (proof.length > 0) {
          const tampered = [...proof];
          const at = pick % proof.length;
          tampered[at] = flipBit(proof[at], bit);
          assert.equal(verifyInclusion(leaf, index, size, tampered, root), false, `proof[${at}]`);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('inclusion: a proof is rejected for any other leaf index', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat({ max: 2 * MAX_LEAVES }), ([size, index], otherIndex) => {
        fc.pre(otherIndex !== index);
        const proof = inclusionProofFromNodes(getNode, index, size);
        assert.equal(verifyInclusion(leaves[index], otherIndex, size, proof, roots[size]), false);
      }),
      { numRuns: 300 },
    );
  });

  // The root does not commit to the tree size: when two sizes give leaf `index` an audit path of
  // the same shape, the same proof verifies for both. Checkpoints sign size and root together, so
  // a verifier must take the size from the checkpoint, never from the proof's sender.
  test('inclusion: another tree size is rejected unless its audit path has the same shape', () => {
    assert.equal(pathShape(0, 3), pathShape(0, 4));
    assert.equal(verifyInclusion(leaves[0], 0, 3, inclusionProof(leaves, 0, 4), roots[4]), true, 'the known ambiguity');
    fc.assert(
      fc.property(sizeAndIndex, fc.integer({ min: 1, max: 2 * MAX_LEAVES }), ([size, index], otherSize) => {
        fc.pre(otherSize !== size);
        const proof = inclusionProofFromNodes(getNode, index, size);
        const sameShape = index < otherSize && pathShape(index, otherSize) === pathShape(index, size);
        assert.equal(verifyInclusion(leaves[index], index, otherSize, proof, roots[size]), sameShape);
      }),
      { numRuns: 400 },
    );
  });

  test('consistency: node-based proofs equal array-based ones and verify', () => {
    fc.assert(
      fc.property(sizePair, ([size1, size2]) => {
        const ids = consistencyProofNodeIds(size1, size2);
        const fromNodes = consistencyProofFromNodes(lookupOnly(ids, size2), size1, size2);
        assert.deepEqual(hexes(fromNodes), hexes(consistencyProof(leaves, size1, size2)));
        assert.equal(verifyConsistency(size1, size2, fromNodes, roots[size1], roots[size2]), true);
      }),
      { numRuns: 150 },
    );
  });

  test('consistency: any one-bit change to a proof element or either root is rejected', () => {
    fc.assert(
      fc.property(sizePair, fc.nat(), fc.integer({ min: 0, max: 255 }), ([size1, size2], pick, bit) => {
        const proof = consistencyProofFromNodes(getNode, size1, size2);
        const [root1, root2] = [roots[size1], roots[size2]];
        assert.equal(verifyConsistency(size1, size2, proof, flipBit(root1, bit), root2), false, 'root1');
        assert.equal(verifyConsistency(size1, size2, proof, root1, flipBit(root2, bit)), false, 'root2');
        if (proof.length > 0) {
          const tampered = [...proof];
          const at = pick % proof.length;
          tampered[at] = flipBit(proof[at], bit);
          assert.equal(verifyConsistency(size1, size2, tampered, root1, root2), false, `proof[${at}]`);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('consistency: other sizes are rejected unless the proof has the same shape for them', () => {
    fc.assert(
      fc.property(
        sizePair,
        fc.integer({ min: 0, max: 2 * MAX_LEAVES }),
        fc.integer({ min: 0, max: 2 * MAX_LEAVES }),
        fc.constantFrom('size1', 'size2', 'both'),
        ([size1, size2], other1, other2, change) => {
          const wrong1 = change === 'size2' ? size1 : other1;
          const wrong2 = change === 'size1' ? size2 : other2;
          fc.pre(wrong1 !== size1 || wrong2 !== size2);
          const proof = consistencyProofFromNodes(getNode, size1, size2);
          const expected =
            size1 === size2
              ? wrong1 === wrong2 && wrong1 > 0 // empty proof, equal roots: any equal sizes pass
              : wrong1 > 0 && wrong1 < wrong2 && subproofShape(wrong1, wrong2, true) === subproofShape(size1, size2, true);
          assert.equal(verifyConsistency(wrong1, wrong2, proof, roots[size1], roots[size2]), expected);
        },
      ),
      { numRuns: 400 },
    );
  });
});
