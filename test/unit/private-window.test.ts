/**
 * Issue 15 (3): a private window keeps outputs in memory. The decisions: when the page is in
 * one and how much it holds, the sentence a refused job gets, and which failures mean memory ran out.
 */
import { describe, expect, it } from 'vitest';
import { looksOutOfMemory, outOfMemorySentence } from '../../src/jobs/memory-failure';
import { FfmpegExitError, OutputWriteError, WorkerCrashedError } from '../../src/pool/worker-pool';
import { StorageFullError } from '../../src/storage/output-store';
import { inMemoryLimit, PRIVATE_WINDOW_MEMORY_SHARE, privateWindowSentence, worthWarning } from '../../src/storage/private-window';
import { StorageBudget, StorageBudgetError } from '../../src/storage/storage-budget';

const GiB = 2 ** 30;
const MB = 1_000_000;

describe('inMemoryLimit: is this a private window, and how much does it hold', () => {
  it('a store that copies files (a profile on disk) is not a private window, whatever the memory', () => {
    expect(inMemoryLimit({ hasOpfs: true, copiesFiles: true, deviceMemoryGiB: 8, quotaBytes: 10 * GiB })).toBeNull();
  });

  it('without OPFS the copy probe tells nothing: not taken for a private window', () => {
    expect(inMemoryLimit({ hasOpfs: false, copiesFiles: false, deviceMemoryGiB: 8 })).toBeNull();
  });

  it('off the record: 15 % of the device memory (Chromium gives 15–20 %), not the 10 GiB the estimate reports', () => {
    expect(PRIVATE_WINDOW_MEMORY_SHARE).toBe(0.15);
    expect(inMemoryLimit({ hasOpfs: true, copiesFiles: false, deviceMemoryGiB: 8, quotaBytes: 10 * GiB })).toBeCloseTo(1.2 * GiB, -3);
    expect(inMemoryLimit({ hasOpfs: true, copiesFiles: false, deviceMemoryGiB: 2, quotaBytes: 10 * GiB })).toBeCloseTo(0.3 * GiB, -3);
  });

  it('a quota below the memory share wins; a device that hides its memory counts as 4 GiB', () => {
    expect(inMemoryLimit({ hasOpfs: true, copiesFiles: false, deviceMemoryGiB: 8, quotaBytes: 300 * MB })).toBe(300 * MB);
    expect(inMemoryLimit({ hasOpfs: true, copiesFiles: false, quotaBytes: null })).toBeCloseTo(0.6 * GiB, -3);
  });
});

describe('what the page says', () => {
  it('names the window and its room, in GB for a camera-sized room', () => {
    expect(privateWindowSentence(1.2e9)).toBe('This private window keeps outputs in memory: at most about 1.2 GB here.');
    expect(privateWindowSentence(1_500_000)).toBe('This private window keeps outputs in memory: at most about 1.5 MB here.');
  });

  it('warns before Encode only when the new outputs take over a quarter of the room', () => {
    expect(worthWarning(300 * MB, 1.2e9)).toBe(false);
    expect(worthWarning(301 * MB, 1.2e9)).toBe(true);
  });
});

describe('StorageBudget in a private window', () => {
  const figures = { usedBytes: 100 * MB, quotaBytes: 10 * GiB };

  it('counts the memory share, not the quota, as the room', async () => {
    const budget = new StorageBudget(() => Promise.resolve(figures), null, () => Promise.resolve(1.2e9));
    expect(await budget.freeBytes()).toBe(1.2e9 - 100 * MB);
    expect(await budget.inMemoryBytes()).toBe(1.2e9);
    const onDisk = new StorageBudget(() => Promise.resolve(figures));
    expect(await onDisk.freeBytes()).toBe(10 * GiB - 100 * MB);
    expect(await onDisk.inMemoryBytes()).toBeNull();
  });

  it('refuses at once a job that cannot fit even alone, with the private-window sentence first', async () => {
    const budget = new StorageBudget(() => Promise.resolve(figures), null, () => Promise.resolve(1.2e9));
    const error = await budget.reserve(2.4e9, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageBudgetError);
    expect((error as Error).message).toBe(
      "This private window keeps outputs in memory: at most about 1.2 GB here. This output needs about 4.8 GB of the browser's storage (the file, and a second copy while it is saved), but only 1.1 GB is free for this page. Open ffbatch in a normal window for files this big (outputs there go to disk).",
    );
    // The same job fits in a window whose outputs go to disk.
    const onDisk = new StorageBudget(() => Promise.resolve(figures));
    (await onDisk.reserve(2.4e9, new AbortController().signal))();
  });

  it('the ?quotaBytes= knob caps the room it names', async () => {
    const budget = new StorageBudget(() => Promise.resolve({ usedBytes: 0, quotaBytes: 10 * GiB }), 1_500_000, () => Promise.resolve(1.2e9));
    expect(await budget.inMemoryBytes()).toBe(1_500_000);
    expect(await budget.freeBytes()).toBe(1_500_000);
  });
});

describe('looksOutOfMemory: which failures mean memory ran out', () => {
  it('ffmpeg.wasm and V8 saying so, in any window', () => {
    expect(looksOutOfMemory(new FfmpegExitError(1), ['Aborted(OOM)'], false)).toBe(true);
    expect(looksOutOfMemory(new RangeError('Array buffer allocation failed'), [], false)).toBe(true);
    expect(looksOutOfMemory(new Error('Cannot enlarge memory arrays'), [], false)).toBe(true);
  });

  it("a bare 'Aborted()' means memory in a private window only, and not beside another cause", () => {
    const log = ['frame= 3000 fps=120 q=-1.0 size= 2400000kB time=00:20:00.00', 'Aborted()'];
    expect(looksOutOfMemory(new FfmpegExitError(1), log, true)).toBe(true);
    expect(looksOutOfMemory(new FfmpegExitError(1), log, false)).toBe(false);
    expect(looksOutOfMemory(new FfmpegExitError(1), ['in.avi: Invalid data found when processing input', 'Aborted()'], true)).toBe(false);
  });

  it('storage full means memory full in a private window (its storage is memory), not on disk', () => {
    const quota = new OutputWriteError({ kind: 'quota', message: 'QuotaExceededError' });
    for (const error of [new DOMException('full', 'QuotaExceededError'), new StorageFullError('full'), quota, new WorkerCrashedError('the worker died')]) {
      expect(looksOutOfMemory(error, [], true)).toBe(true);
      expect(looksOutOfMemory(error, [], false)).toBe(false);
    }
    expect(looksOutOfMemory(new OutputWriteError({ kind: 'io', message: 'NotReadableError' }), [], true)).toBe(false);
  });

  it('an ordinary failure is not memory', () => {
    expect(looksOutOfMemory(new FfmpegExitError(1), ['Error while decoding stream #0:0'], true)).toBe(false);
    expect(looksOutOfMemory(new Error('The source file is no longer in the list.'), [], true)).toBe(false);
  });

  it('the sentence names the private window and its room, or plain memory elsewhere', () => {
    expect(outOfMemorySentence(1.2e9)).toBe(
      'This private window keeps outputs in memory: at most about 1.2 GB here. This job ran out of it. Open ffbatch in a normal window for files this big (outputs there go to disk).',
    );
    expect(outOfMemorySentence(null)).toBe('The browser ran out of memory for this job. Try a smaller preset, or fewer workers at once.');
  });
});
