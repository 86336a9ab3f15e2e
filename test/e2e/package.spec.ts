/**
 * ffbatch as a site owner gets it (issue 10): `npm run build:lib`, `npm pack`, then a scratch
 * Vite site in the OS temp folder made of examples/upload-form (the upload form, as shipped)
 * plus test/fixtures-site/package-api (a page that imports createEncoder only), the tarball
 * and vite installed offline from the npm cache, both pages built by vite and served by a
 * plain static server. Then, in Chromium: map of 3 files × 2 presets checked by ffprobe,
 * cancel(), a bad file, files.list() after a reload, the upload form's whole path into
 * s3rver, and the tree-shaking of the uploader.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { durationOf, ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir, sha256 } from '../support/media';
import { startS3Stack, type S3Stack } from '../support/s3-stack';
import { copySiteSources, installWithTarball, packLibrary, runIn } from '../support/scratch-site';
import { serveFolder, type ServedFolder } from '../support/served-folder';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Strings of src/upload only (upload-error.ts, signing-client.ts): in a bundle, they mean the uploader is in it. */
const UPLOADER_MARKS = ['The bucket rejected the upload signature', '/s3/multipart'];

interface JobRecord {
  id: string;
  file: string;
  preset: string;
  statuses: string[];
  maxProgress: number;
  outcome: null | { name: string; type: string; size: number; logLines: number } | { error: string; message: string; isDOMException: boolean; logLines: number | null };
}

interface TestApi {
  records: Record<string, JobRecord>;
  map(presets: string[]): string[];
  call(index: number, preset: string | { name: string; container: string; args: string }): string;
  cancel(id: string): string;
  status(id: string): string;
  resultBase64(id: string): Promise<string>;
  list(): Promise<{ id: string; outputName: string; outputSize: number; presetId: string }[]>;
  storedSha256(id: string): Promise<string>;
  storedBase64(id: string): Promise<string>;
}

let work = '';
let site = '';
let stack: S3Stack;
let served: ServedFolder | undefined;
let origin = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(3 * 60_000);
  work = await makeTempDir('ffbatch-package-');
  stack = await startS3Stack();
  const tarball = await packLibrary(work);

  // The example as shipped (its node_modules, dist and copied assets left behind), with the tarball as ffbatch.
  site = path.join(work, 'site');
  await copySiteSources(path.join(ROOT, 'examples/upload-form'), site);
  await cp(path.join(ROOT, 'test/fixtures-site/package-api'), path.join(site, 'api-test'), { recursive: true });
  await installWithTarball(site, tarball);

  // The site's own build script (copies the assets, then vite build), told where the signing service is.
  await runIn(site, 'npm', ['run', 'build'], { VITE_SIGNING_ENDPOINT: stack.endpoint });
  await runIn(site, path.join(site, 'node_modules', '.bin', 'vite'), ['build', 'api-test', '--outDir', '../dist/api-test', '--base', '/api-test/', '--logLevel', 'error']);

  served = await serveFolder(path.join(site, 'dist'));
  origin = served.origin;
});

test.afterAll(async () => {
  await served?.close();
  await stack?.close();
  if (work) await removeDir(work);
});

/** Opens the API page and picks `files`. */
async function openApiPage(page: Page, files: { name: string; buffer: Buffer; mimeType: string }[], query = ''): Promise<void> {
  await page.goto(`${origin}/api-test/${query}`);
  await page.waitForFunction(() => 'ffbatchTest' in window);
  if (files.length) await page.getByLabel('Files').setInputFiles(files);
}

async function fixtureFile(name: string, mimeType: string): Promise<{ name: string; buffer: Buffer; mimeType: string }> {
  return { name, buffer: await readFile(fixture(name)), mimeType };
}

function recordsOf(page: Page): Promise<Record<string, JobRecord>> {
  return page.evaluate(() => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.records);
}

/** Writes base64 bytes into the work folder and probes them. */
async function probeBytes(base64: string, name: string): Promise<ReturnType<typeof ffprobe>> {
  const file = path.join(work, name);
  await writeFile(file, Buffer.from(base64, 'base64'));
  return ffprobe(file);
}

async function allJsOf(dir: string): Promise<string> {
  const names = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.js'));
  const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
  return texts.join('\n');
}

test('a page that imports createEncoder only ships no uploader; the upload form does', async () => {
  const apiBundle = await allJsOf(path.join(site, 'dist/api-test'));
  const formBundle = await allJsOf(path.join(site, 'dist/assets'));
  // The encoder is there (it names its worker), the uploader is not.
  expect(apiBundle.includes('ffmpeg.worker.js')).toBe(true);
  for (const mark of UPLOADER_MARKS) {
    // Booleans, not toContain: a failure would otherwise print the whole bundle.
    expect(apiBundle.includes(mark), `the createEncoder-only bundle holds "${mark}"`).toBe(false);
    expect(formBundle.includes(mark), `the upload form's bundle holds "${mark}"`).toBe(true);
  }
});

test('map of 3 files × 2 presets: queued → running → done, every result probed, files.list() after a reload', async ({ page }) => {
  const sources = [await fixtureFile('flower.mp4', 'video/mp4'), await fixtureFile('friday.mp4', 'video/mp4'), await fixtureFile('mdn-chroma-keying-video.ogv', 'video/ogg')];
  await openApiPage(page, sources);
  const presets = ['mp4-mpeg4-320x180', 'mp3-audio'];
  const ids = await page.evaluate((list) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.map(list), presets);
  expect(ids).toHaveLength(6);
  await expect.poll(async () => Object.values(await recordsOf(page)).filter((r) => r.outcome !== null).length, { timeout: 2 * 60_000 }).toBe(6);

  const records = await recordsOf(page);
  const names = new Set<string>();
  for (const [i, id] of ids.entries()) {
    const record = records[id]!;
    const source = sources[Math.floor(i / 2)]!;
    expect(record.file).toBe(source.name);
    expect(record.preset).toBe(presets[i % 2]);
    expect(record.statuses, `${record.file} → ${record.preset}`).toEqual(['queued', 'running', 'done']);
    expect(record.maxProgress).toBeGreaterThan(0);
    const outcome = record.outcome as { name: string; size: number; logLines: number };
    expect(outcome.size).toBeGreaterThan(1000);
    names.add(outcome.name);

    const probe = await probeBytes(await page.evaluate((jobId) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.resultBase64(jobId), id), `${id}-${outcome.name}`);
    const sourceProbe = await ffprobe(fixture(source.name));
    expect(Math.abs(durationOf(probe) - durationOf(sourceProbe)), `${outcome.name} lasts as long as ${source.name}`).toBeLessThan(0.3);
    if (record.preset === 'mp3-audio') {
      expect(outcome.name).toMatch(/\.mp3$/);
      expect(probe.format.format_name).toBe('mp3');
      expect(probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`)).toEqual(['audio:mp3']);
    } else {
      expect(outcome.name).toMatch(/\.mp4$/);
      expect(probe.format.format_name).toContain('mp4');
      const [video] = streamsOf(probe, 'video');
      expect([video?.codec_name, video?.width, video?.height]).toEqual(['mpeg4', 320, 180]);
      expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['aac']);
    }
  }
  expect(names.size, 'six outputs, six names').toBe(6);

  // Stored in IndexedDB: a reload (a new encoder) lists the same outputs with the same sizes.
  await page.reload();
  await page.waitForFunction(() => 'ffbatchTest' in window);
  const listed = await page.evaluate(() => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.list());
  const expected = ids.map((id) => {
    const outcome = records[id]!.outcome as { name: string; size: number };
    return { id, outputName: outcome.name, outputSize: outcome.size };
  });
  expect(listed.map(({ id, outputName, outputSize }) => ({ id, outputName, outputSize })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id)));
});

test('cancel() of a running job rejects with an AbortError, status canceled; a bad file fails alone with JobFailedError and its sentence', async ({ page }) => {
  await openApiPage(page, [
    await fixtureFile('trailer_big_buck_bunny.flv', 'video/x-flv'),
    { name: 'notes.mp4', mimeType: 'video/mp4', buffer: Buffer.from('Shopping list: milk, a new camera. This is a text note, not a film.\n'.repeat(40)) },
    await fixtureFile('good.mp3', 'audio/mpeg'),
  ], '?engine=ffmpeg');
  // 33 s of FLV to VP9 at libvpx's slowest settings (a preset of the site's own): minutes of work, so Cancel surely lands while it runs.
  const slowest = { name: 'Slowest VP9', container: 'webm', args: '-c:v libvpx-vp9 -deadline good -cpu-used 0 -crf 30 -b:v 0 -an' };
  const long = await page.evaluate((preset) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.call(0, preset), slowest);
  await expect.poll(async () => (await recordsOf(page))[long]?.maxProgress ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);
  expect(await page.evaluate((id) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.status(id), long)).toBe('running');
  const [bad, good] = await page.evaluate(() => {
    const test = (window as unknown as { ffbatchTest: TestApi }).ffbatchTest;
    return [test.call(1, 'mp3-audio'), test.call(2, 'mp3-audio')];
  });
  await page.evaluate((id) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.cancel(id), long);
  // A running job is canceled once its worker has been ended (a moment later).
  await expect.poll(() => page.evaluate((id) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.status(id), long), { timeout: 10_000 }).toBe('canceled');

  await expect.poll(async () => Object.values(await recordsOf(page)).filter((r) => r.outcome !== null).length, { timeout: 2 * 60_000 }).toBe(3);
  const records = await recordsOf(page);
  expect(records[long]!.statuses).toEqual(['queued', 'running', 'canceled']);
  expect(records[long]!.outcome).toMatchObject({ error: 'AbortError', isDOMException: true });

  expect(records[bad]!.statuses.at(-1)).toBe('failed');
  expect(records[bad]!.outcome).toMatchObject({ error: 'JobFailedError', isDOMException: false });
  expect((records[bad]!.outcome as { message: string }).message).toMatch(/^This is not a video or audio file/);
  // The error carries ffmpeg's log as an array (empty here: the probe refused the file before any encode).
  expect((records[bad]!.outcome as { logLines: number | null }).logLines).toEqual(expect.any(Number));

  expect(records[good]!.statuses).toEqual(['queued', 'running', 'done']);
  const probe = await probeBytes(await page.evaluate((id) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.resultBase64(id), good), 'good-out.mp3');
  expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
  expect(Math.abs(durationOf(probe) - durationOf(await ffprobe(fixture('good.mp3'))))).toBeLessThan(0.3);
});

test('the upload form: converted in the browser with progress, a refused upload said plainly, Retry upload, the object byte-identical to the result, the key submitted', async ({ page }) => {
  // Every text the form's status line shows, seen from here (the page goes away on submit).
  const statusTexts: string[] = [];
  await page.exposeFunction('reportStatus', (text: string) => statusTexts.push(text));
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const status = document.querySelector('[role=status]');
      if (!status) return;
      new MutationObserver(() => void (window as unknown as { reportStatus: (text: string) => Promise<void> }).reportStatus(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
    });
  });
  // The site's backend: what the form posts.
  let posted: URLSearchParams | null = null;
  await page.route(`${origin}/videos`, async (route) => {
    posted = new URLSearchParams(route.request().postData() ?? '');
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>Thank you</p>' });
  });

  await page.goto(`${origin}/`);
  await page.getByLabel('Title').fill('My flower');
  await page.getByLabel('Video').setInputFiles(fixture('flower.mp4'));
  // The bucket refuses the first PUT: the uploader does not retry a bad signature, the form says why.
  stack.proxy.injectStatus(403, 'SignatureDoesNotMatch', 1);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('alert')).toContainText('The upload failed: The bucket rejected the upload signature', { timeout: 2 * 60_000 });
  expect(await stack.listObjects()).toEqual([]);
  expect(posted).toBeNull();
  expect(statusTexts.some((text) => /^Converting your video on this computer… \d+ %$/.test(text))).toBe(true);

  // The next PUT meets a passing 503: the uploader tries again by itself, the visitor sees no error.
  stack.proxy.injectStatus(503, 'ServiceUnavailable', 1);
  await page.getByRole('button', { name: 'Retry upload' }).click();
  await expect.poll(() => posted, { timeout: 60_000 }).not.toBeNull();
  await expect(page.getByText('Thank you')).toBeVisible();
  const form = posted as unknown as URLSearchParams;
  expect(form.get('title')).toBe('My flower');
  expect([...form.keys()].sort()).toEqual(['key', 'title']);
  const key = form.get('key') ?? '';
  expect(key).toMatch(/^uploads\/.+\.mp4$/);
  // Upload progress: the line before the PUT, and 100 % at its end (a 300 KB PUT on loopback may send no event between).
  expect(statusTexts).toContain('Uploading…');
  expect(statusTexts).toContain('Uploading… 100 %');
  expect(statusTexts).toContain('Uploaded.');
  expect(stack.proxy.requests.filter((r) => r.method === 'PUT' && r.fromBrowser).map((r) => r.outcome)).toEqual(['injected', 'injected', 'forwarded']);
  // One conversion only: the retry sent the result it already had.
  expect(statusTexts.filter((text) => text === 'Converting your video on this computer…')).toHaveLength(1);

  // The stored result (same origin, same IndexedDB) against the object in the bucket.
  await openApiPage(page, []);
  const stored = (await page.evaluate(() => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.list())).filter((r) => r.presetId === 'mp4-h264-480p');
  expect(stored).toHaveLength(1);
  const bytes = Buffer.from(await page.evaluate((id) => (window as unknown as { ffbatchTest: TestApi }).ffbatchTest.storedBase64(id), stored[0]!.id), 'base64');
  expect(await stack.getObjectSha256(key)).toBe(sha256(bytes));
  expect(key.endsWith(stored[0]!.outputName)).toBe(true);

  const probe = await probeBytes(bytes.toString('base64'), 'uploaded.mp4');
  const [video] = streamsOf(probe, 'video');
  expect([video?.codec_name, video?.height]).toEqual(['h264', 480]);
  expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['aac']);
  expect(Math.abs(durationOf(probe) - durationOf(await ffprobe(fixture('flower.mp4'))))).toBeLessThan(0.3);
});
