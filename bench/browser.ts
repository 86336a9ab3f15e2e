/**
 * Drives the built app in headless Chromium through the page's stable hooks only
 * (DESIGN.md, "The page") and reads window.ffbatchStats for core loads and job times.
 * Every run gets a new browser with a fresh profile, so its first core load is cold.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startBrowserSampler } from './proc';

interface StatsJob {
  id: string;
  sourceName: string;
  presetId: string;
  state: string;
  startedAt: number | null;
  endedAt: number | null;
  error: string | null;
  engine?: string | null;
  engineNote?: string | null;
  outputSize?: number | null;
  quality?: { psnr: number; ssim: number; frames: number } | null;
}

interface PageStats {
  coreLoads: number[];
  jobs(): StatsJob[];
}

type StatsWindow = Window & { ffbatchStats?: PageStats };

/** Same choice as playwright.config.ts: FFBATCH_CHROMIUM, else Playwright's own, else Debian's. */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env['FFBATCH_CHROMIUM'];
  if (fromEnv) return fromEnv;
  let bundled: string | undefined;
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && existsSync(bundled)) return undefined;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumExecutable();
  return chromium.launch({ ...(executablePath ? { executablePath } : {}), args: ARGS });
}

export interface AppJob {
  sourceName: string;
  presetId: string;
  state: string;
  error: string | null;
  /** Seconds from the Encode click. */
  startSec: number;
  endSec: number;
  /** ffmpeg's own time (time= ÷ speed= of each run's last stats line), summed over its runs. */
  execSec: number | null;
  /** Workers the job ran on at once: the number of video parts of a split job, else 1. */
  slots: number;
  partsSec: number[];
  joinSec: number | null;
  /** 'webcodecs' or 'ffmpeg' (the route the job's output came from). */
  engine: string | null;
  outputBytes: number | null;
  /** Where the output was saved, when the run was asked to save outputs. */
  outputFile: string | null;
  /** The WebCodecs H.264 encoder's mean QP, from the job's log (null on other routes). */
  meanQp: number | null;
  /** Why the job is on its engine (the router's or the quality samples' few words). */
  engineNote: string | null;
  /** The page's own score of the output (PSNR dB, SSIM), null where it measured none. */
  pageQuality: { psnr: number; ssim: number; frames: number } | null;
  /** From the job's log: seconds spent on quality samples, on scoring the output, and the fast route's encode itself. */
  samplesSec: number | null;
  scoringSec: number | null;
  webcodecsEncodeSec: number | null;
  /** The job's own native command (its `data-ffmpeg-command`: what Copy as ffmpeg command gives). */
  ffmpegCommand: string | null;
}

export interface AppRun {
  workers: number;
  wallSec: number;
  jobs: AppJob[];
  /** Each core load of this page, in order (ms); the first is cold (fresh profile). */
  coreLoadsMs: number[];
  /** Core loads after reloading the page (warm: same browser profile), when asked for. */
  reloadCoreLoadsMs: number[];
  /** Requests for the core's .wasm during the run (each worker that loads the core fetches it). */
  wasmFetches: number;
  peakPssMiB: number;
  peakProcesses: number;
  /** CPU seconds the browser used from launch to close (all its processes). */
  browserCpuSec: number;
  /** CPU seconds of the benchmark's own process meanwhile (Playwright, the sampler). */
  benchCpuSec: number;
  /** The same, by process type and thread name (where the browser's CPU time went). */
  cpuByThread: Record<string, number>;
  foreignCores: number;
  hardwareConcurrency: number;
  chromiumVersion: string;
  error: string | null;
}

export async function hardwareConcurrency(): Promise<{ cores: number; version: string }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    return { cores: await page.evaluate(() => navigator.hardwareConcurrency), version: browser.version() };
  } finally {
    await browser.close();
  }
}

export interface LogTimes {
  /** Seconds ffmpeg ran, summed over every run of the job (whole, or each part plus the join). */
  execSec: number | null;
  /** ffmpeg seconds of each video part of a split job; empty for a job run whole. */
  partsSec: number[];
  /** ffmpeg seconds of the join (stream copy + the whole audio) of a split job. */
  joinSec: number | null;
}

/** Seconds of one ffmpeg run from its last "time=… speed=…x" stats line: time ÷ speed. */
function runSeconds(line: string): number | null {
  const time = /time=\s*(-?)(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line);
  const speed = /speed=\s*([\d.]+)x/.exec(line);
  if (!time || !speed || time[1] === '-') return null;
  const seconds = Number(time[2]) * 3600 + Number(time[3]) * 60 + Number(time[4]);
  const factor = Number(speed[1]);
  return factor > 0 ? seconds / factor : null;
}

/**
 * ffmpeg's own time for one job, from the job's log (the page's Log button). A split job's
 * lines carry "[part i/n]" or "[join]" before ffmpeg's text; a whole job's carry nothing.
 */
export function logTimes(log: string): LogTimes {
  const last = new Map<string, string>();
  for (const line of log.split('\n')) {
    if (!line.includes('speed=') || !line.includes('time=')) continue;
    const tag = /^\[(part \d+\/\d+|join)\]/.exec(line)?.[1] ?? 'whole';
    last.set(tag, line);
  }
  const seconds = new Map([...last].map(([tag, line]) => [tag, runSeconds(line)] as const));
  const partsSec = [...seconds].filter(([tag]) => tag.startsWith('part')).map(([, s]) => s ?? NaN);
  const joinSec = seconds.get('join') ?? null;
  const all = [...seconds.values()];
  const execSec = all.length > 0 && all.every((s) => s !== null) ? all.reduce((n: number, s) => n + (s ?? 0), 0) : null;
  return { execSec, partsSec, joinSec };
}

async function readLogs(page: Page): Promise<Map<string, string>> {
  const logs = new Map<string, string>();
  const items = page.locator('[data-job-id][data-state]');
  const count = await items.count();
  for (let i = 0; i < count; i++) {
    const item = items.nth(i);
    const id = (await item.getAttribute('data-job-id')) ?? '';
    await item.getByRole('button', { name: 'Log', exact: true }).click();
    logs.set(id, (await item.locator('pre').textContent()) ?? '');
    await item.getByRole('button', { name: 'Log', exact: true }).click();
  }
  return logs;
}

function secondsOf(log: string, pattern: RegExp): number | null {
  const match = pattern.exec(log);
  return match ? Number(match[1]) : null;
}

function meanQpOf(log: string): number | null {
  const match = /H\.264 mean QP ([\d.]+)/.exec(log);
  return match ? Number(match[1]) : null;
}

async function setWorkers(page: Page, workers: number): Promise<void> {
  const input = page.getByLabel('Workers');
  await input.fill(String(workers));
  await input.dispatchEvent('change');
}

/** Opens a source's editor (the page's stable hooks), types In, Out and Crop, saves. */
async function editSource(page: Page, name: string, edits: { in: string; out: string; crop: string }): Promise<void> {
  const row = page.locator(`[data-source-name="${name}"]`);
  // Asked of the page each time: the row is drawn again when the probe ends (a new button).
  await page.waitForFunction(
    (n) => {
      const button = document.querySelector<HTMLButtonElement>(`[data-source-name="${CSS.escape(n)}"] button[aria-label^="Edit"]`);
      return button !== null && !button.disabled;
    },
    name,
    { timeout: 60_000 },
  );
  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
  await dialog.getByLabel('In', { exact: true }).fill(edits.in);
  await dialog.getByLabel('Out', { exact: true }).fill(edits.out);
  await dialog.getByLabel('Crop', { exact: true }).fill(edits.crop);
  await dialog.getByRole('button', { name: 'Save edits' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.waitForFunction((n) => (document.querySelector(`[data-source-name="${CSS.escape(n)}"]`)?.getAttribute('data-edits') ?? '') !== '', name, { timeout: 10_000 });
}

/**
 * One batch: add `files`, tick `presets`, set `workers`, press Encode, wait for every job
 * to finish. Wall time runs from the Encode click to the last job's end (the page's clock),
 * so it holds what a person waits for: probes, core loads, encodes, storing the outputs.
 */
export async function runApp(options: {
  baseUrl: string;
  files: readonly string[];
  presets: readonly string[];
  workers: number;
  timeoutMs: number;
  /** Reload the page this many times after the batch and time the core load each time. */
  reloads?: number;
  /** A small file to add after a reload, to make the page load a core. */
  reloadProbeFile?: string;
  /** Download each done job's output into this folder (after the wall time is taken). */
  saveOutputsTo?: string;
  /** Edits set on every source in its editor before Encode (the editor's In, Out and Crop, as a person types them). */
  edits?: { in: string; out: string; crop: string };
}): Promise<AppRun> {
  const sampler = startBrowserSampler();
  const result: AppRun = {
    workers: options.workers,
    wallSec: NaN,
    jobs: [],
    coreLoadsMs: [],
    reloadCoreLoadsMs: [],
    wasmFetches: 0,
    peakPssMiB: 0,
    peakProcesses: 0,
    browserCpuSec: 0,
    benchCpuSec: 0,
    cpuByThread: {},
    foreignCores: 0,
    hardwareConcurrency: 0,
    chromiumVersion: '',
    error: null,
  };
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    result.chromiumVersion = browser.version();
    const page = await browser.newPage();
    await page.goto(options.baseUrl);
    await page.getByLabel('Add files').waitFor({ state: 'attached' });
    result.hardwareConcurrency = await page.evaluate(() => navigator.hardwareConcurrency);
    await setWorkers(page, options.workers);
    await page.getByLabel('Add files').setInputFiles([...options.files]);
    if (options.edits) for (const file of options.files) await editSource(page, basename(file), options.edits);
    for (const preset of options.presets) await page.locator(`input[name=preset][value="${preset}"]`).check();
    const expected = options.files.length * options.presets.length;
    const clickedAt = await page.evaluate(() => Date.now());
    await page.getByRole('button', { name: 'Encode', exact: true }).click();
    try {
      await page.waitForFunction(
        (n) => {
          const jobs = (window as StatsWindow).ffbatchStats?.jobs() ?? [];
          return jobs.length >= n && jobs.every((j) => j.state === 'done' || j.state === 'failed' || j.state === 'canceled');
        },
        expected,
        { polling: 500, timeout: options.timeoutMs },
      );
    } catch (error) {
      result.error = `not finished within ${Math.round(options.timeoutMs / 1000)} s: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
    const stats = await page.evaluate(() => {
      const s = (window as StatsWindow).ffbatchStats;
      return { coreLoads: [...(s?.coreLoads ?? [])], jobs: s?.jobs() ?? [] };
    });
    result.coreLoadsMs = stats.coreLoads;
    const logs = await readLogs(page);
    const commands = new Map<string, string | null>();
    for (const j of stats.jobs) commands.set(j.id, await page.locator(`[data-job-id="${j.id}"]`).first().getAttribute('data-ffmpeg-command'));
    result.jobs = stats.jobs.map((j) => {
      const times = logTimes(logs.get(j.id) ?? '');
      return {
        sourceName: j.sourceName,
        presetId: j.presetId,
        state: j.state,
        error: j.error,
        startSec: ((j.startedAt ?? clickedAt) - clickedAt) / 1000,
        endSec: ((j.endedAt ?? Date.now()) - clickedAt) / 1000,
        execSec: times.execSec,
        engine: j.engine ?? null,
        outputBytes: j.outputSize ?? null,
        outputFile: null,
        meanQp: meanQpOf(logs.get(j.id) ?? ''),
        engineNote: j.engineNote ?? null,
        pageQuality: j.quality ?? null,
        samplesSec: secondsOf(logs.get(j.id) ?? '', /\(([\d.]+) s of samples[;)]/),
        scoringSec: secondsOf(logs.get(j.id) ?? '', /over \d+ frames against the source \([a-z]+\); measured in ([\d.]+) s/),
        webcodecsEncodeSec: secondsOf(logs.get(j.id) ?? '', /WebCodecs made \d+ frames, [\d.]+ s, in ([\d.]+) s/),
        ffmpegCommand: commands.get(j.id) ?? null,
        slots: Math.max(1, times.partsSec.length),
        partsSec: times.partsSec,
        joinSec: times.joinSec,
      };
    });
    const ends = result.jobs.map((j) => j.endSec);
    result.wallSec = ends.length > 0 ? Math.max(...ends) : NaN;
    const failed = result.jobs.filter((j) => j.state !== 'done');
    if (failed.length > 0 && !result.error) result.error = `${failed.length} job(s) not done: ${failed[0]?.state} ${failed[0]?.error ?? ''}`;

    if (options.saveOutputsTo) {
      mkdirSync(options.saveOutputsTo, { recursive: true });
      for (const [index, job] of stats.jobs.entries()) {
        const record = result.jobs[index];
        if (job.state !== 'done' || !record) continue;
        const link = page.locator(`[data-job-id="${job.id}"] a[download]`).first();
        const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
        const file = join(options.saveOutputsTo, `${String(index + 1).padStart(2, '0')}-${download.suggestedFilename()}`);
        await download.saveAs(file);
        record.outputFile = file;
      }
    }

    for (let i = 0; i < (options.reloads ?? 0) && options.reloadProbeFile; i++) {
      await page.reload();
      await page.getByLabel('Add files').setInputFiles(options.reloadProbeFile);
      await page.waitForFunction(() => ((window as StatsWindow).ffbatchStats?.coreLoads.length ?? 0) > 0, undefined, { polling: 100, timeout: 60_000 });
      result.reloadCoreLoadsMs.push(...(await page.evaluate(() => [...((window as StatsWindow).ffbatchStats?.coreLoads ?? [])])));
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message.split('\n')[0] ?? 'error' : String(error);
  } finally {
    // Sampled before closing: the CPU counters of Chromium's processes vanish with them.
    const sample = sampler.stop();
    result.peakPssMiB = sample.peakMiB;
    result.peakProcesses = sample.peakProcesses;
    result.browserCpuSec = sample.browserCpuSec;
    result.benchCpuSec = sample.selfCpuSec;
    result.cpuByThread = sample.cpuByThread;
    result.foreignCores = sample.foreignCores;
    await browser?.close();
  }
  return result;
}
