import { describe, expect, it } from 'vitest';
import { abortError, abortReason, asAbortError, isAbortError, throwIfAborted, untilAborted } from '../../src/shared/abort';

describe('the one abort rule (src/shared/abort)', () => {
  it('abortError is a DOMException named AbortError with the given message', () => {
    const error = abortError('stopped here');
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe('AbortError');
    expect(error.message).toBe('stopped here');
  });

  it('isAbortError: a DOMException or an Error named AbortError (as Comlink carries it), nothing else', () => {
    const carried = Object.assign(new Error('canceled in the worker'), { name: 'AbortError' });
    expect(isAbortError(abortError())).toBe(true);
    expect(isAbortError(carried)).toBe(true);
    expect(isAbortError(new DOMException('late', 'TimeoutError'))).toBe(false);
    expect(isAbortError(new Error('AbortError'))).toBe(false);
    expect(isAbortError({ name: 'AbortError' })).toBe(false);
    const again = asAbortError(carried);
    expect(again).toBeInstanceOf(DOMException);
    expect([again.name, again.message]).toEqual(['AbortError', 'canceled in the worker']);
  });

  it('a TimeoutError or a value of the caller as the reason becomes an AbortError; an AbortError reason is kept as it is', async () => {
    const timedOut = AbortSignal.timeout(1);
    await new Promise((resolve) => timedOut.addEventListener('abort', resolve, { once: true }));
    expect((timedOut.reason as DOMException).name).toBe('TimeoutError');
    expect(abortReason(timedOut, 'too late').name).toBe('AbortError');
    expect(abortReason(timedOut, 'too late').message).toBe('too late');
    expect(() => throwIfAborted(timedOut)).toThrow(expect.objectContaining({ name: 'AbortError' }) as Error);

    const byValue = new AbortController();
    byValue.abort('because');
    expect(abortReason(byValue.signal).name).toBe('AbortError');

    const own = new AbortController();
    const reason = abortError('mine');
    own.abort(reason);
    expect(abortReason(own.signal)).toBe(reason);
  });

  it('throwIfAborted passes a live signal; untilAborted rejects with an AbortError when the signal fires, also one already fired', async () => {
    const live = new AbortController();
    expect(() => throwIfAborted(live.signal)).not.toThrow();
    const waiting = untilAborted(live.signal, 'held');
    live.abort(new DOMException('late', 'TimeoutError'));
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError', message: 'held' });
    await expect(untilAborted(live.signal)).rejects.toBeInstanceOf(DOMException);
  });
});
