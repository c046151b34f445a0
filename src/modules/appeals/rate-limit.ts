// A fixed-window request counter per client address, in memory. Enough for one public intake form
// per server process; it forgets on restart, which only ever errs towards letting people appeal.

export interface RateLimiter {
  /** True when this address may make one more request now (and counts it). */
  take(address: string, now?: number): boolean;
  /** Seconds until the address's window resets. */
  retryAfter(address: string, now?: number): number;
}

const MAX_TRACKED = 50_000;

export function createRateLimiter({ limit, windowMs }: { limit: number; windowMs: number }): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  function sweep(now: number): void {
    for (const [address, w] of windows) if (w.resetAt <= now) windows.delete(address);
  }
  return {
    take(address, now = Date.now()) {
      let w = windows.get(address);
      if (!w || w.resetAt <= now) {
        if (windows.size >= MAX_TRACKED) sweep(now);
        w = { count: 0, resetAt: now + windowMs };
        windows.set(address, w);
      }
      w.count += 1;
      return w.count <= limit;
    },
    retryAfter(address, now = Date.now()) {
      const w = windows.get(address);
      return w ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
    },
  };
}
