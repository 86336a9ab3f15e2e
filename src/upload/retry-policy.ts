import { abortReason, isAbortError } from '../shared/abort';

/**
 * When and how long to wait before trying a failed request again.
 * Pure functions, except {@link withRetry}, whose clock and random source are injectable.
 */

/** How a request is retried. */
export interface RetryPolicy {
  /** Total tries, the first one included (1 = never retry). */
  maxAttempts: number;
  /** Delay cap of the first retry, in milliseconds; doubles with each attempt. */
  baseDelayMs: number;
  /** No single delay is longer than this. */
  maxDelayMs: number;
}

/** 5 tries over at most ~15 s: rides out a short network drop or a server restart. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
});

/**
 * Delay before the retry that follows failed attempt number `attempt` (1-based):
 * exponential backoff with full jitter, a uniform pick in [0, min(max, base·2^(attempt−1))).
 * Full jitter spreads the retries of many parts that failed together (AWS's advice).
 *
 * @example backoffDelay(3, { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 8000 }, () => 0.5) // 1000
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/** What {@link isRetryable} needs to know about a failure. */
export interface FailureFacts {
  /** 'network' = no HTTP answer at all (refused, reset, timed out). */
  reason: string;
  /** HTTP status, when there was an answer. */
  status?: number | undefined;
  /** S3 error code from the XML body, when there was one. */
  code?: string | undefined;
}

/** S3 codes that mean "try again later", whatever the status says. */
const RETRYABLE_CODES = new Set(['RequestTimeout', 'SlowDown', 'InternalError', 'ServiceUnavailable']);

/**
 * Network failures, 5xx (but not 501 Not Implemented or 507 out of space), 408, 429 and S3's
 * transient codes are worth another try; signature, expiry, CORS, quota and other 4xx are not.
 */
export function isRetryable(failure: FailureFacts): boolean {
  if (failure.reason === 'network') return true;
  if (failure.reason !== 'http') return false;
  if (failure.code !== undefined && RETRYABLE_CODES.has(failure.code)) return true;
  const status = failure.status ?? 0;
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 507);
}

/** Waits `ms`, or rejects with the signal's AbortError as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(uploadAborted(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(uploadAborted(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The AbortError an upload rejects with (the signal's reason, when it is one). */
export function uploadAborted(signal: AbortSignal): DOMException {
  return abortReason(signal, 'The upload was aborted.');
}

/** Hooks for tests: a fake clock and random source. */
export interface RetryHooks {
  random?: () => number;
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait, e.g. to log "retrying part 3 in 700 ms". */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that `retryable` rejects, or the policy's
 * attempts run out; the last error is thrown. An AbortError is rethrown at once, as it is.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  retryable: (error: unknown) => boolean,
  signal?: AbortSignal,
  hooks: RetryHooks = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw uploadAborted(signal);
    try {
      return await attempt(n);
    } catch (error) {
      if (isAbortError(error) || n >= policy.maxAttempts || !retryable(error)) throw error;
      const delay = backoffDelay(n, policy, hooks.random);
      hooks.onRetry?.(n, delay, error);
      await (hooks.wait ?? sleep)(delay, signal);
    }
  }
}
