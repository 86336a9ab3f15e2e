/**
 * npm run screenshots — redraws docs/screenshots/{empty,busy,failures,finished,editor}.png from the
 * built page (dist/, or FFBATCH_DIST), for the README and for people to judge. A docs
 * generator, not a test: it waits for each state through the page's hooks, then shoots.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, type Browser, type Page } from '@playwright/test';
import { launchBrowser } from '../bench/browser';
import { fixture, pseudoRandomBytes } from '../test/support/media';
import { addFiles, allJobs, jobsIn, openApp, pressEncode, setWorkers, tickPresets, waitForAllFinished } from '../test/e2e/app-page';

const REPO = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(REPO, 'docs', 'screenshots');
const DIST = path.resolve(REPO, process.env['FFBATCH_DIST'] ?? 'dist');

async function shoot(page: Page, name: string): Promise<void> {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  console.log(`[screenshots] ${path.relative(REPO, file)}`);
}

/** Waits for the sources' probes, so the shot shows their facts rather than "reading…". */
async function sourcesRead(page: Page, count: number): Promise<void> {
  await expect(page.getByRole('list', { name: 'Sources' }).getByRole('listitem')).toHaveCount(count);
  await expect(page.getByRole('list', { name: 'Sources' })).not.toContainText('reading…', { timeout: 60_000 });
}

/** A fresh page in a fresh profile (no outputs of an earlier scene). */
async function scene(browser: Browser, baseURL: string, draw: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1100, height: 900 } });
  try {
    await draw(await context.newPage());
  } finally {
    await context.close();
  }
}

async function empty(page: Page): Promise<void> {
  await openApp(page);
  await expect(allJobs(page)).toHaveCount(0);
  await shoot(page, 'empty');
}

async function busyThenFailures(page: Page): Promise<void> {
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
  await expect(page.locator('[data-report]')).not.toHaveAttribute('data-running', /.*/);
  await shoot(page, 'failures');
}

async function finished(page: Page): Promise<void> {
  await openApp(page);
  await setWorkers(page, 2);
  await addFiles(page, [fixture('flower.mp4'), fixture('friday.mp4')]);
  await sourcesRead(page, 2);
  // What people come for: an MP4 for sharing (the fast route where the browser can, scored) and the sound alone.
  await tickPresets(page, ['mp4-h264-720p', 'webm-vp9-720p', 'm4a-audio']);
  await pressEncode(page);
  await waitForAllFinished(page, 6);
  await expect(jobsIn(page, 'done')).toHaveCount(6);
  // Every video job's score lands after it is stored: wait for the four.
  await expect(page.locator('[data-job-id][data-psnr]')).toHaveCount(4, { timeout: 60_000 });
  await expect(page.locator('.storage')).toContainText('Stored outputs');
  // The report redraws on the next frame after the last change.
  await expect(page.locator('[data-report]')).not.toHaveAttribute('data-running', /.*/);
  await shoot(page, 'finished');
}

async function editor(page: Page): Promise<void> {
  await openApp(page);
  await addFiles(page, [fixture('flower.mp4')]);
  await sourcesRead(page, 1);
  const row = page.locator('[data-source-name="flower.mp4"]');
  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit flower.mp4' });
  await expect(dialog.locator('.filmstrip img')).toHaveCount(8, { timeout: 60_000 });
  await dialog.getByLabel('In', { exact: true }).fill('1.5');
  await dialog.getByLabel('Out', { exact: true }).fill('4');
  // A 4:3 crop of the 960×540 picture, typed: the rectangle follows it on the preview.
  await dialog.getByLabel('Crop', { exact: true }).fill('720:540:120:0');
  await expect(dialog.locator('.editor-preview, .crop-box img').first()).toHaveAttribute('src', /.+/, { timeout: 60_000 });
  const file = path.join(SHOTS, 'editor.png');
  await dialog.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  console.log(`[screenshots] ${path.relative(REPO, file)}`);
}

const { serveStatic } = (await import(pathToFileURL(path.join(REPO, 'test', 'support', 'static-server.mjs')).href)) as {
  serveStatic: (root: string, port: number) => Promise<Server>;
};
await mkdir(SHOTS, { recursive: true });
const server = await serveStatic(DIST, 0);
const browser = await launchBrowser();
try {
  const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (const draw of [empty, busyThenFailures, finished, editor]) await scene(browser, baseURL, draw);
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
