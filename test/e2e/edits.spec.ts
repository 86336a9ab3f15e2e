/**
 * Issue 18: per-file edits through the page's editor, on both engines, judged by native
 * ffprobe/ffmpeg. Sources are made here by native ffmpeg (small, so the encodes stay short).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, tickPresets, waitForAllFinished, type AnyPresetId } from './app-page';

const RATE = 30;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

function probe(file: string): { streams: { codec_type: string; codec_name: string; width?: number; height?: number }[]; format: { duration: string } } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', file]).toString()) as ReturnType<typeof probe>;
}

/** One gray frame (raw, `width`×`height`) of `file` at `at` seconds, as native ffmpeg decodes it (rotation applied). */
function grayFrame(file: string, at: number, width: number, height: number, extraInput: string[] = []): Uint8Array {
  return execFileSync('ffmpeg', ['-v', 'error', '-nostdin', ...extraInput, '-ss', String(at), '-i', file, '-frames:v', '1', '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
}

/** PSNR (dB) of two gray frames. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

async function openWith(page: Page, engine: 'auto' | 'ffmpeg'): Promise<void> {
  await page.goto(`./?engine=${engine}`);
  await expect(page.getByRole('button', { name: 'Encode' })).toBeVisible();
}

/** Opens a source's editor, fills what is given, saves; returns the row's summary. */
async function edit(page: Page, name: string, fill: { in?: string; out?: string; crop?: string; rotate?: string; flip?: boolean; sound?: string; subtitles?: string; detectBars?: boolean }): Promise<string> {
  const row = page.locator(`[data-source-name="${name}"]`);
  await expect(row.getByRole('button', { name: 'Edit' })).toBeEnabled({ timeout: 60_000 });
  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
  await expect(dialog).toBeVisible();
  // The filmstrip: frames across the file, decoded in the page's worker.
  await expect(dialog.locator('.filmstrip img').first()).toBeVisible({ timeout: 60_000 });
  if (fill.in !== undefined) await dialog.getByLabel('In', { exact: true }).fill(fill.in);
  if (fill.out !== undefined) await dialog.getByLabel('Out', { exact: true }).fill(fill.out);
  if (fill.detectBars) {
    await dialog.getByRole('button', { name: 'Detect bars' }).click();
    await expect(dialog.getByLabel('Crop', { exact: true })).not.toHaveValue('', { timeout: 60_000 });
  }
  if (fill.crop !== undefined) await dialog.getByLabel('Crop', { exact: true }).fill(fill.crop);
  if (fill.rotate !== undefined) await dialog.getByLabel('Rotate').selectOption(fill.rotate);
  if (fill.flip) await dialog.getByLabel('Flip').check();
  if (fill.sound !== undefined) await dialog.getByLabel('Sound track').selectOption(fill.sound);
  if (fill.subtitles !== undefined) await dialog.getByLabel('Subtitles').selectOption(fill.subtitles);
  await dialog.getByRole('button', { name: 'Save edits' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveAttribute('data-edits', /.+/);
  return (await row.getAttribute('data-edits')) ?? '';
}

async function encodeOne(page: Page, file: string, preset: AnyPresetId, dir: string): Promise<string> {
  await tickPresets(page, [preset]);
  await pressEncode(page);
  await waitForAllFinished(page, 1, ENCODE_TIMEOUT);
  const job = jobFor(page, path.basename(file), preset);
  await expect(job).toHaveAttribute('data-state', 'done');
  return (await downloadFromJob(page, job, dir)).file;
}

let dir: string;
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-edits-');
});
test.afterAll(() => removeDir(dir));

for (const engine of ['auto', 'ffmpeg'] as const) {
  test(`a trim on ${engine === 'auto' ? 'the fast route' : 'ffmpeg.wasm'}: Out − In within a frame, first frame is the source's at In`, async ({ page }) => {
    test.setTimeout(ENCODE_TIMEOUT);
    const source = path.join(dir, `trim-${engine}.mp4`);
    // Key frames every 2 s with B-frames: In = 2.5 s falls mid-GOP.
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=640x360:r=${RATE}:d=10`, '-f', 'lavfi', '-i', 'sine=f=440:d=10', '-c:v', 'libx264', '-g', '60', '-bf', '2', '-pix_fmt', 'yuv420p', '-c:a', 'aac', source]);
    await openWith(page, engine);
    await addFiles(page, [source]);
    const summary = await edit(page, path.basename(source), { in: '2.5', out: '6.5' });
    expect(summary).toBe('0:02.500–0:06.500');
    const output = await encodeOne(page, source, 'mp4-h264-720p', dir);
    const job = jobFor(page, path.basename(source), 'mp4-h264-720p');
    await expect(job).toHaveAttribute('data-engine', engine === 'auto' ? 'webcodecs' : 'ffmpeg');
    await expect(job).toHaveAttribute('data-edits', '0:02.500–0:06.500');
    const duration = Number(probe(output).format.duration);
    console.log(`[edits] trim on ${engine}: ${duration} s`);
    expect(Math.abs(duration - 4)).toBeLessThanOrEqual(1 / RATE + 0.03);
    // Native ffmpeg's accurate seek gives the source's frame at In.
    const first = psnr(grayFrame(output, 0, 640, 360), grayFrame(source, 2.5, 640, 360));
    const oneLater = psnr(grayFrame(output, 0, 640, 360), grayFrame(source, 2.5 + 1 / RATE, 640, 360));
    console.log(`[edits] first frame vs In: ${first.toFixed(1)} dB (vs the next frame ${oneLater.toFixed(1)} dB)`);
    expect(first).toBeGreaterThan(35);
    expect(first).toBeGreaterThan(oneLater);
    // The job's own score is made against the source from In (the moving pattern 2.5 s earlier scores far lower).
    await expect(job).toHaveAttribute('data-psnr', /^\d/);
    const scored = Number(await job.getAttribute('data-psnr'));
    console.log(`[edits] trim on ${engine}: the page's PSNR ${scored.toFixed(2)} dB`);
    expect(scored).toBeGreaterThan(30);
  });
}

test('Detect bars on a letterboxed source: the output has the picture without bars', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const source = path.join(dir, 'letterbox.mp4');
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=640x360:r=${RATE}:d=4`, '-vf', 'pad=640:480:0:60:black', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', source]);
  await openWith(page, 'auto');
  await addFiles(page, [source]);
  const summary = await edit(page, 'letterbox.mp4', { detectBars: true });
  expect(summary).toBe('cropped to 640×360');
  const output = await encodeOne(page, source, 'mp4-h264-480p', dir);
  const video = probe(output).streams.find((s) => s.codec_type === 'video');
  expect({ width: video?.width, height: video?.height }).toEqual({ width: 640, height: 360 });
  // Scored against the source cropped as the job cropped it (the letterboxed frame squeezed to 640×360 would read as loss).
  const job = jobFor(page, 'letterbox.mp4', 'mp4-h264-480p');
  await expect(job).toHaveAttribute('data-psnr', /^\d/);
  const scored = Number(await job.getAttribute('data-psnr'));
  console.log(`[edits] detected crop: the page's PSNR ${scored.toFixed(2)} dB`);
  expect(scored).toBeGreaterThan(30);
  // Native cropdetect over the output finds nothing left to crop.
  const run = spawnSync('ffmpeg', ['-v', 'info', '-nostdin', '-i', output, '-vf', 'cropdetect=24:2:0', '-f', 'null', '-'], { encoding: 'utf8' });
  const last = [...run.stderr.matchAll(/crop=(\d+):(\d+):(\d+):(\d+)/g)].at(-1);
  expect(last?.slice(1, 3)).toEqual(['640', '360']);
});

test('rotate 90 + flip on ffmpeg.wasm (the fast route does not mirror): a corner-marked frame lands where it should', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const source = path.join(dir, 'corner.mp4');
  // Gray picture, a white square in the top-left corner.
  ffmpeg(['-f', 'lavfi', '-i', `color=c=gray:s=320x180:r=${RATE}:d=2`, '-vf', 'drawbox=x=0:y=0:w=40:h=40:color=white:t=fill', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', source]);
  await openWith(page, 'auto');
  await addFiles(page, [source]);
  await edit(page, 'corner.mp4', { rotate: '90', flip: true });
  const output = await encodeOne(page, source, 'mp4-h264-720p', dir);
  const job = jobFor(page, 'corner.mp4', 'mp4-h264-720p');
  await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
  await expect(job).toContainText('flip runs on ffmpeg.wasm');
  const video = probe(output).streams.find((s) => s.codec_type === 'video');
  expect({ width: video?.width, height: video?.height }).toEqual({ width: 180, height: 320 });
  // A clockwise turn takes the top-left corner to the top-right; the mirror brings it back left.
  const frame = grayFrame(output, 0.5, 180, 320);
  const at = (x: number, y: number): number => frame[y * 180 + x] ?? 0;
  expect(at(10, 10)).toBeGreaterThan(200);
  expect(at(170, 10)).toBeLessThan(160);
  expect(at(10, 310)).toBeLessThan(160);
});

test('the second sound track of a two-track MKV is the one in the output', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const source = path.join(dir, 'two-tracks.mkv');
  // Track 1 silent, track 2 a loud tone.
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=320x180:r=${RATE}:d=3`, '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo', '-f', 'lavfi', '-i', 'sine=f=1000:d=3:r=48000', '-map', '0', '-map', '1', '-map', '2', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-metadata:s:a:1', 'title=Commentary', source]);
  await openWith(page, 'auto');
  await addFiles(page, [source]);
  await edit(page, 'two-tracks.mkv', { sound: '1' });
  const output = await encodeOne(page, source, 'mp3-audio', dir);
  const run = spawnSync('ffmpeg', ['-v', 'info', '-nostdin', '-i', output, '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  const mean = Number(/mean_volume: (-?[\d.]+) dB/.exec(run.stderr)?.[1] ?? '-inf');
  console.log(`[edits] sound track 2 → mean volume ${mean} dB`);
  expect(mean).toBeGreaterThan(-30);
});

test('subtitles: kept in an MP4 as mov_text, burned into a WebM where the text is', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const srt = path.join(dir, 'subs.srt');
  writeFileSync(srt, '1\n00:00:00,000 --> 00:00:03,000\nHELLO FROM FFBATCH\n');
  const source = path.join(dir, 'subtitled.mkv');
  ffmpeg(['-f', 'lavfi', '-i', `color=c=gray:s=320x180:r=${RATE}:d=3`, '-i', srt, '-map', '0', '-map', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:s', 'srt', source]);
  const kept = path.join(dir, 'kept.mkv');
  ffmpeg(['-i', source, '-map', '0', '-c', 'copy', kept]);
  await openWith(page, 'auto');
  await addFiles(page, [source, kept]);
  await edit(page, 'kept.mkv', { subtitles: 'keep:0' });
  await edit(page, 'subtitled.mkv', { subtitles: 'burn:0' });
  await tickPresets(page, ['mp4-h264-720p', 'webm-vp9-720p']);
  await pressEncode(page);
  await waitForAllFinished(page, 4, ENCODE_TIMEOUT);
  const keptJob = jobFor(page, 'kept.mkv', 'mp4-h264-720p');
  await expect(keptJob).toHaveAttribute('data-state', 'done');
  const keptOut = (await downloadFromJob(page, keptJob, dir)).file;
  expect(probe(keptOut).streams.filter((s) => s.codec_type === 'subtitle').map((s) => s.codec_name)).toEqual(['mov_text']);
  const burnedJob = jobFor(page, 'subtitled.mkv', 'webm-vp9-720p');
  await expect(burnedJob).toHaveAttribute('data-state', 'done');
  await expect(burnedJob).toContainText('subtitles run on ffmpeg.wasm');
  const burnedOut = (await downloadFromJob(page, burnedJob, dir)).file;
  const burned = grayFrame(burnedOut, 1, 320, 180);
  const plain = grayFrame(source, 1, 320, 180);
  let top = 0;
  let bottom = 0;
  for (let i = 0; i < burned.length; i++) {
    if (Math.abs((burned[i] ?? 0) - (plain[i] ?? 0)) > 40) {
      if (i < 320 * 90) top++;
      else bottom++;
    }
  }
  console.log(`[edits] burned subtitles: ${bottom} pixels changed below the middle, ${top} above`);
  expect(bottom).toBeGreaterThan(100);
  expect(top).toBeLessThan(20);
});

test('a trimmed remux (streams copied) is a smart cut: frame-exact at In, Out − In long', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const source = path.join(dir, 'camera.mp4');
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=640x360:r=${RATE}:d=10`, '-f', 'lavfi', '-i', 'sine=f=440:d=10', '-c:v', 'libx264', '-g', '60', '-bf', '2', '-pix_fmt', 'yuv420p', '-c:a', 'aac', source]);
  await openWith(page, 'auto');
  await addFiles(page, [source]);
  await edit(page, 'camera.mp4', { in: '2.7', out: '7.5' });
  const output = await encodeOne(page, source, 'mp4-remux', dir);
  const duration = Number(probe(output).format.duration);
  console.log(`[edits] smart cut: ${duration} s`);
  expect(Math.abs(duration - 4.8)).toBeLessThanOrEqual(1 / RATE + 0.05);
  const first = psnr(grayFrame(output, 0, 640, 360), grayFrame(source, 2.7, 640, 360));
  console.log(`[edits] smart cut first frame vs In: ${first.toFixed(1)} dB`);
  expect(first).toBeGreaterThan(35);
});
