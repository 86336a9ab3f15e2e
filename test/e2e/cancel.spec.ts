/**
 * Cancel stops a running job at once (its worker is terminated and replaced: the next job
 * runs and finishes), a canceled queued job never runs, and raising "Workers" mid-batch
 * runs two jobs at once.
 */
import { expect, test, type Page } from '@playwright/test';
import { fixture } from '../support/media';
import { addFiles, allJobs, jobFor, jobsIn, openApp, pressEncode, setWorkers, tickPresets, waitForAllFinished } from './app-page';

declare global {
  interface Window {
    __workers?: { made: string[]; terminated: number };
    __states?: { history: Record<string, string[]>; maxRunning: number; resetMax(): void };
  }
}

/** Counts the page's Workers (made and terminated) before any app code runs. */
async function countWorkers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record = { made: [] as string[], terminated: 0 };
    window.__workers = record;
    const Original = window.Worker;
    class CountedWorker extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        record.made.push(options?.name ?? String(url));
      }
      override terminate(): void {
        record.terminated++;
        super.terminate();
      }
    }
    window.Worker = CountedWorker;
  });
}

/** Records every data-state each job element takes, and the most jobs ever running at once. */
async function watchStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const history: Record<string, string[]> = {};
    const watch = {
      history,
      maxRunning: 0,
      resetMax() {
        watch.maxRunning = document.querySelectorAll('[data-job-id][data-state=running]').length;
      },
    };
    window.__states = watch;
    const note = (el: Element): void => {
      const key = `${el.getAttribute('data-source')} → ${el.getAttribute('data-preset')}`;
      const state = el.getAttribute('data-state') ?? '';
      const seen = (history[key] ??= []);
      if (seen[seen.length - 1] !== state) seen.push(state);
    };
    const observer = new MutationObserver((mutations) => {
      for (const m of mutations) {
        const targets = m.type === 'attributes' ? [m.target as Element] : [...m.addedNodes].filter((n): n is Element => n instanceof Element);
        for (const t of targets) if (t.matches('[data-job-id][data-state]')) note(t);
      }
      watch.maxRunning = Math.max(watch.maxRunning, document.querySelectorAll('[data-job-id][data-state=running]').length);
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    for (const el of document.querySelectorAll('[data-job-id][data-state]')) note(el);
  });
}

async function stateHistory(page: Page, source: string, preset: string): Promise<string[]> {
  return page.evaluate((key) => window.__states?.history[key] ?? [], `${source} → ${preset}`);
}

test('cancel a running job and a queued one; the worker is replaced and the queue goes on', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  await countWorkers(page);
  await openApp(page);
  await watchStates(page);
  await setWorkers(page, 1);

  // A long job: H.264 of the 33 s FLV.
  await addFiles(page, [fixture('trailer_big_buck_bunny.flv')]);
  await tickPresets(page, ['mp4-h264-720p']);
  await pressEncode(page);
  const long = jobFor(page, 'trailer_big_buck_bunny.flv', 'mp4-h264-720p');
  await expect(long).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  // Really encoding (core loaded, frames going through), not just picked from the queue.
  await expect.poll(async () => long.locator('progress').evaluate((p: HTMLProgressElement) => p.value), { timeout: 120_000 }).toBeGreaterThan(0);

  // More work behind it, with one worker: all queued.
  await addFiles(page, [fixture('flower.mp4'), fixture('friday.mp4')]);
  await tickPresets(page, ['flv-320x240']);
  await pressEncode(page);
  await expect(allJobs(page)).toHaveCount(4);
  await expect(jobsIn(page, 'queued')).toHaveCount(3);
  await expect(jobsIn(page, 'running')).toHaveCount(1);

  await test.step('a canceled queued job is canceled at once', async () => {
    const queued = jobFor(page, 'flower.mp4', 'flv-320x240');
    await queued.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(queued).toHaveAttribute('data-state', 'canceled');
  });

  const before = await page.evaluate(() => ({ made: window.__workers?.made.length ?? 0, terminated: window.__workers?.terminated ?? 0 }));
  await test.step('the running job is canceled within about 2 s', async () => {
    const progressAtCancel = await long.locator('progress').evaluate((p: HTMLProgressElement) => p.value);
    expect(progressAtCancel, 'canceled mid-way').toBeLessThan(1);
    await long.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(long).toHaveAttribute('data-state', 'canceled', { timeout: 2_500 });
    await expect(long.locator('a[download]')).toHaveCount(0);
    const after = await page.evaluate(() => window.__workers?.terminated ?? 0);
    expect(after, 'its worker was terminated').toBeGreaterThan(before.terminated);
  });

  await test.step('the next queued job starts on a fresh worker and finishes', async () => {
    const next = jobFor(page, 'trailer_big_buck_bunny.flv', 'flv-320x240');
    await expect(next).toHaveAttribute('data-state', /running|done/, { timeout: 30_000 });
    await waitForAllFinished(page, 4, 4 * 60_000);
    await expect(next).toHaveAttribute('data-state', 'done');
    await expect(next.locator('a[download]')).toHaveAttribute('download', 'trailer_big_buck_bunny-320x240.flv');
    await expect(jobFor(page, 'friday.mp4', 'flv-320x240')).toHaveAttribute('data-state', 'done');
    const made = await page.evaluate(() => window.__workers?.made.length ?? 0);
    expect(made, 'a new worker was started after the cancel').toBeGreaterThan(before.made);
  });

  await test.step('the canceled queued job never ran', async () => {
    expect(await stateHistory(page, 'flower.mp4', 'flv-320x240')).toEqual(['queued', 'canceled']);
    await expect(jobFor(page, 'flower.mp4', 'flv-320x240').locator('a[download]')).toHaveCount(0);
    // The first job may already be running when it is first drawn: ["queued",] "running", "canceled".
    const longHistory = await stateHistory(page, 'trailer_big_buck_bunny.flv', 'mp4-h264-720p');
    expect(longHistory.slice(-2), longHistory.join(' → ')).toEqual(['running', 'canceled']);
    expect(longHistory).not.toContain('done');
  });
});

test('raising Workers from 1 to 2 mid-batch runs two jobs at once', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  await openApp(page);
  await watchStates(page);
  await setWorkers(page, 1);
  await addFiles(page, [fixture('flower.mp4'), fixture('friday.mp4'), fixture('Big_Buck_Bunny_180_10s.webm')]);
  await tickPresets(page, ['flv-320x240', 'mp4-mpeg4-320x180']);
  await pressEncode(page);
  await expect(allJobs(page)).toHaveCount(6);
  await expect(jobsIn(page, 'running')).toHaveCount(1, { timeout: 30_000 });
  // Let it work with one worker for a while: never more than one at a time.
  await expect.poll(async () => jobsIn(page, 'done').count(), { timeout: 3 * 60_000 }).toBeGreaterThanOrEqual(1);
  expect(await page.evaluate(() => window.__states?.maxRunning)).toBe(1);
  const queuedLeft = await jobsIn(page, 'queued').count();
  expect(queuedLeft, 'still jobs waiting when Workers is raised').toBeGreaterThanOrEqual(1);

  await setWorkers(page, 2);
  await expect.poll(async () => page.evaluate(() => window.__states?.maxRunning ?? 0), { timeout: 30_000 }).toBe(2);
  await waitForAllFinished(page, 6, 4 * 60_000);
  await expect(jobsIn(page, 'done')).toHaveCount(6);
});
