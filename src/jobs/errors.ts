/**
 * A job failed for a reason a person can read; `message` is that sentence, `log` ffmpeg's log.
 *
 * @example
 * ```ts
 * try { await job.result(); }
 * catch (error) { if (error instanceof JobFailedError) show(error.message, error.log.join('\n')); }
 * ```
 */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
  /** ffmpeg's log of the job, where there is one (the library API's `result()` fills it). */
  readonly log: readonly string[];

  constructor(message: string, log: readonly string[] = []) {
    super(message);
    this.log = log;
  }
}

/**
 * A job showed no sign of life for too long; the watchdog stopped it (the job is tried again once, then fails).
 *
 * @example
 * ```ts
 * if (error instanceof JobStalledError) console.warn('the encoder hung:', error.message);
 * ```
 */
export class JobStalledError extends Error {
  override name = 'JobStalledError';
  constructor(seconds: number) {
    super(`The encoder stopped making progress for ${seconds} s, so it was stopped.`);
  }
}
