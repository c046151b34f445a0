// Periodic jobs run by the server process: each on its own interval, never overlapping itself,
// errors logged and retried at the next tick.
import type { Logger } from 'pino';

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs a job now (tests, CLI), waiting for a run already under way. */
  runNow(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(jobs: Job[], logger: Pick<Logger, 'error'>): Scheduler {
  const running = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];

  function tick(job: Job): Promise<void> {
    const current = running.get(job.name);
    if (current) return current;
    const run = job
      .run()
      .then(() => undefined)
      .catch((error: unknown) => logger.error({ err: error, job: job.name }, 'job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
    return run;
  }

  for (const job of jobs) {
    if (job.intervalMs <= 0) continue;
    const timer = setInterval(() => void tick(job), job.intervalMs);
    timer.unref();
    timers.push(timer);
  }

  return {
    async runNow(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no job named ${name}`);
      await running.get(name);
      await tick(job);
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
