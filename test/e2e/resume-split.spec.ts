/**
 * Issue 11: a split job cut off by a reload resumes with only its unfinished segments.
 * `?splitAbove=20` makes the 33 s trailer a split job on 2 workers; `?holdSegment=2` keeps its
 * second segment from starting, so the page is reloaded with segment 1 finished and the join
 * not begun. After the reload (without the knob) the same file is added again: the job must
 * reuse segment 1 from disk, encode segment 2 only, join, and give a whole, correct output.
 */
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { durationOf, ffprobe, frameTimes, streamsOf } from '../support/ffprobe';
import { makeTempDir, removeDir } from '../support/media';
import { addFiles, allJobs, downloadFromJob, jobsIn, pressEncode, setWorkers, tickPresets, waitForAllFinished } from './app-page';

const TRAILER = path.resolve(import.meta.dirname, '../../../shared/fixtures/trailer_big_buck_bunny.flv'); // 33 s, 25 fps
const APP = '/?engine=ffmpeg&splitAbove=20';
const ORPHAN = 'job-that-no-longer-exists';
const FRAME = 1 / 25;

/** Files under OPFS `ffbatch-segments/` (path → bytes). */
async function keptFiles(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const found: Record<string, number> = {};
    const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const [name, entry] of (folder as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (entry.kind === 'directory') await walk(entry as FileSystemDirectoryHandle, `${prefix}${name}/`);
        else found[`${prefix}${name}`] = (await (entry as FileSystemFileHandle).getFile()).size;
      }
    };
    try {
      await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('ffbatch-segments'), '');
    } catch {
      // No folder: nothing kept.
    }
    return found;
  });
}

/** Writes a kept-segment folder that belongs to no job (as if its job ended while no page could clean up). */
async function plantOrphan(page: Page): Promise<void> {
  await page.evaluate(async (orphan) => {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('ffbatch-segments', { create: true });
    const file = await (await root.getDirectoryHandle(orphan, { create: true })).getFileHandle('segment-0.nut', { create: true });
    const writable = await file.createWritable();
    await writable.write(new Uint8Array(100));
    await writable.close();
  }, ORPHAN);
}

/**
 * Starts the trailer → FLV as a job split in 2 on 2 workers, with segment 2 held by the knob,
 * and waits until segment 1 is finished and kept on disk. Returns the job, its id and its open log.
 */
async function startHeldSplitJob(page: Page): Promise<{ job: Locator; id: string; log: Locator }> {
  await page.goto(`${APP}&holdSegment=2`);
  await setWorkers(page, 2);
  await addFiles(page, [TRAILER]);
  await tickPresets(page, ['flv-320x240']);
  await pressEncode(page);
  const job = allJobs(page).first();
  const id = (await job.getAttribute('data-job-id')) ?? '';
  await job.getByRole('button', { name: 'Log' }).click();
  const log = job.locator('pre');
  await expect(log).toContainText('Segment 1 of 2 finished; kept on disk for a resume', { timeout: 180_000 });
  return { job, id, log };
}

test('a split job reloaded after one segment finished encodes only the other segment, then joins', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const outDir = await makeTempDir('ffbatch-resume-split-');
  const { job, id, log } = await startHeldSplitJob(page);
  await expect(log).toContainText('split into 2 segments');
  await expect(log).toContainText('Segment 2 of 2 is held');
  await expect(job).toHaveAttribute('data-state', 'running');
  const before = await keptFiles(page);
  const keptSegment = Object.keys(before).filter((p) => p.startsWith(`${id}/`));
  expect(keptSegment, `one finished segment kept on disk: ${JSON.stringify(before)}`).toHaveLength(1);
  // A kept-segment folder whose job is gone (ended while no page could clean up): the next start removes it.
  await plantOrphan(page);

  // The reload: a new page (without the knob) in the same tab, before segment 2 or the join ran.
  await page.goto(APP);
  await expect(page.locator('.storage')).toContainText('Stored outputs');
  await expect(jobsIn(page, 'interrupted')).toHaveCount(1);
  await expect.poll(async () => Object.keys(await keptFiles(page)).some((p) => p.startsWith(`${ORPHAN}/`)), { message: 'the orphan folder is removed' }).toBe(false);
  const afterReload = await keptFiles(page);
  expect(afterReload[keptSegment[0] ?? ''], 'the finished segment survived the new page’s scratch clean-up').toBe(before[keptSegment[0] ?? '']);

  await setWorkers(page, 2);
  await addFiles(page, [TRAILER]);
  await expect(jobsIn(page, 'interrupted')).toHaveCount(0);
  await waitForAllFinished(page, 1);
  const resumed = page.locator(`[data-job-id="${id}"][data-state]`);
  await resumed.getByRole('button', { name: 'Log' }).click();
  const text = await resumed.locator('pre').innerText();
  await expect(resumed, text).toHaveAttribute('data-state', 'done');

  // Proof that segment 1 was not encoded again: the log says so, and only segment 2 ran.
  const reused = /reused (\d+) of (\d+) segments/.exec(text);
  expect(reused, text).not.toBeNull();
  const [n, m] = [Number(reused?.[1]), Number(reused?.[2])];
  expect(n).toBeGreaterThanOrEqual(1);
  expect(m).toBe(2);
  const encodes = text.split('\n').filter((line) => /Encoding segment \d+ of \d+\./.test(line));
  expect(encodes, 'segment encodes after the resume').toHaveLength(m - n);
  expect(encodes).toEqual(['[ffbatch] Encoding segment 2 of 2.']);
  expect(text).not.toContain('[part 1/2]');
  expect(text).toContain('[part 2/2]');
  expect(text).toContain('2 segments joined');

  // The joined output is whole: the preset's codecs and size, the source's length, every frame.
  const file = (await downloadFromJob(page, resumed, outDir)).file;
  const output = await ffprobe(file, ['-count_frames']);
  const source = await ffprobe(TRAILER);
  expect(output.format.format_name).toBe('flv');
  const video = streamsOf(output, 'video');
  expect(video.map((s) => s.codec_name)).toEqual(['flv1']);
  expect([video[0]?.width, video[0]?.height]).toEqual([320, 240]);
  expect(streamsOf(output, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
  // The preset's fixed 25 fps and MP3 framing make the output a few frames longer than the source (native ffmpeg: 33.105 s for 32.995 s).
  expect(Math.abs(durationOf(output) - durationOf(source)), 'duration').toBeLessThan(0.2);
  // Both segments are in it, joined without a gap or a doubled frame: frame times one frame apart from 0 to the end.
  const times = frameTimes(file);
  expect(times.length).toBe(Number(video[0]?.nb_read_frames));
  expect(times[0]).toBeLessThan(FRAME);
  expect(times.at(-1) ?? 0, 'last frame').toBeGreaterThan(durationOf(source) - 3 * FRAME);
  for (let i = 1; i < times.length; i++) {
    const step = (times[i] ?? 0) - (times[i - 1] ?? 0);
    expect(step, `frame ${i} at ${times[i]}`).toBeGreaterThan(FRAME * 0.5);
    expect(step, `frame ${i} at ${times[i]}`).toBeLessThan(FRAME * 1.5);
  }

  // The job ended: its kept segments are gone.
  await expect.poll(async () => Object.keys(await keptFiles(page)).filter((p) => p.startsWith(`${id}/`)), { message: 'kept segments removed once the job is done' }).toEqual([]);
  await removeDir(outDir);
});

test('another tab leaves the running split job to its tab; once that tab is closed, the job is interrupted there and its kept segments stay until it is deleted', async ({ context }) => {
  test.setTimeout(4 * 60_000);
  const a = await context.newPage();
  const { id } = await startHeldSplitJob(a);
  const ofJob = async (page: Page): Promise<string[]> => Object.keys(await keptFiles(page)).filter((p) => p.startsWith(`${id}/`));
  const kept = await ofJob(a);
  expect(kept).toHaveLength(1);

  // A kept-segment folder of no job, which B's clean-up at start removes: proof that the clean-up ran.
  await plantOrphan(a);

  // Tab B opens while A runs the job: B neither lists it nor offers to resume it (that would encode it twice), and says why.
  const b = await context.newPage();
  await b.goto(APP);
  await expect(b.locator('.storage')).toContainText('Stored outputs');
  await expect(b.locator('[data-resume-note]')).toHaveText('When this page opened, 1 unfinished job belonged to another open ffbatch tab; it is left to that tab, and its output shows here after a reload.');
  await expect(b.locator(`[data-job-id="${id}"]`)).toHaveCount(0);
  await expect(b.getByRole('button', { name: 'Resume' })).toBeHidden();
  // B's clean-up of kept segments has run (it removed the orphan) and left the segments of the job running in tab A.
  await expect.poll(async () => Object.keys(await keptFiles(b)).some((p) => p.startsWith(`${ORPHAN}/`)), { message: 'B removes the orphan folder' }).toBe(false);
  expect(await ofJob(b), 'segments of the job running in tab A').toEqual(kept);

  // Tab A is closed mid-job: after a reload B takes the job as interrupted, with its segment still kept for a resume.
  await a.close();
  await b.reload();
  const inB = b.locator(`[data-job-id="${id}"][data-state]`);
  await expect(inB).toHaveAttribute('data-state', 'interrupted');
  await expect(b.locator('[data-resume-note]')).toBeHidden();
  expect(await ofJob(b)).toEqual(kept);
  // Deleting the interrupted job removes its kept segments.
  await inB.getByRole('button', { name: 'Delete' }).click();
  await expect(inB).toHaveCount(0);
  await expect.poll(() => ofJob(b), { message: 'kept segments removed with the job' }).toEqual([]);
});
