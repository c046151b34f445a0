// The job leader: periodic jobs run once per cluster, in the one process holding the `jobs` lease.
// Every process tries to take (or renew) the lease every quarter of its time to live; a holder
// that dies stops renewing and another takes over once the lease expires. A holder counts itself
// leader only until its last successful renewal, measured from when it was sent, would expire,
// less a margin: so it stops starting jobs before anyone else can have taken over.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { releaseLease, takeLease } from '../db/leases.js';
import type { Store } from '../db/store.js';

export const JOBS_LEASE = 'jobs';

export interface Leadership {
  /** This process's name in the lease table: host, pid and a random part. */
  readonly holder: string;
  /** True while this process holds the lease: only then may it start a job. */
  isLeader(): boolean;
  /** Stops trying; releases the lease when held, so another instance takes over at once. */
  stop(): Promise<void>;
}

export interface LeadershipOptions {
  name?: string;
  ttlMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  onChange?: (leader: boolean) => void;
}

export function startLeadership(store: Store, { name = JOBS_LEASE, ttlMs, logger, onChange }: LeadershipOptions): Leadership {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const retryMs = Math.max(250, Math.floor(ttlMs / 4));
  const marginMs = Math.max(100, Math.floor(ttlMs / 10));
  let heldUntil = 0;
  let wasLeader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let attempt: Promise<void> = Promise.resolve();

  const isLeader = () => !stopped && performance.now() < heldUntil;

  function report(): void {
    const leader = isLeader();
    if (leader === wasLeader) return;
    wasLeader = leader;
    logger.info(
      { lease: name, holder },
      leader ? 'took the job lease: this instance runs the periodic jobs' : 'no longer holds the job lease',
    );
    onChange?.(leader);
  }

  async function tryOnce(): Promise<void> {
    const sentAt = performance.now();
    try {
      const held = await takeLease(store, { name, holder, ttlMs });
      heldUntil = held ? sentAt + ttlMs - marginMs : 0;
    } catch (error) {
      // The lease runs out by itself if the database stays unreachable.
      logger.warn({ err: error, lease: name }, 'could not take or renew the job lease');
    }
    report();
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      attempt = tryOnce().finally(schedule);
    }, retryMs);
    timer.unref();
  }

  attempt = tryOnce().finally(schedule);

  return {
    holder,
    isLeader,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await attempt.catch(() => undefined);
      const held = heldUntil > 0;
      heldUntil = 0;
      report();
      if (held)
        await releaseLease(store, { name, holder }).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not release the job lease'),
        );
    },
  };
}
