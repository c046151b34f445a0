// An in-memory sliding-window limiter (per process): at most `limit` hits per key in any
// `windowMs`. Used per source address for sign-in attempts (beside the per-account lockout) and
// for the public appeal intake.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
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

/** Counts one request from the caller's address; over the limit: 429 `rate_limited` with Retry-After. */
export function enforceRateLimit(limiter: SlidingWindowLimiter, req: FastifyRequest, reply: FastifyReply, what: string): void {
  const waitMs = limiter.hit(req.ip);
  if (waitMs <= 0) return;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  reply.header('retry-after', seconds);
  throw new AppError('rate_limited', `too many ${what} from this address; try again in ${seconds} s`, { retryAfterSeconds: seconds });
}
