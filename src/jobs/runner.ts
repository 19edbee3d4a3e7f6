import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { DatabaseHandle } from '../db/dialect.js';
import type { Executor } from '../db/executor.js';
import { transaction } from '../db/transaction.js';
import { claimJob, countJobs, deleteJob, insertJob, postponeJob, type ClaimedJob } from './store.js';

/**
 * What each kind of job does with its payload; throwing puts the job off for a retry. `attempts`
 * counts the earlier runs that threw, so a handler can bound its own retries.
 */
export type JobHandlers = Record<string, (payload: unknown, job: { attempts: number }) => Promise<void>>;

/** How long a claimed job is held: a process that dies mid-job lets it go after this. */
const holdMs = 5 * 60_000;
/** Between looks for due jobs; jobs enqueued in this process are run at once (`wake`). */
const pollMs = 5_000;
/** Retries wait 2, 4, 8… seconds, up to an hour. */
const retryDelayMs = (attempts: number) => Math.min(1000 * 2 ** attempts, 60 * 60_000);

/** Puts work on the job table in the caller's transaction: it runs only if that commits, not before `runAfter`. */
export async function enqueueJob(tx: Executor, clock: Clock, kind: string, payload: unknown, runAfter?: number): Promise<void> {
  const now = clock.now();
  await insertJob(tx, { kind, payload: JSON.stringify(payload), run_after: runAfter ?? now, created_at: now });
}

/**
 * Runs the job table's due jobs in this process, one at a time, beside any other process doing
 * the same on the same database: each job is claimed by one of them (store.ts), and deleted once
 * done.
 */
export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly deps: { database: DatabaseHandle; clock: Clock; logger: Logger; handlers: JobHandlers; failed?: (kind: string) => void },
  ) {}

  /** Jobs waiting to run, due or not. */
  async queued(): Promise<number> {
    return countJobs(this.deps.database.db);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due jobs now rather than at the next poll; call it after committing an enqueue. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs due jobs until none is left; returns how many ran (successfully or not). */
  async drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const job = await transaction(this.deps.database.db, (tx) => claimJob(tx, this.deps.database.dialect, now, now + holdMs));
      if (!job) return ran;
      await this.run(job);
      ran++;
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.running) {
      // A pass is under way; look again right after it, for what was enqueued meanwhile.
      void this.running.then(() => this.wake());
      return;
    }
    this.running = this.drain()
      .then(
        () => undefined,
        (error: unknown) => this.deps.logger.error({ err: error }, 'background jobs could not be claimed'),
      )
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(pollMs);
      });
  }

  private async run(job: ClaimedJob): Promise<void> {
    const { db } = this.deps.database;
    try {
      const handler = this.deps.handlers[job.kind];
      if (!handler) throw new Error(`no handler for jobs of kind '${job.kind}'`);
      await handler(JSON.parse(job.payload), { attempts: job.attempts });
      await deleteJob(db, job.id);
    } catch (error) {
      const attempts = job.attempts + 1;
      const message = (error as Error).message ?? String(error);
      await postponeJob(db, job.id, { attempts, run_after: this.deps.clock.now() + retryDelayMs(attempts), last_error: message });
      this.deps.failed?.(job.kind);
      this.deps.logger.warn({ job: job.id, kind: job.kind, attempts, error: message }, 'background job failed; it will be retried');
    }
  }
}
