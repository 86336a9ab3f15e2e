/**
 * `npm run bench -- --part large`: real-size files. A generated H.264/AAC MP4 (stream copies
 * of a fixture upscaled once to 1080p at a high bitrate) at two sizes through `mp4-remux`,
 * against native `ffmpeg -c copy` on the same file; peak PSS of every Chromium process above
 * the idle page's, to show that memory does not grow with the output. The browser profile is
 * on disk (a persistent context), as a person's is. Inputs are removed after.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumExecutable } from './browser';
import { run, startBrowserSampler, startForeignLoadMeter } from './proc';

export interface LargeRun {
  inputBytes: number;
  mediaSec: number;
  outputBytes: number | null;
  appWallSec: number | null;
  nativeWallSec: number;
  appOverNative: number | null;
  idlePssMiB: number;
  peakPssMiB: number;
  peakAboveIdleMiB: number;
  foreignCores: number;
  /** At the peak, by Chromium process type: anonymous memory, mapped files, shared memory. */
  peakBreakdownMiB: Record<string, number>;
  cpuByThread: Record<string, number>;
  /** The job's own account of where its time went ([ffbatch] lines of its log). */
  phases: string[];
  error: string | null;
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function seconds(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

async function makeInput(fixture: string, dir: string, bytes: number): Promise<string> {
  const seed = join(dir, 'seed.mp4');
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', fixture, '-vf', 'scale=1920:1080:flags=lanczos', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '6', '-c:a', 'copy', seed]);
  const loops = Math.ceil(bytes / statSync(seed).size);
  const target = join(dir, `large-${Math.round(bytes / 1e8) / 10}GB.mp4`);
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-stream_loop', String(loops - 1), '-i', seed, '-c', 'copy', target]);
  rmSync(seed);
  return target;
}

async function nativeRemux(input: string, output: string): Promise<number> {
  const started = performance.now();
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', input, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', output]);
  const wall = (performance.now() - started) / 1000;
  rmSync(output);
  return wall;
}

interface AppRemux {
  wallSec: number | null;
  outputBytes: number | null;
  idle: number;
  peak: number;
  peakBreakdownMiB: Record<string, number>;
  cpuByThread: Record<string, number>;
  phases: string[];
  error: string | null;
}

async function appRemux(baseUrl: string, input: string, profile: string): Promise<AppRemux> {
  const executablePath = chromiumExecutable();
  const context = await chromium.launchPersistentContext(profile, { ...(executablePath ? { executablePath } : {}), args: ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(baseUrl);
    await page.getByLabel('Add files').waitFor({ state: 'attached' });
    await page.waitForTimeout(3000);
    const idleSampler = startBrowserSampler(500);
    await page.waitForTimeout(3000);
    const idle = idleSampler.stop().peakMiB;
    const sampler = startBrowserSampler(500);
    let error: string | null = null;
    let wallSec: number | null = null;
    let outputBytes: number | null = null;
    let phases: string[] = [];
    try {
      await page.getByLabel('Add files').setInputFiles(input);
      await page.locator('input[name=preset][value="mp4-remux"]').check();
      const clickedAt = await page.evaluate(() => Date.now());
      await page.getByRole('button', { name: 'Encode', exact: true }).click();
      await page.locator('[data-job-id][data-state=done], [data-job-id][data-state=failed]').first().waitFor({ timeout: 30 * 60_000 });
      const job = await page.evaluate(() => (window as unknown as { ffbatchStats: { jobs(): { state: string; endedAt: number | null; error: string | null }[] } }).ffbatchStats.jobs()[0]);
      if (job?.state !== 'done') error = job?.error ?? 'not done';
      wallSec = job?.endedAt ? (job.endedAt - clickedAt) / 1000 : null;
      outputBytes = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? null);
      await page.getByRole('button', { name: 'Log' }).first().click();
      phases = (await page.locator('[data-job-id] pre.log').first().innerText().catch(() => '')).split('\n').filter((line) => line.startsWith('[ffbatch]'));
    } catch (e) {
      error = e instanceof Error ? (e.message.split('\n')[0] ?? 'error') : String(e);
    }
    const sample = sampler.stop();
    return { wallSec, outputBytes, idle, peak: sample.peakMiB, peakBreakdownMiB: sample.peakBreakdownMiB, cpuByThread: sample.cpuByThread, phases, error };
  } finally {
    await context.close();
  }
}

export async function benchLarge(options: { baseUrl: string; fixture: string; sizes: readonly number[]; log(line: string): void }): Promise<LargeRun[]> {
  const dir = join(tmpdir(), `ffbatch-bench-large-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const runs: LargeRun[] = [];
  try {
    for (const size of options.sizes) {
      options.log(`large: making a ${(size / 1e9).toFixed(1)} GB input by stream copy`);
      const input = await makeInput(options.fixture, dir, size);
      const inputBytes = statSync(input).size;
      const mediaSec = await seconds(input);
      const meter = startForeignLoadMeter();
      options.log('large: native ffmpeg -c copy');
      const nativeWallSec = await nativeRemux(input, join(dir, 'native.mp4'));
      options.log('large: ffbatch mp4-remux (profile on disk)');
      const app = await appRemux(options.baseUrl, input, join(dir, `profile-${size}`));
      const { foreignCores } = meter.stop();
      rmSync(join(dir, `profile-${size}`), { recursive: true, force: true });
      rmSync(input);
      const result: LargeRun = {
        inputBytes,
        mediaSec,
        // The origin's usage after the job: the stored output (scratch removed).
        outputBytes: app.outputBytes,
        appWallSec: app.wallSec,
        nativeWallSec,
        appOverNative: app.wallSec !== null ? app.wallSec / nativeWallSec : null,
        idlePssMiB: app.idle,
        peakPssMiB: app.peak,
        peakAboveIdleMiB: app.peak - app.idle,
        foreignCores,
        peakBreakdownMiB: app.peakBreakdownMiB,
        cpuByThread: app.cpuByThread,
        phases: app.phases,
        error: app.error,
      };
      options.log(`  → ${JSON.stringify(result)}`);
      runs.push(result);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return runs;
}
