/**
 * Issue 11, several tabs: "a new deployment is picked up without breaking a running batch".
 * Two tabs of one deployment; tab A runs a batch; a new deployment is published whose worker
 * chunk has a new name (the old file is gone from the host, as after any real deployment);
 * tab B presses Update. The new service worker then controls tab A too, and its precache no
 * longer has A's worker chunk. Tab A must not reload under its batch, and must still start new
 * encode workers from its own (previous) files: canceling its running job ends that worker,
 * and the next jobs need fresh ones. A reloads only on a click once idle (a file is still
 * listed), while an idle tab C with nothing listed reloads by itself; the copy of the
 * previous files is dropped once no page of that deployment is open.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir, run } from '../support/media';
import { serveFolder } from '../support/served-folder';
import { addFiles, downloadFromJob, jobFor, pressEncode, setWorkers, tickPresets, waitForAllFinished } from './app-page';

const DIST = path.resolve(process.env['FFBATCH_DIST'] ?? 'dist');

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
}

/** Publishes deployment 2 in `site`: a renamed worker chunk (old file removed), a new page script and index.html, and their service worker. */
async function deployNewVersion(site: string): Promise<{ oldWorker: string; newWorker: string }> {
  const assets = path.join(site, 'assets');
  const names = await readdir(assets);
  const oldWorker = names.find((n) => /^ffmpeg\.worker-.+\.js$/.test(n)) ?? '';
  const oldIndexJs = names.find((n) => /^index-.+\.js$/.test(n)) ?? '';
  expect(oldWorker && oldIndexJs, `worker and page chunks in ${names.join(', ')}`).toBeTruthy();
  const newWorker = 'ffmpeg.worker-deploy2.js';
  const newIndexJs = 'index-deploy2.js';
  await rename(path.join(assets, oldWorker), path.join(assets, newWorker));
  const indexJs = await readFile(path.join(assets, oldIndexJs), 'utf8');
  expect(indexJs).toContain(oldWorker);
  await writeFile(path.join(assets, newIndexJs), indexJs.replaceAll(oldWorker, newWorker));
  await rm(path.join(assets, oldIndexJs));
  const indexHtml = (await readFile(path.join(site, 'index.html'), 'utf8')).replaceAll(oldIndexJs, newIndexJs).replace('</head>', '<meta name="ffbatch-deployment" content="2" /></head>');
  await writeFile(path.join(site, 'index.html'), indexHtml);
  const sw = await readFile(path.join(site, 'sw.js'), 'utf8');
  const newSw = sw
    .replaceAll(`assets/${oldWorker}`, `assets/${newWorker}`)
    .replaceAll(`assets/${oldIndexJs}`, `assets/${newIndexJs}`)
    .replace(/\{url:"index\.html",revision:"[0-9a-f]+"\}/, `{url:"index.html",revision:"${createHash('md5').update(indexHtml).digest('hex')}"}`);
  expect(newSw).toContain(newWorker);
  await writeFile(path.join(site, 'sw.js'), newSw);
  return { oldWorker, newWorker };
}

/** Paths cached in the precache and in the copy of the previous deployment's files. */
async function cacheContents(page: Page): Promise<{ precache: string[]; previous: string[] | null }> {
  return page.evaluate(async () => {
    const paths = async (name: string): Promise<string[]> => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    const names = await caches.keys();
    const precache = (await Promise.all(names.filter((n) => n.startsWith('workbox-precache')).map(paths))).flat();
    return { precache, previous: names.includes('ffbatch-previous-assets') ? await paths('ffbatch-previous-assets') : null };
  });
}

test('Update in another tab: a running batch goes on, new workers still start from the previous files, and the tab reloads only when idle', async ({ context }) => {
  test.setTimeout(6 * 60_000);
  const site = await makeTempDir('ffbatch-tabs-site-');
  const outDir = await makeTempDir('ffbatch-tabs-');
  await cp(DIST, site, { recursive: true });
  const served = await serveFolder(site);
  try {
    const url = `${served.origin}/?engine=ffmpeg`;
    const a = await context.newPage();
    await open(a, url);
    await a.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await a.reload();
    const b = await context.newPage();
    await open(b, url);
    // Tab C stays idle with nothing listed: it may reload by itself once updated.
    const c = await context.newPage();
    await open(c, url);
    for (const page of [a, b, c]) expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'controlled').toBe(true);
    let navigationsOfA = 0;
    a.on('framenavigated', (frame) => {
      if (frame === a.mainFrame()) navigationsOfA++;
    });

    // Tab A runs a long job (VP9 in wasm). flower.mp4 five times over (25 s, under the split
    // threshold): the job must still be running after the whole update dance, which took longer
    // than one 5 s VP9 encode on a slow CI machine.
    await mkdir(path.join(outDir, 'source'));
    const source = path.join(outDir, 'source', 'flower.mp4');
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-stream_loop', '4', '-i', fixture('flower.mp4'), '-c', 'copy', source]);
    await addFiles(a, [source]);
    await tickPresets(a, ['webm-vp9-720p']);
    await pressEncode(a);
    const vp9 = jobFor(a, 'flower.mp4', 'webm-vp9-720p');
    await expect(vp9).toHaveAttribute('data-state', 'running', { timeout: 60_000 });

    const { oldWorker, newWorker } = await deployNewVersion(site);
    await b.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const bannerA = a.locator('.update-banner');
    await expect(b.locator('.update-banner')).toHaveAttribute('data-update', 'ready', { timeout: 60_000 });
    await expect(bannerA).toHaveAttribute('data-update', 'waiting-for-batch', { timeout: 60_000 });

    // Tab B applies the update and reloads into deployment 2.
    await Promise.all([b.waitForEvent('load'), b.getByRole('button', { name: 'Update', exact: true }).click()]);
    await expect(b.locator('meta[name=ffbatch-deployment]')).toHaveAttribute('content', '2');

    // Tab C, idle with nothing listed, reloaded by itself into deployment 2.
    await expect(c.locator('meta[name=ffbatch-deployment]')).toHaveAttribute('content', '2', { timeout: 30_000 });
    await c.close();

    // Tab A: told, not reloaded; its job runs on.
    await expect(bannerA).toHaveAttribute('data-update-from', 'other-tab', { timeout: 30_000 });
    await expect(bannerA).toHaveAttribute('data-update', 'waiting-for-batch');
    await expect(bannerA).toContainText('updated in another tab');
    await expect(a.getByRole('button', { name: 'Update', exact: true })).toBeDisabled();
    expect(navigationsOfA, 'tab A was not reloaded under its batch').toBe(0);
    await expect(vp9).toHaveAttribute('data-state', 'running');
    // The new precache has dropped A's worker chunk; the copy of the previous files has it.
    const caches = await cacheContents(b);
    expect(caches.precache.some((p) => p.endsWith(`/assets/${newWorker}`))).toBe(true);
    expect(caches.precache.some((p) => p.endsWith(`/assets/${oldWorker}`)), 'the new precache no longer has the previous worker chunk').toBe(false);
    expect(caches.previous ?? [], 'the previous deployment’s files are kept').toContain(`/assets/${oldWorker}`);
    // Files both deployments share (the core's .wasm) are dropped from the copy once the new worker is active.
    await expect.poll(async () => ((await cacheContents(b)).previous ?? []).some((p) => p.endsWith('.wasm')), { timeout: 15_000, message: 'shared files dropped from the copy' }).toBe(false);
    expect((await cacheContents(b)).previous ?? []).toContain(`/assets/${oldWorker}`);

    // Cancel ends A's worker; the next job needs a new one, from A's (previous) worker chunk.
    // Three workers for three jobs: at least one more than A had, so a new one must start.
    const workerLoads: { url: string; status: number; fromServiceWorker: boolean }[] = [];
    context.on('requestfinished', (request) => {
      if (!request.url().includes(`/assets/${oldWorker}`)) return;
      void request.response().then((response) => workerLoads.push({ url: request.url(), status: response?.status() ?? 0, fromServiceWorker: response?.fromServiceWorker() ?? false }));
    });
    await vp9.getByRole('button', { name: 'Cancel' }).click();
    await expect(vp9).toHaveAttribute('data-state', 'canceled');
    await setWorkers(a, 3);
    await tickPresets(a, ['flv-320x240', 'mp4-mpeg4-320x180', 'mp3-audio']);
    await pressEncode(a);
    await waitForAllFinished(a, 4);
    for (const preset of ['mp4-mpeg4-320x180', 'mp3-audio'] as const) await expect(jobFor(a, 'flower.mp4', preset)).toHaveAttribute('data-state', 'done');
    const flv = jobFor(a, 'flower.mp4', 'flv-320x240');
    await expect(flv, await flv.innerText()).toHaveAttribute('data-state', 'done');
    expect(workerLoads.length, 'a new worker was started from the previous deployment’s chunk').toBeGreaterThan(0);
    expect(workerLoads.every((load) => load.status === 200 && load.fromServiceWorker), JSON.stringify(workerLoads)).toBe(true);
    const probe = await ffprobe((await downloadFromJob(a, flv, outDir)).file);
    expect(streamsOf(probe, 'video').map((s) => s.codec_name)).toEqual(['flv1']);
    expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);

    // Idle now, but a file is still listed: A offers the reload and waits for a click.
    await expect(bannerA).toHaveAttribute('data-update', 'ready');
    // A later job runs to its end in this same page (a reload would have cut it off), the banner
    // weighing a reload on each of its changes: still no reload without a click.
    await addFiles(a, [fixture('good.mp3')]);
    await tickPresets(a, ['mp3-audio']);
    await pressEncode(a);
    await waitForAllFinished(a, 5);
    await expect(jobFor(a, 'good.mp3', 'mp3-audio')).toHaveAttribute('data-state', 'done');
    await expect(bannerA).toHaveAttribute('data-update', 'ready');
    expect(navigationsOfA, 'no reload without a click while files are listed').toBe(0);
    await Promise.all([a.waitForEvent('load'), a.getByRole('button', { name: 'Update', exact: true }).click()]);
    await expect(a.locator('meta[name=ffbatch-deployment]')).toHaveAttribute('content', '2');
    // The output stays, and no page of deployment 1 is left: its files' copy is dropped.
    await expect(jobFor(a, 'flower.mp4', 'flv-320x240')).toHaveAttribute('data-state', 'done');
    await expect.poll(async () => (await cacheContents(a)).previous, { timeout: 15_000, message: 'the previous deployment’s copy is dropped' }).toBeNull();
  } finally {
    await served.close();
    await removeDir(site);
    await removeDir(outDir);
  }
});
