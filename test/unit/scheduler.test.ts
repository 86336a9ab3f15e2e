import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortError } from '../../src/shared/abort';
import { JobStalledError } from '../../src/jobs/errors';
import { newJob, type Job } from '../../src/jobs/job';
import { Scheduler, type JobOutcome, type RunContext } from '../../src/jobs/scheduler';

let nextId = 0;

function makeJob(patch: Partial<Job> = {}): Job {
  nextId++;
  const identity = { id: `job-${nextId}`, sourceId: 'source-1', sourceName: 'holiday.avi', presetId: 'mp4-h264-480p' as const, outputName: 'holiday.mp4', state: 'queued' as const, queuedAt: nextId };
  return newJob(identity, { cost: 1, ...patch });
}

interface Run {
  job: Job;
  context: RunContext;
  finish(outputSize?: number): void;
  fail(error: unknown): void;
  /** Settles when the run has ended, however it ended. */
  ended: Promise<void>;
}

/**
 * A fake pool behind the runner: every run waits until the test finishes or fails it,
 * and rejects with an AbortError as soon as its signal fires (like the real pool does).
 */
class FakeRunner {
  readonly runs: Run[] = [];
  active = 0;
  maxActive = 0;

  readonly run = (job: Job, context: RunContext): Promise<JobOutcome> => {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    let resolve!: (outcome: JobOutcome) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<JobOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    }).finally(() => {
      this.active--;
    });
    context.signal.addEventListener('abort', () => reject(abortError()), { once: true });
    const ended = promise.then(
      () => undefined,
      () => undefined,
    );
    this.runs.push({ job, context, finish: (outputSize = 100) => resolve({ outputSize }), fail: reject, ended });
    return promise;
  };

  started(): string[] {
    return this.runs.map((r) => r.job.id);
  }

  runOf(job: Job): Run {
    const run = this.runs.filter((r) => r.job === job).at(-1);
    if (!run) throw new Error(`${job.id} never ran`);
    return run;
  }
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler: concurrency', () => {
  it('never runs more than the concurrency, and keeps every slot busy while jobs wait', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 3 });
    const jobs = Array.from({ length: 8 }, () => makeJob());
    scheduler.enqueue(jobs);
    expect(scheduler.runningCount).toBe(3);
    expect(runner.runs).toHaveLength(3);
    expect(jobs.filter((j) => j.state === 'running')).toHaveLength(3);

    for (let finished = 0; finished < jobs.length; finished++) {
      const waiting = jobs.filter((j) => j.state === 'queued').length;
      const running = jobs.filter((j) => j.state === 'running').length;
      expect(running).toBe(Math.min(3, running + waiting));
      const run = runner.runs.find((r) => r.job.state === 'running');
      run?.finish();
      await settle();
    }
    expect(jobs.map((j) => j.state)).toEqual(Array(8).fill('done'));
    expect(runner.maxActive).toBe(3);
    expect(runner.runs).toHaveLength(8);
    expect(scheduler.runningCount).toBe(0);
  });

  it('a concurrency below 1 still runs one job at a time', () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 0 });
    scheduler.enqueue([makeJob(), makeJob()]);
    expect(scheduler.runningCount).toBe(1);
  });

  it('setConcurrency raised mid-batch starts more jobs at once', () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    scheduler.enqueue(Array.from({ length: 5 }, () => makeJob()));
    expect(scheduler.runningCount).toBe(1);
    scheduler.setConcurrency(3);
    expect(scheduler.runningCount).toBe(3);
    expect(runner.runs).toHaveLength(3);
  });

  it('setConcurrency lowered stops nothing, but starts nothing until below the new limit', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 3 });
    const jobs = Array.from({ length: 5 }, () => makeJob());
    scheduler.enqueue(jobs);
    scheduler.setConcurrency(1);
    expect(scheduler.runningCount).toBe(3);
    expect(runner.runs.every((r) => !r.context.signal.aborted)).toBe(true);
    runner.runs[0]?.finish();
    await settle();
    expect(scheduler.runningCount).toBe(2);
    expect(runner.runs).toHaveLength(3);
    runner.runs[1]?.finish();
    runner.runs[2]?.finish();
    await settle();
    expect(scheduler.runningCount).toBe(1);
    expect(runner.runs).toHaveLength(4);
  });
});

describe('Scheduler: order', () => {
  it('starts the costliest waiting job first; equal costs by queuedAt', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    const cheap = makeJob({ id: 'cheap', cost: 1, queuedAt: 1 });
    const lateBig = makeJob({ id: 'late-big', cost: 5, queuedAt: 20 });
    const middle = makeJob({ id: 'middle', cost: 3, queuedAt: 2 });
    const earlyBig = makeJob({ id: 'early-big', cost: 5, queuedAt: 10 });
    scheduler.enqueue([cheap, lateBig, middle, earlyBig]);
    for (let i = 0; i < 4; i++) {
      runner.runs.at(-1)?.finish();
      await settle();
    }
    expect(runner.started()).toEqual(['early-big', 'late-big', 'middle', 'cheap']);
  });

  it('a costly job enqueued later goes ahead of cheaper waiting ones, not of running ones', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    scheduler.enqueue([makeJob({ id: 'a', cost: 2 }), makeJob({ id: 'b', cost: 1 })]);
    scheduler.enqueue([makeJob({ id: 'big', cost: 10 })]);
    expect(runner.started()).toEqual(['a']);
    for (let i = 0; i < 3; i++) {
      runner.runs.at(-1)?.finish();
      await settle();
    }
    expect(runner.started()).toEqual(['a', 'big', 'b']);
  });

  it('adopted (finished) jobs never run', () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 2 });
    scheduler.adopt(makeJob({ id: 'old', state: 'done', cost: 100 }));
    scheduler.enqueue([makeJob({ id: 'new' })]);
    expect(runner.started()).toEqual(['new']);
    expect(scheduler.get('old')?.state).toBe('done');
  });
});

describe('Scheduler: cancel', () => {
  it('a canceled queued job never runs', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1, now: () => 1234 });
    const first = makeJob({ id: 'first', cost: 2 });
    const second = makeJob({ id: 'second', cost: 1 });
    const third = makeJob({ id: 'third', cost: 0.5 });
    scheduler.enqueue([first, second, third]);
    scheduler.cancel('second');
    expect(second.state).toBe('canceled');
    expect(second.endedAt).toBe(1234);
    runner.runOf(first).finish();
    await settle();
    runner.runOf(third).finish();
    await settle();
    expect(runner.started()).toEqual(['first', 'third']);
    expect(second.state).toBe('canceled');
    expect(third.state).toBe('done');
  });

  it('a canceled running job has its signal fired, ends canceled, and frees its slot for the next', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    const running = makeJob({ id: 'running', cost: 2 });
    const next = makeJob({ id: 'next', cost: 1 });
    scheduler.enqueue([running, next]);
    const run = runner.runOf(running);
    scheduler.cancel('running');
    expect(run.context.signal.aborted).toBe(true);
    await run.ended;
    await settle();
    expect(running.state).toBe('canceled');
    expect(running.error).toBeNull();
    expect(running.endedAt).not.toBeNull();
    expect(runner.started()).toEqual(['running', 'next']);
    expect(next.state).toBe('running');
    expect(scheduler.runningCount).toBe(1);
  });

  it('cancel of a finished or unknown job changes nothing', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    const job = makeJob();
    scheduler.enqueue([job]);
    runner.runOf(job).finish(42);
    await settle();
    scheduler.cancel(job.id);
    scheduler.cancel('nope');
    expect(job.state).toBe('done');
    expect(job.outputSize).toBe(42);
  });
});

describe('Scheduler: failures', () => {
  it('one job that throws fails alone, with its message; the others go on', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 2 });
    const jobs = [makeJob({ id: 'a' }), makeJob({ id: 'bad' }), makeJob({ id: 'c' }), makeJob({ id: 'd' })];
    scheduler.enqueue(jobs);
    runner.runs[1]?.fail(new Error('This file is damaged or cut short; ffmpeg could not read it to the end.'));
    await settle();
    expect(scheduler.get('bad')?.state).toBe('failed');
    expect(scheduler.get('bad')?.error).toBe('This file is damaged or cut short; ffmpeg could not read it to the end.');
    expect(scheduler.runningCount).toBe(2);
    for (const run of runner.runs.filter((r) => r.job.state === 'running')) run.finish();
    await settle();
    for (const run of runner.runs.filter((r) => r.job.state === 'running')) run.finish();
    await settle();
    expect(jobs.map((j) => [j.id, j.state])).toEqual([
      ['a', 'done'],
      ['bad', 'failed'],
      ['c', 'done'],
      ['d', 'done'],
    ]);
    expect(jobs.filter((j) => j.id !== 'bad').every((j) => j.error === null)).toBe(true);
  });

  it('a thrown non-Error becomes its string', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    const job = makeJob();
    scheduler.enqueue([job]);
    runner.runOf(job).fail('worker said no');
    await settle();
    expect(job.state).toBe('failed');
    expect(job.error).toBe('worker said no');
    expect(job.speed).toBeNull();
  });

  it('a runner that throws synchronously (before any await) fails only its job', async () => {
    let calls = 0;
    const scheduler = new Scheduler(
      (job) => {
        calls++;
        if (job.id === 'sync-bad') throw new Error('bad arguments');
        return Promise.resolve({ outputSize: 1 });
      },
      { concurrency: 1 },
    );
    const bad = makeJob({ id: 'sync-bad', cost: 2 });
    const good = makeJob({ id: 'good', cost: 1 });
    scheduler.enqueue([bad, good]);
    await settle();
    expect(calls).toBe(2);
    expect(bad.state).toBe('failed');
    expect(bad.error).toBe('bad arguments');
    expect(good.state).toBe('done');
  });
});

describe('Scheduler: progress and listeners', () => {
  it('passes log lines and progress on to the job and its listeners', async () => {
    let clock = 1_000;
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1, now: () => clock });
    const seen: string[] = [];
    const unsubscribe = scheduler.subscribe((job) => seen.push(`${job.state}:${job.progress}`));
    const job = makeJob();
    scheduler.enqueue([job]);
    expect(job.startedAt).toBe(1_000);
    const run = runner.runOf(job);
    run.context.onLog(['frame=1 time=00:00:01.00']);
    expect(job.log).toEqual(['frame=1 time=00:00:01.00']);
    clock = 11_000;
    run.context.onProgress({ progress: 0.25, speed: 2 });
    expect(job.progress).toBe(0.25);
    expect(job.speed).toBe(2);
    expect(job.etaSec).toBe(30);
    unsubscribe();
    run.finish(7);
    await settle();
    expect(job).toMatchObject({ state: 'done', progress: 1, etaSec: 0, endedAt: 11_000, outputSize: 7 });
    expect(seen[0]).toBe('queued:0');
    expect(seen).toContain('running:0');
    expect(seen).toContain('running:0.25');
    expect(seen).not.toContain('done:1');
  });

  it('remove forgets finished jobs only', async () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    const done = makeJob({ id: 'd' });
    const waiting = makeJob({ id: 'w' });
    scheduler.enqueue([done, waiting]);
    runner.runOf(done).finish();
    await settle();
    scheduler.remove('d');
    scheduler.remove('w');
    expect(scheduler.list().map((j) => j.id)).toEqual(['w']);
  });
});

describe('Scheduler: watchdog', () => {
  /** One job on one slot under a watchdog of `stallTimeoutMs` (fake timers). */
  function watched(options: { stallTimeoutMs?: number; maxAttempts?: number } = {}): { runner: FakeRunner; scheduler: Scheduler; job: Job } {
    vi.useFakeTimers();
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1, stallTimeoutMs: 2_000, ...options });
    const job = makeJob();
    scheduler.enqueue([job]);
    return { runner, scheduler, job };
  }

  it('a silent run is aborted after stallTimeoutMs, tried once more, then fails with JobStalledError\'s message', async () => {
    vi.useFakeTimers();
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1, stallTimeoutMs: 2_000 });
    const job = makeJob();
    const other = makeJob({ cost: 0.5 });
    scheduler.enqueue([job, other]);
    const first = runner.runOf(job);

    await vi.advanceTimersByTimeAsync(1_999);
    expect(first.context.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(first.context.signal.aborted).toBe(true);
    await settle();
    expect(runner.runs.filter((r) => r.job === job)).toHaveLength(2);
    const second = runner.runOf(job);
    expect(second).not.toBe(first);
    expect(second.context.signal.aborted).toBe(false);
    expect(job.state).toBe('running');
    expect(job.log.some((line) => line.includes('Trying again (attempt 2 of 2)'))).toBe(true);

    await vi.advanceTimersByTimeAsync(2_000);
    await settle();
    expect(second.context.signal.aborted).toBe(true);
    expect(job.state).toBe('failed');
    expect(job.error).toBe(new JobStalledError(2).message);
    expect(runner.runs.filter((r) => r.job === job)).toHaveLength(2);
    // The slot went to the next job.
    expect(other.state).toBe('running');
  });

  it('log lines feed the watchdog: a slow but talkative run is never stopped', async () => {
    const { runner, job } = watched();
    const run = runner.runOf(job);
    for (let second = 1; second <= 20; second++) {
      await vi.advanceTimersByTimeAsync(1_500);
      run.context.onLog([`frame=${second} time=00:00:0${second % 10}.00`]);
    }
    expect(run.context.signal.aborted).toBe(false);
    run.finish();
    await settle();
    expect(job.state).toBe('done');
    expect(runner.runs).toHaveLength(1);
  });

  it('waiting (for the WebCodecs gate or storage) pauses the watchdog, which starts afresh after', async () => {
    const { runner, job } = watched();
    const run = runner.runOf(job);
    let letThrough!: () => void;
    const waited = run.context.whileWaiting(new Promise<void>((resolve) => (letThrough = resolve)));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(run.context.signal.aborted).toBe(false);
    letThrough();
    await waited;
    await vi.advanceTimersByTimeAsync(1_999);
    expect(run.context.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.context.signal.aborted).toBe(true);
  });

  it('a run that stalls once and then works on the retry is done', async () => {
    const { runner, job } = watched({ stallTimeoutMs: 50 });
    await vi.advanceTimersByTimeAsync(50);
    await settle();
    expect(runner.runs).toHaveLength(2);
    runner.runOf(job).finish(9);
    await settle();
    expect(job.state).toBe('done');
    expect(job.outputSize).toBe(9);
    expect(job.error).toBeNull();
  });

  it('maxAttempts 1: the first stall fails the job', async () => {
    const { runner, job } = watched({ stallTimeoutMs: 3_000, maxAttempts: 1 });
    await vi.advanceTimersByTimeAsync(3_000);
    await settle();
    expect(runner.runs).toHaveLength(1);
    expect(job.state).toBe('failed');
    expect(job.error).toBe(new JobStalledError(3).message);
  });

  it('a cancel is a cancel, not a stall: no retry', async () => {
    const { runner, scheduler, job } = watched();
    await vi.advanceTimersByTimeAsync(1_000);
    scheduler.cancel(job.id);
    await settle();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(job.state).toBe('canceled');
    expect(runner.runs).toHaveLength(1);
  });

  it('a finished job leaves no watchdog behind', async () => {
    const { runner, job } = watched();
    runner.runOf(job).finish();
    await settle();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('Scheduler: jobs that use several workers (slots)', () => {
  it('a job gets the slots it wants, but never more than are free; the sum never exceeds the concurrency', async () => {
    const runner = new FakeRunner();
    const wants: Record<string, number> = { long: 3, second: 3, small1: 1, small2: 1 };
    const scheduler = new Scheduler(runner.run, { concurrency: 4, slotsWanted: (job) => wants[job.id] ?? 1 });
    const jobs = [
      makeJob({ id: 'long', cost: 40 }),
      makeJob({ id: 'second', cost: 30 }),
      makeJob({ id: 'small1', cost: 2 }),
      makeJob({ id: 'small2', cost: 1 }),
    ];
    scheduler.enqueue(jobs);
    expect(runner.runs.map((r) => [r.job.id, r.context.slots])).toEqual([
      ['long', 3],
      ['second', 1],
    ]);
    expect(scheduler.usedSlots).toBe(4);
    expect(scheduler.runningCount).toBe(2);

    runner.runOf(jobs[0] as Job).finish();
    await settle();
    expect(runner.runs.map((r) => [r.job.id, r.context.slots])).toEqual([
      ['long', 3],
      ['second', 1],
      ['small1', 1],
      ['small2', 1],
    ]);
    expect(scheduler.usedSlots).toBe(3);
  });

  it('a wish below one (or fractional) still gets one whole slot', () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 4, slotsWanted: (job) => (job.id === 'zero' ? 0 : 2.7) });
    scheduler.enqueue([makeJob({ id: 'zero', cost: 2 }), makeJob({ id: 'frac', cost: 1 })]);
    expect(runner.runs.map((r) => r.context.slots)).toEqual([1, 2]);
    expect(scheduler.usedSlots).toBe(3);
  });

  it('the slots stay taken across a stall retry and are freed at the end', async () => {
    vi.useFakeTimers();
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 2, stallTimeoutMs: 1_000, slotsWanted: () => 2 });
    const job = makeJob();
    const next = makeJob({ cost: 0.1 });
    scheduler.enqueue([job, next]);
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(runner.runs.map((r) => r.context.slots)).toEqual([2, 2]);
    expect(next.state).toBe('queued');
    runner.runOf(job).finish();
    await settle();
    expect(next.state).toBe('running');
    expect(scheduler.usedSlots).toBe(2);
  });
});

describe('Scheduler: jobs not ready yet', () => {
  it('skips a job that is not ready, even a costlier one, and starts it on wake()', async () => {
    const runner = new FakeRunner();
    const ready = new Set<string>(['cheap']);
    const scheduler = new Scheduler(runner.run, { concurrency: 2, isReady: (job) => ready.has(job.id) });
    const costly = makeJob({ id: 'costly', cost: 50 });
    const cheap = makeJob({ id: 'cheap', cost: 1 });
    scheduler.enqueue([costly, cheap]);
    expect(runner.started()).toEqual(['cheap']);
    expect(costly.state).toBe('queued');
    await settle();
    expect(runner.started()).toEqual(['cheap']);

    ready.add('costly');
    scheduler.wake();
    expect(runner.started()).toEqual(['cheap', 'costly']);
  });

  it('wake() with no free slot starts nothing', () => {
    const runner = new FakeRunner();
    const scheduler = new Scheduler(runner.run, { concurrency: 1 });
    scheduler.enqueue([makeJob(), makeJob()]);
    scheduler.wake();
    expect(runner.runs).toHaveLength(1);
  });
});
