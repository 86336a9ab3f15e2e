/**
 * Outputs live in IndexedDB: they survive a reload and a new tab byte for byte, "Download
 * all" zips them unchanged, and deleting (one, or all) sticks across reloads.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, readZip, removeDir, sha256, sha256File } from '../support/media';
import { addFiles, allJobs, downloadFromJob, jobFor, jobsIn, openApp, pressEncode, setWorkers, tickPresets, waitForAllFinished, type PresetId } from './app-page';

let outDir: string;
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-persist-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

const SOURCE = 'flower.mp4';
const PRESETS: PresetId[] = ['flv-320x240', 'mp3-audio'];
const NAMES: Record<string, string> = { 'flv-320x240': 'flower.flv', 'mp3-audio': 'flower.mp3' };

/** Downloads every listed job's output; returns output name → sha256 (and where each was saved). */
async function hashesOnPage(page: Page, files: Map<string, string> = new Map()): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const preset of PRESETS) {
    const job = jobFor(page, SOURCE, preset);
    if ((await job.count()) === 0) continue;
    await expect(job).toHaveAttribute('data-state', 'done');
    const got = await downloadFromJob(page, job, outDir);
    expect(got.suggestedFilename).toBe(got.downloadAttribute);
    hashes.set(got.downloadAttribute, await sha256File(got.file));
    files.set(got.downloadAttribute, got.file);
  }
  return hashes;
}

/** The page lists stored outputs after reading IndexedDB; its storage line comes after that. */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('.storage')).toContainText('Stored outputs');
}

test('outputs survive reload and a new tab; zip, delete one, delete all', async ({ page, context }) => {
  test.setTimeout(5 * 60_000);
  await openApp(page);
  await setWorkers(page, 2);
  await addFiles(page, [fixture(SOURCE)]);
  await tickPresets(page, PRESETS);
  await pressEncode(page);
  await waitForAllFinished(page, PRESETS.length);
  await expect(jobsIn(page, 'done')).toHaveCount(PRESETS.length);

  const files = new Map<string, string>();
  const original = await hashesOnPage(page, files);
  expect([...original.keys()].sort()).toEqual(Object.values(NAMES).sort());
  // Real media, not placeholders: each first download is what its preset makes.
  const flv = await ffprobe(files.get('flower.flv') ?? '');
  expect(flv.format.format_name).toBe('flv');
  expect(streamsOf(flv, 'video').map((s) => s.codec_name)).toEqual(['flv1']);
  const mp3 = await ffprobe(files.get('flower.mp3') ?? '');
  expect(mp3.format.format_name).toBe('mp3');
  expect(streamsOf(mp3, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);

  await test.step('after a reload every done job is listed and downloads the same bytes', async () => {
    await page.reload();
    await settled(page);
    await expect(jobsIn(page, 'done')).toHaveCount(PRESETS.length);
    await expect(allJobs(page)).toHaveCount(PRESETS.length);
    expect(await hashesOnPage(page)).toEqual(original);
  });

  await test.step('a fresh tab in the same browser shows them too', async () => {
    const tab = await context.newPage();
    await openApp(tab);
    await settled(tab);
    await expect(jobsIn(tab, 'done')).toHaveCount(PRESETS.length);
    expect(await hashesOnPage(tab)).toEqual(original);
    await tab.close();
  });

  await test.step('"Download all" gives a zip of every output, byte-identical', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all', exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const zipPath = path.join(outDir, download.suggestedFilename());
    await download.saveAs(zipPath);
    const entries = readZip(await readFile(zipPath));
    expect(entries.map((e) => e.name).sort()).toEqual([...original.keys()].sort());
    for (const entry of entries) {
      expect(entry.crcOk, `${entry.name}: CRC and size match`).toBe(true);
      expect(sha256(entry.data), entry.name).toBe(original.get(entry.name));
    }
  });

  await test.step('Delete removes one output for good; the other stays', async () => {
    const gone = jobFor(page, SOURCE, 'mp3-audio');
    await gone.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(gone).toHaveCount(0);
    await page.reload();
    await settled(page);
    await expect(jobsIn(page, 'done')).toHaveCount(1);
    await expect(jobFor(page, SOURCE, 'mp3-audio')).toHaveCount(0);
    const left = await hashesOnPage(page);
    expect(left).toEqual(new Map([['flower.flv', original.get('flower.flv')]]));
  });

  await test.step('"Delete all outputs" (confirmed) empties the list for good', async () => {
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete all outputs', exact: true }).click();
    await expect(allJobs(page)).toHaveCount(0);
    expect(asked, 'it asks first').toMatch(/delete/i);
    await page.reload();
    await settled(page);
    await expect(allJobs(page)).toHaveCount(0);
    // Nothing left in storage that a slower restore could bring back.
    await expect(page.locator('.storage')).toContainText('Stored outputs: 0 B');
  });
});
