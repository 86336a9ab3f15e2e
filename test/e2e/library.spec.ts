/**
 * ffbatch as a library (issue 10): the built lib/ (npm run build:lib) served as it is by a plain
 * static server beside a tiny site page (test/fixtures-site/library/) that imports it by its
 * package name through an import map. The page calls createEncoder().call(file, preset) on a
 * picked file; the output is downloaded and checked with native ffprobe. Also cancel() of a
 * running job, and map() over three files (one not media) × two presets.
 * Not yet the packed tarball installed into a scratch Vite site (issue 10 asks for that too).
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { durationOf, ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { nativeFramePsnr } from '../support/native-quality';
import { serveFolder, type ServedFolder } from '../support/served-folder';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LIB = path.join(ROOT, 'lib');

let site = '';
let served: ServedFolder | undefined;
let origin = '';

test.beforeAll(async () => {
  if (!existsSync(path.join(LIB, 'ffbatch.js'))) throw new Error('lib/ is not built: run npm run build:lib first.');
  site = await makeTempDir('ffbatch-library-site-');
  await copyFile(path.join(ROOT, 'test/fixtures-site/library/index.html'), path.join(site, 'index.html'));
  await symlink(LIB, path.join(site, 'lib'), 'dir');
  served = await serveFolder(site);
  origin = served.origin;
});

test.afterAll(async () => {
  // When beforeAll failed there is no server: closing nothing must not wait forever.
  await served?.close();
  if (site) await removeDir(site);
});

test('createEncoder().call(file, "mp3-audio") from the built library: statuses, then an MP3 that ffprobe reads', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`${origin}/`);
  await page.getByLabel('Video or audio').setInputFiles(fixture('good.mp3'));
  const link = page.locator('[data-result] a[download]');
  await expect(link).toBeVisible({ timeout: 5 * 60_000 });
  await expect(page.locator('[data-error]')).toBeEmpty();

  const statuses = await page.evaluate(() => (window as unknown as { libraryTest: { statuses: string[] } }).libraryTest.statuses);
  expect(statuses).toEqual(['queued', 'running', 'done']);
  expect(await page.locator('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);

  const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(([d]) => d);
  expect(download.suggestedFilename()).toBe('good-audio.mp3');
  const saved = path.join(site, 'out.mp3');
  await download.saveAs(saved);
  const probe = await ffprobe(saved);
  expect(probe.format.format_name).toBe('mp3');
  expect(streamsOf(probe, 'video')).toHaveLength(0);
  expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
  const source = await ffprobe(fixture('good.mp3'));
  expect(Math.abs(durationOf(probe) - durationOf(source))).toBeLessThan(0.2);

  // The output is stored: files.list() has it.
  const names = await page.evaluate(async () => (await (window as unknown as { libraryTest: { files: () => Promise<{ outputName: string }[]> } }).libraryTest.files()).map((r) => r.outputName));
  expect(names).toContain('good-audio.mp3');
  // The worker and the core came from beside the library, on this origin.
  expect(requests.some((url) => url.endsWith('/lib/ffmpeg.worker.js'))).toBe(true);
  expect(requests.some((url) => url.endsWith('/lib/assets/ffmpeg-core.wasm'))).toBe(true);
  expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'))).toEqual([]);
});

test('cancel() of a running job: result() rejects with an AbortError, status canceled', async ({ page }) => {
  await page.goto(`${origin}/`);
  // A slower encode, so Cancel lands while it runs.
  await page.getByLabel('Preset').fill('webm-vp9-720p');
  await page.getByLabel('Video or audio').setInputFiles(fixture('flower.mp4'));
  await expect(page.locator('[data-status]')).toHaveAttribute('data-value', 'running', { timeout: 2 * 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('[data-error]')).toHaveAttribute('data-name', 'AbortError');
  await expect(page.locator('[data-status]')).toHaveAttribute('data-value', 'canceled');
  await expect(page.locator('[data-result] a')).toHaveCount(0);
});

test('map(files, presets): a job per (file × preset); a file that is not media fails its own jobs with JobFailedError while the others finish', async ({ page }) => {
  await page.goto(`${origin}/`);
  await page.getByLabel('Batch of files').setInputFiles([
    { name: 'good.mp3', mimeType: 'audio/mpeg', buffer: await readFile(fixture('good.mp3')) },
    { name: 'notes.mp4', mimeType: 'video/mp4', buffer: Buffer.from('this is not a video at all, only text') },
    { name: 'flower.mp4', mimeType: 'video/mp4', buffer: await readFile(fixture('flower.mp4')) },
  ]);
  const items = page.locator('[data-batch] li');
  await expect(items).toHaveCount(6);
  await expect(page.locator('[data-batch] li[data-status=done], [data-batch] li[data-status=failed]')).toHaveCount(6, { timeout: 5 * 60_000 });
  const texts = await items.allTextContents();
  const statuses = await items.evaluateAll((list) => list.map((li) => (li as HTMLElement).dataset['status']));
  // File by file, preset by preset: good.mp3 (audio only: no picture for MPEG-4), notes.mp4 (not media), flower.mp4.
  expect(statuses).toEqual(['done', 'failed', 'failed', 'failed', 'done', 'done']);
  // An output that would carry its source's own name gets the preset's suffix.
  expect(texts[0]).toMatch(/^good-audio\.mp3 \d+$/);
  expect(texts[1]).toMatch(/^JobFailedError: .*(video|picture)/i);
  expect(texts[2]).toMatch(/^JobFailedError: This is not a video or audio file/);
  expect(texts[3]).toMatch(/^JobFailedError: This is not a video or audio file/);
  expect(texts[4]).toMatch(/^flower\.mp3 \d+$/);
  expect(texts[5]).toMatch(/^flower-mpeg4\.mp4 \d+$/);
});

test('encoder.compare(job, { at }): the output\'s frame and the source\'s at one instant, as ImageBitmaps, their PSNR as native ffmpeg scores that pair', async ({ page }) => {
  await page.goto(`${origin}/`);
  await page.locator('input[name=preset]').fill('mp4-h264-480p');
  await page.getByLabel('Video or audio').setInputFiles(fixture('flower.mp4'));
  const link = page.locator('[data-result] a[download]');
  await expect(link).toBeVisible({ timeout: 5 * 60_000 });
  type View = { at: number; psnr: number; ssim: number; kinds: string[]; sizes: number[]; differ: boolean };
  const view = await page.evaluate(() => (window as unknown as { libraryTest: { compare(at: number): Promise<View> } }).libraryTest.compare(2));
  expect(view.kinds).toEqual(['ImageBitmap', 'ImageBitmap']);
  expect(view.sizes).toEqual([854, 480, 854, 480]);
  expect(view.differ).toBe(true);
  // The output's frame at or after 2 s (flower.mp4 is 30000/1001 fps).
  expect(view.at).toBeGreaterThanOrEqual(1.98);
  expect(view.at).toBeLessThanOrEqual(2.05);
  const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(([d]) => d);
  const saved = path.join(site, 'compare.mp4');
  await download.saveAs(saved);
  const index = Math.round((view.at * 30000) / 1001);
  const native = nativeFramePsnr(saved, fixture('flower.mp4'), index, 854, 480);
  console.log(`[library] compare at ${view.at} s (frame ${index}): ${view.psnr.toFixed(2)} dB, SSIM ${view.ssim.toFixed(4)}; native ${native.toFixed(2)} dB`);
  expect(Math.abs(view.psnr - native)).toBeLessThanOrEqual(0.5);
  const refused = await page.evaluate(() => (window as unknown as { libraryTest: { compareError(at: number): Promise<string> } }).libraryTest.compareError(-1));
  expect(refused).toMatch(/^TypeError: compare\(job, \{ at \}\): at must be seconds/);
});
