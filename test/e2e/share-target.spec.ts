/**
 * Share to ffbatch (issue 20): the manifest's share_target is a multipart POST to
 * `share-target` in the app's scope, which the service worker answers itself. Here the POST
 * comes from a form on a page of the origin, as the share sheet sends it: the shared files end
 * in the list, with their names, sizes and bytes, online and with the network off. The static
 * server has no such route (a POST that reached it would get its 404 page), so the list can
 * only fill through the service worker.
 */
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, streamsOf } from '../support/ffprobe';
import { fixture } from '../support/media';
import { openApp } from './app-page';

interface Manifest {
  share_target?: { action: string; method: string; enctype: string; params: { files: { name: string; accept: string[] }[] } };
  file_handlers?: { action: string; accept: Record<string, string[]> }[];
}

/** Submits `files` to the share target as the share sheet does: a multipart form POST navigation. */
async function share(page: Page, names: string[]): Promise<void> {
  const manifest = await manifestOf(page);
  const target = manifest.share_target!;
  await page.evaluate(({ action, method, enctype, field }) => {
    const form = Object.assign(document.createElement('form'), { action, method, enctype });
    const input = Object.assign(document.createElement('input'), { type: 'file', name: field, multiple: true, id: 'share-sheet' });
    form.append(input);
    document.body.append(form);
  }, { action: target.action, method: target.method, enctype: target.enctype, field: target.params.files[0]!.name });
  await page.locator('#share-sheet').setInputFiles(names.map((name) => fixture(name)));
  await Promise.all([page.waitForURL(/\?shared=[0-9a-f-]{36}$/), page.evaluate(() => document.querySelector<HTMLInputElement>('#share-sheet')?.form?.submit())]);
}

async function manifestOf(page: Page): Promise<Manifest> {
  return page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
    return (await (await fetch(link!.href)).json()) as Manifest;
  });
}

/** The names in the list of sources, in order. */
function sourcesOf(page: Page): Promise<string[]> {
  return page.locator('li.source .source-name').allTextContents();
}

/** The list's facts of a source once probed: its shown size and codec are what native ffprobe reads in the fixture. */
async function expectProbedAs(page: Page, name: string): Promise<void> {
  const [video] = streamsOf(await ffprobe(fixture(name)), 'video');
  const facts = page.locator('li.source', { has: page.locator('.source-name', { hasText: name }) }).locator('.source-facts');
  await expect(facts).toContainText(`${video!.width}×${video!.height} · ${video!.codec_name}`, { timeout: 60_000 });
}

test('a multipart POST to the share target puts the files in the list, online and offline; the manifest declares it and file_handlers', async ({ context, page }) => {
  test.setTimeout(4 * 60_000);
  await openApp(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The first visit's page is not yet controlled by the worker it installed: the share sheet opens a controlled one.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  const manifest = await manifestOf(page);
  expect(manifest.share_target).toMatchObject({ action: './share-target', method: 'POST', enctype: 'multipart/form-data', params: { files: [{ name: 'files' }] } });
  expect(manifest.share_target!.params.files[0]!.accept).toEqual(expect.arrayContaining(['video/*', 'audio/*', '.mkv', '.avi']));
  expect(manifest.file_handlers).toHaveLength(1);
  expect(manifest.file_handlers![0]!.action).toBe('./');
  expect(manifest.file_handlers![0]!.accept['video/mp4']).toContain('.mp4');

  // Every response the share produced came from the service worker, none from the server.
  const fromServer: string[] = [];
  page.on('response', (response) => {
    if (/share-target|\?shared=/.test(response.url()) && !response.fromServiceWorker()) fromServer.push(`${response.request().method()} ${response.url()}`);
  });

  await share(page, ['flower.mp4', 'good.mp3']);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  await expect.poll(() => sourcesOf(page)).toEqual(['flower.mp4', 'good.mp3']);
  // The address loses ?shared=, and the shared copies leave the cache once in the list.
  await expect.poll(() => page.url()).not.toContain('shared=');
  expect(await page.evaluate(async () => (await (await caches.open('ffbatch-shared-files')).keys()).length)).toBe(0);
  // The listed files are the shared bytes: ffprobe in the page's worker reads the same picture as native ffprobe.
  await expectProbedAs(page, 'flower.mp4');

  // Offline: the same route, answered by the service worker alone.
  await context.setOffline(true);
  await share(page, ['friday.mp4']);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  await expect.poll(() => sourcesOf(page)).toContain('friday.mp4');
  await expectProbedAs(page, 'friday.mp4');
  await context.setOffline(false);
  expect(fromServer).toEqual([]);
});
