/**
 * Issue 11: a batch survives a reload. Six jobs on two workers; the page is reloaded once
 * the first outputs are stored: those stay byte for byte, every other job comes back
 * `interrupted` with a sentence, in its order. Adding a changed file (same name, more
 * bytes) resumes nothing and says so; adding the same files again resumes every
 * interrupted job, from the beginning, and every output is checked by ffprobe.
 */
import { appendFile, copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, pseudoRandomBytes, removeDir, sha256File } from '../support/media';
import { addFiles, allJobs, downloadFromJob, ENCODE_TIMEOUT, jobFor, jobsIn, readJobs, setWorkers, tickPresets, waitForAllFinished, type PresetId } from './app-page';

const SOURCES = ['flower.mp4', 'friday.mp4', 'flower.webm'];
const PRESETS: PresetId[] = ['mp3-audio', 'mp4-h264-480p'];
const TOTAL = SOURCES.length * PRESETS.length;
const SENTENCE = 'The page was closed or reloaded before this job finished.';

let outDir: string;
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-resume-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

/** ffmpeg.wasm only: the jobs take long enough to be caught half way. */
async function openSlowApp(page: Page): Promise<void> {
  await page.goto('/?engine=ffmpeg');
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
}

/** The page lists stored outputs and interrupted jobs after reading IndexedDB; its storage line comes after that. */
async function settled(page: Page): Promise<void> {
  await expect(page.locator('.storage')).toContainText('Stored outputs');
}

/** Downloads the listed done jobs' outputs: job id → sha256 (and the saved file). */
async function doneOutputs(page: Page): Promise<Map<string, { hash: string; file: string; preset: string }>> {
  const got = new Map<string, { hash: string; file: string; preset: string }>();
  for (const job of await readJobs(page)) {
    if (job.state !== 'done') continue;
    const saved = await downloadFromJob(page, page.locator(`[data-job-id="${job.id}"][data-state]`), outDir);
    got.set(job.id, { hash: await sha256File(saved.file), file: saved.file, preset: job.preset });
  }
  return got;
}

test('a reload mid-batch: done outputs stay, the rest come back interrupted and resume when the same files are added again', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT * 2);
  await openSlowApp(page);
  await setWorkers(page, 2);
  await addFiles(page, SOURCES.map(fixture));
  await tickPresets(page, PRESETS);
  await page.getByRole('button', { name: 'Encode', exact: true }).click();
  await expect(allJobs(page)).toHaveCount(TOTAL);
  const order = (await readJobs(page)).map((j) => j.id);

  await test.step('the title shows the batch progress while it runs', async () => {
    await expect(page).toHaveTitle(/^\d{1,3}% · ffbatch$/);
  });

  // Reload as soon as the first outputs are stored, with other jobs still to do.
  await expect.poll(() => jobsIn(page, 'done').count(), { timeout: ENCODE_TIMEOUT, intervals: [100] }).toBeGreaterThanOrEqual(1);
  const before = await doneOutputs(page);
  expect(before.size).toBeGreaterThanOrEqual(1);
  expect(await jobsIn(page, 'queued', 'running').count(), 'jobs still to do when the page reloads').toBeGreaterThan(0);
  await page.reload();
  await settled(page);

  const interrupted: string[] = [];
  await test.step('after the reload: done outputs byte-identical, every other job interrupted, in the same order', async () => {
    await expect(allJobs(page)).toHaveCount(TOTAL);
    await expect(jobsIn(page, 'queued', 'running')).toHaveCount(0);
    const jobs = await readJobs(page);
    const done = jobs.filter((j) => j.state === 'done');
    // A job may have been stored between the downloads and the reload: done stays done.
    for (const id of before.keys()) expect(done.map((j) => j.id)).toContain(id);
    const rest = jobs.filter((j) => j.state !== 'done');
    expect(rest.length).toBeGreaterThan(0);
    for (const job of rest) {
      expect(job.state, `${job.source} → ${job.preset}`).toBe('interrupted');
      expect(job.text).toContain(SENTENCE);
      interrupted.push(job.id);
    }
    test.info().annotations.push({ type: 'after the reload', description: `${done.length} done, ${rest.length} interrupted` });
    // Interrupted jobs keep the order they were made in.
    expect(interrupted).toEqual(order.filter((id) => interrupted.includes(id)));
    const again = await doneOutputs(page);
    for (const [id, { hash }] of before) expect(again.get(id)?.hash, `output of ${id}`).toBe(hash);
    await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeVisible();
  });

  await test.step('nothing runs by itself after a reload: a new job runs to its end and the interrupted ones stay', async () => {
    // The scheduler has started and finished a job since the page opened: it had its chance to take the interrupted ones.
    await addFiles(page, [fixture('good.mp3')]);
    await tickPresets(page, ['mp3-audio']);
    await page.getByRole('button', { name: 'Encode', exact: true }).click();
    const probe = jobFor(page, 'good.mp3', 'mp3-audio');
    await expect(probe).toHaveAttribute('data-state', 'done', { timeout: ENCODE_TIMEOUT });
    await expect(jobsIn(page, 'interrupted')).toHaveCount(interrupted.length);
    await expect(jobsIn(page, 'queued', 'running')).toHaveCount(0);
    // Out of the way of the counts below.
    await probe.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Remove good.mp3' }).click();
    await expect(allJobs(page)).toHaveCount(TOTAL);
  });

  await test.step('Resume without kept file handles asks for the files again', async () => {
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect(page.locator('[data-resume-note]')).toContainText('again');
    await expect(jobsIn(page, 'interrupted')).toHaveCount(interrupted.length);
  });

  await test.step('a re-added file of a different size is named and not matched', async () => {
    const jobs = await readJobs(page);
    const changedName = jobs.find((j) => j.state === 'interrupted')?.source ?? '';
    const changedDir = path.join(outDir, 'changed');
    await mkdir(changedDir, { recursive: true });
    const grown = path.join(changedDir, changedName);
    await copyFile(fixture(changedName), grown);
    await appendFile(grown, pseudoRandomBytes(4096));
    await addFiles(page, [grown]);
    await expect(page.locator('[data-resume-note]')).toContainText(changedName);
    await expect(page.locator('[data-resume-note]')).toContainText('changed');
    // The changed file is listed and probed (the last thing adding it does): still nothing requeued.
    await expect(page.getByRole('list', { name: 'Sources' }).getByRole('listitem')).toHaveCount(1);
    await expect(page.getByRole('list', { name: 'Sources' })).not.toContainText('reading…', { timeout: 60_000 });
    await expect(jobsIn(page, 'interrupted')).toHaveCount(interrupted.length);
    await expect(allJobs(page)).toHaveCount(TOTAL);
  });

  await test.step('re-adding the same files resumes every interrupted job; every output is checked by ffprobe', async () => {
    await addFiles(page, SOURCES.map(fixture));
    await expect(jobsIn(page, 'interrupted')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeHidden();
    await waitForAllFinished(page, TOTAL);
    await expect(jobsIn(page, 'done')).toHaveCount(TOTAL);
    // The resumed jobs are the same jobs (same ids), not new ones.
    expect((await readJobs(page)).map((j) => j.id).sort()).toEqual([...order].sort());
    const after = await doneOutputs(page);
    for (const [id, { hash }] of before) expect(after.get(id)?.hash, `output of ${id} untouched`).toBe(hash);
    for (const [id, { file, preset }] of after) {
      const probe = await ffprobe(file);
      if (preset === 'mp3-audio') {
        expect(probe.format.format_name, id).toBe('mp3');
        expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
      } else {
        expect(streamsOf(probe, 'video').map((s) => s.codec_name), id).toEqual(['h264']);
        expect(streamsOf(probe, 'video')[0]?.height ?? 0).toBeLessThanOrEqual(480);
        expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['aac']);
      }
    }
    await expect(page).not.toHaveTitle(/%/);
  });
});

test('the handle path: a dropped file keeps its handle, and Resume requeues its jobs without adding it again', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  await openSlowApp(page);
  const name = 'friday.mp4';
  const bytes = (await readFile(fixture(name))).toString('base64');
  // A real FileSystemFileHandle the test can make without a picker: a file in the origin's private file system, dropped on the page.
  const dropped = await page.evaluate(
    async ({ name, bytes }) => {
      const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle('resume-spec-handles', { create: true });
      const handle = await folder.getFileHandle(name, { create: true });
      const writable = await handle.createWritable();
      await writable.write(Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0)));
      await writable.close();
      const file = await handle.getFile();
      const item = { kind: 'file', type: file.type, getAsFileSystemHandle: () => Promise.resolve(handle), webkitGetAsEntry: () => null };
      const drop = new Event('drop', { bubbles: true, cancelable: true });
      Object.defineProperty(drop, 'dataTransfer', { value: { items: [item], files: [file] } });
      document.dispatchEvent(drop);
      return typeof (item as { getAsFileSystemHandle?: unknown }).getAsFileSystemHandle === 'function';
    },
    { name, bytes },
  );
  expect(dropped).toBe(true);
  await expect(page.locator('.sources li')).toHaveCount(1);
  await tickPresets(page, PRESETS);
  await page.getByRole('button', { name: 'Encode', exact: true }).click();
  await expect(allJobs(page)).toHaveCount(PRESETS.length);
  await expect(jobsIn(page, 'running')).not.toHaveCount(0);
  await page.reload();
  await settled(page);
  const interrupted = await jobsIn(page, 'interrupted').count();
  expect(interrupted, 'jobs cut off by the reload').toBeGreaterThan(0);
  await expect(jobsIn(page, 'interrupted', 'done')).toHaveCount(PRESETS.length);

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(jobsIn(page, 'interrupted')).toHaveCount(0);
  await waitForAllFinished(page, PRESETS.length);
  await expect(jobsIn(page, 'done')).toHaveCount(PRESETS.length);
  for (const [id, { file, preset }] of await doneOutputs(page)) {
    const probe = await ffprobe(file);
    const want = preset === 'mp3-audio' ? ['mp3'] : ['h264'];
    expect(streamsOf(probe, preset === 'mp3-audio' ? 'audio' : 'video').map((s) => s.codec_name), id).toEqual(want);
  }
  await page.evaluate(() => navigator.storage.getDirectory().then((root) => root.removeEntry('resume-spec-handles', { recursive: true })));
});
