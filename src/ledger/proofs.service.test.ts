// Proofs from storage must equal proofs computed from the full list of leaf hashes, for every tree
// size: ledger_nodes holds only level 4 and above, so the lower nodes are recomputed from leaf
// hashes, and every mix of stored and recomputed nodes occurs in a tree of 70 leaves.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestStore, DIALECTS } from '../../test/stores.js';
import { systemContext } from '../context.js';
import type { Store } from '../db/store.js';
import { appendEvents } from './ledger.service.js';
import { consistencyProof, inclusionProof, rootHash } from './merkle.js';
import { proveConsistency, proveInclusion } from './proofs.service.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const SIZE = 70;

for (const dialect of DIALECTS) {
  describe(`proofs from stored and recomputed nodes [${dialect}]`, () => {
    let store: Store;
    let leaves: Uint8Array[];
    before(async () => {
      store = await createTestStore(dialect);
      const inputs = Array.from({ length: SIZE }, (_, i) => ({ type: 'test.proved', subject: { type: 'thing', id: `t${i}` } }));
      // In three appends, so stored nodes come from more than one transaction.
      for (const part of [inputs.slice(0, 9), inputs.slice(9, 40), inputs.slice(40)])
        await store.transact((trx) => appendEvents(trx, systemContext('t'), part));
      const rows = await store.db.selectFrom('ledger_events').select('leaf_hash').orderBy('seq').execute();
      leaves = rows.map((r) => new Uint8Array(r.leaf_hash));
    });
    after(() => store.close());

    test('only nodes of level 4 and above are stored', async () => {
      const rows = await store.db.selectFrom('ledger_nodes').select(['level', 'idx']).execute();
      assert.deepEqual(rows.map((r) => `${r.level}/${r.idx}`).sort(), ['4/0', '4/1', '4/2', '4/3', '5/0', '5/1', '6/0']);
    });

    test('every inclusion proof and root equals the one from all leaf hashes', async () => {
      for (let size = 1; size <= SIZE; size++) {
        for (const seq of new Set([0, size - 1, Math.floor(size / 2), Math.floor(size / 3)])) {
          const proof = await proveInclusion(store.db, { seq, treeSize: size });
          assert.deepEqual(proof.proof, inclusionProof(leaves, seq, size).map(hex), `seq ${seq} in ${size}`);
          assert.equal(proof.rootHash, hex(rootHash(leaves.slice(0, size))));
        }
      }
    });

    test('every consistency proof equals the one from all leaf hashes', async () => {
      for (let size2 = 1; size2 <= SIZE; size2 += 3) {
        for (let size1 = 1; size1 <= size2; size1 += 2) {
          const proof = await proveConsistency(store.db, { size1, size2 });
          assert.deepEqual(proof.proof, consistencyProof(leaves, size1, size2).map(hex), `${size1} -> ${size2}`);
          assert.equal(proof.root1, hex(rootHash(leaves.slice(0, size1))));
        }
      }
    });
  });
}
