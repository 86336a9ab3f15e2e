/**
 * What a WebCodecs target asks of the browser's codecs: the target checked at the boundary, the
 * encoder configuration for a size and rate, the output's sound rate, and the error that says
 * why the fast route cannot make an output. Shared by the probe and the transcode.
 */
import type { WebCodecsTarget } from '../protocol';

/** Why the route cannot make this output; the caller falls back to ffmpeg.wasm with `message`. */
export class WebCodecsUnsupportedError extends Error {
  override name = 'WebCodecsUnsupportedError';
}

/** The codecs and sound of a checked target. */
export interface TargetCodecs {
  container: 'mp4' | 'webm';
  video: 'avc' | 'vp9' | 'av1';
  /** Null: the source's sound is left out. */
  audio: 'aac' | 'opus' | null;
  audioBitrate: number;
  channels: 1 | 2;
  sampleRate: number | null;
}

export const VIDEO_NAMES = { avc: 'H.264', vp9: 'VP9', av1: 'AV1' } as const;

/** AAC sample rates the ffmpeg route keeps as they are (ffmpeg's native AAC encoder's list). */
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000];

/** Checks what a target asks (it crossed a worker boundary), with errors that name the field. */
export function checkTarget(target: WebCodecsTarget): TargetCodecs {
  if (target.container !== 'mp4' && target.container !== 'webm') throw new TypeError(`target.container must be mp4 or webm; got "${String(target.container)}".`);
  if (!['avc', 'vp9', 'av1'].includes(target.video)) throw new TypeError(`target.video must be avc, vp9 or av1; got "${String(target.video)}".`);
  for (const field of ['width', 'height'] as const) {
    const n = target[field];
    if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) throw new TypeError(`target.${field} must be a positive even integer; got ${n}.`);
  }
  if (!(target.videoBitrate > 0)) throw new TypeError(`target.videoBitrate must be positive; got ${target.videoBitrate}.`);
  const guard = target.qualityGuard;
  if (guard !== undefined) {
    if (!(guard.qpCeiling >= 0 && guard.qpCeiling <= 51)) throw new TypeError(`target.qualityGuard.qpCeiling must be an H.264 QP (0–51); got ${guard.qpCeiling}.`);
    if (!(guard.maxBitrate >= target.videoBitrate)) throw new TypeError(`target.qualityGuard.maxBitrate must be at least target.videoBitrate; got ${guard.maxBitrate}.`);
  }
  const audio = target.audio;
  return {
    container: target.container,
    video: target.video,
    audio: audio?.codec ?? null,
    audioBitrate: audio?.bitrate ?? 0,
    channels: audio?.channels ?? 2,
    sampleRate: audio?.sampleRate ?? null,
  };
}

/** The output's sample rate as the ffmpeg route has it: the target's; else Opus at 48 kHz, AAC at the source's rate where AAC has it. */
export function outputRate(codecs: TargetCodecs, sourceRate: number): number {
  if (codecs.sampleRate !== null) return codecs.sampleRate;
  return codecs.audio === 'opus' ? 48000 : AAC_RATES.includes(sourceRate) ? sourceRate : 48000;
}

/** H.264 level for the pixel rate: level_idc in hex, as the avc1 string spells it. */
function avcCodecString(width: number, height: number, fps: number): string {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const perSecond = macroblocks * Math.max(fps, 1);
  const levels: [number, number, number][] = [
    // [level_idc, max frame size in MBs, max MBs per second]
    [0x1f, 3600, 108000],
    [0x20, 5120, 216000],
    [0x28, 8192, 245760],
    [0x2a, 8704, 522240],
    [0x32, 22080, 589824],
    [0x33, 36864, 983040],
    [0x34, 36864, 2073600],
  ];
  const level = levels.find(([, frame, rate]) => macroblocks <= frame && perSecond <= rate)?.[0] ?? 0x34;
  // High profile: OpenH264 writes what it can (Constrained Baseline); the string only sets the level.
  return `avc1.6400${level.toString(16).padStart(2, '0')}`;
}

/** AV1 Main, 8-bit, the level for the frame size (seq_level_idx: 3.0 up to 720p-ish, 4.0 to 1080p, 5.0 above). */
function av1CodecString(width: number, height: number): string {
  const pixels = width * height;
  const level = pixels <= 665_856 ? '04' : pixels <= 2_359_296 ? '08' : '12';
  return `av01.0.${level}M.08`;
}

/** The encoder's configuration at the coded size: a variable bitrate, or VP9/AV1 quantizer mode. */
export function videoEncoderConfig(codecs: TargetCodecs, width: number, height: number, fps: number, bitrate: number, quantizer = false): VideoEncoderConfig {
  return {
    codec: codecs.video === 'avc' ? avcCodecString(width, height, fps) : codecs.video === 'av1' ? av1CodecString(width, height) : 'vp09.00.40.08',
    width,
    height,
    ...(quantizer ? { bitrateMode: 'quantizer' as const } : { bitrate, bitrateMode: 'variable' as const }),
    framerate: fps,
    latencyMode: 'quality',
    ...(codecs.video === 'avc' ? { avc: { format: 'avc' as const } } : {}),
  };
}

/** The frames are encoded as stored; the rotation goes into the output's metadata instead. */
export function withoutOrientation(config: VideoDecoderConfig): VideoDecoderConfig {
  const plain: VideoDecoderConfig & { rotation?: number; flip?: boolean } = { ...config };
  delete plain.rotation;
  delete plain.flip;
  return plain;
}
