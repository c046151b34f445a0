// The hand-written ingest checker and the DecisionRecord schema are one source: for any record,
// the checker finds a shape problem exactly when the compiled schema (the API's Ajv) refuses it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { anyValueOf, assertSameVerdict, mostly } from '../../../test/checker-schema.js';
import { compileBody } from '../../server/validation.js';
import { DecisionRecord } from './decisions.schema.js';
import { checkRecord, type RecordProblem } from './decisions.validate.js';

const CROSS_FIELD = new Set(['give an input reference or an input digest', 'say who reviewed it when humanReviewed is true']);
const validateSchema = compileBody<DecisionRecord>(DecisionRecord);

const anyValue = anyValueOf(
  [
    '',
    'x'.repeat(200),
    'x'.repeat(201),
    'x'.repeat(1000),
    'x'.repeat(1001),
    '2026-01-02T03:04:05Z',
    '2026-02-30T00:00:00Z',
    '2026-01-02',
    `sha256:${'a'.repeat(64)}`,
    'A'.repeat(64),
    'b'.repeat(64),
  ],
  { arrays: false },
);
const field = (valid: fc.Arbitrary<unknown>) => mostly(valid, anyValue);
const id = fc.string({ minLength: 1, maxLength: 200 });
const fields = {
  decisionId: field(id),
  systemId: field(id),
  modelVersionId: field(fc.option(id)),
  decidedAt: field(fc.constant('2026-01-02T03:04:05+01:00')),
  inputRef: field(fc.option(fc.string({ minLength: 1, maxLength: 1000 }))),
  inputDigest: field(fc.option(fc.constant('c'.repeat(64)))),
  rawInput: anyValue,
  output: anyValue,
  confidence: field(fc.option(fc.double({ min: 0, max: 1, noNaN: true }))),
  humanReviewed: field(fc.boolean()),
  reviewedBy: field(fc.option(id)),
  features: field(
    fc.dictionary(
      fc.oneof(fc.constantFrom('age', 'region', 'income_band'), fc.string({ maxLength: 4 })),
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ maxLength: 3 }),
        fc.constant('x'.repeat(101)),
        fc.boolean(),
      ),
      { maxKeys: 4 },
    ),
  ),
};
const record = fc.oneof(
  fc.record(fields, { requiredKeys: ['decisionId', 'systemId', 'decidedAt', 'output'] }),
  fc.record({ ...fields, colour: anyValue }, { requiredKeys: [] }),
);

test('the ingest checker and the compiled DecisionRecord schema give the same verdict on every record', () => {
  // Cross-field rules (an input reference or digest; a reviewer when reviewed) are the checker's alone.
  assertSameVerdict(
    record,
    (value) => {
      const problems: RecordProblem[] = [];
      checkRecord(value, 0, problems);
      return problems.filter((p) => !CROSS_FIELD.has(p.message));
    },
    validateSchema,
  );
});

test('a well-formed record passes both; the cross-field rules are the checker’s own', () => {
  const good = { decisionId: 'd1', systemId: 's1', decidedAt: '2026-01-02T03:04:05Z', inputRef: 'ref', output: { ok: true } };
  const problems: RecordProblem[] = [];
  checkRecord(good, 0, problems);
  assert.deepEqual(problems, []);
  assert.equal(validateSchema(good), true);
  const noInput = { ...good, inputRef: undefined, humanReviewed: true };
  const crossField: RecordProblem[] = [];
  checkRecord(JSON.parse(JSON.stringify(noInput)), 3, crossField);
  assert.deepEqual(
    crossField.map((p) => [p.index, p.field]),
    [
      [3, 'inputRef'],
      [3, 'reviewedBy'],
    ],
  );
});
