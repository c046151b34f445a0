// An in-memory sliding-window limiter (per process): at most `limit` hits per key in any
// `windowMs`. Used for sign-in attempts per source address, beside the per-account lockout.
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    /** Past this many keys, expired ones are swept so the map cannot grow without bound. */
    private readonly sweepAt = 10_000,
  ) {}

  /** Records a hit; returns 0 when allowed, else the milliseconds until the next hit would be. */
  hit(key: string, now = Date.now()): number {
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return recent[0] + this.windowMs - now;
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > this.sweepAt) this.sweep(now);
    return 0;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.hits) {
      if (times.every((t) => t <= now - this.windowMs)) this.hits.delete(key);
    }
  }
}
