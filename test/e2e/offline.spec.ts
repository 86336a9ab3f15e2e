/**
 * Works offline after the first visit (issue 11): the service worker precaches the whole build
 * (page, worker chunks, the ffmpeg core's .wasm) on the first visit; with the network off, a
 * reload opens the page from the precache and it encodes two fixtures, checked by ffprobe.
 * No request leaves the app's origin in the whole run, the service worker's included.
 * A new deployment is offered as "An update is ready" and applied only on a click, never
 * while a batch runs.
 */
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { durationOf, ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { serveFolder } from '../support/served-folder';
import { addFiles, downloadFromJob, jobFor, openApp, pressEncode, readJobs, recordRequests, setWorkers, tickPresets, waitForAllFinished } from './app-page';

/** Names of cached requests (path only) across all of the origin's caches. */
async function cachedPaths(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
    }
    return paths;
  });
}

test('after the first visit the page opens and encodes with the network off; no request to another origin', async ({ context, page, baseURL }) => {
  test.setTimeout(6 * 60_000);
  const origin = new URL(baseURL ?? 'http://127.0.0.1:4317/').origin;
  // context: the page, its workers and the service worker (Chromium reports its fetches there).
  const traffic = recordRequests(context, page);
  const outDir = await makeTempDir('ffbatch-offline-');

  // First visit, online: the service worker installs, precaching the whole build.
  await openApp(page);
  // navigator.serviceWorker.ready resolves once a worker is active, that is once its install (the precache) succeeded.
  const scope = await page.evaluate(() => Promise.race([navigator.serviceWorker.ready.then((r) => r.scope), new Promise<string>((done) => setTimeout(() => done('no service worker within 90 s'), 90_000))]));
  expect(scope, 'relative scope: the folder the page is served from').toBe(`${origin}/`);
  await expect.poll(async () => (await cachedPaths(page)).some((p) => p.endsWith('.wasm')), { timeout: 120_000, message: 'the core .wasm is precached' }).toBe(true);
  const cached = await cachedPaths(page);
  for (const pattern of [/\/index\.html$/, /\/assets\/index-[^/]+\.js$/, /\/assets\/ffmpeg\.worker-[^/]+\.js$/, /\/assets\/ffmpeg-core-[^/]+\.js$/, /\/assets\/ffmpeg-core-[^/]+\.wasm$/, /\/manifest\.webmanifest$/, /\/icons\/icon-192\.png$/]) {
    expect(cached.some((p) => pattern.test(p)), `precached: ${String(pattern)} in ${cached.join(', ')}`).toBe(true);
  }
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
    return link ? ((await (await fetch(link.href)).json()) as { start_url?: string; scope?: string; icons?: unknown[] }) : null;
  });
  expect(manifest, 'a web app manifest is linked').not.toBeNull();
  expect(manifest?.start_url).toBe('./');
  expect(manifest?.scope).toBe('./');
  expect(manifest?.icons?.length).toBeGreaterThanOrEqual(2);

  // Network off, reload: the page comes from the service worker.
  await context.setOffline(true);
  const response = await page.reload();
  expect(response?.fromServiceWorker(), 'the page was answered by the service worker').toBe(true);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the page is controlled').toBe(true);
  // The network really is off, through the service worker too: a file it has not cached fails to load.
  const uncached = await page.evaluate(async () => {
    try {
      const r = await fetch(`./not-precached-${Date.now()}.txt`);
      return `answered ${r.status}`;
    } catch {
      return 'network error';
    }
  });
  expect(uncached).toBe('network error');

  // Encode offline: MP3 from an MP3, then H.264 480p from a WebM (fresh workers load the precached core).
  await setWorkers(page, 2);
  await addFiles(page, [fixture('good.mp3')]);
  await tickPresets(page, ['mp3-audio']);
  await pressEncode(page);
  await waitForAllFinished(page, 1);
  await page.getByRole('button', { name: 'Remove good.mp3' }).click();
  await addFiles(page, [fixture('Big_Buck_Bunny_180_10s.webm')]);
  await tickPresets(page, ['mp4-h264-480p']);
  await pressEncode(page);
  await waitForAllFinished(page, 2);

  const mp3Job = jobFor(page, 'good.mp3', 'mp3-audio');
  const mp4Job = jobFor(page, 'Big_Buck_Bunny_180_10s.webm', 'mp4-h264-480p');
  await expect(mp3Job).toHaveAttribute('data-state', 'done');
  await expect(mp4Job).toHaveAttribute('data-state', 'done');
  const mp3 = await ffprobe((await downloadFromJob(page, mp3Job, outDir)).file);
  expect(mp3.format.format_name).toBe('mp3');
  expect(streamsOf(mp3, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
  expect(Math.abs(durationOf(mp3) - durationOf(await ffprobe(fixture('good.mp3'))))).toBeLessThan(0.5);
  const mp4 = await ffprobe((await downloadFromJob(page, mp4Job, outDir)).file);
  expect(mp4.format.format_name).toContain('mp4');
  const video = streamsOf(mp4, 'video');
  expect(video.map((s) => s.codec_name)).toEqual(['h264']);
  expect([video[0]?.width, video[0]?.height]).toEqual([320, 180]);
  expect(Math.abs(durationOf(mp4) - 10)).toBeLessThan(0.5);
  await removeDir(outDir);

  // Not one request to another origin, online or off.
  const urls = traffic.urls();
  console.log(`[offline] ${urls.length} distinct URLs:\n  ${urls.join('\n  ')}\n[offline] jobs: ${(await readJobs(page)).map((j) => j.text.replace(/\s+/g, ' ')).join(' | ')}`);
  expect(urls.some((url) => url.endsWith('.wasm')), 'the core .wasm was requested').toBe(true);
  expect(traffic.foreign(origin), 'requests outside the app origin').toEqual([]);
});

/** The build under test (as in playwright.config.ts). */
const DIST = path.resolve(process.env['FFBATCH_DIST'] ?? 'dist');
const TRAILER = path.resolve(import.meta.dirname, '../../../shared/fixtures/trailer_big_buck_bunny.flv'); // 33 s

test('a new deployment waits for the Update button, which is disabled while a batch runs and applied only on a click', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  // A deployment of our own, on a server of our own, so that the test can replace it.
  const site = await makeTempDir('ffbatch-update-site-');
  const outDir = await makeTempDir('ffbatch-update-');
  await cp(DIST, site, { recursive: true });
  const served = await serveFolder(site);
  try {
    // ?splitAbove=20&holdSegment=2: the 33 s trailer becomes a job split in 2 whose second segment waits until it is canceled,
    // so a batch is surely running when the browser finds the new deployment.
    const url = `${served.origin}/?engine=ffmpeg&splitAbove=20&holdSegment=2`;
    await page.goto(url);
    await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'controlled after the first visit').toBe(true);
    const banner = page.locator('.update-banner');
    const update = page.getByRole('button', { name: 'Update', exact: true });
    await expect(banner).toBeHidden();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    // An output stored before the update (5 s: never split), which must survive it.
    await setWorkers(page, 2);
    await addFiles(page, [fixture('flower.mp4')]);
    await tickPresets(page, ['webm-vp9-720p']);
    await pressEncode(page);
    await waitForAllFinished(page, 1);
    const job = jobFor(page, 'flower.mp4', 'webm-vp9-720p');
    await expect(job).toHaveAttribute('data-state', 'done');

    // Deploy a new version: a changed index.html, and its new revision in the service worker.
    const index = path.join(site, 'index.html');
    const newIndex = (await readFile(index, 'utf8')).replace('</head>', '<meta name="ffbatch-deployment" content="2" /></head>');
    await writeFile(index, newIndex);
    const sw = path.join(site, 'sw.js');
    const revision = createHash('md5').update(newIndex).digest('hex');
    const oldSw = await readFile(sw, 'utf8');
    const newSw = oldSw.replace(/\{url:"index\.html",revision:"[0-9a-f]+"\}/, `{url:"index.html",revision:"${revision}"}`);
    expect(newSw, 'sw.js lists index.html with a revision').not.toBe(oldSw);
    await writeFile(sw, newSw);

    // A batch runs (held by the knob); the browser finds the new deployment meanwhile: the banner says so, Update waits.
    await page.getByRole('button', { name: 'Remove flower.mp4' }).click();
    await addFiles(page, [TRAILER]);
    await tickPresets(page, ['flv-320x240']);
    await pressEncode(page);
    const held = jobFor(page, 'trailer_big_buck_bunny.flv', 'flv-320x240');
    await held.getByRole('button', { name: 'Log' }).click();
    await expect(held.locator('pre')).toContainText('Segment 2 of 2 is held', { timeout: 60_000 });
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await expect(banner).toBeVisible({ timeout: 60_000 });
    await expect(banner).toContainText('An update is ready');
    await expect(held).toHaveAttribute('data-state', 'running');
    await expect(banner).toHaveAttribute('data-update', 'waiting-for-batch');
    await expect(update).toBeDisabled();
    expect(navigations, 'no reload while the batch runs').toBe(0);

    // The batch ends (the held job is canceled): Update is offered, not applied.
    await held.getByRole('button', { name: 'Cancel' }).click();
    await expect(held).toHaveAttribute('data-state', 'canceled');
    await expect(banner).toHaveAttribute('data-update', 'ready');
    await expect(update).toBeEnabled();
    // Nothing is applied without a click: a later job runs to its end in this same page (a reload would have cut it off),
    // the banner redrawing on each of its changes, and the page is still the one that was opened.
    await page.getByRole('button', { name: 'Remove trailer_big_buck_bunny.flv' }).click();
    await addFiles(page, [fixture('good.mp3')]);
    await tickPresets(page, ['mp3-audio']);
    await pressEncode(page);
    await waitForAllFinished(page, 3);
    await expect(jobFor(page, 'good.mp3', 'mp3-audio')).toHaveAttribute('data-state', 'done');
    await expect(banner).toHaveAttribute('data-update', 'ready');
    expect(navigations, 'no reload without a click').toBe(0);

    // Update: the new worker takes over and the page reloads into the new deployment; the output stays.
    await Promise.all([page.waitForEvent('load'), update.click()]);
    await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
    await expect(page.locator('meta[name=ffbatch-deployment]')).toHaveAttribute('content', '2');
    await expect(banner).toBeHidden();
    const webm = await ffprobe((await downloadFromJob(page, jobFor(page, 'flower.mp4', 'webm-vp9-720p'), outDir)).file);
    expect(streamsOf(webm, 'video').map((s) => s.codec_name)).toEqual(['vp9']);
  } finally {
    await served.close();
    await removeDir(site);
    await removeDir(outDir);
  }
});
