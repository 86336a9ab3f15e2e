/**
 * What a preset is, said once: an output spec. Both engines compile from it
 * (ffmpeg-compile.ts → ffmpeg arguments; webcodecs-compile.ts → a WebCodecs plan or the
 * reason why not). Pure: types, the check at the boundary, the quality marks.
 */

/**
 * Containers a spec can write; ffmpeg's muxer for each is in `CONTAINER_MUXERS`.
 *
 * @example
 * ```ts
 * const container: SpecContainer = 'm4a';
 * ```
 */
export type SpecContainer = 'mp4' | 'webm' | 'flv' | 'gif' | 'mp3' | 'm4a' | 'opus' | 'flac' | 'wav';
/**
 * Video codecs a spec can ask for (ffmpeg's names; `gif` is GIF's own).
 *
 * @example
 * ```ts
 * const codec: SpecVideoCodec = 'av1';
 * ```
 */
export type SpecVideoCodec = 'h264' | 'hevc' | 'vp9' | 'av1' | 'gif' | 'flv1' | 'mpeg4';
/**
 * Sound codecs a spec can ask for (`pcm`: 16-bit WAV).
 *
 * @example
 * ```ts
 * const codec: SpecAudioCodec = 'opus';
 * ```
 */
export type SpecAudioCodec = 'aac' | 'opus' | 'mp3' | 'flac' | 'pcm';

/**
 * 1 smallest … 5 best; 3 is the built-ins' level (x264 CRF 23, VP9 CRF 33, fast-route H.264 QP 26.3).
 *
 * @example
 * ```ts
 * const rate = { kind: 'quality', level: 4 satisfies QualityLevel } as const;
 * ```
 */
export type QualityLevel = 1 | 2 | 3 | 4 | 5;

/**
 * How the video's bits are chosen: a perceived quality level; a whole-file size in bytes
 * (never more, with an optional quality above which no bits are spent); or a fixed bitrate.
 *
 * @example
 * ```ts
 * const fit: VideoRate = { kind: 'size', bytes: 25_000_000 };
 * ```
 */
export type VideoRate =
  | { kind: 'quality'; level: QualityLevel }
  | { kind: 'size'; bytes: number; cap?: QualityLevel }
  | { kind: 'bitrate'; bitsPerSecond: number };

/**
 * The picture of an output spec.
 *
 * @example
 * ```ts
 * const video: VideoSpec = { codec: 'h264', maxHeight: 1080, maxFps: 30, rate: { kind: 'quality', level: 3 } };
 * ```
 */
export interface VideoSpec {
  codec: SpecVideoCodec;
  /** The largest size, shown lines high and/or pixels wide; the aspect ratio is kept, never upscaled. */
  maxHeight?: number;
  maxWidth?: number;
  /** Both sides fixed, aspect ratio not kept (the 2010 recipe's `-s`). */
  exactSize?: { width: number; height: number };
  /** Frames per second at most: a faster source is thinned to this rate. */
  maxFps?: number;
  /** A steady rate, gaps filled and extra frames dropped (the recipe's `-r 25`). */
  fps?: number;
  /** Required for every codec but GIF (which has no rate control). */
  rate?: VideoRate;
  /**
   * The 2010 recipe's video words as ffmpeg 5.1 spells them, used verbatim in place of the
   * compiled codec, rate and size words (the two recipe built-ins only: `checkOutputSpec` refuses it).
   */
  recipeWords?: readonly string[];
}

/**
 * The sound of an output spec.
 *
 * @example
 * ```ts
 * const audio: AudioSpec = { codec: 'aac', bitrate: 96_000, channels: 1 };
 * ```
 */
export interface AudioSpec {
  codec: SpecAudioCodec;
  /** Bits per second; absent: the codec's default (MP3: LAME VBR quality 2; AAC 128 kb/s; Opus 96 kb/s). */
  bitrate?: number;
  /** At most this many channels (a source with more is downmixed); absent: as the encoder takes them. */
  channels?: 1 | 2;
  sampleRate?: number;
}

/**
 * One output recipe. `video`/`audio`: encoded as said, `'copy'` (the source's stream as it
 * is), or null (left out).
 *
 * @example
 * ```ts
 * const spec: OutputSpec = {
 *   container: 'mp4',
 *   video: { codec: 'h264', maxHeight: 1080, rate: { kind: 'quality', level: 3 } },
 *   audio: { codec: 'aac', bitrate: 128_000, channels: 2 },
 *   faststart: true,
 * };
 * ```
 */
export interface OutputSpec {
  container: SpecContainer;
  video: VideoSpec | 'copy' | null;
  audio: AudioSpec | 'copy' | null;
  /** MP4/M4A: the index first, so players start before the whole file is there. */
  faststart?: boolean;
}

export const CONTAINER_MUXERS: Readonly<Record<SpecContainer, string>> = {
  mp4: 'mp4',
  webm: 'webm',
  flv: 'flv',
  gif: 'gif',
  mp3: 'mp3',
  m4a: 'ipod',
  opus: 'opus',
  flac: 'flac',
  wav: 'wav',
};

export const CONTAINER_MIME: Readonly<Record<SpecContainer, string>> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  flv: 'video/x-flv',
  gif: 'image/gif',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
};

/** What each container holds: its video codecs (empty: audio only) and audio codecs (empty: none). */
const CONTAINER_CODECS: Readonly<Record<SpecContainer, { video: readonly SpecVideoCodec[]; audio: readonly SpecAudioCodec[] }>> = {
  mp4: { video: ['h264', 'hevc', 'av1', 'mpeg4'], audio: ['aac', 'mp3', 'opus'] },
  webm: { video: ['vp9', 'av1'], audio: ['opus'] },
  flv: { video: ['flv1', 'h264'], audio: ['mp3', 'aac'] },
  gif: { video: ['gif'], audio: [] },
  mp3: { video: [], audio: ['mp3'] },
  m4a: { video: [], audio: ['aac'] },
  opus: { video: [], audio: ['opus'] },
  flac: { video: [], audio: ['flac'] },
  wav: { video: [], audio: ['pcm'] },
};

/** Containers a stream may be copied into (the MP4 muxer's list is checked per source). */
const COPY_CONTAINERS: readonly SpecContainer[] = ['mp4'];

export function isAudioOnly(spec: Pick<OutputSpec, 'container'>): boolean {
  return CONTAINER_CODECS[spec.container].video.length === 0;
}

/**
 * The quality marks, one perceived level on every engine. Level 3 is what the built-ins
 * always used (measured in webcodecs-bitrate.ts); the steps around it follow each
 * encoder's own scale (about 4 x264 CRF or 6 H.264 QP per halving of bits) and are not
 * measured one by one.
 *
 * @example
 * ```ts
 * slider.title = QUALITY_MARKS[3]; // "good"
 * ```
 */
export const QUALITY_MARKS: Readonly<Record<QualityLevel, string>> = {
  1: 'smallest',
  2: 'small',
  3: 'good',
  4: 'high',
  5: 'best',
};
export const X264_CRF: Readonly<Record<QualityLevel, number>> = { 1: 31, 2: 27, 3: 23, 4: 20, 5: 17 };
/** x265's CRF 28 is its x264-CRF-23 look. */
export const X265_CRF: Readonly<Record<QualityLevel, number>> = { 1: 36, 2: 32, 3: 28, 4: 25, 5: 22 };
export const VP9_CRF: Readonly<Record<QualityLevel, number>> = { 1: 45, 2: 39, 3: 33, 4: 28, 5: 23 };
/** libaom's CRF (native ffmpeg only: the core has no AV1 encoder). */
export const AV1_CRF: Readonly<Record<QualityLevel, number>> = { 1: 44, 2: 38, 3: 32, 4: 27, 5: 22 };
/** The mean QP the fast route steers OpenH264 to (3 = H264_TARGET_QP). */
export const H264_TARGET_QPS: Readonly<Record<QualityLevel, number>> = { 1: 34, 2: 30, 3: 26.3, 4: 23, 5: 20 };
/** WebCodecs `bitrateMode: 'quantizer'` (0–63) for VP9 and AV1, pinned to libvpx's CRF scale. */
export const VP9_QUANTIZER: Readonly<Record<QualityLevel, number>> = { 1: 45, 2: 39, 3: 33, 4: 28, 5: 23 };
export const AV1_QUANTIZER: Readonly<Record<QualityLevel, number>> = { 1: 44, 2: 38, 3: 32, 4: 27, 5: 22 };
/** Bits at a level against level 3's, for rate guesses (start bitrates, size estimates). */
export const QUALITY_BITS: Readonly<Record<QualityLevel, number>> = { 1: 0.4, 2: 0.63, 3: 1, 4: 1.4, 5: 2 };

const VIDEO_CODECS: readonly SpecVideoCodec[] = ['h264', 'hevc', 'vp9', 'av1', 'gif', 'flv1', 'mpeg4'];
const AUDIO_CODECS: readonly SpecAudioCodec[] = ['aac', 'opus', 'mp3', 'flac', 'pcm'];
const SAMPLE_RATES: readonly number[] = [8000, 16000, 22050, 24000, 32000, 44100, 48000];
const CONTAINERS = Object.keys(CONTAINER_CODECS) as SpecContainer[];
/** One byte under this cannot hold a picture worth sending; above this no chat or mail takes it. */
const MIN_TARGET_BYTES = 100_000;
const MAX_TARGET_BYTES = 100_000_000_000;

function fail(field: string, want: string, got: unknown): never {
  throw new TypeError(`${field} must be ${want}; got ${typeof got === 'string' ? `"${got}"` : JSON.stringify(got) ?? String(got)}.`);
}

/** Every field a spec's parts may have, not yet checked. */
interface Unchecked {
  container?: unknown; video?: unknown; audio?: unknown; faststart?: unknown;
  codec?: unknown; maxHeight?: unknown; maxWidth?: unknown; exactSize?: unknown; maxFps?: unknown; fps?: unknown; rate?: unknown;
  kind?: unknown; level?: unknown; bytes?: unknown; cap?: unknown; bitsPerSecond?: unknown;
  bitrate?: unknown; channels?: unknown; sampleRate?: unknown;
}

function record(value: unknown, field: string): Unchecked {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'an object', value);
  return value;
}

function onlyKeys(value: Unchecked, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new TypeError(`${field}.${key} is not a field of an output spec (${field} takes ${keys.join(', ')}).`);
  }
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(field, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `a whole number from ${min} to ${max}`, value);
  return value;
}

function optional<T>(value: Unchecked, key: keyof Unchecked, read: (v: unknown) => T): T | undefined {
  return value[key] === undefined ? undefined : read(value[key]);
}

function checkRate(value: unknown, field: string): VideoRate {
  const rate = record(value, field);
  const kind = oneOf(rate.kind, `${field}.kind`, ['quality', 'size', 'bitrate'] as const);
  if (kind === 'quality') {
    onlyKeys(rate, field, ['kind', 'level']);
    return { kind, level: integer(rate.level, `${field}.level`, 1, 5) as QualityLevel };
  }
  if (kind === 'size') {
    onlyKeys(rate, field, ['kind', 'bytes', 'cap']);
    const cap = optional(rate, 'cap', (v) => integer(v, `${field}.cap`, 1, 5) as QualityLevel);
    return { kind, bytes: integer(rate.bytes, `${field}.bytes`, MIN_TARGET_BYTES, MAX_TARGET_BYTES), ...(cap ? { cap } : {}) };
  }
  onlyKeys(rate, field, ['kind', 'bitsPerSecond']);
  return { kind, bitsPerSecond: integer(rate.bitsPerSecond, `${field}.bitsPerSecond`, 10_000, 200_000_000) };
}

function checkVideo(value: unknown, container: SpecContainer, field: string): VideoSpec {
  const video = record(value, field);
  onlyKeys(video, field, ['codec', 'maxHeight', 'maxWidth', 'exactSize', 'maxFps', 'fps', 'rate']);
  const codec = oneOf(video.codec, `${field}.codec`, VIDEO_CODECS);
  const allowed = CONTAINER_CODECS[container].video;
  if (!allowed.includes(codec)) throw new TypeError(`${field}.codec ${codec} cannot go in ${container.toUpperCase()}; it takes ${allowed.join(', ')}.`);
  const maxHeight = optional(video, 'maxHeight', (v) => integer(v, `${field}.maxHeight`, 16, 8640));
  const maxWidth = optional(video, 'maxWidth', (v) => integer(v, `${field}.maxWidth`, 16, 15360));
  if (video.exactSize !== undefined) throw new TypeError(`${field}.exactSize is kept for the 2010 recipe's built-ins; give maxHeight and/or maxWidth.`);
  const maxFps = optional(video, 'maxFps', (v) => integer(v, `${field}.maxFps`, 1, 240));
  if (video.fps !== undefined) throw new TypeError(`${field}.fps is kept for the 2010 recipe's built-ins; give maxFps.`);
  const needsRate = codec !== 'gif';
  if (needsRate && video.rate === undefined) throw new TypeError(`${field}.rate is required for ${codec}: { kind: 'quality', level: 1–5 }, { kind: 'size', bytes } or { kind: 'bitrate', bitsPerSecond }.`);
  if (!needsRate && video.rate !== undefined) throw new TypeError(`${field}.rate: GIF has no rate control; leave it out.`);
  const rate = needsRate ? checkRate(video.rate, `${field}.rate`) : undefined;
  return {
    codec,
    ...(maxHeight !== undefined ? { maxHeight } : {}),
    ...(maxWidth !== undefined ? { maxWidth } : {}),
    ...(maxFps !== undefined ? { maxFps } : {}),
    ...(rate ? { rate } : {}),
  };
}

function checkAudio(value: unknown, container: SpecContainer, field: string): AudioSpec {
  const audio = record(value, field);
  onlyKeys(audio, field, ['codec', 'bitrate', 'channels', 'sampleRate']);
  const codec = oneOf(audio.codec, `${field}.codec`, AUDIO_CODECS);
  const allowed = CONTAINER_CODECS[container].audio;
  if (!allowed.includes(codec)) throw new TypeError(`${field}.codec ${codec} cannot go in ${container.toUpperCase()}; it takes ${allowed.join(', ') || 'no sound'}.`);
  const lossless = codec === 'flac' || codec === 'pcm';
  const bitrate = optional(audio, 'bitrate', (v) => integer(v, `${field}.bitrate`, 8_000, 512_000));
  if (lossless && bitrate !== undefined) throw new TypeError(`${field}.bitrate: ${codec.toUpperCase()} is lossless and takes no bitrate.`);
  const channels = optional(audio, 'channels', (v) => integer(v, `${field}.channels`, 1, 2) as 1 | 2);
  const sampleRate = optional(audio, 'sampleRate', (v) => {
    if (!SAMPLE_RATES.includes(v as number)) fail(`${field}.sampleRate`, `one of ${SAMPLE_RATES.join(', ')}`, v);
    return v as number;
  });
  return {
    codec,
    ...(bitrate !== undefined ? { bitrate } : {}),
    ...(channels !== undefined ? { channels } : {}),
    ...(sampleRate !== undefined ? { sampleRate } : {}),
  };
}

/**
 * Checks a spec from outside (the library's callers, a saved or imported preset) and
 * returns a clean copy; throws a `TypeError` naming the field at fault.
 *
 * @example
 * ```ts
 * checkOutputSpec({ container: 'webm', video: { codec: 'h264' }, audio: null });
 * // TypeError: spec.video.codec h264 cannot go in WEBM; it takes vp9, av1.
 * ```
 */
export function checkOutputSpec(value: unknown, field = 'spec'): OutputSpec {
  const spec = record(value, field);
  onlyKeys(spec, field, ['container', 'video', 'audio', 'faststart']);
  const container = oneOf(spec.container, `${field}.container`, CONTAINERS);
  const audioOnly = isAudioOnly({ container });
  let video: OutputSpec['video'];
  if (spec.video === null || spec.video === undefined) {
    if (!audioOnly) throw new TypeError(`${field}.video is required for ${container.toUpperCase()} (null only for audio containers).`);
    video = null;
  } else if (spec.video === 'copy') {
    if (!COPY_CONTAINERS.includes(container)) throw new TypeError(`${field}.video "copy" is for MP4 only.`);
    video = 'copy';
  } else {
    if (audioOnly) throw new TypeError(`${field}.video must be null: ${container.toUpperCase()} holds sound only.`);
    video = checkVideo(spec.video, container, `${field}.video`);
  }
  let audio: OutputSpec['audio'];
  if (spec.audio === null || spec.audio === undefined) {
    if (audioOnly) throw new TypeError(`${field}.audio is required for ${container.toUpperCase()}.`);
    audio = null;
  } else if (spec.audio === 'copy') {
    if (!COPY_CONTAINERS.includes(container)) throw new TypeError(`${field}.audio "copy" is for MP4 only.`);
    audio = 'copy';
  } else {
    audio = checkAudio(spec.audio, container, `${field}.audio`);
  }
  if (typeof video === 'object' && video?.rate?.kind === 'size' && audio === 'copy') {
    throw new TypeError(`${field}.audio cannot be "copy" with a size target: its share of the bytes must be known; give a codec and bitrate.`);
  }
  if (video === 'copy' && audio !== null && audio !== 'copy') throw new TypeError(`${field}.audio must be "copy" or null when the video is copied.`);
  if (spec.faststart !== undefined && typeof spec.faststart !== 'boolean') fail(`${field}.faststart`, 'true or false', spec.faststart);
  if (spec.faststart && container !== 'mp4' && container !== 'm4a') throw new TypeError(`${field}.faststart is for MP4 and M4A only.`);
  return { container, video, audio, ...(spec.faststart ? { faststart: true } : {}) };
}
