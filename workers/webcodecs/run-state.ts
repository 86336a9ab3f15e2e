/**
 * What the video and the audio pipeline of one transcode share: the cancel signal and the first
 * failure on either side, which stops the other at its next step.
 */
import { throwIfAborted } from '../../src/shared/abort';

export const CANCELED = 'The WebCodecs encode was canceled.';

export class RunState {
  private failure: { error: unknown } | null = null;

  constructor(readonly signal: AbortSignal) {}

  /** Records `error` unless an earlier one is recorded (the first is the cause). */
  readonly fail = (error: unknown): void => {
    this.failure ??= { error };
  };

  get failed(): boolean {
    return this.failure !== null;
  }

  /** Throws the abort, or the first failure, if there is one. */
  check(): void {
    throwIfAborted(this.signal, CANCELED);
    if (this.failure !== null) {
      const { error } = this.failure;
      throw error instanceof Error ? error : new Error(`The WebCodecs encode failed: ${JSON.stringify(error)}`);
    }
  }

  /** Waits until `ready()` holds, re-checking when a target fires `dequeue` (or every 50 ms). */
  async waitUntil(ready: () => boolean, ...targets: EventTarget[]): Promise<void> {
    while (!ready()) {
      throwIfAborted(this.signal, CANCELED);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          for (const t of targets) t.removeEventListener('dequeue', done);
          resolve();
        };
        const timer = setTimeout(done, 50);
        for (const t of targets) t.addEventListener('dequeue', done);
      });
    }
  }
}
