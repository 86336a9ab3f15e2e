/**
 * Issue 17's built-ins in Chromium, judged by native ffprobe: Fit in 10 MB of a 45 s 1080p
 * clip on both engines stays under 10,000,000 bytes and fills at least 85 % of them; GIF is
 * GIF at 480 px and 15 fps; M4A is AAC alone; a job's "Copy as ffmpeg command" run by native
 * ffmpeg gives the same streams, picture size and duration (and keeps the size promise).
 */
import { execFileSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { shellWords } from '../../src/presets/shell-words';
import { ffprobe, ratio, streamsOf, type Probe } from '../support/ffprobe';
import { fixture, makePhoneClip, makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, jobFor, pressEncode, waitForAllFinished } from './app-page';

test.describe.configure({ mode: 'serial' });

let dir = '';
let phone = '';

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  dir = await makeTempDir('ffbatch-recipes-');
  phone = path.join(dir, 'phone45.mp4');
  makePhoneClip(phone, 45);
});

test.afterAll(async () => {
  if (dir) await removeDir(dir);
});

async function run(page: Page, engine: 'auto' | 'ffmpeg', file: string, presets: readonly string[]): Promise<void> {
  await page.goto(`/?engine=${engine}`);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  await addFiles(page, [file]);
  for (const id of presets) await page.locator(`input[type=checkbox][name=preset][value="${id}"]`).check();
  await pressEncode(page);
  await waitForAllFinished(page, presets.length, 12 * 60_000);
}

async function h264Available(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    if (typeof VideoEncoder === 'undefined') return false;
    const answer = await VideoEncoder.isConfigSupported({ codec: 'avc1.640028', width: 1280, height: 720 }).catch(() => null);
    return answer?.supported === true;
  });
}

function streamsLine(probe: Probe): string[] {
  return probe.streams.map((s) => `${s.codec_type}:${s.codec_name}${s.codec_type === 'video' ? ` ${s.width}x${s.height}` : ''}`);
}

/** The job's native command, run here: its input is the file beside it, its output goes to `dir`. */
async function runCommand(job: Locator, input: string): Promise<string> {
  const command = await job.getAttribute('data-ffmpeg-command');
  expect(command, 'data-ffmpeg-command').toBeTruthy();
  await expect(job.getByRole('button', { name: 'Copy as ffmpeg command' })).toBeVisible();
  const words = shellWords(command ?? '');
  expect(words[0]).toBe('ffmpeg');
  const at = words.indexOf('-i');
  expect(words[at + 1]).toBe(path.basename(input));
  const output = path.join(dir, `native-${words.at(-1) ?? 'out'}`);
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...words.slice(1, at + 1), input, ...words.slice(at + 2, -1), output]);
  return output;
}

for (const engine of ['auto', 'ffmpeg'] as const) {
  test(`Fit in 10 MB of a 45 s 1080p clip (${engine}): at most 10,000,000 bytes, at least 85 % of them, 720p H.264 + AAC`, async ({ page }) => {
    test.setTimeout(15 * 60_000);
    await page.goto('/');
    if (engine === 'auto') test.skip(!(await h264Available(page)), 'this Chromium has no H.264 VideoEncoder: set FFBATCH_CHROMIUM=/usr/bin/chromium');
    await run(page, engine, phone, ['mp4-fit-10mb']);
    const job = jobFor(page, 'phone45.mp4', 'mp4-fit-10mb');
    await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
    await expect(job).toHaveAttribute('data-engine', engine === 'auto' ? 'webcodecs' : 'ffmpeg');
    await expect(job).toContainText('verified');
    const got = await downloadFromJob(page, job, dir);
    const bytes = (await stat(got.file)).size;
    const probe = await ffprobe(got.file);
    console.log(`[recipes] fit ${engine}: ${bytes} bytes, ${streamsLine(probe).join(', ')}, ${probe.format.duration} s`);
    expect(bytes).toBeLessThanOrEqual(10_000_000);
    expect(bytes).toBeGreaterThanOrEqual(8_500_000);
    expect(streamsLine(probe)).toEqual(['video:h264 1280x720', 'audio:aac']);
    expect(Number(probe.format.duration)).toBeCloseTo(45, 0);

    if (engine === 'ffmpeg') {
      // The same recipe by native ffmpeg 5.1: the same streams and length, and the same promise.
      const native = await runCommand(job, phone);
      const nativeProbe = await ffprobe(native);
      const nativeBytes = (await stat(native)).size;
      console.log(`[recipes] fit native: ${nativeBytes} bytes`);
      expect(streamsLine(nativeProbe)).toEqual(streamsLine(probe));
      expect(Math.abs(Number(nativeProbe.format.duration) - Number(probe.format.duration))).toBeLessThanOrEqual(0.2);
      expect(nativeBytes).toBeLessThanOrEqual(10_000_000);
      expect(Math.abs(nativeBytes / bytes - 1)).toBeLessThanOrEqual(0.05);
    }
  });
}

test('GIF 480 and M4A of flower.mp4: a GIF 480 wide at 15 fps without sound; AAC alone; the native command gives the same', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  await run(page, 'auto', fixture('flower.mp4'), ['gif-480', 'm4a-audio']);
  const gifJob = jobFor(page, 'flower.mp4', 'gif-480');
  const m4aJob = jobFor(page, 'flower.mp4', 'm4a-audio');
  for (const job of [gifJob, m4aJob]) {
    await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
    await expect(job).toContainText('verified');
  }
  const gif = await ffprobe((await downloadFromJob(page, gifJob, dir)).file, ['-count_frames']);
  const [v] = streamsOf(gif, 'video');
  expect(gif.format.format_name).toBe('gif');
  expect([v?.codec_name, v?.width, v?.height]).toEqual(['gif', 480, 270]);
  expect(ratio(v?.avg_frame_rate)).toBeCloseTo(15, 0);
  // 5.05 s at 15 fps.
  expect(Math.abs(Number(v?.nb_read_frames) - 76)).toBeLessThanOrEqual(2);
  expect(streamsOf(gif, 'audio')).toHaveLength(0);

  const m4aFile = (await downloadFromJob(page, m4aJob, dir)).file;
  const m4a = await ffprobe(m4aFile);
  expect(m4a.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['audio', 'aac']]);
  expect(path.extname(m4aFile)).toBe('.m4a');

  const flowerCopy = path.join(dir, 'flower.mp4');
  execFileSync('cp', [fixture('flower.mp4'), flowerCopy]);
  const nativeGif = await ffprobe(await runCommand(gifJob, flowerCopy));
  expect(streamsLine(nativeGif)).toEqual(streamsLine(gif));
  const nativeM4a = await ffprobe(await runCommand(m4aJob, flowerCopy));
  expect(streamsLine(nativeM4a)).toEqual(streamsLine(m4a));
  expect(Math.abs(Number(nativeM4a.format.duration) - Number(m4a.format.duration))).toBeLessThanOrEqual(0.05);
});
