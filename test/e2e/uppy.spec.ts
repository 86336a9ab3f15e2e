/**
 * `ffbatch/uppy` as a site owner gets it (issue 20): the packed tarball installed offline into a
 * scratch Vite site made of examples/uppy-dashboard (Uppy Dashboard + @uppy/aws-s3 into s3rver
 * through examples/presign-server) plus test/fixtures-site/uppy-test (the same uploader,
 * watched). In Chromium, through the Dashboard: an AVI and a 1080p MP4 arrive as H.264/AAC MP4
 * (ffprobe), a PNG byte-identical, every object the very bytes Uppy sent; a damaged video fails
 * with the job's sentence while the others go up (or, with keepOriginalOnFailure, goes up as it
 * was); Cancel during the transcode cancels the job and leaves no object.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { durationOf, ffprobe, streamsOf } from '../support/ffprobe';
import { makeTempDir, removeDir, run, sha256 } from '../support/media';
import { startS3Stack, type S3Stack } from '../support/s3-stack';
import { copySiteSources, installWithTarball, packLibrary, runIn } from '../support/scratch-site';
import { serveFolder, type ServedFolder } from '../support/served-folder';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Sent {
  name: string;
  type: string;
  size: number;
  originalName: string | null;
  originalSize: number | null;
  location: string | null;
  sha256: string | null;
}

interface UppyRecord {
  progress: { name: string; mode: string; value: number | null; message: string | null }[];
  infos: string[];
  sent: Sent[];
  jobs: { file: string; statuses: string[] }[];
  complete: { successful: string[]; failed: [string, string][] } | null;
}

let work = '';
let stack: S3Stack;
let served: ServedFolder | undefined;
let origin = '';
/** The test inputs, made with native ffmpeg: path by name. */
const inputs: Record<string, string> = {};

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  work = await makeTempDir('ffbatch-uppy-');
  stack = await startS3Stack();
  const tarball = await packLibrary(work);

  const site = path.join(work, 'site');
  await copySiteSources(path.join(ROOT, 'examples/uppy-dashboard'), site);
  await cp(path.join(ROOT, 'test/fixtures-site/uppy-test'), path.join(site, 'uppy-test'), { recursive: true });
  await installWithTarball(site, tarball);
  await runIn(site, 'npm', ['run', 'build'], { VITE_SIGNING_ENDPOINT: stack.endpoint });
  // The site's own build (`npm run build`) finds vite on the PATH this runner was started with; the test page is built by the same binary.
  await runIn(site, path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', 'uppy-test', '--outDir', '../dist/uppy-test', '--base', '/uppy-test/', '--logLevel', 'error'], { VITE_SIGNING_ENDPOINT: stack.endpoint });

  const make = async (name: string, args: string[]): Promise<void> => {
    inputs[name] = path.join(work, name);
    await run('ffmpeg', ['-v', 'error', '-y', ...args, inputs[name]]);
  };
  const tone = (seconds: number): string[] => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`];
  await make('holiday.avi', ['-f', 'lavfi', '-i', 'testsrc=size=640x480:rate=25:duration=3', ...tone(3), '-c:v', 'mpeg4', '-q:v', '6', '-c:a', 'libmp3lame', '-b:a', '96k', '-shortest']);
  await make('phone.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=1920x1080:rate=30:duration=3', ...tone(3), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest']);
  await make('photo.png', ['-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1']);
  // Long enough that Cancel surely lands while it converts (AVI: ffmpeg.wasm, not the fast route).
  await make('long.avi', ['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25:duration=120', ...tone(120), '-c:v', 'mpeg4', '-q:v', '4', '-c:a', 'libmp3lame', '-shortest']);
  // A phone video cut short: its index (moov, at the end) is gone.
  const whole = await readFile(inputs['phone.mp4']!);
  inputs['damaged.mp4'] = path.join(work, 'damaged.mp4');
  await writeFile(inputs['damaged.mp4'], whole.subarray(0, Math.floor(whole.length * 0.6)));

  served = await serveFolder(path.join(site, 'dist'));
  origin = served.origin;
});

test.afterAll(async () => {
  await served?.close();
  await stack?.close();
  if (work) await removeDir(work);
});

async function openUploader(page: Page, query = ''): Promise<void> {
  await page.goto(`${origin}/uppy-test/${query}`);
  await page.waitForFunction(() => 'uppyTest' in window);
}

/** Adds files through the Dashboard's own file input (the one that is not for folders). */
async function addFiles(page: Page, names: string[]): Promise<void> {
  await page.locator('input.uppy-Dashboard-input[type=file][name="files[]"]:not([webkitdirectory])').setInputFiles(names.map((name) => inputs[name]!));
  await expect(page.locator('.uppy-Dashboard-Item')).toHaveCount(names.length);
}

function recordOf(page: Page): Promise<UppyRecord> {
  return page.evaluate(() => (window as unknown as { uppyTest: { record: UppyRecord } }).uppyTest.record);
}

/** The objects added to the bucket since `before`, with their bytes. */
async function newObjects(before: Set<string>): Promise<{ key: string; bytes: Uint8Array }[]> {
  const keys = (await stack.listObjects()).map((o) => o.key).filter((key) => !before.has(key));
  return Promise.all(keys.map(async (key) => ({ key, bytes: await stack.getObjectBytes(key) })));
}

async function keysNow(): Promise<Set<string>> {
  return new Set((await stack.listObjects()).map((o) => o.key));
}

async function probeBytes(bytes: Uint8Array, name: string): Promise<Awaited<ReturnType<typeof ffprobe>>> {
  const file = path.join(work, `out-${name}`);
  await writeFile(file, bytes);
  return ffprobe(file);
}

test('Dashboard + @uppy/aws-s3: an AVI and a 1080p MP4 arrive as H.264/AAC MP4, the PNG byte-identical, a damaged video fails alone with its sentence', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const before = await keysNow();
  await openUploader(page);
  await addFiles(page, ['holiday.avi', 'phone.mp4', 'photo.png', 'damaged.mp4']);
  await page.getByRole('button', { name: /Upload 4 files/ }).click();
  await expect.poll(async () => (await recordOf(page)).complete, { timeout: 5 * 60_000 }).not.toBeNull();
  await expect.poll(async () => (await recordOf(page)).sent.every((s) => s.sha256 !== null)).toBe(true);
  const record = await recordOf(page);

  // The damaged video failed alone, with the job's own sentence, shown by uppy.info.
  expect(record.complete!.failed.map(([name]) => name)).toEqual(['damaged.mp4']);
  const sentence = record.complete!.failed[0]![1];
  expect(sentence.length).toBeGreaterThan(20);
  expect(sentence).not.toMatch(/crash/i);
  expect(record.infos).toContain(`damaged.mp4 could not be converted: ${sentence}`);

  // Three objects, each the very bytes Uppy sent.
  const objects = await newObjects(before);
  expect(objects).toHaveLength(3);
  const sentBySha = new Map(record.sent.map((s) => [s.sha256, s]));
  for (const object of objects) expect(sentBySha.has(sha256(object.bytes)), `${object.key} is what Uppy sent`).toBe(true);
  const byOriginal = (name: string): { object: { key: string; bytes: Uint8Array }; sent: Sent } => {
    const object = objects.find((o) => (sentBySha.get(sha256(o.bytes))?.originalName ?? sentBySha.get(sha256(o.bytes))?.name) === name);
    if (!object) throw new Error(`no object came from ${name}`);
    return { object, sent: sentBySha.get(sha256(object.bytes))! };
  };

  // The PNG went up untouched.
  const png = byOriginal('photo.png');
  expect(sha256(png.object.bytes)).toBe(sha256(await readFile(inputs['photo.png']!)));
  expect(png.sent).toMatchObject({ name: 'photo.png', type: 'image/png', originalName: null });

  for (const [source, height] of [['holiday.avi', 480], ['phone.mp4', 720]] as const) {
    const { object, sent } = byOriginal(source);
    const sourceSize = (await readFile(inputs[source]!)).length;
    expect(sent).toMatchObject({ type: 'video/mp4', originalName: source, originalSize: sourceSize, size: object.bytes.length });
    expect(sent.name).toMatch(/\.mp4$/);
    expect(object.key.endsWith(sent.name)).toBe(true);
    const probe = await probeBytes(object.bytes, sent.name);
    expect(probe.format.format_name).toContain('mp4');
    const [video] = streamsOf(probe, 'video');
    expect([video?.codec_name, video?.height], source).toEqual(['h264', height]);
    expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['aac']);
    expect(Math.abs(durationOf(probe) - 3)).toBeLessThan(0.3);
    // H.264 at most 720 lines, CRF 23: well under 2 MB for 3 s of test pattern.
    expect(object.bytes.length).toBeLessThan(2_000_000);
    // Determinate progress with a message was shown for it.
    const shown = record.progress.filter((p) => p.name === source && p.mode === 'determinate');
    expect(shown.length, `progress of ${source}`).toBeGreaterThan(1);
    expect(shown.every((p) => p.message === 'Converting the video on this device…')).toBe(true);
    expect(Math.max(...shown.map((p) => p.value ?? 0))).toBeGreaterThan(0);
  }
  // The 1080p MP4 was made smaller: 720 lines instead of 1080.
  expect(byOriginal('phone.mp4').object.bytes.length).toBeLessThan((await readFile(inputs['phone.mp4']!)).length);
});

test('Cancel during the transcode cancels the job and leaves no object', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const before = await keysNow();
  const signedBefore = stack.signerLog.length;
  await openUploader(page);
  await addFiles(page, ['long.avi']);
  await page.getByRole('button', { name: /Upload 1 file/ }).click();
  await expect.poll(async () => (await recordOf(page)).progress.some((p) => p.name === 'long.avi' && p.mode === 'determinate' && (p.value ?? 0) > 0), { timeout: 2 * 60_000 }).toBe(true);
  await page.locator('.uppy-StatusBar').getByRole('button', { name: 'Cancel' }).click();
  await expect.poll(async () => (await recordOf(page)).jobs.map((j) => j.statuses.at(-1)), { timeout: 15_000 }).toEqual(['canceled']);
  await expect(page.locator('.uppy-Dashboard-Item')).toHaveCount(0);
  expect((await recordOf(page)).jobs[0]!.statuses).toEqual(['queued', 'running', 'canceled']);
  expect(await newObjects(before)).toEqual([]);
  // Nothing was even signed for it: the upload never started.
  expect(stack.signerLog.slice(signedBefore)).toEqual([]);
});

test('keepOriginalOnFailure: the damaged video shows its sentence and goes up as it was', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const before = await keysNow();
  await openUploader(page, '?keep');
  await addFiles(page, ['damaged.mp4', 'photo.png']);
  await page.getByRole('button', { name: /Upload 2 files/ }).click();
  await expect.poll(async () => (await recordOf(page)).complete, { timeout: 2 * 60_000 }).not.toBeNull();
  const record = await recordOf(page);
  expect(record.complete!.failed).toEqual([]);
  expect(record.infos.some((info) => info.startsWith('damaged.mp4 could not be converted: '))).toBe(true);
  const objects = await newObjects(before);
  expect(objects.map((o) => sha256(o.bytes)).sort()).toEqual([sha256(await readFile(inputs['damaged.mp4']!)), sha256(await readFile(inputs['photo.png']!))].sort());
});
