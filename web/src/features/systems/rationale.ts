// The rationale rule as the server applies it (src/rationale.ts): visible characters only, at least
// the default minimum. The server still decides, and its refusal is shown with its code.
export const MIN_RATIONALE = 10;

// The same invisible code points as src/rationale.ts (a test holds the two equal).
const INVISIBLE = /[\p{C}\p{Z}\s\p{Default_Ignorable_Code_Point}\u2800]/gu;
const NOT_A_MARK = /\P{M}/u;
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** User-perceived characters once invisible ones are removed; lone combining marks count nothing. */
export function visibleLength(text: string): number {
  let count = 0;
  for (const { segment } of graphemes.segment(text.replace(INVISIBLE, '').normalize('NFC'))) {
    if (NOT_A_MARK.test(segment)) count += 1;
  }
  return count;
}

/** The form error for a "why", or null when it is long enough. */
export function rationaleError(text: string): string | null {
  const visible = visibleLength(text);
  return visible >= MIN_RATIONALE ? null : `Say why in at least ${MIN_RATIONALE} visible characters (${visible} so far)`;
}
