/**
 * Issue 17's New preset form in Chromium, judged by native ffprobe: a form-built preset (MP4
 * H.264, at most 1080 lines, quality 3, sound 96 kb/s) runs on WebCodecs and gives what it
 * promised; Fit in 8 MB of a 45 s 1080p clip on both engines gives 6.8–8.0 MB; a target too
 * small is refused before it starts with its sentence; form presets survive a reload and an
 * export/import round trip; Export as script gives every job's native command, one a line.
 */
import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, streamsOf } from '../support/ffprobe';
import { makePhoneClip, makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, jobFor, pressEncode, waitForAllFinished } from './app-page';

test.describe.configure({ mode: 'serial' });

let dir = '';
let phone = '';
let short = '';

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  dir = await makeTempDir('ffbatch-form-');
  phone = path.join(dir, 'phone45.mp4');
  short = path.join(dir, 'phone8.mp4');
  makePhoneClip(phone, 45);
  makePhoneClip(short, 8);
});

test.afterAll(async () => {
  if (dir) await removeDir(dir);
});

interface Choices {
  format: string;
  size: string;
  fps?: string;
  quality?: number;
  fit?: string;
  soundKbps?: string;
}

/** New preset → the choices → Save preset; resolves when the form has closed (saved). */
async function saveFormPreset(page: Page, name: string, choices: Choices): Promise<void> {
  await page.getByRole('button', { name: 'New preset' }).click();
  const form = page.locator('form.preset-form');
  await page.getByLabel('Preset name', { exact: true }).fill(name);
  await form.getByLabel('Format', { exact: true }).selectOption(choices.format);
  await form.getByLabel('Size', { exact: true }).selectOption(choices.size);
  await form.getByLabel('Frame rate', { exact: true }).selectOption(choices.fps ?? 'source');
  await form.getByLabel('Sound', { exact: true }).selectOption('auto');
  await form.getByLabel('Quality', { exact: true }).fill(String(choices.quality ?? 3));
  await form.getByLabel('Fit in (MB)', { exact: true }).fill(choices.fit ?? '');
  await form.getByLabel('Sound kb/s', { exact: true }).fill(choices.soundKbps ?? '');
  await page.getByRole('button', { name: 'Save preset' }).click();
  await expect(form).toBeHidden();
}

async function h264Available(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    if (typeof VideoEncoder === 'undefined') return false;
    const answer = await VideoEncoder.isConfigSupported({ codec: 'avc1.640028', width: 1920, height: 1080 }).catch(() => null);
    return answer?.supported === true;
  });
}

async function encode(page: Page, file: string, presetIds: readonly string[]): Promise<void> {
  await addFiles(page, [file]);
  for (const id of presetIds) await page.locator(`input[type=checkbox][name=preset][value="${id}"]`).check();
  await pressEncode(page);
  await waitForAllFinished(page, presetIds.length, 12 * 60_000);
}

test('a form-built preset (MP4 H.264, 1080, quality 3, sound 96 kb/s) runs on WebCodecs and gives H.264 ≤ 1080 lines with AAC near 96 kb/s; Export as script', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  await page.goto('/');
  test.skip(!(await h264Available(page)), 'this Chromium has no H.264 VideoEncoder: set FFBATCH_CHROMIUM=/usr/bin/chromium');
  await page.getByRole('button', { name: 'New preset' }).click();
  const form = page.locator('form.preset-form');
  // The form says live which engine a typical phone clip would take.
  await form.getByLabel('Format', { exact: true }).selectOption('gif');
  await expect(form.locator('[data-engine-line]')).toHaveText('A typical phone clip (1080p H.264/AAC MP4) would take ffmpeg.wasm: GIF preset is ffmpeg-only.');
  await form.getByLabel('Format', { exact: true }).selectOption('mp4-h264');
  await expect(form.locator('[data-engine-line]')).toContainText('would take the fast route (WebCodecs)');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await saveFormPreset(page, 'Phone 1080', { format: 'mp4-h264', size: '1080', quality: 3, soundKbps: '96' });
  await encode(page, short, ['custom-phone-1080']);
  const job = jobFor(page, 'phone8.mp4', 'custom-phone-1080');
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  await expect(job).toHaveAttribute('data-engine', 'webcodecs');
  await expect(job).toContainText('verified');
  const probe = await ffprobe((await downloadFromJob(page, job, dir)).file);
  const [v] = streamsOf(probe, 'video');
  const [a] = streamsOf(probe, 'audio');
  console.log(`[form] 1080 q3: ${v?.codec_name} ${v?.width}x${v?.height}, ${a?.codec_name} ${a?.bit_rate} b/s, ${probe.format.duration} s`);
  expect(v?.codec_name).toBe('h264');
  expect(v?.height).toBeLessThanOrEqual(1080);
  expect(v?.height).toBeGreaterThanOrEqual(1076);
  expect(a?.codec_name).toBe('aac');
  const audioRate = Number(a?.bit_rate);
  expect(audioRate).toBeGreaterThanOrEqual(80_000);
  expect(audioRate).toBeLessThanOrEqual(112_000);
  expect(Number(probe.format.duration)).toBeCloseTo(8, 0);

  // Export as script: every job's native command, one a line, as the job shows it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as script' }).click()]);
  const script = path.join(dir, download.suggestedFilename());
  await download.saveAs(script);
  const lines = (await readFile(script, 'utf8')).split('\n').filter(Boolean);
  expect(lines).toEqual([await job.getAttribute('data-ffmpeg-command')]);
  expect(lines[0]).toMatch(/^ffmpeg -i phone8\.mp4 .* -c:v libx264 .* -b:a 96k .*phone8-phone-1080\.mp4$/);
});

for (const engine of ['auto', 'ffmpeg'] as const) {
  test(`Fit in 8 MB (form) of a 45 s 1080p clip (${engine}): 6.8–8.0 MB`, async ({ page }) => {
    test.setTimeout(15 * 60_000);
    await page.goto(`/?engine=${engine}`);
    if (engine === 'auto') test.skip(!(await h264Available(page)), 'this Chromium has no H.264 VideoEncoder: set FFBATCH_CHROMIUM=/usr/bin/chromium');
    await saveFormPreset(page, 'Chat 8', { format: 'mp4-h264', size: '720', fit: '8' });
    await encode(page, phone, ['custom-chat-8']);
    const job = jobFor(page, 'phone45.mp4', 'custom-chat-8');
    await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
    await expect(job).toHaveAttribute('data-engine', engine === 'auto' ? 'webcodecs' : 'ffmpeg');
    await expect(job).toContainText('verified');
    const got = await downloadFromJob(page, job, dir);
    const bytes = (await stat(got.file)).size;
    const probe = await ffprobe(got.file);
    console.log(`[form] fit 8 MB ${engine}: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(8_000_000);
    expect(bytes).toBeGreaterThanOrEqual(6_800_000);
    expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['video:h264', 'audio:aac']);
    expect(Number(probe.format.duration)).toBeCloseTo(45, 0);
  });
}

test('Fit in 0.5 MB at 1080 lines of the 45 s clip is refused before it starts, with what would fit', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  await page.goto('/');
  await saveFormPreset(page, 'Too small', { format: 'mp4-h264', size: '1080', fit: '0.5' });
  await encode(page, phone, ['custom-too-small']);
  const job = jobFor(page, 'phone45.mp4', 'custom-too-small');
  await expect(job).toHaveAttribute('data-state', 'failed');
  await expect(job.getByRole('alert')).toContainText('0.5 MB cannot hold 45 s at 1080 lines');
  await expect(job.getByRole('alert')).toContainText('under the');
  // Refused before it started: nothing was encoded, so there is no output to download.
  await expect(job.locator('a[download]')).toHaveCount(0);
});

test('form presets survive a reload and an export/import round trip, choices and all', async ({ page }, testInfo) => {
  await page.goto('/');
  await saveFormPreset(page, 'Small WebM', { format: 'webm-vp9', size: '480', fps: '30', quality: 2, soundKbps: '64' });
  const box = page.locator('input[type=checkbox][name=preset][value="custom-small-webm"]');
  await expect(box).toHaveCount(1);
  await page.reload();
  await expect(box).toHaveCount(1);
  await expect(box.locator('xpath=..')).toContainText('WebM VP9 · at most 480 lines · at most 30 fps · quality 2 (small) · sound 64 kb/s');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export presets' }).click()]);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const exported = JSON.parse(await readFile(file, 'utf8')) as { presets: { name: string; choices: Record<string, unknown> }[] };
  expect(exported.presets).toEqual([{ name: 'Small WebM', choices: { format: 'webm-vp9', maxHeight: 480, maxFps: 30, sound: 'auto', quality: 2, fitMB: null, soundKbps: 64 } }]);

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Delete Small WebM' }).click();
  await expect(box).toHaveCount(0);
  await page.locator('#import-presets').setInputFiles(file);
  await expect(box).toHaveCount(1);
  await page.reload();
  await expect(box).toHaveCount(1);
  // Edit shows the choices as saved.
  await page.getByRole('button', { name: 'Edit Small WebM' }).click();
  const form = page.locator('form.preset-form');
  await expect(form.getByLabel('Format', { exact: true })).toHaveValue('webm-vp9');
  await expect(form.getByLabel('Size', { exact: true })).toHaveValue('480');
  await expect(form.getByLabel('Quality', { exact: true })).toHaveValue('2');
  await expect(form.getByLabel('Sound kb/s', { exact: true })).toHaveValue('64');
  await form.screenshot({ path: testInfo.outputPath('form-edit.png') });

  // An import is checked again: a file with a format the form has not is refused with the field.
  const bad = path.join(dir, 'bad-presets.json');
  execFileSync('sh', ['-c', `sed 's/webm-vp9/webm-wmv/' '${file}' > '${bad}'`]);
  await page.locator('#import-presets').setInputFiles(bad);
  await expect(form.getByRole('alert')).toContainText('Small WebM: choices.format must be one of');
});
