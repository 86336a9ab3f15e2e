/**
 * `npm run bench -- --part edit-encode`: issue 18's edited encode. Phone-like 45 s 1080p30 clips
 * (cached in bench/out/phone), each trimmed to 20 s (In 12, Out 32) and cropped to 4:3
 * (1440:1080:240:0) in the page's editor, to `mp4-h264-720p`: on Auto (the fast route: seek to
 * the keyframe before In, the crop as the frame's visible rectangle), on ffmpeg.wasm only, and by
 * native ffmpeg running each job's own `data-ffmpeg-command` (what Copy as ffmpeg command gives),
 * single-threaded, as many processes at once as the page has workers. Wall time each; every
 * output's duration and size checked with ffprobe (20 s within a frame, 960×720).
 * Target (2 cores): Auto ≥ 4× faster than ffmpeg-only.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { shellWords } from '../src/presets/shell-words';
import { runApp, type AppJob } from './browser';
import { makePhoneSources } from './phone';
import { run } from './proc';

const EDITS = { in: '12', out: '32', crop: '1440:1080:240:0' } as const;
const WANTED = { durationSec: 20, width: 960, height: 720 } as const;

interface Probed {
  durationSec: number;
  width: number;
  height: number;
}

async function probe(file: string): Promise<Probed> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:format=duration', '-of', 'json', file]);
  const parsed = JSON.parse(stdout) as { streams?: { width?: number; height?: number }[]; format?: { duration?: string } };
  return { durationSec: Number(parsed.format?.duration ?? NaN), width: parsed.streams?.[0]?.width ?? 0, height: parsed.streams?.[0]?.height ?? 0 };
}

/** Whether an output is what the edits asked: Out − In within a frame (30 fps), the crop scaled to 720 lines. */
function asAsked(p: Probed): boolean {
  return Math.abs(p.durationSec - WANTED.durationSec) <= 1 / 30 + 0.025 && p.width === WANTED.width && p.height === WANTED.height;
}

/** Runs each job's own native command (input and output named by file name) with -threads 1, `concurrency` at once. */
async function runCommands(jobs: readonly AppJob[], sources: readonly string[], concurrency: number, outDir: string): Promise<{ wallSec: number; outputs: string[] }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const lines = jobs.map((job, i) => {
    const words = shellWords(job.ffmpegCommand ?? '');
    if (words[0] !== 'ffmpeg') throw new Error(`job ${job.sourceName} has no native command: "${job.ffmpegCommand ?? ''}"`);
    const source = sources.find((s) => s.endsWith(`/${job.sourceName}`)) ?? '';
    const output = join(outDir, `${i}-${words.at(-1) ?? 'out.mp4'}`);
    // The page names files by their names: here they are paths. One thread each, as the page's workers have.
    const args = words.slice(1, -1).map((w) => (w === job.sourceName ? source : w));
    return { args: ['-nostdin', '-y', '-threads', '1', ...args, '-threads', '1', output], output };
  });
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < lines.length) {
      const line = lines[next++];
      if (line) await run('ffmpeg', ['-v', 'error', ...line.args]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, lines.length) }, lane));
  return { wallSec: (performance.now() - t0) / 1000, outputs: lines.map((l) => l.output) };
}

export async function benchEditEncode(options: { baseUrl: string; fixturesDir: string; outDir: string; sources: number; workers: number; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const { log } = options;
  const files = await makePhoneSources(options.fixturesDir, join(options.outDir, 'phone'), options.sources);
  const result: Record<string, unknown> = { sources: files.length, edits: EDITS, preset: 'mp4-h264-720p', wanted: WANTED };
  const runs: Record<string, { wallSec: number; jobs: AppJob[] }> = {};
  for (const engine of ['auto', 'ffmpeg'] as const) {
    log(`edit-encode: ffbatch ?engine=${engine}, ${files.length} × mp4-h264-720p trimmed ${EDITS.in}–${EDITS.out} s and cropped ${EDITS.crop}, ${options.workers} workers`);
    const r = await runApp({ baseUrl: `${options.baseUrl}?engine=${engine}`, files, presets: ['mp4-h264-720p'], workers: options.workers, timeoutMs: 30 * 60_000, edits: EDITS, saveOutputsTo: join(options.outDir, 'edit-encode-outputs', engine) });
    const probed = await Promise.all(r.jobs.map((j) => (j.outputFile ? probe(j.outputFile) : Promise.resolve(null))));
    runs[engine] = { wallSec: r.wallSec, jobs: r.jobs };
    result[engine] = {
      wallSec: r.wallSec,
      engines: r.jobs.map((j) => j.engine),
      outputs: probed,
      asAsked: probed.map((p) => (p ? asAsked(p) : false)),
      commands: r.jobs.map((j) => j.ffmpegCommand),
      error: r.error,
      foreignCores: r.foreignCores,
    };
    log(`  → ${r.wallSec.toFixed(1)} s, engines ${r.jobs.map((j) => j.engine).join(',')}${r.error ? `, ERROR ${r.error}` : ''}`);
  }
  const autoJobs = runs['auto']?.jobs ?? [];
  log(`edit-encode: native ffmpeg, each job's own command, ${options.workers} processes`);
  const native = await runCommands(autoJobs, files, options.workers, join(options.outDir, 'edit-encode-native'));
  const nativeProbed = await Promise.all(native.outputs.map(probe));
  result['native'] = { wallSec: native.wallSec, outputs: nativeProbed, asAsked: nativeProbed.map(asAsked) };
  const auto = runs['auto']?.wallSec ?? NaN;
  const ffmpegOnly = runs['ffmpeg']?.wallSec ?? NaN;
  result['ratios'] = { autoSpeedupOverFfmpeg: ffmpegOnly / auto, autoOverNative: auto / native.wallSec };
  log(`  → auto ${auto.toFixed(1)} s, ffmpeg-only ${ffmpegOnly.toFixed(1)} s, native ${native.wallSec.toFixed(1)} s`);
  return result;
}
