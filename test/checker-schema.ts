// Property tests that a hand-written batch checker and the compiled schema published for the same
// record are one source (decision records, outcome records): any value, mostly-valid fields, and the
// one assertion that both give the same verdict.
import assert from 'node:assert/strict';
import fc from 'fast-check';

/** Any JSON value a field might wrongly hold: short strings, the texts given (lengths at and past a
 * limit, formats), numbers around 0 and 1, booleans, null, an object and, optionally, an array. */
export function anyValueOf(texts: string[], { arrays = true } = {}): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.string({ maxLength: 5 }),
    fc.constantFrom(...texts),
    fc.double({ min: -1, max: 2, noNaN: true }),
    fc.integer({ min: -2, max: 2 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant({ any: 'thing' }),
    ...(arrays ? [fc.constant(['a'])] : []),
  );
}

/** Mostly valid values, so a record often has exactly one field wrong (where checkers diverge). */
export const mostly = (valid: fc.Arbitrary<unknown>, anyValue: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: anyValue });

/** For 5,000 records, the checker finds a problem exactly when the schema refuses the record. */
export function assertSameVerdict<P>(
  records: fc.Arbitrary<unknown>,
  problemsOf: (value: unknown) => P[],
  validate: ((value: unknown) => boolean) & { errors?: unknown },
): void {
  fc.assert(
    fc.property(records, (value) => {
      const problems = problemsOf(value);
      assert.equal(problems.length === 0, validate(value), JSON.stringify({ value, problems, ajv: validate.errors }));
    }),
    { numRuns: 5000 },
  );
}
