/**
 * What upload.spec.ts needs of the page (DESIGN.md, "The page": the stable hooks only) and
 * of the bucket side. Not a spec file.
 */
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { fixture, run, sha256File } from '../support/media';
import type { S3Stack } from '../support/s3-stack';

export { fixture, makeTempDir, removeDir, sha256File } from '../support/media';

export type PresetId = 'flv-320x240' | 'mp4-mpeg4-320x180' | 'mp4-h264-720p' | 'mp4-h264-480p' | 'webm-vp9-720p' | 'mp3-audio';

/** A CSS attribute value in double quotes. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function jobFor(page: Page, source: string, preset: PresetId): Locator {
  return page.locator(`[data-job-id][data-source=${quoted(source)}][data-preset=${quoted(preset)}]`);
}

/**
 * Adds `files` through "Add files", ticks exactly `presets`, presses Encode and waits until
 * every job has left queued/running; each one must be done.
 */
export async function encode(page: Page, files: readonly string[], presets: readonly PresetId[], timeout: number): Promise<void> {
  await page.getByLabel('Add files', { exact: true }).setInputFiles([...files]);
  const boxes = page.locator('input[type=checkbox][name=preset]');
  for (const box of await boxes.all()) {
    const id = (await box.getAttribute('value')) as PresetId;
    if (presets.includes(id)) await box.check();
    else await box.uncheck();
  }
  await page.getByRole('button', { name: 'Encode', exact: true }).click();
  const jobs = page.locator('[data-job-id][data-state]');
  await expect(jobs).toHaveCount(files.length * presets.length);
  await expect(page.locator('[data-job-id][data-state=queued], [data-job-id][data-state=running]')).toHaveCount(0, { timeout });
  const states = await jobs.evaluateAll((elements) => elements.map((el) => `${el.getAttribute('data-source')} ${el.getAttribute('data-preset')}: ${el.getAttribute('data-state')}`));
  expect(states.filter((s) => !s.endsWith(': done')), 'every encode finishes').toEqual([]);
}

/** Clicks the job's `a[download]`, saves the file into `dir`; its path, name and SHA-256. */
export async function downloadOutput(page: Page, job: Locator, dir: string): Promise<{ file: string; name: string; sha256: string }> {
  const link = job.locator('a[download]');
  await expect(link).toHaveCount(1);
  const name = (await link.getAttribute('download')) ?? '';
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const failure = await download.failure();
  if (failure) throw new Error(`download of ${name} failed: ${failure}`);
  const file = path.join(dir, `${await job.getAttribute('data-job-id')}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return { file, name, sha256: await sha256File(file) };
}

/** Each job's hooks and text, for failure reports. */
export function readJobs(page: Page): Promise<Record<string, string | null>[]> {
  return page.locator('[data-job-id][data-state]').evaluateAll((elements) =>
    elements.map((el) => ({
      state: el.getAttribute('data-state'),
      upload: el.getAttribute('data-upload'),
      source: el.getAttribute('data-source'),
      preset: el.getAttribute('data-preset'),
      alert: el.querySelector('[role=alert]')?.textContent ?? null,
      text: (el as HTMLElement).innerText,
    })),
  );
}

export const MiB = 1024 * 1024;
/** The uploader's default part size (src/upload/part-planner.ts): a 2-part upload needs more than this. */
export const DEFAULT_PART_SIZE = 8 * MiB;

/** Opens the page, with `?multipartThreshold=` when given. */
export async function openAppWith(page: Page, options: { multipartThreshold?: number } = {}): Promise<void> {
  const query = options.multipartThreshold === undefined ? '' : `?multipartThreshold=${options.multipartThreshold}`;
  await page.goto(`/${query}`);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
}

/** The "Upload (optional)" panel is a closed <details>: its fields are hidden until it opens. */
export async function openUploadPanel(page: Page): Promise<void> {
  const panel = page.locator('details', { has: page.getByLabel('Upload endpoint', { exact: true }) });
  if (!(await panel.evaluate((details) => (details as HTMLDetailsElement).open))) {
    await panel.locator('summary').click();
  }
  await expect(page.getByLabel('Upload endpoint', { exact: true })).toBeVisible();
}

/** Types the signing service's address into "Upload endpoint" and commits it (change fires on blur). */
export async function setUploadEndpoint(page: Page, endpoint: string): Promise<void> {
  await openUploadPanel(page);
  const input = page.getByLabel('Upload endpoint', { exact: true });
  await input.fill(endpoint);
  await input.blur();
  await expect(input).toHaveValue(endpoint);
}

export async function tickUploadWhenDone(page: Page): Promise<void> {
  await openUploadPanel(page);
  const box = page.getByLabel('Upload when done', { exact: true });
  await box.check();
  await expect(box).toBeChecked();
}

/** The job's "Upload" button (named "Retry" after a failed upload). */
export function uploadButton(job: Locator, name: 'Upload' | 'Retry' = 'Upload'): Locator {
  return job.getByRole('button', { name, exact: true });
}

/** The key the signing service gave `outputName` (it names objects `<prefix><uuid>-<name>`). */
export async function objectKeyFor(stack: S3Stack, outputName: string): Promise<string> {
  const objects = await stack.listObjects();
  const matching = objects.filter((o) => o.key.endsWith(`-${outputName}`));
  if (matching.length !== 1) {
    throw new Error(`Expected one object for ${outputName} in the bucket, found ${matching.length}: ${JSON.stringify(objects)}`);
  }
  return (matching[0] as { key: string }).key;
}

/** PUTs of parts (partNumber in the query) that reached the bucket's proxy, by part number. */
export function partPutsByNumber(stack: S3Stack): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of stack.proxy.requests) {
    if (r.method !== 'PUT' || !r.fromBrowser || r.query['partNumber'] === undefined) continue;
    const n = Number(r.query['partNumber']);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

/** Lines the signing service logged for one route, e.g. `POST /s3/multipart 200`. */
export function signerCalls(stack: S3Stack, pattern: RegExp): string[] {
  return stack.signerLog.filter((line) => pattern.test(line));
}

export interface StoredUploadView {
  state?: string;
  error?: string;
  resume?: { key: string; uploadId: string; partSize: number; size: number; parts: { PartNumber: number; ETag: string }[] };
}

/**
 * The upload state kept with an output's record in IndexedDB (read-only peek). The issue
 * requires the sent parts' ETags to be kept there; the reload test waits on it so that it
 * reloads only once part 1 is on record, instead of guessing a delay.
 */
export function storedUpload(page: Page, jobId: string): Promise<StoredUploadView | null> {
  return page.evaluate(
    (id) =>
      new Promise<StoredUploadView | null>((resolve, reject) => {
        const open = indexedDB.open('ffbatch-output-records');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction('records', 'readonly').objectStore('records').get(id);
          get.onerror = () => reject(new Error(String(get.error)));
          get.onsuccess = () => {
            db.close();
            const record = get.result as { upload?: StoredUploadView } | undefined;
            resolve(record?.upload ?? null);
          };
        };
      }),
    jobId,
  );
}

/**
 * A 58 s source (under the app's 60 s split threshold, so one worker encodes it whole) that
 * `mp4-mpeg4-320x180` turns into ~9.7 MB: the trailer twice, 320×180, with grain so the
 * encoder really spends its 1200 kb/s. MPEG-4 Part 2 inside, cheap for wasm to decode.
 */
export async function makeLongSource(dir: string): Promise<string> {
  const out = path.join(dir, 'long-trailer.mp4');
  const trailer = fixture('trailer_big_buck_bunny.flv');
  await run('ffmpeg', [
    '-v', 'error', '-nostdin', '-y',
    '-i', trailer, '-i', trailer,
    '-filter_complex', '[0:v][0:a][1:v][1:a]concat=n=2:v=1:a=1[v0][a];[v0]scale=320:180,fps=25,noise=alls=40:allf=t[v]',
    '-map', '[v]', '-map', '[a]', '-t', '58',
    '-c:v', 'mpeg4', '-q:v', '4', '-c:a', 'aac', '-b:a', '96k',
    out,
  ]);
  return out;
}
