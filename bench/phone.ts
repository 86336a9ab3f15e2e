/**
 * `npm run bench -- --part phone`: phone-like footage through `mp4-h264-720p` by each route.
 * Sources: 45 s of 1080p30 H.264 at ~12 Mb/s + AAC, made from the fixtures (looped, scaled
 * with lanczos and cropped to 16:9) and cached in bench/out/phone. The page runs them with
 * `?engine=auto` (WebCodecs where it can) and `?engine=ffmpeg`; native ffmpeg runs the same
 * preset arguments, the faster of one `-threads 1` process per core and all threads one job
 * at a time. One extra source goes to `webm-vp9-720p` by each route.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runApp, type AppRun } from './browser';
import { runNative, type BenchJob, type NativeRun } from './native';
import { run } from './proc';
import { qualityAgainstSource, type Quality } from './quality';

const PHONE_FIXTURES = ['flower.mp4', 'friday.mp4', 'mdn-chroma-keying-video.ogv', 'trailer_big_buck_bunny.flv'];
const SECONDS = 45;

export async function makePhoneSources(fixturesDir: string, dir: string, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const sources: string[] = [];
  for (let i = 0; i < count; i++) {
    const fixture = PHONE_FIXTURES[i % PHONE_FIXTURES.length] ?? 'flower.mp4';
    const target = join(dir, `phone-${i + 1}.mp4`);
    if (!existsSync(target)) {
      await run('ffmpeg', [
        '-v', 'error', '-nostdin', '-y', '-stream_loop', '-1', '-i', join(fixturesDir, fixture), '-t', String(SECONDS),
        '-vf', 'scale=1920:1080:force_original_aspect_ratio=increase:flags=lanczos,crop=1920:1080,fps=30,setsar=1',
        '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '12M', '-maxrate', '12M', '-bufsize', '24M', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-movflags', '+faststart', target,
      ]);
    }
    sources.push(target);
  }
  return sources;
}

/** Native PSNR (dB) and SSIM of each output against its lanczos-scaled source, in job order; null where there is no output. */
async function qualityOf(outputs: readonly (string | null)[], sources: readonly string[]): Promise<(Quality | null)[]> {
  const values: (Quality | null)[] = [];
  for (const [i, output] of outputs.entries()) {
    const source = sources[i];
    values.push(output && source ? await qualityAgainstSource(output, source) : null);
  }
  return values;
}

async function psnrOf(outputs: readonly (string | null)[], sources: readonly string[]): Promise<(number | null)[]> {
  return (await qualityOf(outputs, sources)).map((q) => (q ? round(q.psnrDb, 2) : null));
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Each job of a route, in source order: engine and why, size, native's score beside the page's, and where the time went. */
async function jobFigures(r: AppRun, files: readonly string[]): Promise<Record<string, unknown>[]> {
  const bySource = files.map((file) => r.jobs.find((job) => file.endsWith(`/${job.sourceName}`)) ?? null);
  const native = await qualityOf(bySource.map((job) => job?.outputFile ?? null), files);
  return bySource.map((job, i) => {
    const n = native[i] ?? null;
    const page = job?.pageQuality ?? null;
    const jobSec = job ? job.endSec - job.startSec : null;
    return {
      source: files[i]?.split('/').at(-1),
      engine: job?.engine ?? null,
      engineNote: job?.engineNote ?? null,
      bytes: job?.outputBytes ?? null,
      jobSec: jobSec === null ? null : round(jobSec, 1),
      nativePsnrDb: n ? round(n.psnrDb, 2) : null,
      nativeSsim: n ? round(n.ssim, 4) : null,
      pagePsnrDb: page ? round(page.psnr, 2) : null,
      pageSsim: page ? round(page.ssim, 4) : null,
      pageMinusNativeDb: page && n ? round(page.psnr - n.psnrDb, 2) : null,
      pageMinusNativeSsim: page && n ? round(page.ssim - n.ssim, 4) : null,
      samplesSec: job?.samplesSec ?? null,
      scoringSec: job?.scoringSec ?? null,
      webcodecsEncodeSec: job?.webcodecsEncodeSec ?? null,
      // What scoring adds to a fast-route job: its scoring time over the rest of the job.
      scoringShare: job?.engine === 'webcodecs' && job.scoringSec !== null && jobSec ? round(job.scoringSec / (jobSec - job.scoringSec), 3) : null,
    };
  });
}

/** Auto's promise per source: within 1.0 dB of the ffmpeg route's PSNR at ≤ 1.5× its size, or routed to ffmpeg.wasm with its reason. */
function promiseKept(auto: readonly Record<string, unknown>[], ffmpegRoute: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return auto.map((a, i) => {
    const f = ffmpegRoute[i] ?? {};
    const dB = typeof a['nativePsnrDb'] === 'number' && typeof f['nativePsnrDb'] === 'number' ? round(a['nativePsnrDb'] - f['nativePsnrDb'], 2) : null;
    const size = typeof a['bytes'] === 'number' && typeof f['bytes'] === 'number' ? round(a['bytes'] / f['bytes'], 3) : null;
    const note = a['engineNote'];
    const routed = a['engine'] === 'ffmpeg' && typeof note === 'string' && /quality|reach/.test(note);
    return { source: a['source'], engine: a['engine'], psnrVsFfmpegRouteDb: dB, bytesVsFfmpegRoute: size, kept: routed || (dB !== null && size !== null && dB >= -1.0 && size <= 1.5), routedForQuality: routed };
  });
}

function summarizeRoute(r: AppRun, mediaSec: number): Record<string, unknown> {
  return {
    wallSec: r.wallSec,
    realTime: mediaSec / r.wallSec,
    engines: r.jobs.map((j) => j.engine),
    sources: r.jobs.map((j) => j.sourceName),
    outputBytes: r.jobs.map((j) => j.outputBytes),
    // The H.264 encoder's mean QP on the WebCodecs route (null elsewhere): what the steering held.
    meanQp: r.jobs.map((j) => j.meanQp),
    peakPssMiB: r.peakPssMiB,
    foreignCores: r.foreignCores,
    error: r.error,
  };
}

export async function benchPhone(options: { baseUrl: string; fixturesDir: string; outDir: string; sources: number; workers: number; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const log = (line: string): void => options.log(line);
  log(`phone: making ${options.sources + 1} × ${SECONDS} s 1080p30 H.264 sources (cached)`);
  const all = await makePhoneSources(options.fixturesDir, join(options.outDir, 'phone'), options.sources + 1);
  const batch = all.slice(0, options.sources);
  const vp9Source = all.slice(-1);
  const mediaSec = batch.length * SECONDS;
  const result: Record<string, unknown> = { sourceSeconds: SECONDS, sources: batch.length };

  for (const [preset, files] of [['mp4-h264-720p', batch], ['webm-vp9-720p', vp9Source]] as const) {
    const seconds = files.length * SECONDS;
    const routes: Record<string, unknown> = {};
    for (const engine of ['auto', 'ffmpeg'] as const) {
      log(`phone: ffbatch ?engine=${engine}, ${files.length} × ${preset}, ${options.workers} workers`);
      const saveOutputsTo = join(options.outDir, 'phone-outputs', `${preset}-${engine}`);
      const r = await runApp({ baseUrl: `${options.baseUrl}?engine=${engine}`, files, presets: [preset], workers: options.workers, timeoutMs: 40 * 60_000, saveOutputsTo });
      routes[engine] = { ...summarizeRoute(r, seconds), jobs: await jobFigures(r, files) };
      log(`  → ${r.wallSec.toFixed(1)} s, engines ${r.jobs.map((j) => j.engine).join(',')}${r.error ? `, ERROR ${r.error}` : ''}`);
    }
    const jobs: BenchJob[] = files.map((source) => ({ source, presetId: preset }));
    const natives: NativeRun[] = [];
    for (const [concurrency, threads] of [[options.workers, '1'], [1, 'auto']] as const) {
      log(`phone: native ffmpeg, ${concurrency} process(es), threads ${threads}`);
      natives.push(await runNative(jobs, { concurrency, threads, outDir: join(options.outDir, 'phone-native') }));
    }
    const nativeBest = Math.min(...natives.map((n) => n.wallSec));
    const nativeOutputs = natives.at(-1)?.outputs ?? [];
    const auto = (routes['auto'] as { wallSec: number }).wallSec;
    const ffmpegOnly = (routes['ffmpeg'] as { wallSec: number }).wallSec;
    const autoJobs = (routes['auto'] as { jobs: Record<string, unknown>[] }).jobs;
    const ffmpegJobs = (routes['ffmpeg'] as { jobs: Record<string, unknown>[] }).jobs;
    const nativeQuality = await qualityOf(nativeOutputs, files);
    const promise = promiseKept(autoJobs, ffmpegJobs);
    result[preset] = {
      routes,
      native: natives.map((n) => ({ concurrency: n.concurrency, threads: n.threads, wallSec: n.wallSec })),
      nativeOutputs: nativeOutputs.map((output, i) => ({ bytes: existsSync(output) ? statSync(output).size : null, psnrDb: nativeQuality[i] ? round(nativeQuality[i].psnrDb, 2) : null, ssim: nativeQuality[i] ? round(nativeQuality[i].ssim, 4) : null })),
      promise,
      ratios: { autoSpeedupOverFfmpeg: ffmpegOnly / auto, autoOverNativeBest: auto / nativeBest, ffmpegOverNativeBest: ffmpegOnly / nativeBest },
      mediaSec: seconds,
    };
    for (const p of promise) log(`  ${String(p['source'])}: ${String(p['engine'])}, ${String(p['psnrVsFfmpegRouteDb'])} dB vs the ffmpeg route at ${String(p['bytesVsFfmpegRoute'])}× its size${p['routedForQuality'] ? ' (routed for quality)' : ''}: ${p['kept'] ? 'kept' : 'NOT kept'}`);
    log(`  → ${preset}: auto ${auto.toFixed(1)} s, ffmpeg-only ${ffmpegOnly.toFixed(1)} s, native best ${nativeBest.toFixed(1)} s`);
  }
  return { ...result, mediaSecBatch: mediaSec };
}

/**
 * `--part phone-workers`: how many WebCodecs jobs at once pay. The phone sources through
 * `mp4-h264-720p` with `?engine=auto` on 1, 2 and 3 workers (a WebCodecs job takes one slot).
 */
export async function benchPhoneWorkers(options: { baseUrl: string; fixturesDir: string; outDir: string; sources: number; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const files = (await makePhoneSources(options.fixturesDir, join(options.outDir, 'phone'), options.sources + 1)).slice(0, options.sources);
  const runs: Record<string, unknown>[] = [];
  for (const workers of [1, 2, 3]) {
    options.log(`phone-workers: ?engine=auto, ${files.length} × mp4-h264-720p, ${workers} worker(s)`);
    const r = await runApp({ baseUrl: `${options.baseUrl}?engine=auto`, files, presets: ['mp4-h264-720p'], workers, timeoutMs: 20 * 60_000 });
    runs.push({ workers, ...summarizeRoute(r, files.length * SECONDS), browserCpuSec: r.browserCpuSec, cpuByThread: r.cpuByThread });
    options.log(`  → ${r.wallSec.toFixed(1)} s, browser CPU ${r.browserCpuSec.toFixed(0)} s, engines ${r.jobs.map((j) => j.engine).join(',')}`);
  }
  return { sources: files.length, sourceSeconds: SECONDS, runs };
}

/** The target QPs `--part phone-qp` tries: the shipped one, then lower (more bits, more PSNR). */
const QP_SWEEP = [26.3, 23, 20];

/**
 * `--part phone-qp`: what the fast route's H.264 quality costs in size at other steering
 * targets. The phone sources through `mp4-h264-720p` with `?engine=auto&h264TargetQp=QP` for
 * each QP of the sweep, against native x264 with the ffmpeg route's arguments (the same
 * encoder and settings as ffmpeg.wasm's: its PSNR and size). Speed is not the point here.
 */
export async function benchPhoneQp(options: { baseUrl: string; fixturesDir: string; outDir: string; sources: number; workers: number; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const files = (await makePhoneSources(options.fixturesDir, join(options.outDir, 'phone'), options.sources + 1)).slice(0, options.sources);
  options.log(`phone-qp: native x264 reference, ${files.length} × mp4-h264-720p`);
  const native = await runNative(
    files.map((source) => ({ source, presetId: 'mp4-h264-720p' })),
    { concurrency: 1, threads: 'auto', outDir: join(options.outDir, 'phone-qp-native') },
  );
  const x264Bytes = native.outputs.map((output) => statSync(output).size);
  const x264Psnr = await psnrOf(native.outputs, files);
  const runs: Record<string, unknown>[] = [];
  for (const qp of QP_SWEEP) {
    options.log(`phone-qp: ?engine=auto&h264TargetQp=${qp}`);
    const saveOutputsTo = join(options.outDir, 'phone-qp-outputs', `qp-${qp}`);
    const r = await runApp({ baseUrl: `${options.baseUrl}?engine=auto&h264TargetQp=${qp}`, files, presets: ['mp4-h264-720p'], workers: options.workers, timeoutMs: 20 * 60_000, saveOutputsTo });
    // Job order is the page's: put each figure back in source order.
    const bySource = files.map((file) => r.jobs.find((job) => file.endsWith(`/${job.sourceName}`)));
    const psnr = await psnrOf(bySource.map((job) => job?.outputFile ?? null), files);
    runs.push({
      targetQp: qp,
      engines: bySource.map((job) => job?.engine ?? null),
      meanQp: bySource.map((job) => job?.meanQp ?? null),
      psnrDb: psnr,
      psnrVsX264Db: psnr.map((value, i) => (value !== null && x264Psnr[i] != null ? Number((value - (x264Psnr[i] ?? 0)).toFixed(2)) : null)),
      bytesVsX264: bySource.map((job, i) => (job?.outputBytes != null && x264Bytes[i] ? Number((job.outputBytes / (x264Bytes[i] ?? 1)).toFixed(3)) : null)),
      wallSec: r.wallSec,
      foreignCores: r.foreignCores,
      error: r.error,
    });
    options.log(`  → PSNR vs x264 ${JSON.stringify(runs.at(-1)?.['psnrVsX264Db'])} dB, bytes ${JSON.stringify(runs.at(-1)?.['bytesVsX264'])}×`);
  }
  return { sources: files.map((file) => file.split('/').at(-1)), x264PsnrDb: x264Psnr, x264Bytes, runs };
}
