/**
 * Issue 18, the editor itself: the filmstrip and one-frame steps decoded by the browser
 * (WebCodecs) where it reads the source and by ffmpeg.wasm otherwise, and a crop rectangle
 * dragged on the preview, kept in step with the typed Crop field, judged on the output by ffprobe.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, tickPresets, waitForAllFinished } from './app-page';

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

async function openEditor(page: Page, name: string): Promise<Locator> {
  const row = page.locator(`[data-source-name="${name}"]`);
  await expect(row.getByRole('button', { name: 'Edit' })).toBeEnabled({ timeout: 60_000 });
  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
  await expect(dialog.locator('.filmstrip img')).toHaveCount(8, { timeout: 60_000 });
  return dialog;
}

/** The Crop field as numbers. */
async function cropOf(dialog: Locator): Promise<{ width: number; height: number; x: number; y: number }> {
  const [width, height, x, y] = (await dialog.getByLabel('Crop', { exact: true }).inputValue()).split(':').map(Number);
  return { width: width ?? NaN, height: height ?? NaN, x: x ?? NaN, y: y ?? NaN };
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

let dir: string;
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-editor-');
});
test.afterAll(() => removeDir(dir));

test('the filmstrip and the frame steps are decoded by WebCodecs for an MP4, by ffmpeg.wasm for an FLV', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const mp4 = path.join(dir, 'strip.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', mp4]);
  const flv = path.join(dir, 'strip.flv');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=25:d=4', '-c:v', 'flv', flv]);
  await page.goto('./');
  await addFiles(page, [mp4, flv]);

  const dialog = await openEditor(page, 'strip.mp4');
  await expect(dialog.locator('.filmstrip')).toHaveAttribute('data-decoder', 'webcodecs');
  const preview = dialog.locator('.editor-preview');
  await expect(preview).toHaveAttribute('data-decoder', 'webcodecs');
  // One frame forward from the first filmstrip frame (0.25 s): the clock moves a frame and a new picture comes.
  await expect(dialog.locator('.editor-clock')).toHaveText('0:00.250');
  const first = await preview.getAttribute('src');
  await dialog.getByRole('button', { name: 'One frame forward' }).click();
  await expect(dialog.locator('.editor-clock')).toHaveText('0:00.283');
  await expect(preview).not.toHaveAttribute('src', first ?? '');
  await expect(preview).toHaveAttribute('data-decoder', 'webcodecs');
  // The keys (focus on the step button): → a frame, I sets In; Shift+→ ten frames, O sets Out; typing in a field is left alone.
  await page.keyboard.press('ArrowRight');
  await expect(dialog.locator('.editor-clock')).toHaveText('0:00.317');
  await page.keyboard.press('i');
  await expect(dialog.getByLabel('In', { exact: true })).toHaveValue('0:00.317');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(dialog.locator('.editor-clock')).toHaveText('0:00.650');
  await page.keyboard.press('o');
  await expect(dialog.getByLabel('Out', { exact: true })).toHaveValue('0:00.650');
  await dialog.getByLabel('Crop', { exact: true }).press('o');
  await expect(dialog.getByLabel('Out', { exact: true })).toHaveValue('0:00.650');
  await expect(dialog.getByLabel('Crop', { exact: true })).toHaveValue('o');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  const other = await openEditor(page, 'strip.flv');
  await expect(other.locator('.filmstrip')).toHaveAttribute('data-decoder', 'ffmpeg');
  await expect(other.locator('.editor-preview')).toHaveAttribute('data-decoder', 'ffmpeg');
});

test('a crop rectangle dragged on the preview fills the Crop field, follows typed crops and aspect picks, and sizes the output', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const source = path.join(dir, 'dragged.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30:d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', source]);
  await page.goto('./');
  await addFiles(page, [source]);
  const dialog = await openEditor(page, 'dragged.mp4');
  const area = dialog.locator('.crop-area');
  const rect = dialog.locator('[data-crop-box]');
  await expect(rect).toBeHidden();
  const box = await area.boundingBox();
  if (!box) throw new Error('no preview');
  const px = (fx: number, fy: number): { x: number; y: number } => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });

  // Drawn from a quarter to three quarters of the picture: the middle half, in source pixels.
  await drag(page, px(0.25, 0.25), px(0.75, 0.75));
  await expect(rect).toBeVisible();
  const drawn = await cropOf(dialog);
  console.log(`[editor] drawn crop ${JSON.stringify(drawn)} on a ${box.width}×${box.height} preview`);
  for (const [got, want] of [[drawn.width, 320], [drawn.height, 180], [drawn.x, 160], [drawn.y, 90]] as const) expect(Math.abs(got - want)).toBeLessThanOrEqual(4);
  expect([drawn.width, drawn.height, drawn.x, drawn.y].every((n) => n % 2 === 0)).toBe(true);

  // Moved by an eighth of the picture to the right: the same size, x 80 further.
  await drag(page, px(0.5, 0.5), px(0.625, 0.5));
  const moved = await cropOf(dialog);
  expect({ width: moved.width, height: moved.height }).toEqual({ width: drawn.width, height: drawn.height });
  expect(Math.abs(moved.x - drawn.x - 80)).toBeLessThanOrEqual(4);
  expect(Math.abs(moved.y - drawn.y)).toBeLessThanOrEqual(2);

  // Its bottom-right handle dragged to the corner of the picture (clamped there).
  const handle = await dialog.locator('[data-handle="se"]').boundingBox();
  if (!handle) throw new Error('no handle');
  await drag(page, { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 }, px(1.1, 1.1));
  const resized = await cropOf(dialog);
  expect({ right: resized.x + resized.width, bottom: resized.y + resized.height }).toEqual({ right: 640, bottom: 360 });
  expect(resized.x).toBe(moved.x);

  // Typed and picked crops move the rectangle.
  await dialog.getByLabel('Crop', { exact: true }).fill('320:360:0:0');
  await expect(rect).toHaveAttribute('style', /left: 0%; top: 0%; width: 50%; height: 100%/);
  await dialog.getByRole('button', { name: 'Crop to 1:1' }).click();
  await expect(dialog.getByLabel('Crop', { exact: true })).toHaveValue('360:360:140:0');
  await expect(rect).toHaveAttribute('style', /width: 56\.25%; height: 100%/);

  // The last word is a drag again; the screenshot shows the editor with it.
  await drag(page, px(0.1, 0.2), px(0.6, 0.9));
  const final = await cropOf(dialog);
  await dialog.screenshot({ path: path.join('test-results', 'editor-dragged-crop.png') });
  await dialog.getByRole('button', { name: 'Save edits' }).click();
  await expect(page.locator('[data-source-name="dragged.mp4"]')).toHaveAttribute('data-edits', `cropped to ${final.width}×${final.height}`);

  await tickPresets(page, ['mp4-h264-720p']);
  await pressEncode(page);
  await waitForAllFinished(page, 1);
  const job = jobFor(page, 'dragged.mp4', 'mp4-h264-720p');
  await expect(job).toHaveAttribute('data-state', 'done');
  const output = (await downloadFromJob(page, job, dir)).file;
  const [width, height] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', output]).toString().trim().split(',').map(Number);
  expect({ width, height }).toEqual({ width: final.width, height: final.height });
  // The kept picture is the dragged one: native ffmpeg's crop of the source at 1 s matches the output's frame.
  const gray = (file: string, filters: string): Buffer => execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-ss', '1', '-i', file, '-frames:v', '1', '-vf', filters, '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
  const want = gray(source, `crop=${final.width}:${final.height}:${final.x}:${final.y}`);
  const got = gray(output, 'null');
  let sum = 0;
  for (let i = 0; i < want.length; i++) sum += ((want[i] ?? 0) - (got[i] ?? 0)) ** 2;
  const psnr = 10 * Math.log10((255 * 255) / Math.max(1e-9, sum / want.length));
  console.log(`[editor] output vs native crop: ${psnr.toFixed(1)} dB`);
  expect(got.length).toBe(want.length);
  expect(psnr).toBeGreaterThan(30);
});

test('several ranges typed in the editor are joined in order (on ffmpeg.wasm); streams copied refuse them with a sentence', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const source = path.join(dir, 'ranges.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=10', '-f', 'lavfi', '-i', 'sine=f=440:d=10', '-c:v', 'libx264', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', source]);
  await page.goto('./');
  await addFiles(page, [source]);
  const dialog = await openEditor(page, 'ranges.mp4');
  await dialog.getByLabel('In', { exact: true }).fill('1');
  await dialog.getByLabel('Out', { exact: true }).fill('3');
  await dialog.getByLabel('Also keep', { exact: true }).fill('6–8');
  await dialog.getByRole('button', { name: 'Save edits' }).click();
  await expect(page.locator('[data-source-name="ranges.mp4"]')).toHaveAttribute('data-edits', '0:01–0:03 + 0:06–0:08');

  await tickPresets(page, ['mp4-h264-480p', 'mp4-remux']);
  await pressEncode(page);
  await waitForAllFinished(page, 2);
  const remux = jobFor(page, 'ranges.mp4', 'mp4-remux');
  await expect(remux).toHaveAttribute('data-state', 'failed');
  await expect(remux.getByRole('alert')).toContainText('Several ranges are joined by re-encoding');
  const job = jobFor(page, 'ranges.mp4', 'mp4-h264-480p');
  await expect(job).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
  await expect(job).toContainText('several ranges run on ffmpeg.wasm');
  const output = (await downloadFromJob(page, job, dir)).file;
  const seconds = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', output]).toString());
  const frames = Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', output]).toString());
  console.log(`[editor] two ranges joined: ${seconds} s, ${frames} frames`);
  expect(frames).toBe(120);
  expect(Math.abs(seconds - 4)).toBeLessThanOrEqual(0.1);
  // testsrc2 draws its clock: 2.5 s into the output is 6.5 s into the source (the second range), not 3.5 s.
  const gray = (file: string, at: number): Buffer => execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-ss', String(at), '-i', file, '-frames:v', '1', '-vf', 'scale=320:180', '-f', 'rawvideo', '-pix_fmt', 'gray', '-']);
  const diff = (a: Buffer, b: Buffer): number => a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] ?? 0)), 0) / a.length;
  const late = gray(output, 2.5);
  console.log(`[editor] output 2.5 s vs source 6.5 s: ${diff(late, gray(source, 6.5)).toFixed(2)}, vs 3.5 s: ${diff(late, gray(source, 3.5)).toFixed(2)}`);
  expect(diff(late, gray(source, 6.5))).toBeLessThan(diff(late, gray(source, 3.5)) / 3);
});
