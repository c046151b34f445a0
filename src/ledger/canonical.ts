// RFC 8785 (JCS) canonical JSON: the exact bytes of a ledger leaf, recomputable by anyone.
import canonicalizeModule from 'canonicalize';

// The package is CommonJS whose module.exports is the function itself.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}
