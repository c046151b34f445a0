// The rationale policy counts what a reader sees: properties over arbitrary text (fast-check) and the
// cases that slipped through when a rationale was measured in UTF-16 units.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from './errors.js';
import { DEFAULT_MIN_RATIONALE_LENGTH, requireRationale, visibleLength } from './rationale.js';

/** Characters a reader cannot see: controls, format characters (zero-width, bidi), whitespace. */
const INVISIBLE = [
  ...'\u0000\u0001\u0007\u001B\u007F\u0085\u009F', // C0/C1 controls
  ...'\u00AD\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2060\u2066\u2067\u2068\u2069\uFEFF', // format
  ...' \t\n\r\u00A0\u1680\u2000\u2003\u2007\u200A\u2028\u2029\u202F\u205F\u3000', // whitespace and separators
];
const invisible = fc.constantFrom(...INVISIBLE);
const text = fc.string({ unit: 'grapheme', maxLength: 40 });

/** `base` with characters inserted at the given code point positions (also inside a grapheme, e.g.
 * between a letter and its combining mark or inside an emoji sequence). */
function insertAll(base: string, inserts: Array<[number, string]>): string {
  const out = Array.from(base);
  for (const [at, ch] of inserts) out.splice(at % (out.length + 1), 0, ch);
  return out.join('');
}

describe('visibleLength', () => {
  test('invisible text counts nothing: NULs, zero-width characters, bidi overrides, blanks, lone combining marks', () => {
    assert.equal(visibleLength('\u0000'.repeat(12)), 0);
    assert.equal(visibleLength('\u200B\u200C\u200D\u2060\uFEFF'.repeat(4)), 0);
    assert.equal(visibleLength(`\u202E${' '.repeat(20)}\u202C`), 0);
    assert.equal(visibleLength('\u3164\u115F\u2800'.repeat(4)), 0, 'Hangul fillers and the blank Braille pattern');
    assert.equal(visibleLength('\u0301'.repeat(12)), 0, 'combining marks with no base character');
  });

  test('counts user-perceived characters, not UTF-16 units', () => {
    assert.equal(visibleLength('try'), 3);
    assert.equal(visibleLength('e\u0301t\u00E9'), 3, 'é decomposed and composed are one character each');
    assert.equal(visibleLength('a\u0301\u0302\u0303'), 1, 'marks on a base character do not add characters');
    assert.equal(visibleLength('👍🏽 ok'), 3, 'an emoji with its skin tone is one character');
    assert.equal(visibleLength('\u1112\u1161\u11AB'), 1, 'Hangul jamo form one syllable');
    assert.equal(visibleLength('hello world'), 10);
  });

  test('property: adding control, format or whitespace characters never changes the count', () => {
    fc.assert(
      fc.property(text, fc.array(fc.tuple(fc.nat(), invisible), { maxLength: 20 }), (base, inserts) => {
        assert.equal(visibleLength(insertAll(base, inserts)), visibleLength(base));
      }),
      { numRuns: 500 },
    );
  });

  test('property: the NFC and NFD forms of a text count the same', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        assert.equal(visibleLength(s.normalize('NFD')), visibleLength(s.normalize('NFC')));
      }),
      { numRuns: 500 },
    );
  });
});

describe('requireRationale', () => {
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof AppError);
      return error;
    }
    assert.fail('expected a refusal');
  };

  test('refuses fewer visible characters than the minimum, naming the field and the minimum', () => {
    const error = refusal(() => requireRationale('\u0000'.repeat(12), { field: 'reason', minimum: 10 }));
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.details, { field: 'reason', minimum: 10, visible: 0 });
    assert.match(error.message, /^reason: .*10 visible characters/);
    assert.equal(refusal(() => requireRationale(undefined, { field: 'rationale' })).details.minimum, DEFAULT_MIN_RATIONALE_LENGTH);
  });

  test('exactly the minimum passes and one fewer fails', () => {
    assert.equal(requireRationale('abcdefghij', { field: 'rationale', minimum: 10 }), 'abcdefghij');
    assert.equal(refusal(() => requireRationale('abcdefghi\u200B\u200B', { field: 'rationale', minimum: 10 })).details.visible, 9);
  });

  test('returns the text to store: NFC, trimmed, without control characters (PostgreSQL cannot store NUL)', () => {
    assert.equal(
      requireRationale('  Cafe\u0301 was\u0000 closed, line\nbreaks\tkept \u00A0', { field: 'x', minimum: 5 }),
      'Café was closed, line\nbreaks\tkept',
    );
    assert.equal(requireRationale('ﬁne print', { field: 'x', minimum: 5 }), 'ﬁne print', 'NFC keeps compatibility characters as written');
  });

  test('a minimum of 0 (text Proofline composed itself) accepts anything and still normalises', () => {
    assert.equal(requireRationale('', { field: 'x', minimum: 0 }), '');
  });
});
