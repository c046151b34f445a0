// The hand-written outcome checker (checkOutcome) and the published OutcomeRecord schema are one
// source: for any record, the checker finds a problem exactly when the compiled schema refuses it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { anyValueOf, assertSameVerdict, mostly } from '../../../test/checker-schema.js';
import type { RecordProblem } from '../../ingest/batch.js';
import { compileBody } from '../../server/validation.js';
import { OutcomeRecord } from './monitoring.schema.js';
import { checkOutcome, type OutcomeRecord as Outcome } from './outcomes.service.js';

const validateSchema = compileBody<Outcome>(OutcomeRecord);

const anyValue = anyValueOf([
  '',
  'x'.repeat(100),
  'x'.repeat(101),
  'x'.repeat(200),
  'x'.repeat(201),
  '2026-01-02T03:04:05Z',
  '2026-02-30T00:00:00Z',
  '2026-01-02',
]);
const field = (valid: fc.Arbitrary<unknown>) => mostly(valid, anyValue);
const id = fc.string({ minLength: 1, maxLength: 200 });
const attributeName = fc.oneof(
  fc.constantFrom('sex', 'age_band', 'region2', `a${'b'.repeat(49)}`, `a${'b'.repeat(50)}`),
  fc.constantFrom('Sex', '2nd', '_x', 'a-b', 'é', '', 'constructor', '__proto__'),
  fc.string({ maxLength: 4 }),
);
const attributeValue = fc.oneof(
  fc.string({ minLength: 1, maxLength: 5 }),
  fc.constantFrom('', 'x'.repeat(100), 'x'.repeat(101)),
  fc.integer({ min: 0, max: 2 }),
  fc.boolean(),
  fc.constant(null),
);
const fields = {
  systemId: field(id),
  decisionId: field(id),
  actual: field(fc.constantFrom(0, 1)),
  predicted: field(fc.constantFrom(0, 1)),
  score: field(fc.option(fc.double({ min: 0, max: 1, noNaN: true }))),
  knownAt: field(fc.constant('2026-01-02T03:04:05+01:00')),
  groups: field(fc.dictionary(attributeName, attributeValue, { maxKeys: 12 })),
};
const record = fc.oneof(
  fc.record(fields, { requiredKeys: ['systemId', 'decisionId', 'actual', 'predicted', 'knownAt'] }),
  fc.record({ ...fields, colour: anyValue }, { requiredKeys: [] }),
);

test('the outcome checker and the compiled OutcomeRecord schema give the same verdict on every record', () => {
  assertSameVerdict(
    record,
    (value) => {
      const problems: RecordProblem[] = [];
      checkOutcome(value, 0, problems);
      return problems;
    },
    validateSchema,
  );
});

test('groups: attribute names of a-z, 0-9 and _ (a letter first, up to 50), string values of 1 to 100, at most 10; both refuse the rest', () => {
  const good = { systemId: 's1', decisionId: 'd1', actual: 1, predicted: 0, knownAt: '2026-01-02T03:04:05Z', groups: { sex: 'f' } };
  const verdicts = (groups: unknown) => {
    const problems: RecordProblem[] = [];
    checkOutcome({ ...good, groups }, 0, problems);
    return [problems.map((p) => p.field), validateSchema({ ...good, groups })];
  };
  assert.deepEqual(verdicts({ sex: 'f', age_band: '30-39' }), [[], true]);
  assert.deepEqual(verdicts({ Sex: 'f' }), [['groups.Sex'], false]);
  assert.deepEqual(verdicts({ sex: 1 }), [['groups.sex'], false]);
  assert.deepEqual(verdicts({ sex: '' }), [['groups.sex'], false]);
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, 'x']));
  assert.deepEqual(verdicts(eleven), [['groups'], false]);
});
