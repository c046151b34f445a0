// RFC 8785 (JCS) canonical JSON: the exact bytes of a ledger leaf, recomputable by anyone.
//
// Output is identical to the `canonicalize` package (the reference JavaScript implementation by
// the RFC's author), which a property test checks; this version writes with plain loops instead
// of reduce and template strings, which makes it several times faster, and canonicalising is
// most of the cost of appending an event. JCS orders keys by UTF-16 code units: exactly what
// Array.prototype.sort does with no comparator. Strings and numbers are JSON.stringify's, which
// is what the RFC prescribes (ECMAScript Number serialisation and JSON string escaping).

export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

function serialize(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(Number.isNaN(value) ? 'NaN is not allowed' : 'Infinity is not allowed');
    }
    return JSON.stringify(value);
  }
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return serialize((withToJson.toJSON as () => unknown)());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (i > 0) out += ',';
      out += item === undefined || typeof item === 'symbol' ? 'null' : serialize(item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${serialize(item)}`;
  }
  return `${out}}`;
}
