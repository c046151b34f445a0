// Signed-note and checkpoint tests: published vectors (golang.org/x/mod sumdb/note, the C2SP
// signed-note example, transparency-dev/formats; see test/fixtures/merkle/ATTRIBUTION.md), round
// trips, tampering, and malformed input that must fail without throwing.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  encodeSignerKey,
  encodeVerifierKey,
  formatCheckpoint,
  keyId,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  rawPublicKey,
  signNote,
  verifyCheckpoint,
  verifyNote,
} from './checkpoint-note.js';
import { leafHash, rootHash } from './merkle.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function verifierFrom(vkey: string): NoteVerifier {
  const parsed = parseVerifierKey(vkey);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return parsed.value;
}

function assertFails(result: { ok: boolean }, why: string): void {
  assert.equal(result.ok, false, why);
  assert.equal(typeof (result as { reason?: unknown }).reason, 'string', `${why}: has a reason`);
}

// golang.org/x/mod/sumdb/note note_test.go
const peterSigner = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const peterVerifier = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const enochVerifier = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const neumannText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterSig = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochSig = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// c2sp.org/signed-note example
const exampleVerifier = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const exampleNote =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

// transparency-dev/formats log/note_test.go: a real sum.golang.org checkpoint
const sumdbVerifier = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const sumdbCheckpoint =
  'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n';

describe('published vectors', () => {
  test('signing with the sumdb test key reproduces its signature byte for byte', () => {
    const signer = parseSignerKey(peterSigner);
    assert.ok(signer.ok);
    assert.equal(hex(signer.value.keyId), 'c74f20a3');
    assert.equal(signNote(neumannText, signer.value), `${neumannText}\n${peterSig}`);
  });

  test('key strings re-encode to themselves', () => {
    const signer = parseSignerKey(peterSigner);
    assert.ok(signer.ok);
    assert.equal(encodeSignerKey('PeterNeumann', signer.value.privateKey), peterSigner);
    assert.equal(encodeVerifierKey('PeterNeumann', signer.value.privateKey), peterVerifier);
    assert.equal(encodeVerifierKey('PeterNeumann', verifierFrom(peterVerifier).publicKey), peterVerifier);
  });

  test('key ids follow SHA-256(name || 0x0A || 0x01 || key)[:4]', () => {
    for (const [vkey, id] of [
      [peterVerifier, 'c74f20a3'],
      [exampleVerifier, '530d903a'],
      [enochVerifier, 'af0cfe78'],
      [sumdbVerifier, '033de0ae'],
    ]) {
      const verifier = verifierFrom(vkey);
      assert.equal(hex(keyId(verifier.name, rawPublicKey(verifier.publicKey))), id, vkey);
    }
  });

  test('a note with an unknown second signature verifies by the known key only', () => {
    const note = `${neumannText}\n${peterSig}${enochSig}`;
    const verified = verifyNote(note, verifierFrom(peterVerifier));
    assert.ok(verified.ok);
    assert.equal(verified.value.body, neumannText);
    assert.equal(verified.value.verifiedBy.name, 'PeterNeumann');
    assert.deepEqual(
      verified.value.signatures.map((sig) => sig.name),
      ['PeterNeumann', 'EnochRoot'],
    );
    const byEnoch = verifyNote(note, verifierFrom(enochVerifier));
    assert.ok(byEnoch.ok, 'the same note also verifies against the second key');
    assertFails(verifyNote(`${neumannText}\n${enochSig}`, verifierFrom(peterVerifier)), 'signed by Enoch only');
  });

  test('the C2SP signed-note example verifies', () => {
    const verified = verifyNote(exampleNote, verifierFrom(exampleVerifier));
    assert.ok(verified.ok);
    assert.equal(verified.value.body, 'This is an example message.\n');
  });

  test('the sum.golang.org checkpoint verifies and parses, and fails once its size changes', () => {
    const verifier = verifierFrom(sumdbVerifier);
    const verified = verifyCheckpoint(sumdbCheckpoint, verifier);
    assert.ok(verified.ok);
    assert.equal(verified.value.checkpoint.origin, 'go.sum database tree');
    assert.equal(verified.value.checkpoint.treeSize, 6476701);
    assert.equal(
      hex(verified.value.checkpoint.rootHash),
      Buffer.from('mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=', 'base64').toString('hex'),
    );
    assert.deepEqual(verified.value.checkpoint.extensions, []);
    assertFails(verifyCheckpoint(sumdbCheckpoint.replace('6476701', '6476702'), verifier), 'size changed');
  });

  test('malformed verifier keys are rejected', () => {
    assertFails(parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='), 'wrong length');
    assertFails(parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'unknown algorithm');
    assertFails(parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'id does not match');
    assertFails(parseVerifierKey('Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'space in name');
    assertFails(parseVerifierKey('PeterNeumann+c74f20a3'), 'missing key');
    assertFails(parseVerifierKey('PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'short id');
    assertFails(parseSignerKey(peterVerifier), 'a verifier key is not a signer key');
    assertFails(parseSignerKey(peterSigner.replace('c74f20a3', 'c74f20a4')), 'signer id does not match');
  });

  test('a cosignature blob (key id, timestamp, signature) is not accepted as an Ed25519 note signature', () => {
    // transparency-dev/formats note_cosigv1_test.go: 4-byte id, 8-byte timestamp, 64-byte signature.
    const cosig = Buffer.from(
      'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
      'base64',
    );
    assert.equal(cosig.length, 76);
    assert.equal(hex(cosig.subarray(0, 4)), '646846b9');
    assert.equal(cosig.readBigUInt64BE(4), 1727964367n);
    // Re-label the blob with Peter's key id: a signature that claims his key but has the wrong
    // length must fail the note, not be skipped.
    const relabelled = Buffer.concat([Buffer.from('c74f20a3', 'hex'), cosig.subarray(4)]).toString('base64');
    const note = `${neumannText}\n— PeterNeumann ${relabelled}\n`;
    const result = verifyNote(note, verifierFrom(peterVerifier));
    assertFails(result, 'wrong signature type');
    assert.match((result as { reason: string }).reason, /invalid signature/);
  });
});

describe('checkpoints', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = { name: 'proofline.example/ledger', privateKey };
  const verifier = { name: 'proofline.example/ledger', publicKey };
  const root = rootHash(['a', 'b', 'c'].map((leaf) => leafHash(Buffer.from(leaf))));

  test('format, sign, verify and parse round trip', () => {
    const body = formatCheckpoint({ origin: 'proofline.example/ledger', treeSize: 3, rootHash: root, extensions: ['ext one'] });
    assert.equal(body, `proofline.example/ledger\n3\n${Buffer.from(root).toString('base64')}\next one\n`);
    const note = signNote(body, signer);
    assert.match(note, /\n\n— proofline\.example\/ledger [A-Za-z0-9+/]{91}=\n$/);
    const verified = verifyCheckpoint(note, verifier);
    assert.ok(verified.ok);
    assert.deepEqual(
      { ...verified.value.checkpoint, rootHash: hex(verified.value.checkpoint.rootHash) },
      { origin: 'proofline.example/ledger', treeSize: 3, rootHash: hex(root), extensions: ['ext one'] },
    );
    const parsedOnly = parseCheckpoint(note);
    assert.ok(parsedOnly.ok, 'parseCheckpoint accepts the whole note too');
    assert.equal(parsedOnly.value.treeSize, 3);
  });

  test('a fresh key round trips through its key strings', () => {
    const signerKey = parseSignerKey(encodeSignerKey(signer.name, privateKey));
    const verifierKey = parseVerifierKey(encodeVerifierKey(verifier.name, publicKey));
    assert.ok(signerKey.ok && verifierKey.ok);
    assert.equal(hex(signerKey.value.keyId), hex(verifierKey.value.keyId));
    const note = signNote(formatCheckpoint({ origin: 'o', treeSize: 0, rootHash: root }), signerKey.value);
    assert.ok(verifyNote(note, verifierKey.value).ok);
    assert.ok(verifyNote(note, verifier).ok);
  });

  test('tampering with the body, the signature or the key is detected', () => {
    const note = signNote(formatCheckpoint({ origin: 'proofline.example/ledger', treeSize: 3, rootHash: root }), signer);
    assertFails(verifyCheckpoint(note.replace('\n3\n', '\n4\n'), verifier), 'size changed');
    assertFails(verifyCheckpoint(note.replace('proofline.example/ledger\n', 'proofline.example/other\n'), verifier), 'origin');
    const sigStart = note.lastIndexOf(' ') + 1;
    const blob = Buffer.from(note.slice(sigStart, -1), 'base64');
    for (const byte of [4, 30, 67]) {
      const flipped = Buffer.from(blob);
      flipped[byte] ^= 1;
      const tampered = `${note.slice(0, sigStart)}${flipped.toString('base64')}\n`;
      assertFails(verifyNote(tampered, verifier), `signature byte ${byte}`);
    }
    const other = generateKeyPairSync('ed25519');
    assertFails(verifyNote(note, { name: verifier.name, publicKey: other.publicKey }), 'another key with the same name');
    assertFails(verifyNote(note, { name: 'someone.else', publicKey }), 'the right key under another name');
    const forged = signNote(formatCheckpoint({ origin: 'proofline.example/ledger', treeSize: 4, rootHash: root }), {
      name: signer.name,
      privateKey: other.privateKey,
    });
    assertFails(verifyNote(forged, verifier), 'signed by an impostor key');
  });

  test('malformed notes and checkpoints fail without throwing', () => {
    const good = signNote(formatCheckpoint({ origin: 'o', treeSize: 1, rootHash: root }), signer);
    const notes: unknown[] = [
      '',
      '\n',
      '\n\n',
      'no signature block\n',
      good.slice(0, -1), // no final newline
      good.replace('— ', '-- '),
      good.replace('— ', '—'),
      good.replace(/ [^ ]+\n$/, ' not*base64\n'),
      good.replace(/ [^ ]+\n$/, ' AAAA\n'), // too short for a key id and signature
      good.replace(/ [^ ]+\n$/, '\n'),
      good.replace('o\n', 'o\u0007\n'), // control character
      good.replace('o\n', 'o\ud800\n'), // lone surrogate
      `${good}${'— x AAAAAAAA\n'.repeat(101)}`,
      null,
      undefined,
      42,
    ];
    for (const note of notes) {
      assertFails(verifyNote(note as string, verifier), `verifyNote(${JSON.stringify(note)})`);
      assertFails(verifyCheckpoint(note as string, verifier), `verifyCheckpoint(${JSON.stringify(note)})`);
      assertFails(parseNote(note as string), `parseNote(${JSON.stringify(note)})`);
    }
    const b64Root = Buffer.from(root).toString('base64');
    const bodies: unknown[] = [
      '',
      'origin\n1\n',
      `\n1\n${b64Root}\n`,
      `origin\n01\n${b64Root}\n`,
      `origin\n-1\n${b64Root}\n`,
      `origin\n1.0\n${b64Root}\n`,
      `origin\n9007199254740992\n${b64Root}\n`,
      `origin\n1\n${b64Root.slice(0, -4)}\n`,
      `origin\n1\n${b64Root}`,
      `origin\n1\n${b64Root}\n\n`,
      `origin\n1\n${b64Root}\next\n\nmore\n`,
      null,
    ];
    for (const body of bodies) assertFails(parseCheckpoint(body as string), `parseCheckpoint(${JSON.stringify(body)})`);
    assert.ok(parseCheckpoint(`origin\n9007199254740991\n${b64Root}\n`).ok, 'largest safe size parses');
    const wrongKey = generateKeyPairSync('x25519').publicKey;
    assertFails(verifyNote(good, { name: 'o', publicKey: wrongKey }), 'X25519 key');
    assertFails(verifyNote(good, { name: 'o', publicKey: null as never }), 'no key');
  });

  test('formatting and signing throw on bad arguments', () => {
    assert.throws(() => formatCheckpoint({ origin: '', treeSize: 1, rootHash: root }), TypeError);
    assert.throws(() => formatCheckpoint({ origin: 'a\nb', treeSize: 1, rootHash: root }), TypeError);
    assert.throws(() => formatCheckpoint({ origin: 'o', treeSize: -1, rootHash: root }), RangeError);
    assert.throws(() => formatCheckpoint({ origin: 'o', treeSize: 1, rootHash: root.subarray(1) }), RangeError);
    assert.throws(() => formatCheckpoint({ origin: 'o', treeSize: 1, rootHash: root, extensions: [''] }), TypeError);
    assert.throws(() => signNote('no newline', signer), TypeError);
    assert.throws(() => signNote('ok\n', { name: 'has space', privateKey }), TypeError);
    assert.throws(() => signNote('ok\n', { name: 'has+plus', privateKey }), TypeError);
    assert.throws(() => signNote('ok\n', { name: 'n', privateKey: publicKey }), TypeError);
  });
});
