/**
 * Auto keeps a quality promise (issue 19): before the fast route's H.264 encode it measures
 * short samples against the ffmpeg route's x264 CRF 23 on the same spans, then either encodes
 * at the rate that reaches it, or sends the job to ffmpeg.wasm saying why. Judged by native
 * ffmpeg over every frame of the whole output, against native x264 CRF 23 of the whole source.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { nativeScore } from '../support/native-quality';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, tickPresets, waitForAllFinished } from './app-page';

test.describe.configure({ mode: 'serial' });

let dir = '';
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-quality-promise-');
});
test.afterAll(async () => {
  await removeDir(dir);
});

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Bytes of the first video stream's packets. */
function videoBytes(file: string): number {
  const sizes = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return sizes.split('\n').reduce((sum, line) => sum + (Number(line) || 0), 0);
}

const SOURCES = [
  {
    // Flat animation upscaled from 240p: OpenH264 is far behind x264 here.
    name: 'trailer-1080p.mp4',
    kind: 'animated',
    make: (out: string) => ffmpeg(['-i', fixture('trailer_big_buck_bunny.flv'), '-t', '24', '-vf', 'scale=1920:1080:flags=lanczos', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-c:a', 'aac', '-b:a', '128k', out]),
  },
  {
    // Camera footage (flower.mp4 four times over), upscaled as phone footage is big.
    name: 'flower-1080p.mp4',
    kind: 'camera',
    make: (out: string) => ffmpeg(['-stream_loop', '3', '-i', fixture('flower.mp4'), '-vf', 'scale=1920:1080:flags=lanczos', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-c:a', 'aac', '-b:a', '128k', out]),
  },
] as const;

async function open(page: Page): Promise<void> {
  await page.goto('/?engine=auto');
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
}

for (const source of SOURCES) {
  test(`${source.kind} source on Auto → mp4-h264-720p: the promise is kept on the fast route or the job goes to ffmpeg.wasm saying why`, async ({ page }) => {
    test.setTimeout(ENCODE_TIMEOUT);
    await open(page);
    const h264 = await page.evaluate(async () => (await VideoEncoder.isConfigSupported({ codec: 'avc1.640028', width: 1280, height: 720 }).catch(() => null))?.supported === true);
    test.skip(!h264, "this Chromium has no H.264 VideoEncoder (Debian's /usr/bin/chromium has OpenH264)");
    const file = path.join(dir, source.name);
    source.make(file);
    // The yardstick, natively: the ffmpeg route's encode of the whole source (x264 veryfast CRF 23, 720 lines).
    const x264 = path.join(dir, `x264-${source.name}`);
    ffmpeg(['-i', file, '-vf', 'scale=-2:720,setsar=1', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-an', x264]);
    const yardstick = { ...nativeScore(x264, file), bytes: videoBytes(x264) };

    await addFiles(page, [file]);
    await tickPresets(page, ['mp4-h264-720p']);
    await pressEncode(page);
    await waitForAllFinished(page, 1);
    const job = jobFor(page, source.name, 'mp4-h264-720p');
    await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
    const engine = await job.getAttribute('data-engine');
    await job.getByRole('button', { name: 'Log' }).click();
    const log = await job.locator('pre').innerText();
    for (const line of log.split('\n').filter((l) => /\[ffbatch\] (Quality|Engine)|\[quality\]/.test(l))) console.log(`[promise] ${source.kind}: ${line}`);
    expect(log, 'the samples were measured against the ffmpeg route').toMatch(/Quality samples, ffmpeg route: [\d.]+ dB/);
    const got = await downloadFromJob(page, job, dir);
    const native = { ...nativeScore(got.file, file), bytes: videoBytes(got.file) };
    console.log(
      `[promise] ${source.kind} on ${engine}: ${native.psnr.toFixed(2)} dB, ${native.bytes} B; native x264 CRF 23 ${yardstick.psnr.toFixed(2)} dB, ${yardstick.bytes} B → ${(native.psnr - yardstick.psnr).toFixed(2)} dB at ${(native.bytes / yardstick.bytes).toFixed(2)}×`,
    );
    await page.screenshot({ path: test.info().outputPath(`promise-${source.kind}.png`), fullPage: true });
    if (engine === 'ffmpeg') {
      // Routed for quality: the job says so in a few words.
      await expect(job).toContainText(/fast route can't reach Good quality on this footage/);
      expect(log).toMatch(/Engine: ffmpeg\.wasm \(fast route can't reach Good quality/);
    } else {
      expect(engine).toBe('webcodecs');
      expect(log).toMatch(/the rate its quality samples chose/);
      // The drift guard watched the whole encode and says what it did (kept the rate, or raised it within the size cap).
      expect(log).toMatch(/quality guard: (the mean QP rose above|no window's mean QP called for more than) \d+\.\d\d/);
      // Raised (or lowered) to the promise: native ffmpeg over every frame confirms it.
      expect(native.psnr, 'within 1 dB of x264 CRF 23').toBeGreaterThanOrEqual(yardstick.psnr - 1.0);
      expect(native.bytes, 'at most 1.5× its size').toBeLessThanOrEqual(yardstick.bytes * 1.5);
    }
    // Camera footage is what the fast route does well: it stays there.
    if (source.kind === 'camera') expect(engine).toBe('webcodecs');
  });
}
