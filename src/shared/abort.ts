/**
 * The one abort rule of ffbatch: whatever stops a run (a Cancel button, a terminated worker,
 * a caller's `AbortSignal.timeout()`), the promise rejects with a DOMException named
 * `AbortError`. A signal's own reason (a `TimeoutError`, a caller's value) never leaks out.
 * Plain helpers, no DOM: the workers import this file too.
 */

/** A fresh AbortError. */
export function abortError(message = 'The job was canceled.'): DOMException {
  return new DOMException(message, 'AbortError');
}

/**
 * True for an AbortError: a DOMException, or an Error of that name (Comlink carries only an
 * error's name and message across from a worker).
 */
export function isAbortError(error: unknown): error is Error {
  return (error instanceof DOMException || error instanceof Error) && error.name === 'AbortError';
}

/** The AbortError to throw for an aborted signal: its reason when that is one, else a new one. */
export function abortReason(signal: AbortSignal, message?: string): DOMException {
  const reason: unknown = signal.reason;
  return reason instanceof DOMException && reason.name === 'AbortError' ? reason : abortError(message);
}

/** An AbortError that came across a worker boundary as a plain Error, made a DOMException again. */
export function asAbortError(error: Error): DOMException {
  return error instanceof DOMException ? error : abortError(error.message);
}

/** Throws a new AbortError if the signal has fired; call between awaits. */
export function throwIfAborted(signal: AbortSignal, message?: string): void {
  if (signal.aborted) throw abortError(message);
}

/** Resolves never; rejects with a new AbortError when `signal` fires. */
export function untilAborted(signal: AbortSignal, message?: string): Promise<never> {
  return new Promise((_, reject) => {
    const stop = (): void => reject(abortError(message));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
