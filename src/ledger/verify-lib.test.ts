// The public entry point: the names it exports, and the helpers defined in it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ledger from './verify-lib.js';

describe('proofline/ledger', () => {
  test('exports the auditor API and nothing server-side', () => {
    assert.deepEqual(Object.keys(ledger).sort(), [
      'MerkleFrontier',
      'canonicalJson',
      'consistencyProof',
      'encodeSignerKey',
      'encodeVerifierKey',
      'formatCheckpoint',
      'fromHex',
      'hex',
      'inclusionProof',
      'keyId',
      'leafHash',
      'nodeHash',
      'parseCheckpoint',
      'parseNote',
      'parseSignerKey',
      'parseVerifierKey',
      'rawPublicKey',
      'rootHash',
      'signNote',
      'verifyCheckpoint',
      'verifyConsistency',
      'verifyInclusion',
      'verifyNote',
    ]);
  });

  test('an auditor recomputes a root from canonical JSON leaves', () => {
    const events = [
      { b: 2, a: 1 },
      { z: [3, 'x'], y: null },
    ];
    const leaves = events.map((event) => ledger.leafHash(Buffer.from(ledger.canonicalJson(event), 'utf8')));
    const frontier = new ledger.MerkleFrontier();
    for (const leaf of leaves) frontier.append(leaf);
    assert.equal(ledger.hex(frontier.root()), ledger.hex(ledger.rootHash(leaves)));
    assert.equal(ledger.canonicalJson(events[0]), '{"a":1,"b":2}');
  });

  test('canonicalJson follows RFC 8785', () => {
    // RFC 8785 section 3.2.2 sample: property order by UTF-16 code units, ES6 number formatting.
    // Parsed from JSON text, as in the RFC: the number literals are meant to lose precision.
    const value = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\u0022\\/",' +
        ' "literals": [null, true, false]}',
    );
    assert.equal(
      ledger.canonicalJson(value),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    assert.equal(ledger.canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '\u00f6': 4 }), '{"\\r":2,"ö":4,"€":1,"😀":3}');
    assert.throws(() => ledger.canonicalJson(undefined), TypeError);
    assert.throws(() => ledger.canonicalJson(Number.NaN));
  });

  test('hex and fromHex round trip and reject bad input', () => {
    const bytes = new Uint8Array([0, 1, 0xab, 0xff]);
    assert.equal(ledger.hex(bytes), '0001abff');
    assert.deepEqual(ledger.fromHex('0001ABff'), bytes);
    assert.equal(ledger.hex(bytes.subarray(2)), 'abff', 'respects a view offset');
    for (const bad of ['abc', 'zz', '0x00', ' 00']) assert.throws(() => ledger.fromHex(bad), TypeError, bad);
  });
});
