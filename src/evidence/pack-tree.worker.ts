// Worker thread of evidence-pack verification (pack-tree.ts): extends the Merkle tree of a pack's
// events with their leaf hashes, in order, while the main thread reads, inflates and hashes them.
// Messages in: { kind: 'leaves', buffer, count } (count 32-byte leaf hashes, in ledger order), then
// { kind: 'end' }. Out: { kind: 'done' } after each batch, then { kind: 'root', size, root }.
import { parentPort } from 'node:worker_threads';
import { HASH_SIZE, MerkleFrontier } from '../ledger/merkle.js';

type Message = { kind: 'leaves'; buffer: ArrayBuffer; count: number } | { kind: 'end' };

const port = parentPort;
if (!port) throw new Error('pack-tree.worker runs as a worker thread');
const frontier = new MerkleFrontier();
port.on('message', (message: Message) => {
  if (message.kind === 'end') {
    port.postMessage({ kind: 'root', size: frontier.size, root: frontier.root() });
    return;
  }
  // Views, not copies: the frontier keeps at most one hash per level, so few batches stay alive.
  const bytes = new Uint8Array(message.buffer);
  for (let i = 0; i < message.count; i++) frontier.add(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  port.postMessage({ kind: 'done' });
});
