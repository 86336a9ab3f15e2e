/**
 * Issue 15 (3): in a private (off-the-record) window Chromium keeps IndexedDB and OPFS in
 * memory. Playwright's default browser context is off the record: the page must tell (its copy
 * probe), say so before a big job, and refuse at once a job that cannot fit in that memory,
 * while a small job beside it finishes. `?quotaBytes=` makes the room small enough for real
 * fixtures (it caps what the page counts on, as the memory share would for a camera file).
 */
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { ffprobe, streamsOf, durationOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, jobFor, openApp, pressEncode, readJobs, setWorkers, tickPresets, waitForAllFinished } from './app-page';

// The service worker's precache would grow the usage after `used` is read below.
test.use({ serviceWorkers: 'block' });

let dir: string;
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-private-');
});
test.afterAll(async () => {
  await removeDir(dir);
});

test('a private window says it keeps outputs in memory, refuses at once a job that cannot fit there, and a small job beside it finishes', async ({ page }) => {
  await openApp(page);
  // 1.5 MB of room: flower.mp4 (1.1 MB) copied into an MP4 needs twice its size while it is stored; good.mp3 → MP3 a few hundred KB.
  const used = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await page.goto(`/?quotaBytes=${used + 1_500_000}`);
  await setWorkers(page, 2);
  await addFiles(page, [fixture('flower.mp4'), fixture('good.mp3')]);
  await tickPresets(page, ['mp4-remux', 'mp3-audio']);

  // Before Encode: the page knows where it is and says so.
  const note = page.locator('.storage-fit[data-private-window]');
  await expect(note).toContainText(/This private window keeps outputs in memory: at most about \d\.\d MB here\./);

  await pressEncode(page);
  await waitForAllFinished(page, 4);
  const jobs = await readJobs(page);
  const refused = jobs.find((job) => job.source === 'flower.mp4' && job.preset === 'mp4-remux');
  expect(refused?.state).toBe('failed');
  expect(refused?.alert).toMatch(
    /^This private window keeps outputs in memory: at most about \d\.\d MB here\. This output needs about 2\.\d MB of the browser's storage \(the file, and a second copy while it is saved\), but only [\d.]+ [KM]B is free for this page\. Open ffbatch in a normal window for files this big \(outputs there go to disk\)\.$/,
  );
  // Refused before any engine ran: no engine was named on it, and ffmpeg logged nothing.
  await expect(jobFor(page, 'flower.mp4', 'mp4-remux')).not.toHaveAttribute('data-engine', /.+/);

  // The small job beside it finished, and its output is a real MP3 of the source's length.
  const small = jobFor(page, 'good.mp3', 'mp3-audio');
  await expect(small).toHaveAttribute('data-state', 'done');
  const out = await ffprobe((await downloadFromJob(page, small, dir)).file);
  expect(streamsOf(out, 'audio')[0]?.codec_name).toBe('mp3');
  const source = await ffprobe(fixture('good.mp3'));
  expect(Math.abs(durationOf(out) - durationOf(source))).toBeLessThan(0.2);
  // flower.mp4 → MP3 fits as well (a few hundred KB).
  await expect(jobFor(page, 'flower.mp4', 'mp3-audio')).toHaveAttribute('data-state', 'done');
});

test('a window with its profile on disk is not taken for a private one', async () => {
  const { launchOptions, baseURL } = test.info().project.use;
  const context = await chromium.launchPersistentContext(path.join(dir, `profile-${Date.now()}`), { ...launchOptions, ...(baseURL ? { baseURL } : {}), serviceWorkers: 'block' });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await openApp(page);
    const used = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    // The same small room as above: on disk the page says the outputs do not fit, never that they are in memory.
    await page.goto(`/?quotaBytes=${used + 1_500_000}`);
    await addFiles(page, [fixture('flower.mp4')]);
    await tickPresets(page, ['mp4-remux']);
    const fit = page.locator('.storage-fit');
    await expect(fit).toContainText('Not all of them fit');
    await expect(fit).not.toHaveAttribute('data-private-window');
    await expect(fit).not.toContainText('private window');
  } finally {
    await context.close();
  }
});
