// The input rules' fast paths give the verdicts of their plain definitions: the lean walk and the
// `\u` shortcut for JSON bodies name the same problem as the full walk, and the allocation-free
// date-time check accepts exactly the date-times the regex-and-calendar definition accepts.
// Pure functions: no database involved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findInputProblem, findJsonBodyProblem, type InputProblem, isDateTime } from './input.js';

const expect = {
  surrogate: 'contains a lone UTF-16 surrogate: send well-formed Unicode text (I-JSON, RFC 7493 §2.1)',
  nul: 'contains a NUL character (U+0000), which is not text',
};

/** The plain definition of findInputProblem: one walk naming every place it passes. */
function namedWalk(value: unknown, root: string, maxDepth: number): InputProblem | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path, depth } = next;
    if (typeof current === 'string') {
      if (/\p{Cs}/u.test(current)) return { field: path, message: expect.surrogate };
      if (current.includes('\u0000')) return { field: path, message: expect.nul };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return { field: path, message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], path: `${path}.${i}`, depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (/\p{Cs}/u.test(key)) return { field: path, message: `has a key that ${expect.surrogate}` };
      if (key.includes('\u0000')) return { field: path, message: `has a key that ${expect.nul}` };
      pending.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}
// Strings mixing lone surrogates, NUL, a surrogate pair, non-ASCII, and a backslash before a `u`.
const unit = fc.constantFrom('a', 'u', '\\', 'é', '\ud800', '\udfff', '\u0000', '\ud83d\ude00', '"');
const jsonValue = fc.jsonValue({ maxDepth: 5, stringUnit: unit });
const MAX_DEPTH = 2; // small, so random values often nest too deep, or exactly as deep as allowed

test('the lean walk and the JSON-body shortcut name the same problem as the full walk, on any JSON value', () => {
  fc.assert(
    fc.property(jsonValue, (value) => {
      const text = JSON.stringify(value);
      const expected = namedWalk(value, 'body', MAX_DEPTH);
      assert.deepEqual(findInputProblem(value, 'body', MAX_DEPTH), expected, text);
      // As the body parser sees it: the text as sent (JSON.stringify escapes lone surrogates and NUL
      // as \u escapes, exactly as a client's JSON encoder does) and the value parsed from it.
      assert.deepEqual(findJsonBodyProblem(text, JSON.parse(text), 'body', MAX_DEPTH), expected, text);
    }),
    { numRuns: 3000 },
  );
});

test('a body without \\u escapes is still checked for depth; one with an escaped lone surrogate or NUL is refused by field', () => {
  const deep = `{"records":[${'['.repeat(70)}${']'.repeat(70)}]}`;
  // body (depth 0) > records (1) > 70 nested arrays from depth 2: the one at depth 64 is refused.
  assert.deepEqual(findJsonBodyProblem(deep, JSON.parse(deep)), {
    field: `body.records${'.0'.repeat(63)}`,
    message: 'nests deeper than 64 levels',
  });
  // The limit itself: containers at depths 0 and 1 pass a limit of 2, one at depth 2 does not.
  assert.equal(findInputProblem([[1, 'x']], 'body', 2), null);
  assert.deepEqual(findInputProblem([[{}]], 'body', 2), { field: 'body.0.0', message: 'nests deeper than 2 levels' });
  for (const escaped of ['\\ud800', '\\u0000', '\\uDFFF']) {
    const text = `{"records":[{"output":"ok"},{"output":"a${escaped}b"}]}`;
    assert.deepEqual(findJsonBodyProblem(text, JSON.parse(text))?.field, 'body.records.1.output', escaped);
  }
  const pair = '{"output":"\\ud83d\\ude00 \\u00e9"}';
  assert.equal(findJsonBodyProblem(pair, JSON.parse(pair)), null);
});

const REFERENCE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
/** The plain definition: the RFC 3339 shape, then every field within its calendar and clock. */
function referenceIsDateTime(text: string): boolean {
  const m = REFERENCE.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [Number(m[7] ?? 0), Number(m[8] ?? 0)];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= days &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

test('isDateTime accepts exactly what the regex-and-calendar definition accepts', () => {
  let checked = 0;
  let accepted = 0;
  for (const year of ['0000', '0024', '1900', '2000', '2023', '2024', '2100', '9999'])
    for (const month of ['00', '01', '02', '04', '12', '13'])
      for (const day of ['00', '01', '28', '29', '30', '31', '32'])
        for (const time of ['00:00:00', '23:59:59', '24:00:00', '23:60:00', '23:59:60'])
          for (const fraction of ['', '.1', '.123456789', '.1234567890'])
            for (const offset of ['Z', 'z', '+00:00', '-23:59', '+24:00', '+01:60', ''])
              for (const t of ['T', 't', ' ']) {
                const text = `${year}-${month}-${day}${t}${time}${fraction}${offset}`;
                assert.equal(isDateTime(text), referenceIsDateTime(text), text);
                checked += 1;
                if (referenceIsDateTime(text)) accepted += 1;
              }
  assert.ok(accepted > 1000 && accepted < checked / 2, `${accepted} of ${checked} accepted`);
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '5', '9', '-', ':', '+', '.', 'T', 'Z', 'z', ' '), maxLength: 32 }),
      (text) => {
        assert.equal(isDateTime(text), referenceIsDateTime(text), text);
      },
    ),
    { numRuns: 5000 },
  );
});
