// Sorting a million doubles is most of a drift computation's time; V8's TypedArray sort is a
// comparison sort. This is an LSD radix sort over the doubles' bits (11-bit digits, a pass skipped
// when every value shares its digit): linear time, same order as Float64Array.prototype.sort
// (-0 before +0; NaN is refused before it gets here).

const RADIX_FROM = 4096;
/** [word, shift] of each 11-bit digit, least significant first (the last of each word has 10 bits). */
const DIGITS: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0, 11],
  [0, 22],
  [1, 0],
  [1, 11],
  [1, 22],
];

/** Sorts `values` in place, ascending, and returns it. Values must not be NaN. */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_FROM) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  // Little-endian: the low word of value i is words[2i], the high word words[2i+1]. Keys that
  // compare as unsigned integers: flip every bit of a negative, only the sign bit of the rest.
  // Six digits: bits 0-10, 11-21, 22-31 of each word; 2,048 buckets keep the scatter in cache.
  const counts = new Uint32Array(DIGITS.length * 2048);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = words[i];
    let hi = words[i + 1];
    if (hi & 0x80000000) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    words[i] = lo;
    words[i + 1] = hi;
    counts[lo & 0x7ff]++;
    counts[2048 + ((lo >>> 11) & 0x7ff)]++;
    counts[4096 + (lo >>> 22)]++;
    counts[6144 + (hi & 0x7ff)]++;
    counts[8192 + ((hi >>> 11) & 0x7ff)]++;
    counts[10240 + (hi >>> 22)]++;
  }
  let from: Uint32Array = words;
  let to: Uint32Array = new Uint32Array(2 * n);
  for (let pass = 0; pass < DIGITS.length; pass++) {
    const base = pass * 2048;
    const [word, shift] = DIGITS[pass];
    if (counts[base + ((from[word] >>> shift) & 0x7ff)] === n) continue;
    let offset = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[base + d];
      counts[base + d] = offset;
      offset += c;
    }
    for (let i = 0; i < 2 * n; i += 2) {
      const at = 2 * counts[base + ((from[i + word] >>> shift) & 0x7ff)]++;
      to[at] = from[i];
      to[at + 1] = from[i + 1];
    }
    const swap = from;
    from = to;
    to = swap;
  }
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = from[i];
    let hi = from[i + 1];
    if (hi & 0x80000000) hi = (hi & 0x7fffffff) >>> 0;
    else {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    }
    words[i] = lo;
    words[i + 1] = hi;
  }
  return values;
}
