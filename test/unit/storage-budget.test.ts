import { describe, expect, it } from 'vitest';
import { COPIES_WHILE_STORING, StorageBudget, StorageBudgetError, type StorageFigures } from '../../src/storage/storage-budget';

const GB = 1_000_000_000;

function budget(figures: StorageFigures, cap: number | null = null): StorageBudget {
  return new StorageBudget(() => Promise.resolve(figures), cap);
}

describe('StorageBudget', () => {
  it('counts twice the output (scratch file + stored copy) against what is free', async () => {
    const b = budget({ usedBytes: 1 * GB, quotaBytes: 11 * GB });
    expect(await b.freeBytes()).toBe(10 * GB);
    const release = await b.reserve(5 * GB, new AbortController().signal);
    release();
    await expect(b.reserve(5 * GB + 1, new AbortController().signal)).rejects.toBeInstanceOf(StorageBudgetError);
    expect(COPIES_WHILE_STORING).toBe(2);
  });

  it('says how much is needed and how much is free, in a sentence', async () => {
    const error = await budget({ usedBytes: 0, quotaBytes: 3 * GB })
      .reserve(2 * GB, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageBudgetError);
    expect((error as Error).message).toMatch(/needs about 4\.0 GB of the browser's storage .* only 3\.0 GB is free/);
  });

  it('a lower cap (the ?quotaBytes= test knob) wins over the browser quota', async () => {
    expect(await budget({ usedBytes: 100, quotaBytes: 10 * GB }, 1000).freeBytes()).toBe(900);
  });

  it('without a browser estimate, nothing is refused', async () => {
    const b = budget({ usedBytes: null, quotaBytes: null });
    expect(await b.freeBytes()).toBeNull();
    await expect(b.reserve(100 * GB, new AbortController().signal)).resolves.toBeTypeOf('function');
  });

  it('a job that fits alone but not beside a running one waits for it, then goes', async () => {
    const b = budget({ usedBytes: 0, quotaBytes: 10 * GB });
    const releaseFirst = await b.reserve(3 * GB, new AbortController().signal);
    let secondStarted = false;
    const second = b.reserve(3 * GB, new AbortController().signal).then((release) => {
      secondStarted = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(secondStarted).toBe(false);
    releaseFirst();
    (await second)();
    expect(secondStarted).toBe(true);
  });

  it('a waiting job can be canceled', async () => {
    const b = budget({ usedBytes: 0, quotaBytes: 10 * GB });
    await b.reserve(3 * GB, new AbortController().signal);
    const cancel = new AbortController();
    const waiting = b.reserve(3 * GB, cancel.signal);
    cancel.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});
