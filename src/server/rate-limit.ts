// Sliding-window rate limits: at most `limit` hits per key in any `windowMs`. Used per source
// address for sign-in attempts (beside the per-account lockout) and the public appeal intake. On
// PostgreSQL the hits are counted in the database, so a limit holds across every server instance
// (db/rate-limits.ts); on SQLite (one process) in this process's memory.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SharedRateLimits } from '../db/rate-limits.js';
import { AppError } from '../errors.js';
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    /** Past this many keys, expired ones are swept so the map cannot grow without bound. */
    private readonly sweepAt = 10_000,
    /** The limit's name where instances share it; by default the route it guards (method and pattern). */
    readonly name?: string,
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

declare module 'fastify' {
  interface FastifyInstance {
    /** services.rateLimits: where limits are shared across instances (PostgreSQL), else null. */
    sharedRateLimits: SharedRateLimits | null;
  }
}

/** Counts one request from the caller's address; over the limit: 429 `rate_limited` with Retry-After.
 * Shared across instances where the store can (PostgreSQL), else counted in `limiter`. */
export async function enforceRateLimit(
  limiter: SlidingWindowLimiter,
  req: FastifyRequest,
  reply: FastifyReply,
  what: string,
): Promise<void> {
  const shared = req.server.sharedRateLimits;
  const bucket = limiter.name ?? `${req.method} ${req.routeOptions.url}`;
  const waitMs = shared ? await shared.hit({ bucket, key: req.ip, limit: limiter.limit, windowMs: limiter.windowMs }) : limiter.hit(req.ip);
  if (waitMs <= 0) return;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  reply.header('retry-after', seconds);
  throw new AppError('rate_limited', `too many ${what} from this address; try again in ${seconds} s`, { retryAfterSeconds: seconds });
}
