/** A job failed for a reason a person can read; `message` is that sentence. */
export class JobFailedError extends Error {
  override name = 'JobFailedError';
}

/** A job showed no sign of life for too long; the watchdog stopped it. */
export class JobStalledError extends Error {
  override name = 'JobStalledError';
  constructor(seconds: number) {
    super(`The encoder stopped making progress for ${seconds} s, so it was stopped.`);
  }
}

export function abortError(message = 'The job was canceled.'): DOMException {
  return new DOMException(message, 'AbortError');
}

export function isAbortError(error: unknown): boolean {
  return (error instanceof DOMException || error instanceof Error) && error.name === 'AbortError';
}

/** Throws an AbortError if the signal has fired; call between awaits. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError();
}
