/**
 * Room in the browser's storage for the outputs of running jobs. An output exists twice for
 * a moment (the OPFS scratch file and its copy in IndexedDB), so a job reserves twice its
 * estimated size before it starts. A job that cannot fit even alone fails at once with a
 * sentence; one that fits alone but not beside the running ones waits for them.
 */
import { throwIfAborted } from '../shared/abort';
import { formatBytes } from '../shared/format';
import { PRIVATE_WINDOW_ADVICE, privateWindowSentence } from './private-window';

export interface StorageFigures {
  usedBytes: number | null;
  quotaBytes: number | null;
}

/**
 * The job's output cannot fit in what the browser grants this page (the job then fails with this sentence).
 *
 * @example
 * ```ts
 * if (error instanceof StorageBudgetError) console.log(error.neededBytes, error.freeBytes);
 * ```
 */
export class StorageBudgetError extends Error {
  override name = 'StorageBudgetError';
  constructor(
    readonly neededBytes: number,
    readonly freeBytes: number,
    /** Set in a private window: what it holds in memory (the sentence then says so first). */
    readonly inMemoryBytes: number | null = null,
  ) {
    const need =
      `This output needs about ${formatBytes(neededBytes)} of the browser's storage (the file, and a second copy while it is saved), ` +
      `but only ${formatBytes(Math.max(0, freeBytes))} is free for this page.`;
    super(
      inMemoryBytes !== null
        ? `${privateWindowSentence(inMemoryBytes)} ${need} ${PRIVATE_WINDOW_ADVICE}`
        : `${need} Delete some stored outputs or free space on the disk, then try again.`,
    );
  }
}

/**
 * Copies made while an output is saved: the scratch file and the stored one. New outputs
 * need this many times their size free while they are stored.
 *
 * @example
 * ```ts
 * const { bytes, freeBytes } = await session.batch.estimateOutputs(['mp4-h264-720p']);
 * const tight = freeBytes !== null && bytes * COPIES_WHILE_STORING > freeBytes;
 * ```
 */
export const COPIES_WHILE_STORING = 2;

export class StorageBudget {
  private readonly reservations = new Map<symbol, number>();
  private readonly waiting = new Set<() => void>();

  /**
   * @param figures the browser's estimate (`navigator.storage.estimate()` in the page)
   * @param quotaCap a lower quota than the browser's, for tests (`?quotaBytes=`)
   * @param inMemory in a private window, the bytes it holds in memory (see private-window.ts); else null
   */
  constructor(
    private readonly figures: () => Promise<StorageFigures>,
    private readonly quotaCap: number | null = null,
    private readonly inMemory: () => Promise<number | null> = () => Promise.resolve(null),
  ) {}

  /** Free bytes for this page, or null where the browser does not say. */
  async freeBytes(): Promise<number | null> {
    const [{ usedBytes, quotaBytes }, memory] = await Promise.all([this.figures(), this.inMemoryBytes()]);
    // A private window's estimate gives the disk's quota; its real room is the memory share.
    const quota = Math.min(quotaBytes ?? Infinity, this.quotaCap ?? Infinity, memory ?? Infinity);
    if (!Number.isFinite(quota)) return null;
    return quota - (usedBytes ?? 0);
  }

  /**
   * In a private window (outputs kept in memory), the bytes it can hold for this page, capped by
   * the quota knob; null where outputs go to disk.
   */
  async inMemoryBytes(): Promise<number | null> {
    const memory = await this.inMemory().catch(() => null);
    return memory === null ? null : Math.min(memory, this.quotaCap ?? Infinity);
  }

  /**
   * Waits until `outputBytes` fits beside the running jobs' reservations, then holds it until
   * the returned release is called. Throws StorageBudgetError when it cannot fit even alone.
   */
  async reserve(outputBytes: number, signal: AbortSignal): Promise<() => void> {
    const needed = outputBytes * COPIES_WHILE_STORING;
    for (;;) {
      throwIfAborted(signal);
      const free = await this.freeBytes();
      const others = [...this.reservations.values()].reduce((sum, bytes) => sum + bytes, 0);
      if (free === null || needed <= free - others) break;
      if (others === 0) throw new StorageBudgetError(needed, free, await this.inMemoryBytes());
      await new Promise<void>((wake) => {
        const done = (): void => {
          this.waiting.delete(done);
          signal.removeEventListener('abort', done);
          wake();
        };
        this.waiting.add(done);
        if (signal.aborted) done();
        else signal.addEventListener('abort', done, { once: true });
      });
    }
    const key = Symbol('reservation');
    this.reservations.set(key, needed);
    return () => {
      if (!this.reservations.delete(key)) return;
      for (const wake of [...this.waiting]) wake();
    };
  }
}
