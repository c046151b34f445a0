// @vitest-environment node
// The browser's proof check against public vectors (fixtures/rfc-vectors.json: transparency-dev/merkle,
// golang.org/x/mod sumdb/note; attribution inside) and against leaves, proofs and a checkpoint
// computed by the server's own code (fixtures/server-*.json), so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import { eventLeaf } from '../../../../src/ledger/event-leaf.js';
import vectors from './fixtures/rfc-vectors.json';
import server from './fixtures/server-checkpoint.json';
import serverLeaf from './fixtures/server-leaf.json';
import {
  canonicalJson,
  fromHex,
  leafHash,
  nodeHash,
  parseCheckpoint,
  parseVerifierKey,
  toHex,
  verifyEntry,
  verifyInclusion,
  verifyNote,
} from './proof';

const hex = (text: string) => fromHex(text) as Uint8Array;

describe('RFC 9162 hashing (transparency-dev/merkle vectors)', () => {
  it('hashes leaves with the 0x00 prefix and nodes with 0x01', async () => {
    expect(toHex(await leafHash(hex(vectors.hasher.emptyLeaf.input)))).toBe(vectors.hasher.emptyLeaf.hash);
    expect(toHex(await leafHash(hex(vectors.hasher.leaf.input)))).toBe(vectors.hasher.leaf.hash);
    const { left, right, hash } = vectors.hasher.children;
    expect(toHex(await nodeHash(hex(left), hex(right)))).toBe(hash);
  });

  it('accepts every happy path and rejects every mutation of the golden inclusion files', async () => {
    expect(vectors.inclusion.filter((c) => !c.wantErr).length).toBeGreaterThan(2);
    for (const c of vectors.inclusion) {
      const result = await verifyInclusion(hex(c.leafHash), c.leafIdx, c.treeSize, c.proof.map(hex), hex(c.root));
      expect(result.ok, c.file).toBe(!c.wantErr);
    }
  });
});

describe('signed notes with Ed25519 in Web Crypto (sumdb/note vectors)', () => {
  it('verifies a note and a real sum.golang.org checkpoint, and parses the checkpoint', async () => {
    const peter = await parseVerifierKey(vectors.notes.peter.vkey);
    expect(peter.ok).toBe(true);
    if (!peter.ok) return;
    expect(await verifyNote(vectors.notes.peter.note, peter.value)).toEqual({
      ok: true,
      value: `${vectors.notes.peter.note.split('\n\n')[0]}\n`,
    });
    const sumdb = await parseVerifierKey(vectors.notes.sumdb.vkey);
    if (!sumdb.ok) throw new Error(sumdb.reason);
    const body = await verifyNote(vectors.notes.sumdb.note, sumdb.value);
    if (!body.ok) throw new Error(body.reason);
    const checkpoint = parseCheckpoint(body.value);
    expect(checkpoint.ok && checkpoint.value.treeSize).toBe(6476701);
    expect(checkpoint.ok && checkpoint.value.origin).toBe('go.sum database tree');
  });

  it('refuses a changed checkpoint, a note by another key and malformed keys', async () => {
    const sumdb = await parseVerifierKey(vectors.notes.sumdb.vkey);
    if (!sumdb.ok) throw new Error(sumdb.reason);
    const altered = await verifyNote(vectors.notes.sumdb.note.replace('6476701', '6476702'), sumdb.value);
    expect(altered).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    expect(await verifyNote(vectors.notes.peter.note, sumdb.value)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not signed by/),
    });
    for (const bad of vectors.notes.badVkeys) expect((await parseVerifierKey(bad)).ok, bad).toBe(false);
  });
});

describe('one ledger entry end to end, against the server code', () => {
  it('canonicalises an event exactly as the server writes its leaf, and hashes it the same', async () => {
    const envelope = serverLeaf.envelope;
    expect(eventLeaf(envelope)).toBe(serverLeaf.leaf);
    expect(canonicalJson(JSON.parse(serverLeaf.leaf))).toBe(serverLeaf.leaf);
    expect(toHex(await leafHash(new TextEncoder().encode(canonicalJson(envelope))))).toBe(serverLeaf.leafHash);
  });

  it('verifies every entry of a server-made tree against its signed checkpoint', async () => {
    for (const entry of server.entries) {
      const result = await verifyEntry(
        { seq: entry.seq, eventId: entry.eventId },
        { seq: entry.seq, leaf: entry.leaf, treeSize: 5, proof: entry.proof },
        server.checkpoint,
        server.verifierKey,
      );
      expect(result, `entry ${entry.seq}`).toEqual({
        ok: true,
        value: expect.objectContaining({ treeSize: 5, rootHash: server.rootHash, origin: 'proofline.test/ledger' }),
      });
    }
  });

  it('fails with a reason for a tampered leaf, proof, checkpoint, key or a mismatched entry', async () => {
    const entry = server.entries[3];
    const answer = { seq: 3, leaf: entry.leaf, treeSize: 5, proof: entry.proof };
    const check = (overrides: Partial<typeof answer>, checkpoint = server.checkpoint, key = server.verifierKey, eventId = entry.eventId) =>
      verifyEntry({ seq: 3, eventId }, { ...answer, ...overrides }, checkpoint, key);
    const reasons = {
      leaf: await check({ leaf: entry.leaf.replace('Change number 3', 'Change number 9') }),
      proof: await check({ proof: [entry.proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0')), ...entry.proof.slice(1)] }),
      shortProof: await check({ proof: entry.proof.slice(1) }),
      size: await check({ treeSize: 4 }),
      checkpoint: await check({}, server.checkpoint.replace('\n5\n', '\n6\n')),
      key: await check({}, server.checkpoint, server.otherVerifierKey),
      entry: await check({}, server.checkpoint, server.verifierKey, 'evt-other'),
      notCanonical: await check({ leaf: JSON.stringify(JSON.parse(entry.leaf), null, 1) }),
    };
    expect(reasons.leaf).toMatchObject({ ok: false, reason: 'the proof does not lead to the root hash' });
    expect(reasons.proof).toMatchObject({ ok: false, reason: 'the proof does not lead to the root hash' });
    expect(reasons.shortProof).toMatchObject({ ok: false, reason: 'the proof is shorter than the tree is deep' });
    expect(reasons.size).toMatchObject({ ok: false, reason: expect.stringMatching(/proof is for 4 entries, the checkpoint signs 5/) });
    expect(reasons.checkpoint).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    expect(reasons.key).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed by/) });
    expect(reasons.entry).toMatchObject({ ok: false, reason: 'the proof is about another event than this entry' });
    expect(reasons.notCanonical).toMatchObject({ ok: false, reason: 'the leaf is not in canonical form' });
  });
});
