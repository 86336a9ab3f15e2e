/**
 * The baseline: native ffmpeg running the very same arguments as ffbatch's presets
 * (presetById(id).args), single-threaded (-threads 1 for decoder, encoder and filters),
 * at most `concurrency` processes at a time, in the order ffbatch's scheduler takes them.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { presetById } from '../src/presets/presets';
import { describeSource, type SourceInfo } from '../src/presets/source-info';
import type { ProbeReport } from '../workers/protocol';
import { run } from './proc';

export interface BenchJob {
  source: string;
  presetId: string;
}

export interface NativeJobTiming extends BenchJob {
  startSec: number;
  endSec: number;
  /** CPU seconds (user + sys) of the ffmpeg process, when /usr/bin/time is there. */
  cpuSec: number | null;
}

export interface NativeRun {
  concurrency: number;
  /** threads given to each process ('1' = -threads 1 everywhere; 'auto' = ffmpeg's default). */
  threads: '1' | 'auto';
  wallSec: number;
  jobs: NativeJobTiming[];
  /** The output files, in the order of the jobs given. */
  outputs: string[];
}

const infoCache = new Map<string, SourceInfo>();

export async function sourceInfo(file: string): Promise<SourceInfo> {
  const cached = infoCache.get(file);
  if (cached) return cached;
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]);
  const info = describeSource(JSON.parse(stdout) as ProbeReport);
  infoCache.set(file, info);
  return info;
}

/** ffbatch's queue order: costliest first (probed seconds × preset cost), then first queued. */
export async function schedulerOrder(jobs: readonly BenchJob[]): Promise<BenchJob[]> {
  const costed = await Promise.all(
    jobs.map(async (job, index) => ({ job, index, cost: ((await sourceInfo(job.source)).durationSec ?? 0) * presetById(job.presetId).relativeCost })),
  );
  return costed.sort((a, b) => b.cost - a.cost || a.index - b.index).map((c) => c.job);
}

/** The full native command line for one job. */
export async function nativeArgs(job: BenchJob, output: string, threads: '1' | 'auto'): Promise<string[]> {
  const args = presetById(job.presetId).args(await sourceInfo(job.source), { input: job.source, output });
  if (threads === 'auto') return ['-nostdin', '-y', ...args];
  // -threads before -i limits the decoder; before the output, the encoder; filters have their own knob.
  const out = args.slice(0, -1);
  return ['-nostdin', '-y', '-threads', '1', '-filter_threads', '1', '-filter_complex_threads', '1', ...out, '-threads', '1', output];
}

function extensionOf(presetId: string): string {
  return presetById(presetId).extension;
}

export async function runNative(jobs: readonly BenchJob[], options: { concurrency: number; threads: '1' | 'auto'; outDir: string }): Promise<NativeRun> {
  const { concurrency, threads, outDir } = options;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const timeTool = existsSync('/usr/bin/time');
  const prepared = await Promise.all(
    jobs.map(async (job, i) => {
      const output = join(outDir, `${String(i + 1).padStart(2, '0')}-${basename(job.source, '.avi')}-${job.presetId}.${extensionOf(job.presetId)}`);
      return { job, output, args: await nativeArgs(job, output, threads) };
    }),
  );
  const timings: NativeJobTiming[] = [];
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < prepared.length) {
      const item = prepared[next++];
      if (!item) return;
      const startSec = (performance.now() - t0) / 1000;
      let cpuSec: number | null = null;
      if (timeTool) {
        const timeFile = `${item.output}.time`;
        await run('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, 'ffmpeg', '-v', 'error', ...item.args]);
        const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
        cpuSec = (user ?? 0) + (sys ?? 0);
      } else {
        await run('ffmpeg', ['-v', 'error', ...item.args]);
      }
      timings.push({ ...item.job, startSec, endSec: (performance.now() - t0) / 1000, cpuSec });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, prepared.length) }, lane));
  return { concurrency, threads, wallSec: (performance.now() - t0) / 1000, jobs: timings, outputs: prepared.map((item) => item.output) };
}
