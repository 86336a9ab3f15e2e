/**
 * Full-page screenshots of the app in its main states, for the README and for people to
 * judge: docs/screenshots/{empty,busy,failures,finished}.png.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixture, pseudoRandomBytes } from '../support/media';
import { addFiles, allJobs, jobsIn, openApp, pressEncode, setWorkers, tickPresets, waitForAllFinished } from './app-page';

const SHOTS = path.resolve(import.meta.dirname, '../../docs/screenshots');

test.use({ viewport: { width: 1100, height: 900 } });

async function shoot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  const png = await readFile(file);
  expect(png.subarray(1, 4).toString('latin1'), `${name}.png is a PNG`).toBe('PNG');
}

/** Waits for the sources' probes, so the shot shows their facts rather than "reading…". */
async function sourcesRead(page: Page, count: number): Promise<void> {
  await expect(page.getByRole('list', { name: 'Sources' }).getByRole('listitem')).toHaveCount(count);
  await expect(page.getByRole('list', { name: 'Sources' })).not.toContainText('reading…', { timeout: 60_000 });
}

test('empty page', async ({ page }) => {
  await openApp(page);
  await expect(allJobs(page)).toHaveCount(0);
  await shoot(page, 'empty');
});

test('busy batch, then its failures', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  await openApp(page);
  await setWorkers(page, 2);
  await addFiles(page, [
    fixture('friday.mp4'),
    fixture('flower.webm'),
    fixture('good.mp3'),
    fixture('Big_Buck_Bunny_180_10s.webm'),
    { name: 'holiday-broken.mp4', mimeType: 'video/mp4', buffer: pseudoRandomBytes(100_000) },
  ]);
  await sourcesRead(page, 5);
  await tickPresets(page, ['mp4-h264-480p', 'mp3-audio']);
  await pressEncode(page);
  await expect(allJobs(page)).toHaveCount(10);

  // Busy: two jobs encoding, at least one far enough along to show its time left.
  await expect(jobsIn(page, 'running')).toHaveCount(2, { timeout: 60_000 });
  await expect
    .poll(
      async () =>
        jobsIn(page, 'running').evaluateAll((jobs) =>
          jobs.some((job) => {
            const value = job.querySelector('progress')?.value ?? 0;
            return value > 0.15 && value < 0.85 && /left/.test((job as HTMLElement).innerText);
          }),
        ),
      { timeout: 3 * 60_000, intervals: [250] },
    )
    .toBe(true);
  await shoot(page, 'busy');

  await waitForAllFinished(page, 10);
  await expect(jobsIn(page, 'failed').first()).toBeVisible();
  await shoot(page, 'failures');
});

test('finished batch', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  await openApp(page);
  await setWorkers(page, 2);
  await addFiles(page, [fixture('flower.mp4'), fixture('friday.mp4')]);
  await sourcesRead(page, 2);
  await tickPresets(page, ['flv-320x240', 'mp4-mpeg4-320x180', 'mp3-audio']);
  await pressEncode(page);
  await waitForAllFinished(page, 6);
  await expect(jobsIn(page, 'done')).toHaveCount(6);
  await expect(page.locator('.storage')).toContainText('Stored outputs');
  await shoot(page, 'finished');
});
