/**
 * Auto's quality promise for the fast route's H.264 (ab-av1's `crf-search`, issue 19): before
 * the whole encode, two or three short samples from different parts of the source are encoded
 * by ffmpeg.wasm as the preset would (x264 CRF 23, the promise's yardstick) and by the fast
 * route at candidate bitrates (its trim), all scored against the source; the lowest bitrate
 * whose samples come within `PSNR_MARGIN_DB` of x264's at no more than `SIZE_FACTOR` × its bytes
 * is the one the whole file gets. Where no bitrate does, the job goes to ffmpeg.wasm with the
 * sentence `routeForQuality` makes.
 */
import type { Preset, PresetParts } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import type { QualityReport, WebCodecsTarget } from '../../workers/protocol';
import { psnrOfMse } from '../../workers/quality/frame-quality';
import { routeForQuality, searchRate, type Probe, type RateSearchResult } from '../../workers/quality/rate-search';
import { throwIfAborted } from '../shared/abort';
import type { EncodePlan, EncodeRunnerDeps } from './encode-plan';

/** The quality mark the built-in presets promise, and what it means against the ffmpeg route. */
export const DEFAULT_QUALITY_GOAL = { label: 'Good', marginDb: 1.0, sizeFactor: 1.5 } as const;

/** Sources shorter than this are encoded as planned: samples would be most of the file. */
export const MIN_SAMPLED_SOURCE_SEC = 10;
/**
 * The fast route's samples start this much earlier and are scored and weighed from the span's
 * start: OpenH264's rate control starts low, and a whole file is encoded in its stride.
 */
const PREROLL_SEC = 1;
/** Frames scored per sample. */
const SAMPLE_FRAMES = 8;
/** Sample bitrates are multiples of this (b/s). */
const RATE_QUANTUM = 10_000;
/**
 * The drift guard's slack over the chosen rate's sample QP: a window of the whole encode whose
 * mean QP rises more than this above what the samples held (about 0.5 dB a QP) raises the rate.
 */
export const DRIFT_MARGIN_QP = 1;

export interface SampleSpan {
  start: number;
  duration: number;
}

/**
 * Where the samples are: two (three from 30 s) spans centred in equal parts of the file, a
 * twentieth of it each but 2–3 s (the yardstick's x264 runs in wasm, ~5 s a second of 1080p
 * here; and 1 s samples misjudge the fast route: OpenH264's rate control starts low, −2.5 dB
 * on 1 s where 2 s samples and the whole file agree within 0.5 dB); null when the file is too short.
 */
export function sampleSpans(durationSec: number | null): SampleSpan[] | null {
  if (durationSec === null || !(durationSec >= MIN_SAMPLED_SOURCE_SEC)) return null;
  const count = durationSec >= 30 ? 3 : 2;
  const duration = Math.round(Math.min(3, Math.max(2, durationSec / 20)) * 1000) / 1000;
  return Array.from({ length: count }, (_, i) => {
    const centre = ((i + 0.5) * durationSec) / count;
    return { start: Math.round((centre - duration / 2) * 1000) / 1000, duration };
  });
}

/** ffmpeg's arguments for the ffmpeg route's encode of every span (picture only) in one run: outputs `names[i]`. */
export function referenceSampleArgs(parts: PresetParts, input: string, spans: readonly SampleSpan[], outputs: readonly string[]): string[] {
  const args = ['-hide_banner', '-v', 'error'];
  spans.forEach(({ start, duration }) => args.push('-ss', start.toFixed(3), '-t', duration.toFixed(3), '-i', input));
  spans.forEach((_, i) => {
    // Frames as they come: a cfr output may repeat the first (ffmpeg.wasm did here), and samples are paired frame by frame.
    args.push('-map', `${i}:v:0`, ...(parts.filters ? ['-vf', parts.filters] : []), ...parts.video, '-fps_mode', 'passthrough', '-an', ...parts.mux, outputs[i] as string);
  });
  return args;
}

/** Several samples' scores as one: their errors averaged frame by frame, the dB last (as one run over all their frames). */
export function combinedPsnr(reports: readonly Pick<QualityReport, 'score'>[]): number | null {
  let mse = 0;
  let frames = 0;
  for (const { score } of reports) {
    if (!score || score.frames === 0) return null;
    mse += (score.psnr === Infinity ? 0 : (255 * 255) / 10 ** (score.psnr / 10)) * score.frames;
    frames += score.frames;
  }
  return frames > 0 ? psnrOfMse(mse / frames) : null;
}

export type QualityPromise =
  /**
   * Encode the whole file at this bitrate (the samples measured this one, not a QP); `guard`: the
   * drift guard (the samples' mean QP at this rate plus `DRIFT_MARGIN_QP`; the rate the size cap
   * leaves room for), when the samples' QP was read.
   */
  | { engine: 'webcodecs'; videoBitrate: number; guard?: QualityGuard }
  | { engine: 'ffmpeg'; reason: string }
  /** Nothing measured (a short source, a sample that failed): encode as planned. */
  | { engine: 'as-planned'; why: string };

type QualityGuard = NonNullable<WebCodecsTarget['qualityGuard']>;

type PromiseDeps = Pick<EncodeRunnerDeps, 'pool'>;

/**
 * Measures and decides; the log says each sample's figures. Run inside the fast route's gate
 * (its sample encodes are fast-route encodes).
 */
export async function keepQualityPromise(deps: PromiseDeps, plan: Pick<EncodePlan, 'info' | 'preset' | 'input' | 'source' | 'context' | 'scratchFolder'>, target: WebCodecsTarget): Promise<QualityPromise> {
  const { info, preset, context } = plan;
  const { signal } = context;
  const log = (line: string): void => context.onLog([`[ffbatch] ${line}`]);
  // The samples' spans, the yardstick's arguments and the scorer know no edits yet.
  if (target.edits && Object.keys(target.edits).length > 0) return { engine: 'as-planned', why: 'the job has edits (trim, crop, turn or sound track); encoded as planned' };
  const spans = sampleSpans(info.durationSec);
  if (!spans) return { engine: 'as-planned', why: `the source is under ${MIN_SAMPLED_SOURCE_SEC} s; encoded as planned` };
  const webcodecsEncode = deps.pool.webcodecsEncode?.bind(deps.pool);
  const scoreQuality = deps.pool.scoreQuality?.bind(deps.pool);
  const parts = preset.parts?.(info);
  const video = info.video;
  if (!webcodecsEncode || !scoreQuality || !parts || !video) return { engine: 'as-planned', why: 'no scoring or sample encodes here' };
  const fps = video.fps ?? 30;
  const started = performance.now();
  log(`Quality samples: ${spans.length} × ${spans[0]?.duration ?? 0} s at ${spans.map((s) => `${s.start.toFixed(1)} s`).join(', ')}, against the ffmpeg route's x264 CRF 23.`);

  /** A sample scored over its span: `lead` seconds of it (a pre-roll) are left out. */
  const score = async (output: Blob, name: string, span: SampleSpan, lead: number): Promise<QualityReport> => {
    const report = await scoreQuality(
      {
        output: { name, data: output },
        source: plan.input,
        width: target.width,
        height: target.height,
        fps,
        frameCount: Math.ceil(span.duration * fps) + 2,
        sourceStartSec: span.start,
        ...(lead > 0 ? { outputStartSec: lead } : {}),
        frames: SAMPLE_FRAMES,
      },
      signal,
    );
    context.onLog(report.log.map((line) => `[quality] ${name}: ${line}`));
    return report;
  };

  // The fast route's samples at a rate, scored (the first rate starts beside the yardstick's run).
  const measureAt = async (rate: number): Promise<{ psnr: number | null; bytes: number; meanQp: number | null }> => {
    const outputs: Blob[] = [];
    const leads: number[] = [];
    let qpSum = 0;
    let qpFrames = 0;
    let qpUnread = false;
    for (const [i, span] of spans.entries()) {
      const from = Math.max(0, span.start - PREROLL_SEC);
      leads.push(span.start - from);
      const scratchFolder = plan.scratchFolder();
      if (!scratchFolder) throw new Error('no OPFS scratch for the samples');
      const result = await webcodecsEncode(
        {
          input: plan.source.file,
          target: { ...atFixedRate(target, rate), videoOnly: true, edits: { ...target.edits, trim: { start: from, end: span.start + span.duration } } },
          output: `sample-${i}.${preset.extension}`,
          scratchFolder,
        },
        () => {},
        () => {},
        signal,
      );
      outputs.push(result.output);
      if (result.meanQp === undefined) qpUnread = true;
      else {
        qpSum += result.meanQp * result.videoFrames;
        qpFrames += result.videoFrames;
      }
    }
    const reports = await Promise.all(outputs.map((o, i) => score(o, `sample-${i}.${preset.extension}`, spans[i] as SampleSpan, leads[i] ?? 0)));
    // One sample unread: no QP for the rate (the guard then stays off).
    const meanQp = !qpUnread && qpFrames > 0 ? qpSum / qpFrames : null;
    return { psnr: combinedPsnr(reports), bytes: reports.reduce((sum, r, i) => sum + (r.scoredBytes ?? outputs[i]?.size ?? 0), 0), meanQp };
  };
  const startRate = Math.round(target.videoBitrate / RATE_QUANTUM) * RATE_QUANTUM;
  const first = measureAt(startRate);
  // A failure here is seen where it is awaited.
  first.catch(() => {});

  // The yardstick: the ffmpeg route's own encode of the same spans, one run.
  const names = spans.map((_, i) => `reference-${i}.${preset.extension}`);
  const folder = plan.scratchFolder();
  const run = await deps.pool.run(
    {
      inputs: [plan.input],
      args: referenceSampleArgs(parts, `/in/${plan.input.name}`, spans, names.map((n) => `/out/${n}`)),
      outputs: names,
      ...(folder ? { scratchFolder: folder } : {}),
    },
    () => {},
    signal,
  );
  throwIfAborted(signal);
  const references = run.outputs;
  if (run.exitCode !== 0 || references.some((r) => !r || r.size === 0)) return { engine: 'as-planned', why: 'the ffmpeg route could not encode the quality samples' };
  const referenceReports = await Promise.all(references.map((r, i) => score(r as Blob, names[i] as string, spans[i] as SampleSpan, 0)));
  const referencePsnr = combinedPsnr(referenceReports);
  const referenceBytes = referenceReports.reduce((sum, r, i) => sum + (r.scoredBytes ?? references[i]?.size ?? 0), 0);
  if (referencePsnr === null) return { engine: 'as-planned', why: 'the ffmpeg route’s quality samples could not be scored' };
  const goal = DEFAULT_QUALITY_GOAL;
  const targetPsnr = referencePsnr - goal.marginDb;
  const maxBytes = referenceBytes * goal.sizeFactor;
  log(`Quality samples, ffmpeg route: ${referencePsnr.toFixed(2)} dB, ${Math.round((referenceBytes * 8) / 1000 / spans.reduce((sum, span) => sum + span.duration, 0))} kb/s; target ${targetPsnr.toFixed(2)} dB within ${goal.sizeFactor}× the bytes.`);

  let failed: string | null = null;
  /** The samples' mean QP at each rate tried (for the drift guard); the search keeps their bytes. */
  const qpAt = new Map<number, number | null>();
  const encodeSample = async (rate: number): Promise<{ score: number; bytes: number }> => {
    const { psnr, bytes, meanQp } = await (rate === startRate ? first : measureAt(rate));
    qpAt.set(rate, meanQp);
    if (psnr === null) {
      failed = 'a fast-route sample could not be scored';
      return { score: -Infinity, bytes };
    }
    log(`Quality sample, fast route at ${Math.round(rate / 1000)} kb/s: ${psnr.toFixed(2)} dB (${(psnr - referencePsnr).toFixed(2)} dB), ${(bytes / referenceBytes).toFixed(2)}× the bytes.`);
    return { score: psnr, bytes };
  };

  let result: RateSearchResult;
  try {
    result = await searchRate({ target: targetPsnr, minRate: Math.round(startRate * 0.4), maxRate: startRate * 4, startRate, maxBytes, precision: 1.25, maxProbes: 3, quantum: RATE_QUANTUM, encodeSample, signal });
  } catch (error) {
    throwIfAborted(signal);
    return { engine: 'as-planned', why: `the quality samples failed (${error instanceof Error ? error.message : String(error)})` };
  }
  if (failed) return { engine: 'as-planned', why: failed };
  const took = `${((performance.now() - started) / 1000).toFixed(1)} s of samples`;
  const route = routeForQuality(result, goal);
  if (route.engine === 'ffmpeg') {
    log(`Quality: ${route.reason} (best sample ${describeProbe(bestOf(result), referencePsnr, referenceBytes)}; ${took}).`);
    return route;
  }
  const guard = result.kind === 'found' ? qualityGuard(route.rate, { meanQp: qpAt.get(route.rate) ?? null, bytes: result.bytes }, maxBytes) : null;
  const guarded = guard ? `; the whole encode's QP guarded at ${guard.qpCeiling.toFixed(2)}, up to ${Math.round(guard.maxBitrate / 1000)} kb/s` : '';
  log(`Quality: the fast route keeps the promise at ${Math.round(route.rate / 1000)} kb/s (${took}${guarded}).`);
  return { engine: 'webcodecs', videoBitrate: route.rate, ...(guard ? { guard } : {}) };
}

/**
 * The drift guard for the whole encode at `rate`: a QP ceiling `DRIFT_MARGIN_QP` over the
 * samples' mean QP, and the highest rate whose samples would still fit the size cap (with a
 * tenth to spare: the samples flatter the fast route's bytes). Null when their QP was not read.
 */
export function qualityGuard(rate: number, samples: { meanQp: number | null; bytes: number } | undefined, maxBytes: number): QualityGuard | null {
  if (!samples || samples.meanQp === null || !(samples.bytes > 0)) return null;
  const room = (0.9 * maxBytes) / samples.bytes;
  return { qpCeiling: Math.round((samples.meanQp + DRIFT_MARGIN_QP) * 100) / 100, maxBitrate: Math.round(rate * Math.max(1, room)) };
}

/** The target at a fixed bitrate: no steering to a QP (the samples measured this rate, not a QP); with `guard`, the drift guard's. */
export function atFixedRate(target: WebCodecsTarget, videoBitrate: number, guard?: QualityGuard): WebCodecsTarget {
  const fixed = { ...target, videoBitrate };
  delete fixed.targetQp;
  delete fixed.qualityGuard;
  return guard ? { ...fixed, qualityGuard: guard } : fixed;
}

function bestOf(result: RateSearchResult): Probe | null {
  return result.kind === 'found' ? { rate: result.rate, score: result.score, bytes: result.bytes } : result.best;
}

function describeProbe(probe: Probe | null, referencePsnr: number, referenceBytes: number): string {
  if (!probe) return 'none';
  return `${Math.round(probe.rate / 1000)} kb/s, ${(probe.score - referencePsnr).toFixed(2)} dB, ${(probe.bytes / referenceBytes).toFixed(2)}× the bytes`;
}

/** Whether Auto measures before it encodes: the built-in H.264 presets on the fast route, unless a knob fixes the QP. */
export function promisesQuality(preset: Pick<Preset, 'id'>, target: WebCodecsTarget, info: SourceInfo, knobs: { h264TargetQp?: number; qualitySamples?: boolean }): boolean {
  if (knobs.qualitySamples === false || knobs.h264TargetQp !== undefined) return false;
  return target.targetQp !== undefined && !preset.id.startsWith('custom-') && info.video !== null;
}
