/**
 * `npm run bench -- --part fit`: issue 17's two new shapes on phone-like footage. The phone
 * sources (45 s 1080p30 H.264 + AAC, cached in bench/out/phone) through `mp4-fit-10mb` and
 * `mp4-h264-1080p` on Auto (WebCodecs where it can), on ffmpeg.wasm only, and by native ffmpeg:
 * the preset's own arguments for 1080p, two-pass x264 at the size target's rate for Fit in
 * 10 MB (what a person would run natively). Wall time each, every output's size against the
 * target (none over, the mean fill), PSNR against the source.
 * Targets (2 cores): Auto ≥ 4× faster than ffmpeg-only on both; every Fit output ≤ the target
 * and ≥ 85 % of it; Auto's 1080p within 1.3× native's time.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runApp } from './browser';
import { runNative } from './native';
import { makePhoneSources } from './phone';
import { run } from './proc';
import { psnrAgainstSource } from './quality';

const TARGET_BYTES = 10_000_000;
const SECONDS = 45;
/** Native two-pass aims at 97 % of the target, as people are told to (the index and the swings take the rest). */
const NATIVE_AIM = 0.97;
const AUDIO_BITS = 128_000;

async function psnr(output: string | null, source: string): Promise<number | null> {
  return output ? Number((await psnrAgainstSource(output, source)).psnrDb.toFixed(2)) : null;
}

function sizes(bytes: readonly (number | null)[]): Record<string, unknown> {
  const known = bytes.filter((b): b is number => b !== null);
  return {
    outputBytes: bytes,
    over: known.filter((b) => b > TARGET_BYTES).length,
    meanFill: known.length ? Number((known.reduce((a, b) => a + b, 0) / known.length / TARGET_BYTES).toFixed(3)) : null,
    minFill: known.length ? Number((Math.min(...known) / TARGET_BYTES).toFixed(3)) : null,
  };
}

/** Native two-pass x264 at the target's rate, `concurrency` sources at once, each single-threaded. */
async function nativeTwoPass(sources: readonly string[], concurrency: number, outDir: string): Promise<{ wallSec: number; outputs: string[] }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const videoKbps = Math.floor(((TARGET_BYTES * NATIVE_AIM * 8) / SECONDS - AUDIO_BITS) / 1000);
  const outputs = sources.map((s) => join(outDir, `${basename(s, '.mp4')}-fit.mp4`));
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < sources.length) {
      const i = next++;
      const source = sources[i] ?? '';
      const output = outputs[i] ?? '';
      const common = ['-nostdin', '-y', '-threads', '1', '-i', source, '-vf', 'scale=-2:720', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', `${videoKbps}k`, '-threads', '1'];
      const log = join(outDir, `pass-${i}`);
      await run('ffmpeg', ['-v', 'error', ...common, '-pass', '1', '-passlogfile', log, '-an', '-f', 'null', '/dev/null']);
      await run('ffmpeg', ['-v', 'error', ...common, '-pass', '2', '-passlogfile', log, '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', output]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, lane));
  return { wallSec: (performance.now() - t0) / 1000, outputs };
}

export async function benchFit(options: { baseUrl: string; fixturesDir: string; outDir: string; sources: number; workers: number; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const { log } = options;
  log(`fit: making ${options.sources} × ${SECONDS} s 1080p30 H.264 sources (cached)`);
  const files = await makePhoneSources(options.fixturesDir, join(options.outDir, 'phone'), options.sources);
  const result: Record<string, unknown> = { sourceSeconds: SECONDS, sources: files.length, targetBytes: TARGET_BYTES };
  for (const preset of ['mp4-fit-10mb', 'mp4-h264-1080p'] as const) {
    const routes: Record<string, unknown> = {};
    for (const engine of ['auto', 'ffmpeg'] as const) {
      log(`fit: ffbatch ?engine=${engine}, ${files.length} × ${preset}, ${options.workers} workers`);
      const r = await runApp({ baseUrl: `${options.baseUrl}?engine=${engine}`, files, presets: [preset], workers: options.workers, timeoutMs: 60 * 60_000, saveOutputsTo: join(options.outDir, 'fit-outputs', `${preset}-${engine}`) });
      const sourceOf = (name: string): string => files.find((f) => f.endsWith(`/${name}`)) ?? '';
      const psnrDb: (number | null)[] = [];
      for (const j of r.jobs) psnrDb.push(await psnr(j.outputFile, sourceOf(j.sourceName)));
      routes[engine] = { wallSec: r.wallSec, engines: r.jobs.map((j) => j.engine), ...sizes(r.jobs.map((j) => j.outputBytes)), psnrDb, error: r.error, foreignCores: r.foreignCores };
      log(`  → ${r.wallSec.toFixed(1)} s, engines ${r.jobs.map((j) => j.engine).join(',')}${r.error ? `, ERROR ${r.error}` : ''}`);
    }
    log(`fit: native ffmpeg, ${preset}, ${options.workers} processes`);
    const native =
      preset === 'mp4-fit-10mb'
        ? await nativeTwoPass(files, options.workers, join(options.outDir, 'fit-native'))
        : await runNative(files.map((source) => ({ source, presetId: preset })), { concurrency: options.workers, threads: '1', outDir: join(options.outDir, 'fit-native-1080p') });
    const nativePsnr: (number | null)[] = [];
    for (const [i, output] of native.outputs.entries()) nativePsnr.push(await psnr(output, files[i] ?? ''));
    const auto = (routes['auto'] as { wallSec: number }).wallSec;
    const ffmpegOnly = (routes['ffmpeg'] as { wallSec: number }).wallSec;
    result[preset] = {
      routes,
      native: { wallSec: native.wallSec, kind: preset === 'mp4-fit-10mb' ? 'two-pass x264 veryfast 720p' : 'the preset arguments, -threads 1', ...sizes(native.outputs.map((o) => statSync(o).size)), psnrDb: nativePsnr },
      ratios: { autoSpeedupOverFfmpeg: ffmpegOnly / auto, autoOverNative: auto / native.wallSec },
    };
    log(`  → ${preset}: auto ${auto.toFixed(1)} s, ffmpeg-only ${ffmpegOnly.toFixed(1)} s, native ${native.wallSec.toFixed(1)} s`);
  }
  return result;
}
