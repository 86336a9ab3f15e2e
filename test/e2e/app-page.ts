/**
 * Drives the page only through DESIGN.md's stable hooks ("The page"). Not a spec file:
 * the specs import it.
 */
import path from 'node:path';
import { expect, type BrowserContext, type Locator, type Page, type Request } from '@playwright/test';

/** The encoding presets, which every fixture goes through in presets.spec.ts. */
export const PRESET_IDS = ['flv-320x240', 'mp4-mpeg4-320x180', 'mp4-h264-720p', 'mp4-h264-480p', 'webm-vp9-720p', 'mp3-audio'] as const;
export type PresetId = (typeof PRESET_IDS)[number];
/** Every preset the page offers: the encoding ones and the stream copy. */
/** Every built-in the page always offers (webm-av1-720p only where the browser encodes AV1, so not here). */
export const ALL_PRESET_IDS = [...PRESET_IDS, 'mp4-remux', 'mp4-h264-1080p', 'mp4-fit-10mb', 'm4a-audio', 'gif-480'] as const;
export type AnyPresetId = (typeof ALL_PRESET_IDS)[number];

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'canceled' | 'interrupted';

/** One encode of a few seconds of wasm H.264 can take a minute on 2 cores: be generous. */
export const ENCODE_TIMEOUT = 8 * 60_000;

export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A CSS attribute value in double quotes (file names carry spaces, '#', '%', brackets). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
}

export function addFilesInput(page: Page): Locator {
  return page.getByLabel('Add files', { exact: true });
}

/** Adds files through the `input[type=file][multiple]` labelled "Add files". */
export async function addFiles(page: Page, files: readonly (string | FilePayload)[]): Promise<void> {
  const input = addFilesInput(page);
  await expect(input).toHaveAttribute('type', 'file');
  await expect(input).toHaveAttribute('multiple', '');
  const paths = files.filter((f): f is string => typeof f === 'string');
  const payloads = files.filter((f): f is FilePayload => typeof f !== 'string');
  // setInputFiles takes either paths or payloads: two calls when both are given.
  if (paths.length > 0) await input.setInputFiles(paths);
  if (payloads.length > 0) await input.setInputFiles(payloads);
}

export function presetBox(page: Page, id: AnyPresetId): Locator {
  return page.locator(`input[type=checkbox][name=preset][value=${quoted(id)}]`);
}

export async function tickPresets(page: Page, ids: readonly AnyPresetId[]): Promise<void> {
  for (const id of ALL_PRESET_IDS) {
    const box = presetBox(page, id);
    if (ids.includes(id)) await box.check();
    else await box.uncheck();
  }
}

export function workersInput(page: Page): Locator {
  return page.getByLabel('Workers', { exact: true });
}

/** Types a number into "Workers" and commits it (the change event fires on Enter / blur). */
export async function setWorkers(page: Page, n: number): Promise<void> {
  const input = workersInput(page);
  await input.fill(String(n));
  await input.press('Enter');
  await input.blur();
  await expect(input).toHaveValue(String(n));
}

export async function pressEncode(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Encode', exact: true }).click();
}

export function allJobs(page: Page): Locator {
  return page.locator('[data-job-id][data-state]');
}

export function jobsIn(page: Page, ...states: JobState[]): Locator {
  return page.locator(states.map((s) => `[data-job-id][data-state=${s}]`).join(', '));
}

export function jobFor(page: Page, source: string, preset: AnyPresetId | `custom-${string}`): Locator {
  return page.locator(`[data-job-id][data-source=${quoted(source)}][data-preset=${quoted(preset)}]`);
}

/** Waits until `count` jobs are listed and none of them is queued or running. */
export async function waitForAllFinished(page: Page, count: number, timeout = ENCODE_TIMEOUT): Promise<void> {
  await expect(allJobs(page)).toHaveCount(count);
  await expect(jobsIn(page, 'queued', 'running')).toHaveCount(0, { timeout });
}

export interface JobView {
  id: string;
  state: string;
  source: string;
  preset: string;
  alert: string | null;
  downloadName: string | null;
  progress: number | null;
  text: string;
}

/** Everything a test reads off the job list, in one round trip. */
export async function readJobs(page: Page): Promise<JobView[]> {
  return page.locator('[data-job-id][data-state]').evaluateAll((elements) =>
    elements.map((el) => {
      const alert = el.querySelector('[role=alert]');
      const link = el.querySelector('a[download]');
      const progress = el.querySelector('progress');
      return {
        id: el.getAttribute('data-job-id') ?? '',
        state: el.getAttribute('data-state') ?? '',
        source: el.getAttribute('data-source') ?? '',
        preset: el.getAttribute('data-preset') ?? '',
        alert: alert ? (alert.textContent ?? '') : null,
        downloadName: link ? link.getAttribute('download') : null,
        progress: progress ? progress.value : null,
        // What a person sees: rows off screen skip rendering (content-visibility: auto), and
        // innerText of a skipped row is empty, so the row is rendered for the reading.
        text: (() => {
          const row = el as HTMLElement;
          const before = row.style.contentVisibility;
          row.style.contentVisibility = 'visible';
          const text = row.innerText;
          row.style.contentVisibility = before;
          return text;
        })(),
      };
    }),
  );
}

export interface Downloaded {
  file: string;
  suggestedFilename: string;
  downloadAttribute: string;
}

/** Clicks the job's `a[download]` and saves what the browser hands over into `dir`. */
export async function downloadFromJob(page: Page, job: Locator, dir: string): Promise<Downloaded> {
  const link = job.locator('a[download]');
  await expect(link).toHaveCount(1);
  const downloadAttribute = (await link.getAttribute('download')) ?? '';
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const failure = await download.failure();
  if (failure) throw new Error(`download of ${downloadAttribute} failed: ${failure}`);
  const file = path.join(dir, `${await job.getAttribute('data-job-id')}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return { file, suggestedFilename: download.suggestedFilename(), downloadAttribute };
}

/**
 * Records every request of the page and its context (workers and the service worker report
 * theirs there). `urls()` lists them once each; `foreign(origin)` those that left the origin
 * (blob: and data: URLs never leave the machine).
 */
export function recordRequests(context: BrowserContext, page: Page): { requests(): Request[]; urls(): string[]; foreign(origin: string): string[] } {
  const seen = new Map<Request, string>();
  const record = (request: Request): void => {
    seen.set(request, request.url());
  };
  context.on('request', record);
  page.on('request', record);
  const urls = (): string[] => [...new Set(seen.values())];
  return {
    requests: () => [...seen.keys()],
    urls,
    foreign: (origin) => urls().filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin),
  };
}
