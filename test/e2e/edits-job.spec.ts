/**
 * Issue 18: a queued job's own edits. Its Edit opens the same editor; saving changes only that
 * job (its data-edits and its native command), the edits survive a reload and resume, and the
 * output (judged by ffprobe) is the edited one. The button goes once the job starts.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, setWorkers, tickPresets } from './app-page';

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

function duration(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString());
}

/** The edits kept in the page's job store, by job id (what a reload reads back). */
function storedEdits(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const open = indexedDB.open('ffbatch-jobs');
        open.onerror = () => reject(new Error('no job store'));
        open.onsuccess = () => {
          const request = open.result.transaction('jobs').objectStore('jobs').getAll();
          request.onsuccess = () => {
            const out: Record<string, unknown> = {};
            for (const record of request.result as { id: string; edits?: unknown }[]) out[record.id] = record.edits ?? null;
            open.result.close();
            resolve(out);
          };
        };
      }),
  );
}

let dir: string;
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-job-edits-');
});
test.afterAll(() => removeDir(dir));

test("a queued job's Edit changes only that job, survives a reload and resume, and goes once the job starts", async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  // A long first file on one ffmpeg.wasm worker keeps the second file's jobs queued while they are edited.
  const long = path.join(dir, 'long.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=150', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', long]);
  const clip = path.join(dir, 'clip.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=8', '-f', 'lavfi', '-i', 'sine=f=440:d=8', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
  page.on('pageerror', (error) => console.log(`[page error] ${error.message}`));
  await page.goto('./?engine=ffmpeg');
  await setWorkers(page, 1);
  await addFiles(page, [long, clip]);
  await tickPresets(page, ['mp4-h264-480p', 'mp3-audio']);
  await pressEncode(page);
  const video = jobFor(page, 'clip.mp4', 'mp4-h264-480p');
  const sound = jobFor(page, 'clip.mp4', 'mp3-audio');
  await expect(video).toHaveAttribute('data-state', 'queued');
  // The command is written once the source is probed: wait for it, then keep it to compare.
  await expect(sound).toHaveAttribute('data-ffmpeg-command', /clip\.mp3$/);
  const before = await sound.getAttribute('data-ffmpeg-command');

  await video.getByRole('button', { name: /^Edit / }).click();
  const dialog = page.getByRole('dialog', { name: /^Edit clip\.mp4 → / });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Apply to all' })).toHaveCount(0);
  await dialog.getByLabel('In', { exact: true }).fill('2');
  await dialog.getByLabel('Out', { exact: true }).fill('5');
  await dialog.getByRole('button', { name: 'Save edits' }).click();
  await expect(dialog).toBeHidden();

  await expect(video).toHaveAttribute('data-edits', '0:02–0:05');
  await expect(video).toHaveAttribute('data-ffmpeg-command', /-ss 2 -i clip\.mp4 .* -t 3 /);
  // Only that job: the source and its other job are as they were.
  await expect(sound).not.toHaveAttribute('data-edits', /.*/);
  expect(await sound.getAttribute('data-ffmpeg-command')).toBe(before);
  await expect(page.locator('[data-source-name="clip.mp4"]')).not.toHaveAttribute('data-edits', /.*/);
  const videoId = (await video.getAttribute('data-job-id')) ?? '';
  await expect.poll(async () => (await storedEdits(page))[videoId]).toEqual({ trim: { start: 2, end: 5 } });

  // A reload: the jobs come back interrupted with their own edits; adding the file again resumes them.
  await page.reload();
  // (The long file's running job may be left to the closing tab for a moment: only the clip's jobs are followed.)
  await expect(video).toHaveAttribute('data-state', 'interrupted');
  await expect(sound).toHaveAttribute('data-state', 'interrupted');
  await expect(video).toHaveAttribute('data-edits', '0:02–0:05');
  await addFiles(page, [clip]);
  await expect(video).toHaveAttribute('data-state', 'done', { timeout: ENCODE_TIMEOUT });
  await expect(sound).toHaveAttribute('data-state', 'done', { timeout: ENCODE_TIMEOUT });
  await expect(video.getByRole('button', { name: /^Edit / })).toHaveCount(0);
  await expect(video).toHaveAttribute('data-edits', '0:02–0:05');
  const trimmed = duration((await downloadFromJob(page, video, dir)).file);
  const whole = duration((await downloadFromJob(page, sound, dir)).file);
  console.log(`[job-edits] edited job ${trimmed} s, its sibling ${whole} s`);
  expect(Math.abs(trimmed - 3)).toBeLessThanOrEqual(0.1);
  expect(Math.abs(whole - 8)).toBeLessThanOrEqual(0.15);
});
