/**
 * Issue 15, item 2: a raw ADTS .aac has no index, and ffprobe gives its duration as a guess
 * from the bitrate (here 100 s of sound it calls ~104 s). The job must measure the real length
 * and hold the output to that: mp3-audio ends done and verified, as long as the stream, and its
 * progress bar reaches 100 % (against the guess it stopped at 96 %).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ffprobe } from '../support/ffprobe';
import { makeTempDir, removeDir } from '../support/media';
import { lastPacketEnd } from '../../workers/ffmpeg/framecrc';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, openApp, pressEncode, tickPresets, waitForAllFinished } from './app-page';

declare global {
  interface Window {
    __highestProgress?: number;
  }
}

let dir = '';
let aac = '';
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-estimated-');
  aac = path.join(dir, 'talk.aac');
  // Noise under a tone: a bitrate that varies along the file, so ffprobe's guess misses.
  execFileSync('ffmpeg', [
    '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', 'anoisesrc=d=100:c=pink:r=44100:a=0.3:seed=15', '-f', 'lavfi', '-i', 'sine=f=300:r=44100:d=100',
    '-filter_complex', 'amerge=inputs=2', '-c:a', 'aac', '-b:a', '160k', '-f', 'adts', aac,
  ]);
});
test.afterAll(async () => {
  await removeDir(dir);
});

/** Where the stream's packets really end: native ffmpeg reads them all. */
function streamLength(file: string): number {
  const listing = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-map', '0', '-c', 'copy', '-f', 'framecrc', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const end = lastPacketEnd(listing);
  if (end === null) throw new Error(`no packets in ${file}`);
  return end;
}

test('a raw ADTS .aac (100 s, its duration only estimated) → MP3: done, verified, as long as the stream, progress to 100 %', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const real = streamLength(aac);
  const guessed = Number((await ffprobe(aac)).format.duration);
  console.log(`[estimated] ffprobe says ${guessed} s; the packets end at ${real.toFixed(3)} s`);
  // The premise: the guess misses by more than the check's tolerance (1 %).
  expect(Math.abs(guessed - real)).toBeGreaterThan(0.01 * real);

  await openApp(page);
  await addFiles(page, [aac]);
  await tickPresets(page, ['mp3-audio']);
  await page.evaluate(() => {
    window.__highestProgress = 0;
    setInterval(() => {
      for (const job of document.querySelectorAll<HTMLElement>('[data-job-id][data-state=running]')) {
        const value = job.querySelector('progress')?.value ?? 0;
        window.__highestProgress = Math.max(window.__highestProgress ?? 0, value);
      }
    }, 50);
  });
  await pressEncode(page);
  await waitForAllFinished(page, 1, ENCODE_TIMEOUT);

  const job = jobFor(page, 'talk.aac', 'mp3-audio');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toContainText('verified');
  const highest = await page.evaluate(() => window.__highestProgress ?? 0);
  expect(highest, 'the progress bar reached 100 % while the job ran').toBeGreaterThanOrEqual(0.99);

  const got = await downloadFromJob(page, job, dir);
  const out = await ffprobe(got.file);
  const audio = out.streams.find((s) => s.codec_type === 'audio');
  expect(out.streams.map((s) => s.codec_type)).toEqual(['audio']);
  expect(audio?.codec_name).toBe('mp3');
  const duration = Number(out.format.duration);
  console.log(`[estimated] output: ${duration} s; highest progress ${highest}`);
  expect(Math.abs(duration - real), `output ${duration} s, stream ${real} s`).toBeLessThanOrEqual(0.1);
});
