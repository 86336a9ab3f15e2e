/**
 * Output spec → WebCodecs plan (codec, size, rate or quantizer, sound), or the reason in a
 * few words why the fast route cannot make it. The router asks this; the worker needs no
 * preset table of its own. Pure.
 */
import { AUDIO_DEFAULT_BITRATE, outputFps, specSizeBudget, videoSize } from './ffmpeg-compile';
import { AV1_QUANTIZER, H264_TARGET_QPS, QUALITY_BITS, VP9_QUANTIZER, type OutputSpec, type QualityLevel } from './output-spec';
import type { SourceInfo } from './source-info';
import { webCodecsVideoBitrate } from './webcodecs-bitrate';

export type PlanVideoCodec = 'avc' | 'vp9' | 'av1';

export interface WebCodecsVideoPlan {
  codec: PlanVideoCodec;
  /** Output size as shown (after rotation). */
  width: number;
  height: number;
  /** Frames thinned to at most this rate; null: every frame kept. */
  maxFps: number | null;
  /** Bits per second to start at (steered H.264) or to hold (the others, and where quantizer mode is refused). */
  bitrate: number;
  /** H.264: the mean QP the bitrate is steered to; absent: the bitrate stays (or follows the size budget). */
  targetQp?: number;
  /** VP9/AV1: `bitrateMode: 'quantizer'` at this quantizer (0–63) where the browser takes it. */
  quantizer?: number;
  /** A size target: never more than `maxBytes`; the picture's share steered to `videoBitrate` on average. */
  sizeBudget?: { maxBytes: number; videoBitrate: number; audioBytes: number };
}

export interface WebCodecsAudioPlan {
  codec: 'aac' | 'opus';
  bitrate: number;
  /** Downmixed to at most this many channels. */
  channels: 1 | 2;
  /** Resampled to this rate; absent: Opus at 48 kHz, AAC at the source's rate where AAC has it. */
  sampleRate?: number;
}

/** What the worker's WebCodecs route makes for one source. */
export interface WebCodecsSpecPlan {
  container: 'mp4' | 'webm';
  video: WebCodecsVideoPlan;
  /** Null when the source has no sound or the spec leaves it out. */
  audio: WebCodecsAudioPlan | null;
}

export type WebCodecsCompiled = { ok: true; plan: WebCodecsSpecPlan } | { ok: false; reason: string };

const AUDIO_ONLY_NAMES: Readonly<Record<string, string>> = { mp3: 'MP3', m4a: 'M4A', opus: 'Opus', flac: 'FLAC', wav: 'WAV' };
const FFMPEG_ONLY_VIDEO: Readonly<Record<string, string>> = {
  flv1: 'FLV1 preset is ffmpeg-only',
  mpeg4: 'MPEG-4 Part 2 preset is ffmpeg-only',
  gif: 'GIF preset is ffmpeg-only',
  hevc: "HEVC isn't encoded by the fast route",
};

export interface WebCodecsCompileOptions {
  /** Overrides the H.264 target QP of every quality level (the `?h264TargetQp=` benchmark knob). */
  h264TargetQp?: number;
}

/** AV1 has no measured reference on this route yet: VP9's rate, a little lower, as AV1 needs fewer bits. */
const AV1_OF_VP9 = 0.8;

function startBitrate(codec: PlanVideoCodec, width: number, height: number, fps: number | null, level: QualityLevel): number {
  const base = codec === 'av1' ? webCodecsVideoBitrate('vp9', width, height, fps) * AV1_OF_VP9 : webCodecsVideoBitrate(codec, width, height, fps);
  return Math.round((base * QUALITY_BITS[level]) / 1000) * 1000;
}

/**
 * Plans a WebCodecs encode of `spec` for `source`, or says why this route cannot. What the
 * browser can do (decode, encode at this size) is asked separately, by the router.
 *
 * @example
 * ```ts
 * const planned = compileWebCodecs(presetById('mp4-h264-720p').spec, info);
 * if (planned.ok) planned.plan.video; // { codec: 'avc', width: 1280, height: 720, bitrate: 1_250_000, targetQp: 26.3, … }
 * else console.log(planned.reason); // "GIF preset is ffmpeg-only"
 * ```
 */
export function compileWebCodecs(spec: OutputSpec, source: SourceInfo, options: WebCodecsCompileOptions = {}): WebCodecsCompiled {
  const no = (reason: string): WebCodecsCompiled => ({ ok: false, reason });
  if (spec.video === null) return no(`${AUDIO_ONLY_NAMES[spec.container] ?? spec.container} preset is ffmpeg-only`);
  if (spec.video === 'copy') return no('remux copies streams with ffmpeg');
  const video = spec.video;
  const fixed = FFMPEG_ONLY_VIDEO[video.codec];
  if (fixed) return no(fixed);
  if (video.exactSize || video.fps !== undefined) return no('fixed size and rate presets are ffmpeg-only');
  if (spec.container !== 'mp4' && spec.container !== 'webm') return no(`${spec.container.toUpperCase()} is written by ffmpeg only`);
  // A source without video fails the preset with its own sentence on ffmpeg.wasm.
  if (!source.video) return no('no video track');
  const codec: PlanVideoCodec = video.codec === 'h264' ? 'avc' : video.codec === 'vp9' ? 'vp9' : 'av1';

  let audio: WebCodecsAudioPlan | null = null;
  if (source.audio && spec.audio !== null) {
    if (spec.audio === 'copy') return no('copied sound is ffmpeg-only');
    const audioCodec = spec.audio.codec;
    if (audioCodec !== 'aac' && audioCodec !== 'opus') return no(`${audioCodec.toUpperCase()} sound isn't encoded by the fast route`);
    audio = {
      codec: audioCodec,
      bitrate: spec.audio.bitrate ?? AUDIO_DEFAULT_BITRATE[audioCodec],
      channels: spec.audio.channels ?? 2,
      ...(spec.audio.sampleRate !== undefined ? { sampleRate: spec.audio.sampleRate } : {}),
    };
  }

  const { width, height } = videoSize(video, source.video);
  const maxFps = outputFps(video, source.video);
  const fps = maxFps ?? source.video.fps;
  const rate = video.rate;
  const plan = (rest: Omit<WebCodecsVideoPlan, 'codec' | 'width' | 'height' | 'maxFps'>): WebCodecsCompiled => ({
    ok: true,
    plan: { container: spec.container as 'mp4' | 'webm', video: { codec, width, height, maxFps, ...rest }, audio },
  });
  if (!rate || rate.kind === 'quality') {
    const level = rate?.level ?? 3;
    const bitrate = startBitrate(codec, width, height, fps, level);
    if (codec === 'avc') return plan({ bitrate, targetQp: options.h264TargetQp ?? H264_TARGET_QPS[level] });
    return plan({ bitrate, quantizer: (codec === 'vp9' ? VP9_QUANTIZER : AV1_QUANTIZER)[level] });
  }
  if (rate.kind === 'bitrate') return plan({ bitrate: rate.bitsPerSecond });
  const budget = specSizeBudget(spec, source);
  if (!budget) return no('no size to plan');
  if (!budget.ok) return no(budget.reason);
  const sizeBudget = { maxBytes: rate.bytes, videoBitrate: budget.videoBitrate, audioBytes: budget.audioBytes };
  // With a quality cap, H.264 is steered to the cap's QP but never above the budget's rate.
  if (codec === 'avc' && rate.cap !== undefined) return plan({ bitrate: budget.videoBitrate, targetQp: options.h264TargetQp ?? H264_TARGET_QPS[rate.cap], sizeBudget });
  return plan({ bitrate: budget.videoBitrate, sizeBudget });
}
