/**
 * The WebCodecs route (issue 8): jobs it can take go the fast way and say so, outputs are
 * checked with native ffprobe (codec, size, duration, every frame, audio), a source it
 * cannot read goes to ffmpeg.wasm with the reason shown, and a failing WebCodecs encode
 * falls back to ffmpeg.wasm by itself.
 *
 * Needs a browser with an H.264 encoder (Debian's Chromium has OpenH264; Playwright's own
 * Chromium build has none): skipped elsewhere.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { displaySize, ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, tickPresets, waitForAllFinished, type AnyPresetId } from './app-page';

interface Counted {
  format: string;
  video: { codec: string; width: number; height: number; frames: number; colorRange: string; shown: { width: number; height: number } } | null;
  audio: { codec: string } | null;
  duration: number;
}

/** Native ffprobe, every frame decoded and counted. */
function countFrames(file: string): Counted {
  const json = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file]).toString()) as {
    streams: Record<string, string | number | undefined>[];
    format: { format_name: string; duration: string };
  };
  const v = json.streams.find((s) => s['codec_type'] === 'video');
  const a = json.streams.find((s) => s['codec_type'] === 'audio');
  return {
    format: json.format.format_name,
    video: v
      ? {
          codec: String(v['codec_name']),
          width: Number(v['width']),
          height: Number(v['height']),
          frames: Number(v['nb_read_frames']),
          // Unset reads as tv (limited), as players take it.
          colorRange: v['color_range'] === 'pc' ? 'pc' : 'tv',
          shown: shownSize(Number(v['width']), Number(v['height']), String(v['sample_aspect_ratio'] ?? '1:1')),
        }
      : null,
    audio: a ? { codec: String(a['codec_name']) } : null,
    duration: Number(json.format.duration),
  };
}

/** The size a player shows (sample aspect ratio applied to the width). */
function shownSize(width: number, height: number, sar: string): { width: number; height: number } {
  const [num, den] = sar.split(':').map(Number);
  return num && den && num !== den ? { width: Math.round((width * num) / den), height } : { width, height };
}

/** The preset rule (fitHeight), worked out here on its own: at most maxHeight lines, aspect kept, no upscale, even sides. */
function fitted(shown: { width: number; height: number }, maxHeight: number): { width: number; height: number } {
  let height = Math.min(maxHeight, shown.height);
  if (height % 2 === 1) height -= 1;
  const exact = (shown.width * height) / shown.height;
  const lower = Math.floor(exact / 2) * 2;
  return { width: exact - lower <= lower + 2 - exact ? lower : lower + 2, height };
}

async function openWith(page: Page, query: string): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  const h264 = await page.evaluate(async () => {
    if (typeof VideoEncoder === 'undefined') return false;
    const answer = await VideoEncoder.isConfigSupported({ codec: 'avc1.640028', width: 1280, height: 720 }).catch(() => null);
    return answer?.supported === true;
  });
  test.skip(!h264, 'this Chromium has no H.264 VideoEncoder (Playwright\'s own build lacks it; Debian\'s /usr/bin/chromium has OpenH264): set FFBATCH_CHROMIUM=/usr/bin/chromium');
}

async function encode(page: Page, file: string, presets: readonly AnyPresetId[]): Promise<void> {
  await addFiles(page, [fixture(file)]);
  await tickPresets(page, presets);
  await pressEncode(page);
  await waitForAllFinished(page, presets.length, ENCODE_TIMEOUT);
}

async function logOf(job: Locator): Promise<string> {
  await job.getByRole('button', { name: 'Log' }).click();
  return job.locator('pre').innerText();
}

test.describe.configure({ mode: 'serial' });

let outDir = '';
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-webcodecs-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

const FLOWER = countFrames(fixture('flower.mp4'));

test('flower.mp4 → H.264 720p and VP9 720p go through WebCodecs, verified, every frame kept', async ({ page }) => {
  await openWith(page, '?engine=auto');
  await expect(page.getByLabel('Engine')).toHaveValue('auto');
  const started = Date.now();
  await encode(page, 'flower.mp4', ['mp4-h264-720p', 'webm-vp9-720p']);
  console.log(`[webcodecs] 2 jobs in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const want = {
    'mp4-h264-720p': { format: 'mov,mp4,m4a,3gp,3g2,mj2', video: 'h264', audio: 'aac' },
    'webm-vp9-720p': { format: 'matroska,webm', video: 'vp9', audio: 'opus' },
  } as const;
  for (const presetId of ['mp4-h264-720p', 'webm-vp9-720p'] as const) {
    await test.step(presetId, async () => {
      const job = jobFor(page, 'flower.mp4', presetId);
      await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
      await expect(job).toHaveAttribute('data-engine', 'webcodecs');
      await expect(job).toContainText('WebCodecs');
      await expect(job).toContainText('verified');
      const log = await logOf(job);
      if (presetId === 'mp4-h264-720p') {
        // The QP of OpenH264's real output was read, frame by frame (the steering's input).
        expect(log).toMatch(/steered to H\.264 QP 26\.3/);
        expect(log).toMatch(/done: \d+ frames, .*H\.264 mean QP \d+\.\d\d/);
        expect(log).not.toContain('QP not read');
      }
      const got = await downloadFromJob(page, job, outDir);
      const out = countFrames(got.file);
      console.log(`[webcodecs] ${got.suggestedFilename}: ${JSON.stringify(out)}`);
      expect.soft(out.format).toBe(want[presetId].format);
      expect.soft(out.video?.codec).toBe(want[presetId].video);
      // 960×540 is under the 720-line bound: kept as it is.
      expect.soft([out.video?.width, out.video?.height]).toEqual([960, 540]);
      expect.soft(out.video?.frames, 'every source frame').toBe(FLOWER.video?.frames);
      expect.soft(out.audio?.codec, 'audio kept').toBe(want[presetId].audio);
      expect.soft(Math.abs(out.duration - FLOWER.duration), `duration ${out.duration} vs ${FLOWER.duration}`).toBeLessThanOrEqual(0.2);
    });
  }
});

/** The fixtures Mediabunny reads (MP4, WebM); the .ogv's Theora and the FLV are ffmpeg.wasm's alone. */
const READABLE = ['flower.mp4', 'friday.mp4', 'flower.webm', 'Big_Buck_Bunny_180_10s.webm'] as const;
const FAST_PRESETS = ['mp4-h264-720p', 'mp4-h264-480p', 'webm-vp9-720p'] as const;
const PROMISED = {
  'mp4-h264-720p': { format: 'mov,mp4,m4a,3gp,3g2,mj2', video: 'h264', audio: 'aac', maxHeight: 720 },
  'mp4-h264-480p': { format: 'mov,mp4,m4a,3gp,3g2,mj2', video: 'h264', audio: 'aac', maxHeight: 480 },
  'webm-vp9-720p': { format: 'matroska,webm', video: 'vp9', audio: 'opus', maxHeight: 720 },
} as const;

for (const engine of ['auto', 'ffmpeg'] as const) {
  test(`?engine=${engine}: every fixture the fast route reads × H.264 720p/480p and VP9: the preset's promises, every frame, colour range kept`, async ({ page }) => {
    test.setTimeout(12 * 60_000);
    await openWith(page, `?engine=${engine}`);
    await addFiles(page, READABLE.map((name) => fixture(name)));
    await tickPresets(page, FAST_PRESETS);
    await pressEncode(page);
    await waitForAllFinished(page, READABLE.length * FAST_PRESETS.length, 10 * 60_000);
    for (const name of READABLE) {
      const source = countFrames(fixture(name));
      const sourceVideo = source.video;
      if (!sourceVideo) throw new Error(`${name} has no video`);
      for (const presetId of FAST_PRESETS) {
        await test.step(`${name} → ${presetId}`, async () => {
          const job = jobFor(page, name, presetId);
          await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
          // Auto sends every one of these to WebCodecs on this browser (each can be read, decoded and encoded).
          await expect(job).toHaveAttribute('data-engine', engine === 'ffmpeg' ? 'ffmpeg' : 'webcodecs');
          await expect(job).toContainText('verified');
          const out = countFrames((await downloadFromJob(page, job, outDir)).file);
          const want = PROMISED[presetId];
          const label = `${name} → ${presetId} (${engine})`;
          expect.soft(out.format, label).toBe(want.format);
          expect.soft(out.video?.codec, label).toBe(want.video);
          expect.soft(out.video?.shown, `${label}: shown size`).toEqual(fitted(sourceVideo.shown, want.maxHeight));
          expect.soft(out.video?.frames, `${label}: every source frame`).toBe(sourceVideo.frames);
          expect.soft(out.video?.colorRange, `${label}: colour range kept`).toBe(sourceVideo.colorRange);
          expect.soft(out.audio?.codec ?? null, `${label}: audio iff the source has it`).toBe(source.audio ? want.audio : null);
          expect.soft(Math.abs(out.duration - source.duration), `${label}: duration ${out.duration} vs ${source.duration}`).toBeLessThanOrEqual(Math.max(0.2, source.duration * 0.01));
        });
      }
    }
  });
}

test('an FLV goes to ffmpeg.wasm with the reason shown, and its output is verified', async ({ page }) => {
  await openWith(page, '?engine=auto');
  await encode(page, 'trailer_big_buck_bunny.flv', ['mp4-h264-480p']);
  const job = jobFor(page, 'trailer_big_buck_bunny.flv', 'mp4-h264-480p');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
  await expect(job).toContainText(/ffmpeg\.wasm \(FLV [^)]+\)/);
  await expect(job).toContainText('verified');
  expect(await logOf(job)).toContain('[ffbatch] Engine: ffmpeg.wasm (FLV');
});

test('an AVI and an HEVC MP4 go to ffmpeg.wasm, each saying why, and their outputs are verified', async ({ page }) => {
  // Made here by native ffmpeg: AVI is not a container Mediabunny reads; this Chromium has no HEVC decoder.
  const avi = path.join(outDir, 'camera.avi');
  const hevc = path.join(outDir, 'phone-hevc.mp4');
  const make = (args: string[]): void => void execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', fixture('flower.mp4'), '-t', '2', ...args]);
  make(['-c:v', 'mpeg4', '-q:v', '5', '-c:a', 'libmp3lame', avi]);
  make(['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error', '-c:a', 'aac', hevc]);
  await openWith(page, '?engine=auto');
  await addFiles(page, [avi, hevc]);
  await tickPresets(page, ['mp4-h264-480p']);
  await pressEncode(page);
  await waitForAllFinished(page, 2, ENCODE_TIMEOUT);
  for (const [name, reason] of [
    ['camera.avi', /ffmpeg\.wasm \(AVI isn't readable by the fast route\)/],
    ['phone-hevc.mp4', /ffmpeg\.wasm \(HEVC can't be decoded by this browser\)/],
  ] as const) {
    const job = jobFor(page, name, 'mp4-h264-480p');
    await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
    await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
    await expect(job).toContainText(reason);
    await expect(job).toContainText('verified');
    const out = countFrames((await downloadFromJob(page, job, outDir)).file);
    expect.soft(out.video?.codec, name).toBe('h264');
    expect.soft(out.audio?.codec, name).toBe('aac');
  }
});

test('a WebCodecs encode that fails falls back to ffmpeg.wasm by itself (?webcodecsFail=throw)', async ({ page }) => {
  await openWith(page, '?engine=auto&webcodecsFail=throw');
  await encode(page, 'flower.mp4', ['mp4-h264-480p']);
  const job = jobFor(page, 'flower.mp4', 'mp4-h264-480p');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
  await expect(job).toContainText(/ffmpeg\.wasm \(WebCodecs failed: [^)]+\)/);
  await expect(job).toContainText('verified');
  const log = await logOf(job);
  expect(log).toMatch(/\[ffbatch\] WebCodecs route failed: .*failure forced by \?webcodecsFail=throw.*; encoding with ffmpeg\.wasm instead\./);
  const got = await downloadFromJob(page, job, outDir);
  const out = countFrames(got.file);
  expect.soft(out.video?.codec).toBe('h264');
  expect.soft(out.audio?.codec).toBe('aac');
});

test('a WebCodecs encode that hangs is stopped by its watchdog and falls back to ffmpeg.wasm (?webcodecsFail=stall)', async ({ page }) => {
  // The knob makes the worker go silent after its first frame and never end; the page calls that a hang after 4 s.
  await openWith(page, '?engine=auto&webcodecsFail=stall');
  await encode(page, 'flower.mp4', ['mp4-h264-480p']);
  const job = jobFor(page, 'flower.mp4', 'mp4-h264-480p');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
  await expect(job).toContainText(/ffmpeg\.wasm \(WebCodecs failed: the browser's codecs made no progress for 4 s\)/);
  await expect(job).toContainText('verified');
  expect(await logOf(job)).toContain("[ffbatch] WebCodecs route failed: the browser's codecs made no progress for 4 s; encoding with ffmpeg.wasm instead.");
  const got = await downloadFromJob(page, job, outDir);
  const out = countFrames(got.file);
  expect.soft(out.video?.codec).toBe('h264');
  expect.soft(out.video?.frames, 'every frame of the source').toBe(FLOWER.video?.frames);
  expect.soft(out.audio?.codec).toBe('aac');
});

test('an output cut short fails its check on both routes: the job fails with the sentence, nothing is stored (?truncateOutputs=1)', async ({ page }) => {
  await openWith(page, '?engine=auto&truncateOutputs=1');
  await encode(page, 'flower.mp4', ['mp4-h264-480p']);
  const job = jobFor(page, 'flower.mp4', 'mp4-h264-480p');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'failed');
  await expect(job).toContainText(/The output failed its check: its packets stop at \d+\.\d\d s though it claims 5\.\d\d s; the file is cut short\./);
  const log = await logOf(job);
  // WebCodecs made it first: its check failed, so the job went to ffmpeg.wasm, whose output failed the same check.
  expect(log).toMatch(/\[ffbatch\] WebCodecs route failed: The output failed its check: its packets stop at .*; encoding with ffmpeg\.wasm instead\./);
  await expect(job.locator('a[download]'), 'no output was stored').toHaveCount(0);
});

test('Engine → "ffmpeg.wasm only" keeps a job the fast route could take on ffmpeg.wasm', async ({ page }) => {
  await openWith(page, '?engine=auto');
  await page.getByLabel('Engine', { exact: true }).selectOption('ffmpeg');
  await encode(page, 'flower.mp4', ['mp4-h264-480p']);
  const job = jobFor(page, 'flower.mp4', 'mp4-h264-480p');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
  expect(await logOf(job)).toContain('[ffbatch] Engine: ffmpeg.wasm');
  const out = countFrames((await downloadFromJob(page, job, outDir)).file);
  expect(out.video).toMatchObject({ codec: 'h264', width: 854, height: 480 });
});

test('a phone clip filmed upright (rotation 90) comes out upright on the fast route: shown 406×720, never sideways', async ({ page }) => {
  // flower.mp4 (960×540) with a 90° display rotation, as phones store portrait video.
  const rotated = `${outDir}/portrait.mp4`;
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', fixture('flower.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
  await openWith(page, '?engine=auto');
  await addFiles(page, [rotated]);
  await tickPresets(page, ['mp4-h264-720p']);
  await pressEncode(page);
  await waitForAllFinished(page, 1, ENCODE_TIMEOUT);
  const job = jobFor(page, 'portrait.mp4', 'mp4-h264-720p');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'webcodecs');
  const file = (await downloadFromJob(page, job, outDir)).file;
  const probe = await ffprobe(file);
  const video = streamsOf(probe, 'video')[0];
  expect(video && displaySize(video)).toEqual({ width: 406, height: 720 });
  expect(countFrames(file).video?.frames).toBe(FLOWER.video?.frames);
});
