import { throwIfAborted } from '../shared/abort';

/**
 * At most `limit` holders at once; the others wait in order. Used to run fewer WebCodecs
 * encodes at once than there are workers: one encode already keeps the browser's codec
 * threads on every core (bench --part phone-workers).
 */
export class Gate {
  private holders = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`limit must be a whole number of at least 1; got ${limit}.`);
  }

  /** Whether `acquire` would have to wait now. */
  get busy(): boolean {
    return this.holders >= this.limit;
  }

  /** Resolves with a release function once there is room; rejects with an AbortError if `signal` fires first. */
  async acquire(signal: AbortSignal): Promise<() => void> {
    while (this.holders >= this.limit) {
      throwIfAborted(signal);
      await new Promise<void>((wake) => {
        const done = (): void => {
          const at = this.waiting.indexOf(done);
          if (at >= 0) this.waiting.splice(at, 1);
          signal.removeEventListener('abort', done);
          wake();
        };
        this.waiting.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    throwIfAborted(signal);
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders--;
      this.waiting[0]?.();
    };
  }
}
