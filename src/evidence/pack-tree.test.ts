// The Merkle tree of a pack's events, recomputed here or in a worker thread (pack-tree.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leafHash, MerkleFrontier } from '../ledger/merkle.js';
import { packTree } from './pack-tree.js';

test('the tree from a worker thread is the one computed here, and a sender far ahead of it is held back', async () => {
  // Not a power of two, and more than the batches the worker may have waiting (8 of 4,096).
  const leaves = Array.from({ length: 50_001 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
  const expected = new MerkleFrontier();
  for (const leaf of leaves) expected.add(leaf);
  const here = packTree(1, 2);
  const inWorker = packTree(2, 2);
  try {
    for (const leaf of leaves) here.add(leaf);
    assert.equal(here.room(), null, 'no worker, nothing to wait for');
    for (const leaf of leaves) inWorker.add(leaf);
    // Twelve batches went at once: the sender is told to wait until the worker has done some.
    const room = inWorker.room();
    assert.ok(room instanceof Promise, 'twelve batches in flight and no word to wait');
    await room;
    for (const tree of [here, inWorker]) {
      const { size, root } = await tree.finish();
      assert.equal(size, leaves.length);
      assert.deepEqual(Buffer.from(root), Buffer.from(expected.root()));
    }
  } finally {
    await inWorker.close();
    await here.close();
  }
});
