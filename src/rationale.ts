// The one rationale policy: every "why" a person writes (a decision, a justification, an override,
// a pause, an appeal...) is measured in visible characters and must reach one configured minimum.
// Twelve NULs, zero-width spaces or a padded right-to-left override look like text to `.length`;
// they say nothing, so they count nothing.
import type { Policies } from './config.js';
import { AppError } from './errors.js';

/** The minimum when a caller passes none; config.minRationaleLength defaults to the same. */
export const DEFAULT_MIN_RATIONALE_LENGTH = 10;

// Code points a reader cannot see: controls, format characters (zero-width space/joiner,
// bidirectional overrides), surrogates, private use and unassigned (\p{C}), separators and
// whitespace (\p{Z}, \s), the default-ignorables that are letters on paper (Hangul fillers,
// variation selectors), and the blank Braille pattern.
const INVISIBLE = /[\p{C}\p{Z}\s\p{Default_Ignorable_Code_Point}\u2800]/gu;
// Stored text keeps what was written except C0/C1 controls (other than tab and line breaks):
// they mean nothing in prose, and PostgreSQL cannot store NUL in a text column.
const STORED_CONTROLS = /(?![\t\n\r])\p{Cc}/gu;
const NOT_A_MARK = /\P{M}/u;
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * How many characters of `text` a reader sees: user-perceived characters (grapheme clusters) of
 * its NFC form once invisible code points are removed; a cluster of combining marks alone (no base
 * character) counts nothing.
 * @example visibleLength('a\u200B\u200Bb') // 2
 */
export function visibleLength(text: string): number {
  const visible = text.replace(INVISIBLE, '').normalize('NFC');
  let count = 0;
  for (const { segment } of graphemes.segment(visible)) {
    if (NOT_A_MARK.test(segment)) count += 1;
  }
  return count;
}

/** The minimum a use case applies: the configured one from its context (`ctx.policies`), or 0 for
 * text Proofline composed itself from parts already held to it (an approved change's rationale, an
 * emergency's or an override's exception description). */
export const rationaleMinimum = (ctx: { policies: Policies }, composed = false): number => (composed ? 0 : ctx.policies.minRationaleLength);

export interface RationaleRule {
  /** The request field the text came from, named in the refusal (e.g. 'rationale', 'reason'). */
  field: string;
  /** Visible characters required: `ctx.policies.minRationaleLength`, the same for every "why". */
  minimum?: number;
}

/**
 * Refuses a "why" with fewer visible characters than the minimum (`validation_failed` naming the
 * field and the minimum) and returns the text to store: NFC (canonically the same text the person
 * wrote; NFKC would rewrite ligatures, full-width and superscript forms of the evidence), trimmed,
 * without control characters.
 * @example const why = requireRationale(body.reason, { field: 'reason', minimum: ctx.policies.minRationaleLength });
 */
export function requireRationale(
  text: string | null | undefined,
  { field, minimum = DEFAULT_MIN_RATIONALE_LENGTH }: RationaleRule,
): string {
  const written = text ?? '';
  const visible = visibleLength(written);
  if (visible < minimum) {
    throw new AppError(
      'validation_failed',
      `${field}: say why in at least ${minimum} visible characters (got ${visible}; spaces, control and invisible characters do not count)`,
      { field, minimum, visible },
    );
  }
  return written.normalize('NFC').replace(STORED_CONTROLS, '').trim();
}
