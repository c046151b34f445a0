// Our RFC 8785 writers against the reference: canonicalJson must equal the `canonicalize` package
// on any JSON value, and eventLeaf must equal canonicalJson of the same event object.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical.js';
import { type EventEnvelope, eventLeaf } from './event-leaf.js';

const reference = canonicalizeModule as unknown as (value: unknown) => string | undefined;

// Keys include integer-like ones ("10" sorts before "9" as text, after it as a JS property order).
const key = fc.oneof(fc.string(), fc.constantFrom('10', '9', '0', '€', '\r', 'seq', 'a'));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('canonical JSON', () => {
  test('equals the canonicalize reference on random JSON values', () => {
    fc.assert(
      fc.property(json, (value) => {
        assert.equal(canonicalJson(value), reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  test('skips undefined members, writes undefined array items as null, refuses NaN and Infinity', () => {
    assert.equal(canonicalJson({ b: undefined, a: [undefined, 1] }), '{"a":[null,1]}');
    assert.throws(() => canonicalJson({ a: Number.NaN }), /NaN/);
    assert.throws(() => canonicalJson([Number.POSITIVE_INFINITY]), /Infinity/);
    assert.equal(canonicalJson({ at: new Date(0) }), '{"at":"1970-01-01T00:00:00.000Z"}');
  });

  test('eventLeaf equals canonicalJson of the same event, optional fields present or not', () => {
    const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const envelope: fc.Arbitrary<EventEnvelope> = fc.record({
      v: fc.constant(1),
      seq: fc.nat(),
      id: fc.uuid(),
      type: fc.string(),
      recordedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      actor: fc.record({ kind: fc.constant('user'), id: fc.option(fc.string()), roles: fc.array(fc.string()) }),
      onBehalfOf: optional(fc.string()),
      subject: fc.record({ type: fc.string(), id: fc.string(), version: optional(fc.nat()) }),
      before: optional(json),
      after: optional(json),
      patch: optional(json),
      reason: optional(fc.string()),
      references: optional(fc.array(fc.uuid(), { minLength: 1 })),
      controls: optional(fc.array(fc.string(), { minLength: 1 })),
      data: optional(fc.dictionary(key, json)),
      requestId: fc.string(),
      sourceAddress: optional(fc.ipV4()),
      via: optional(
        fc.record({
          channel: fc.constant('cli'),
          osUser: fc.string(),
          host: fc.string(),
          credential: fc.constantFrom('none', 'api_token', 'password'),
        }),
      ),
    });
    fc.assert(
      fc.property(envelope, (event) => {
        assert.equal(eventLeaf(event), canonicalJson(event));
      }),
      { numRuns: 1000 },
    );
  });
});
