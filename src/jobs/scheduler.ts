import { isAbortError } from '../shared/abort';
import { JobStalledError } from './errors';
import { estimateRemaining, isFinished, type Job } from './job';

export interface RunProgress {
  /** 0..1 */
  progress: number;
  speed: number | null;
}

export interface RunContext {
  signal: AbortSignal;
  /** Workers this job may use at once (more than one only for a job that can be split). */
  slots: number;
  onLog: (lines: readonly string[]) => void;
  onProgress: (update: RunProgress) => void;
  /** Changes other fields of the job (engine, verified…) and tells the listeners. */
  update: (patch: Partial<Job>) => void;
  /**
   * Awaits `waiting` with the stall watchdog paused: a job queued behind another for the
   * WebCodecs gate or for storage is quiet, not stalled.
   */
  whileWaiting: <T>(waiting: Promise<T>) => Promise<T>;
}

export interface JobOutcome {
  outputSize: number;
}

/** Runs one job to the end: encode, store. Throws AbortError when the signal fires. */
export type JobRunner = (job: Job, context: RunContext) => Promise<JobOutcome>;

export interface SchedulerOptions {
  concurrency: number;
  /** A running job with no log line for this long is stopped and tried again. */
  stallTimeoutMs?: number;
  /** Tries per job when it stalls (a stall is the one failure worth a retry). */
  maxAttempts?: number;
  now?: () => number;
  /** Workers a job could use at once; default 1. It gets no more than are free when it starts. */
  slotsWanted?: (job: Job) => number;
  /** False while a queued job cannot start yet (its source is still being probed). */
  isReady?: (job: Job) => boolean;
}

type Listener = (job: Job) => void;

/**
 * The queue: starts the costliest waiting job whenever a slot is free, so no core sits
 * idle at the end of a batch behind one long job; isolates failures; cancels at once.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly running = new Map<string, { cancel: AbortController; slots: number }>();
  private readonly listeners = new Set<Listener>();
  private concurrency: number;
  private readonly stallTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly slotsWanted: (job: Job) => number;
  private readonly isReady: (job: Job) => boolean;

  constructor(
    private readonly runner: JobRunner,
    options: SchedulerOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
    this.stallTimeoutMs = options.stallTimeoutMs ?? 120_000;
    this.maxAttempts = options.maxAttempts ?? 2;
    this.now = options.now ?? Date.now;
    this.slotsWanted = options.slotsWanted ?? (() => 1);
    this.isReady = options.isReady ?? (() => true);
  }

  /** Called with the job each time one of its fields changes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** Workers in use by running jobs. */
  get usedSlots(): number {
    let used = 0;
    for (const { slots } of this.running.values()) used += slots;
    return used;
  }

  /** Adds queued jobs and starts as many as there are free slots. */
  enqueue(jobs: readonly Job[]): void {
    for (const job of jobs) {
      this.jobs.set(job.id, job);
      this.emit(job);
    }
    this.pump();
  }

  /** Adds a job that is already finished (e.g. restored from storage); it never runs. */
  adopt(job: Job): void {
    this.jobs.set(job.id, job);
    this.emit(job);
  }

  /** Looks for startable jobs again (e.g. after a probe ended). */
  wake(): void {
    this.pump();
  }

  setConcurrency(n: number): void {
    this.concurrency = Math.max(1, Math.floor(n));
    this.pump();
  }

  /** Stops a job at once: a queued job never starts, a running one has its signal fired. */
  cancel(id: string): void {
    const job = this.jobs.get(id);
    if (!job || isFinished(job)) return;
    const running = this.running.get(id);
    if (running) {
      running.cancel.abort();
      return;
    }
    this.update(job, { state: 'canceled', endedAt: this.now(), etaSec: null });
  }

  /** Forgets a finished or interrupted job. */
  remove(id: string): void {
    const job = this.jobs.get(id);
    if (job && (isFinished(job) || job.state === 'interrupted')) this.jobs.delete(id);
  }

  /** Puts an interrupted job back in the queue (from the beginning), with `patch` (its new source). */
  requeue(id: string, patch: Partial<Job>): void {
    const job = this.jobs.get(id);
    if (job?.state !== 'interrupted') return;
    this.update(job, { ...patch, state: 'queued', progress: 0, speed: null, etaSec: null, startedAt: null, endedAt: null, error: null });
    this.pump();
  }

  /** Changes a job's fields and tells the listeners (used by upload and storage too). */
  update(job: Job, patch: Partial<Job>): void {
    Object.assign(job, patch);
    this.emit(job);
  }

  private emit(job: Job): void {
    for (const listener of this.listeners) listener(job);
  }

  private nextQueued(): Job | undefined {
    let best: Job | undefined;
    for (const job of this.jobs.values()) {
      if (job.state !== 'queued' || !this.isReady(job)) continue;
      if (!best || job.cost > best.cost || (job.cost === best.cost && job.queuedAt < best.queuedAt)) best = job;
    }
    return best;
  }

  private pump(): void {
    for (;;) {
      const free = this.concurrency - this.usedSlots;
      if (free < 1) return;
      const job = this.nextQueued();
      if (!job) return;
      void this.start(job, Math.max(1, Math.min(free, Math.floor(this.slotsWanted(job)))));
    }
  }

  private async start(job: Job, slots: number): Promise<void> {
    const cancel = new AbortController();
    this.running.set(job.id, { cancel, slots });
    this.update(job, { state: 'running', startedAt: this.now(), progress: 0, error: null });
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await this.attempt(job, cancel.signal, slots);
          this.update(job, { state: 'done', progress: 1, etaSec: 0, endedAt: this.now(), outputSize: outcome.outputSize });
          return;
        } catch (error) {
          if (error instanceof JobStalledError && attempt < this.maxAttempts && !cancel.signal.aborted) {
            job.log.push(`[ffbatch] ${error.message} Trying again (attempt ${attempt + 1} of ${this.maxAttempts}).`);
            continue;
          }
          throw error;
        }
      }
    } catch (error) {
      const canceled = cancel.signal.aborted && isAbortError(error);
      this.update(job, {
        state: canceled ? 'canceled' : 'failed',
        endedAt: this.now(),
        etaSec: null,
        speed: null,
        error: canceled ? null : error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.running.delete(job.id);
      this.pump();
    }
  }

  /** One try, with a watchdog that fires when the run goes quiet. */
  private async attempt(job: Job, cancelSignal: AbortSignal, slots: number): Promise<JobOutcome> {
    const attemptController = new AbortController();
    const stopAttempt = (): void => attemptController.abort();
    cancelSignal.addEventListener('abort', stopAttempt);
    let stalled = false;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let waits = 0;
    const feedWatchdog = (): void => {
      clearTimeout(watchdog);
      if (waits > 0) return;
      watchdog = setTimeout(() => {
        stalled = true;
        attemptController.abort();
      }, this.stallTimeoutMs);
    };
    feedWatchdog();
    try {
      return await this.runner(job, {
        signal: attemptController.signal,
        slots,
        onLog: (lines) => {
          job.log.push(...lines);
          feedWatchdog();
          this.emit(job);
        },
        onProgress: ({ progress, speed }) => {
          // The WebCodecs route reports progress, not log lines: progress is a sign of life too.
          feedWatchdog();
          const elapsedSec = (this.now() - (job.startedAt ?? this.now())) / 1000;
          this.update(job, { progress, speed, etaSec: estimateRemaining(elapsedSec, progress) });
        },
        update: (patch) => this.update(job, patch),
        whileWaiting: async (waiting) => {
          waits++;
          clearTimeout(watchdog);
          try {
            return await waiting;
          } finally {
            waits--;
            feedWatchdog();
          }
        },
      });
    } catch (error) {
      if (stalled && !cancelSignal.aborted) throw new JobStalledError(Math.round(this.stallTimeoutMs / 1000));
      throw error;
    } finally {
      clearTimeout(watchdog);
      cancelSignal.removeEventListener('abort', stopAttempt);
    }
  }
}
