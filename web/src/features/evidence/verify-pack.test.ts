// @vitest-environment node
/// <reference types="node" />
// The browser's pack verifier on packs the server's own writer made (fixtures/, written by
// scripts/web-pack-fixture.ts): a whole-organisation pack (every leaf, the root recomputed) and a
// system pack (audit paths) verify; one changed byte names its file, a changed event with its digest
// recomputed names the event's sequence number (or the root), and another key fails on the signature.
import fs from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PACK_FILES, type PackProgress, verifyPack } from './verify-pack';

const fixture = (name: string) => new Uint8Array(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const KEY = strFromU8(fixture('verifier-key.txt')).trim();
const OTHER_KEY = strFromU8(fixture('other-key.txt')).trim();
const ORGANISATION = fixture('organisation-pack.zip');
const SYSTEM = fixture('system-pack.zip');

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes as BufferSource)).toString('hex');
}

/** The pack with one byte of `name` changed (inside the content, never a newline or a quote). */
async function tamper(pack: Uint8Array, name: string, { fixDigest = false } = {}): Promise<Uint8Array> {
  const files = unzipSync(pack);
  const content = new Uint8Array(files[name]);
  let at = Math.floor(content.length / 2);
  while (content[at] === 10 || content[at] === 34) at += 1;
  content[at] = content[at] === 0x61 ? 0x62 : 0x61;
  files[name] = content;
  if (fixDigest) {
    const manifest = JSON.parse(strFromU8(files[PACK_FILES.manifest]));
    manifest.files[name] = await sha256Hex(content);
    // Re-inserted so the manifest stays the zip's last entry, as the writer puts it.
    delete files[PACK_FILES.manifest];
    files[PACK_FILES.manifest] = strToU8(JSON.stringify(manifest));
  }
  return zipSync(files);
}

describe('verifyPack on packs written by the server', () => {
  it('verifies a whole-organisation pack (the root recomputed from every leaf) and reports its progress', async () => {
    const steps: PackProgress[] = [];
    const result = await verifyPack(ORGANISATION, KEY, { onProgress: (p) => steps.push(p) });
    expect(result.problem).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.events).toBe(result.treeSize);
    expect(result.filesChecked).toBe(Object.keys(unzipSync(ORGANISATION)).length - 1);
    expect(result.summary?.scope.kind).toBe('organisation');
    expect(steps.map((s) => s.step)).toContain(PACK_FILES.events);
    expect(steps.at(-1)?.step).toBe('done');
  });

  it('verifies a system pack (each event with its audit path, consistency from earlier checkpoints)', async () => {
    const result = await verifyPack(SYSTEM, KEY);
    expect(result.problem).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.events).toBeGreaterThan(0);
    expect(result.events).toBeLessThan(result.treeSize as number);
    expect(result.summary?.scope.kind).toBe('system');
  });

  it('one byte changed in the events file fails, naming that file', async () => {
    for (const pack of [ORGANISATION, SYSTEM]) {
      const result = await verifyPack(await tamper(pack, PACK_FILES.events), KEY);
      expect(result.ok).toBe(false);
      expect(result.problem?.file).toBe(PACK_FILES.events);
      expect(result.problem?.reason).toMatch(/SHA-256 .* differs from manifest\.json/);
    }
  });

  it('one byte changed in any other file fails, naming that file', async () => {
    const files = unzipSync(SYSTEM);
    for (const name of Object.keys(files)) {
      if (name === PACK_FILES.manifest || files[name].length === 0) continue;
      const result = await verifyPack(await tamper(SYSTEM, name), KEY);
      expect(result.ok, name).toBe(false);
      expect(result.problem?.file, name).toBe(name);
    }
  });

  it('a changed event with its manifest digest recomputed fails on its sequence number (audit paths)', async () => {
    const events = strFromU8(unzipSync(SYSTEM)[PACK_FILES.events]).trim().split('\n');
    const result = await verifyPack(await tamper(SYSTEM, PACK_FILES.events, { fixDigest: true }), KEY);
    expect(result.ok).toBe(false);
    expect(result.problem?.file).toBe(PACK_FILES.events);
    // The byte changed sits in the middle of the file: one of its events, named by its seq.
    const seqs = events.map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(typeof result.problem?.seq).toBe('number');
    expect(seqs).toContain(result.problem?.seq);
    expect(result.problem?.reason).toMatch(/not included/);
  });

  it('a changed event with its digest recomputed fails on the root when the pack holds the whole tree', async () => {
    const result = await verifyPack(await tamper(ORGANISATION, PACK_FILES.events, { fixDigest: true }), KEY);
    expect(result.ok).toBe(false);
    expect(result.problem?.file).toBe(PACK_FILES.events);
    expect(result.problem?.reason).toMatch(/root|JSON/);
  });

  it('another key fails on the checkpoint signature; a malformed key or zip is named as such', async () => {
    const wrong = await verifyPack(SYSTEM, OTHER_KEY);
    expect(wrong.ok).toBe(false);
    expect(wrong.problem?.file).toBe(PACK_FILES.manifest);
    expect(wrong.problem?.reason).toMatch(/^checkpoint: the checkpoint is not signed by/);
    const badKey = await verifyPack(SYSTEM, 'not a key');
    expect(badKey.problem?.file).toBe('(key)');
    const notZip = await verifyPack(strToU8('hello'), KEY);
    expect(notZip.problem?.file).toBe('(zip)');
  });

  it('a file left out of the zip, or one the manifest does not list, is named', async () => {
    const files = unzipSync(SYSTEM);
    const { [PACK_FILES.checkpoint]: _left, ...rest } = files;
    const missing = await verifyPack(zipSync(rest), KEY);
    expect(missing.problem).toEqual({ file: PACK_FILES.checkpoint, reason: 'listed in manifest.json but missing from the zip' });
    const extra = await verifyPack(zipSync({ 'extra.txt': strToU8('x'), ...files }), KEY);
    expect(extra.problem?.file).toBe('extra.txt');
  });
});
