import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, withRetry, type RetryPolicy } from '../../src/upload/retry-policy';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelay', () => {
  it('doubles the cap with each attempt (full jitter at the top of the range)', () => {
    const top = (): number => 0.999999;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, top))).toEqual([99, 199, 399, 799]);
  });

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelay(20, policy, () => 0.999999)).toBe(999);
  });

  it('draws uniformly from zero up to the cap', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });
});

describe('isRetryable', () => {
  it.each([
    [{ reason: 'network' }, true],
    [{ reason: 'http', status: 500 }, true],
    [{ reason: 'http', status: 503 }, true],
    [{ reason: 'http', status: 429 }, true],
    [{ reason: 'http', status: 408 }, true],
    [{ reason: 'http', status: 400, code: 'RequestTimeout' }, true],
    [{ reason: 'http', status: 501 }, false],
    [{ reason: 'http', status: 404 }, false],
    [{ reason: 'quota', status: 507 }, false],
    [{ reason: 'signature', status: 403 }, false],
    [{ reason: 'expired', status: 403 }, false],
    [{ reason: 'cors' }, false],
    [{ reason: 'bad-endpoint' }, false],
  ])('%o → %s', (failure, expected) => {
    expect(isRetryable(failure)).toBe(expected);
  });
});

describe('withRetry', () => {
  const noWait = { wait: (): Promise<void> => Promise.resolve(), random: () => 0.5 };

  it('retries retryable failures, waiting the backoff delays, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      () => (++calls < 3 ? Promise.reject(new Error('flaky')) : Promise.resolve('ok')),
      policy,
      () => true,
      undefined,
      { ...noWait, wait: (ms) => Promise.resolve(void waits.push(ms)) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    const run = withRetry(async () => Promise.reject(new Error(`failure ${++calls}`)), policy, () => true, undefined, noWait);
    await expect(run).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
  });

  it('does not retry what the predicate rejects', async () => {
    let calls = 0;
    const run = withRetry(async () => Promise.reject(new Error(`failure ${++calls}`)), policy, () => false, undefined, noWait);
    await expect(run).rejects.toThrow('failure 1');
  });

  it('rethrows an AbortError at once, as it is', async () => {
    const abort = new DOMException('stop', 'AbortError');
    let calls = 0;
    const run = withRetry(() => { calls++; return Promise.reject(abort); }, policy, () => true, undefined, noWait);
    await expect(run).rejects.toBe(abort);
    expect(calls).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const run = withRetry(async () => Promise.reject(new Error('down')), { ...policy, baseDelayMs: 60_000 }, () => true, controller.signal, { random: () => 0.9 });
    setTimeout(() => controller.abort(), 10);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
