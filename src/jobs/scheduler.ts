// Periodic jobs run by the server process: each on its own interval, never overlapping itself,
// errors logged and retried at the next tick. With `mayRun` (the job leader, jobs/leader.ts) a
// tick starts a job only while this process may run jobs, so each runs once per cluster.
import type { Logger } from 'pino';

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs a job now (tests, CLI), waiting for a run already under way; ignores `mayRun`. */
  runNow(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  /** Asked at every tick; false skips the tick (another instance leads). Default: always. */
  mayRun?: () => boolean;
  /** Told of every finished run (metrics). */
  observe?: (job: string, outcome: 'ok' | 'failed', seconds: number) => void;
}

export function startScheduler(
  jobs: Job[],
  logger: Pick<Logger, 'error'>,
  { mayRun = () => true, observe }: SchedulerOptions = {},
): Scheduler {
  const running = new Map<string, Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;

  function tick(job: Job): Promise<void> {
    const current = running.get(job.name);
    if (current) return current;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const run = job
      .run()
      .then(() => observe?.(job.name, 'ok', seconds()))
      .catch((error: unknown) => {
        observe?.(job.name, 'failed', seconds());
        logger.error({ err: error, job: job.name }, 'job failed');
      })
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
    return run;
  }

  for (const job of jobs) {
    if (job.intervalMs <= 0) continue;
    const timer = setInterval(() => {
      if (!stopped && mayRun()) void tick(job);
    }, job.intervalMs);
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
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running.values());
    },
  };
}
