import { sdrOutput } from './hdr';
import type { SourceInfo, VideoInfo } from './source-info';

/** A person's own preset (src/presets/custom-preset.ts): `custom-<slug>`. */
export type CustomPresetId = `custom-${string}`;

/**
 * A preset's id: a built-in one (`mp4-h264-720p`…) or `custom-…`.
 *
 * @example
 * ```ts
 * const id: PresetId = 'webm-vp9-720p';
 * ```
 */
export type PresetId = BuiltInPresetId | CustomPresetId;

export type BuiltInPresetId =
  | 'flv-320x240'
  | 'mp4-mpeg4-320x180'
  | 'mp4-h264-720p'
  | 'mp4-h264-480p'
  | 'webm-vp9-720p'
  | 'mp3-audio'
  | 'mp4-remux';

/** Where ffmpeg reads and writes inside the worker. */
export interface PresetPaths {
  input: string;
  output: string;
}

/**
 * One output recipe: container, codecs and ffmpeg arguments for a probed source.
 *
 * @example
 * ```ts
 * const mp3 = PRESETS.find((p: Preset) => p.id === 'mp3-audio'); // { label, extension: 'mp3', mimeType: 'audio/mpeg', … }
 * ```
 */
export interface Preset {
  id: PresetId;
  label: string;
  /** One line for the page: what a person gets. */
  summary: string;
  container: string;
  extension: string;
  mimeType: string;
  /** Tells two outputs of one source apart when they share an extension. */
  nameSuffix: string;
  /** Encode seconds per source second relative to the cheapest preset; orders the queue. */
  relativeCost: number;
  /**
   * A generous guess at the output's size in bytes, for the storage check before a job
   * starts (the real size is known only at the end).
   */
  estimateBytes(source: SourceInfo, sourceBytes: number): number;
  /** ffmpeg's arguments for this source. Throws PresetMismatchError when the source cannot make this output. */
  args(source: SourceInfo, paths: PresetPaths): string[];
  /**
   * The same encode in parts, so a long source can be cut in time segments encoded by
   * several workers; null where splitting would not pay (audio only: fast whole).
   */
  parts: ((source: SourceInfo) => PresetParts) | null;
}

/** A video preset's arguments by role; `args` is `-i in, maps, -vf filters, video, audio, mux, out`. */
export interface PresetParts {
  /** The -vf chain, or '' for none. */
  filters: string;
  video: string[];
  /** Empty when the source has no audio. */
  audio: string[];
  mux: string[];
  /** Output frame rate when the preset fixes one, else null (the source's timing is kept). */
  fps: number | null;
}

/**
 * The source lacks what the preset needs (e.g. no audio for an MP3). The library reports it
 * as a failed job (`JobFailedError` with this sentence).
 *
 * @example
 * ```ts
 * if (error instanceof PresetMismatchError) console.warn(error.message);
 * ```
 */
export class PresetMismatchError extends Error {
  override name = 'PresetMismatchError';
}

function requireVideo(source: SourceInfo, preset: string): VideoInfo {
  if (!source.video) {
    throw new PresetMismatchError(`This file has no video track, so it cannot become ${preset}. Pick the MP3 audio preset for audio-only files.`);
  }
  return source.video;
}

/** Largest even number not above n (at least 2): most encoders need even sizes. */
function evenFloor(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

/**
 * Output size for "at most `maxHeight` lines high": keeps the shown aspect ratio,
 * never upscales, and keeps both sides even.
 */
export function fitHeight(video: Pick<VideoInfo, 'displayWidth' | 'displayHeight'>, maxHeight: number): { width: number; height: number } {
  const height = evenFloor(Math.min(maxHeight, video.displayHeight));
  const scaled = Math.max(2, Math.round((video.displayWidth * height) / video.displayHeight / 2) * 2);
  // Rounding to even must not make an odd-width source wider than it is.
  const width = Math.min(evenFloor(video.displayWidth), scaled);
  return { width, height };
}

/** Picks the first video and first audio stream only: data, subtitle and cover-art streams stay behind. */
function streamMaps(source: SourceInfo): string[] {
  return ['-map', '0:v:0', ...(source.audio ? ['-map', '0:a:0'] : [])];
}

function stereoAtMost(source: SourceInfo): string[] {
  return source.audio && source.audio.channels > 2 ? ['-ac', '2'] : [];
}

/** Headroom over a bitrate's plain product: container overhead and rate-control swings. */
const ESTIMATE_MARGIN = 1.15;

function bytesAt(kbps: number, source: SourceInfo): number {
  return Math.ceil(((kbps * 1000) / 8) * (source.durationSec ?? 0) * ESTIMATE_MARGIN);
}

/** Fixed-rate presets: the video rate plus the audio rate when there is audio. */
function fixedRateEstimate(videoKbps: number, audioKbps: number): Preset['estimateBytes'] {
  return (source) => bytesAt(videoKbps + (source.audio ? audioKbps : 0), source);
}

/**
 * Quality-targeted presets (CRF): bits per pixel per frame, which x264 veryfast CRF 23 and
 * VP9 CRF 33 realtime stay under for camera footage (screen recordings make far less).
 */
function qualityEstimate(maxHeight: number, bitsPerPixel: number, audioKbps: number): Preset['estimateBytes'] {
  return (source) => {
    if (!source.video) return 0;
    const { width, height } = fitHeight(source.video, maxHeight);
    const videoKbps = (width * height * Math.min(source.video.fps ?? 30, 60) * bitsPerPixel) / 1000;
    return bytesAt(videoKbps + (source.audio ? audioKbps : 0), source);
  };
}

/** Builds `args` from `parts`, so the whole and the split encode can never drift apart. */
function wholeArgs(parts: (source: SourceInfo) => PresetParts): Preset['args'] {
  return (source, { input, output }) => {
    const { filters, video, audio, mux } = parts(source);
    return ['-i', input, ...streamMaps(source), ...(filters ? ['-vf', filters] : []), ...video, ...audio, ...mux, output];
  };
}

function h264Parts(maxHeight: number): (source: SourceInfo) => PresetParts {
  return sdrOutput((source) => {
    const { width, height } = fitHeight(requireVideo(source, 'an H.264 MP4'), maxHeight);
    return {
      filters: `scale=${width}:${height},setsar=1`,
      video: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'],
      audio: source.audio ? ['-c:a', 'aac', '-b:a', '128k', ...stereoAtMost(source)] : [],
      mux: ['-movflags', '+faststart'],
      fps: null,
    };
  });
}

// The recipe: ffmpeg -i in -ar 44100 -ab 56 -f flv -s 320x240 -b 200k -r 25 out.flv
// ("-ab 56" meant 56 kb/s then; it would mean 56 b/s today.)
const flvParts = sdrOutput((source: SourceInfo): PresetParts => {
  requireVideo(source, 'an FLV');
  return {
    filters: '',
    // A steady 25 fps, gaps in the source filled, as "-r 25" gave in the ffmpeg of the recipe's day.
    video: ['-c:v', 'flv', '-b:v', '200k', '-r', '25', '-fps_mode:v', 'cfr', '-s', '320x240', '-pix_fmt', 'yuv420p'],
    audio: source.audio ? ['-c:a', 'libmp3lame', '-b:a', '56k', '-ar', '44100'] : [],
    mux: ['-f', 'flv'],
    fps: 25,
  };
});

// The recipe's mp4 command in today's spelling: "-flags +4mv" is "-flags:v +mv4"
// (the bare form also reaches the audio encoder and fails); of its two -b and -s, the later win.
const mpeg4Parts = sdrOutput((source: SourceInfo): PresetParts => {
  requireVideo(source, 'an MPEG-4 MP4');
  return {
    filters: '',
    video: ['-c:v', 'mpeg4', '-b:v', '1200k', '-mbd', '2', '-flags:v', '+mv4', '-cmp', '2', '-subcmp', '2', '-s', '320x180', '-r', '25', '-fps_mode:v', 'cfr', '-pix_fmt', 'yuv420p'],
    audio: source.audio ? ['-c:a', 'aac', '-b:a', '128k', ...stereoAtMost(source)] : [],
    mux: ['-movflags', '+faststart'],
    fps: 25,
  };
});

// 8-bit VP9 (profile 0, which every browser plays): an HDR source is tone-mapped like for H.264.
const vp9Parts = sdrOutput((source: SourceInfo): PresetParts => {
  const { width, height } = fitHeight(requireVideo(source, 'a VP9 WebM'), 720);
  return {
    filters: `scale=${width}:${height},setsar=1`,
    // The realtime deadline: ten times faster than good/5 on one wasm thread (16.7 s against
    // 173 s for 5 s of 960×540), at the same PSNR for about 65% more bytes.
    video: ['-c:v', 'libvpx-vp9', '-crf', '33', '-b:v', '0', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p'],
    audio: source.audio ? ['-c:a', 'libopus', '-b:a', '96k', ...stereoAtMost(source)] : [],
    mux: ['-f', 'webm'],
    fps: null,
  };
});

/** Codecs the MP4 muxer takes as they are; ffmpeg's names. */
const MP4_VIDEO_COPY = new Set(['h264', 'hevc', 'av1', 'vp9', 'mpeg4', 'mpeg2video', 'mpeg1video']);
const MP4_AUDIO_COPY = new Set(['aac', 'mp3', 'opus', 'alac', 'ac3', 'eac3']);

/** How a person knows a codec; ffmpeg's name otherwise. */
export function codecLabel(codec: string): string {
  const known: Record<string, string> = {
    vp8: 'VP8',
    vp6f: 'VP6 (Flash)',
    vp6: 'VP6 (Flash)',
    flv1: 'Sorenson FLV1 (Flash)',
    theora: 'Theora',
    vorbis: 'Vorbis',
    wmv1: 'WMV',
    wmv2: 'WMV',
    wmv3: 'WMV',
    vc1: 'VC-1',
    wmav1: 'WMA',
    wmav2: 'WMA',
    flac: 'FLAC',
    msmpeg4v3: 'DivX 3 (MS MPEG-4)',
    mjpeg: 'Motion JPEG',
    prores: 'ProRes',
  };
  if (codec.startsWith('pcm_')) return 'PCM (uncompressed)';
  return known[codec] ?? codec.toUpperCase();
}

// Streams copied as they are: a person's MKV/MOV/TS/WebM → MP4 in seconds, picture and sound untouched.
const remuxArgs: Preset['args'] = (source, { input, output }) => {
  if (source.video && !MP4_VIDEO_COPY.has(source.video.codec)) {
    throw new PresetMismatchError(
      `The video is ${codecLabel(source.video.codec)}, which cannot go into an MP4 without re-encoding. Pick "MP4 H.264 720p" (or 480p) instead.`,
    );
  }
  if (source.audio && !MP4_AUDIO_COPY.has(source.audio.codec)) {
    const instead = source.video ? '"MP4 H.264 720p" (or 480p)' : '"MP3 audio only"';
    throw new PresetMismatchError(`The audio is ${codecLabel(source.audio.codec)}, which cannot go into an MP4 without re-encoding. Pick ${instead} instead.`);
  }
  return [
    '-i', input,
    ...(source.video ? ['-map', '0:v:0'] : []),
    ...(source.audio ? ['-map', '0:a:0'] : []),
    '-c', 'copy',
    // Apple's players want HEVC tagged hvc1, not ffmpeg's default hev1.
    ...(source.video?.codec === 'hevc' ? ['-tag:v', 'hvc1'] : []),
    '-movflags', '+faststart',
    '-f', 'mp4',
    output,
  ];
};

/**
 * The built-in presets, in the page's order.
 *
 * @example
 * ```ts
 * import { PRESETS } from 'ffbatch';
 * select.append(...PRESETS.map((p) => new Option(`${p.label} (.${p.extension})`, p.id)));
 * ```
 */
export const PRESETS: readonly Preset[] = [
  {
    id: 'flv-320x240',
    label: 'FLV 320×240 (Flash era)',
    summary: 'Sorenson FLV1 200 kb/s, 25 fps, MP3 56 kb/s',
    container: 'flv',
    extension: 'flv',
    mimeType: 'video/x-flv',
    nameSuffix: '320x240',
    relativeCost: 1,
    estimateBytes: fixedRateEstimate(200, 56),
    args: wholeArgs(flvParts),
    parts: flvParts,
  },
  {
    id: 'mp4-mpeg4-320x180',
    label: 'MP4 MPEG-4 320×180 (classic)',
    summary: 'MPEG-4 Part 2 1200 kb/s, 25 fps, AAC 128 kb/s',
    container: 'mp4',
    extension: 'mp4',
    mimeType: 'video/mp4',
    nameSuffix: 'mpeg4',
    relativeCost: 1.1,
    estimateBytes: fixedRateEstimate(1200, 128),
    args: wholeArgs(mpeg4Parts),
    parts: mpeg4Parts,
  },
  {
    id: 'mp4-h264-720p',
    label: 'MP4 H.264 720p',
    summary: 'H.264 CRF 23, at most 720 lines, AAC 128 kb/s, fast start',
    container: 'mp4',
    extension: 'mp4',
    mimeType: 'video/mp4',
    nameSuffix: '720p',
    relativeCost: 6,
    estimateBytes: qualityEstimate(720, 0.1, 128),
    args: wholeArgs(h264Parts(720)),
    parts: h264Parts(720),
  },
  {
    id: 'mp4-h264-480p',
    label: 'MP4 H.264 480p',
    summary: 'H.264 CRF 23, at most 480 lines, AAC 128 kb/s, fast start',
    container: 'mp4',
    extension: 'mp4',
    mimeType: 'video/mp4',
    nameSuffix: '480p',
    relativeCost: 4,
    estimateBytes: qualityEstimate(480, 0.1, 128),
    args: wholeArgs(h264Parts(480)),
    parts: h264Parts(480),
  },
  {
    id: 'webm-vp9-720p',
    label: 'WebM VP9 720p',
    summary: 'VP9 CRF 33 (realtime speed), at most 720 lines, Opus 96 kb/s',
    container: 'webm',
    extension: 'webm',
    mimeType: 'video/webm',
    nameSuffix: 'vp9',
    relativeCost: 7,
    estimateBytes: qualityEstimate(720, 0.1, 96),
    args: wholeArgs(vp9Parts),
    parts: vp9Parts,
  },
  {
    id: 'mp3-audio',
    label: 'MP3 audio only',
    summary: 'LAME VBR quality 2 (about 190 kb/s), no video',
    container: 'mp3',
    extension: 'mp3',
    mimeType: 'audio/mpeg',
    nameSuffix: 'audio',
    relativeCost: 0.3,
    // VBR quality 2 stays under 260 kb/s even for dense music.
    estimateBytes: (source) => (source.audio ? bytesAt(260, source) : 0),
    args: (source, { input, output }) => {
      if (!source.audio) {
        throw new PresetMismatchError('This file has no audio track, so there is nothing to put in an MP3.');
      }
      return ['-i', input, '-map', '0:a:0', '-vn', '-c:a', 'libmp3lame', '-q:a', '2', ...stereoAtMost(source), '-f', 'mp3', output];
    },
    parts: null,
  },
  {
    id: 'mp4-remux',
    label: 'MP4, streams copied (no re-encoding)',
    summary: 'the first video and audio streams as they are, fast start; seconds, not minutes',
    container: 'mp4',
    extension: 'mp4',
    mimeType: 'video/mp4',
    nameSuffix: 'remux',
    relativeCost: 0.02,
    // The same streams, a little less container around them.
    estimateBytes: (_source, sourceBytes) => Math.ceil(sourceBytes * 1.02),
    args: remuxArgs,
    parts: null,
  },
];

const BY_ID = new Map<string, Preset>(PRESETS.map((p) => [p.id, p]));
/** The person's own presets, as CustomPresetLibrary last listed them (`customPresetShape`). */
let customById = new Map<string, Preset>();

/** Makes the saved custom presets known to presetById (called by CustomPresetLibrary on every change). */
export function setCustomPresets(presets: readonly Preset[]): void {
  customById = new Map(presets.filter((p) => isCustomPresetId(p.id)).map((p) => [p.id, p]));
}

/** Presets of the library API's callers (`encoder.call(file, { name, container, args })`), kept for the page's life. */
const apiById = new Map<string, Preset>();

/** Makes custom presets given to the library API known to presetById (never cleared by setCustomPresets). */
export function addCustomPresets(presets: readonly Preset[]): void {
  for (const preset of presets) if (isCustomPresetId(preset.id)) apiById.set(preset.id, preset);
}

export function isCustomPresetId(id: string): id is CustomPresetId {
  return id.startsWith('custom-');
}

/**
 * A built-in preset, or a custom one that is saved now.
 *
 * @example
 * ```ts
 * const ids = picked.filter(isPresetId); // PresetId[]
 * ```
 */
export function isPresetId(id: string): id is PresetId {
  return BY_ID.has(id) || customById.has(id) || apiById.has(id);
}

/**
 * A preset by id. A `custom-…` id no longer saved (deleted, or not loaded yet) gives a
 * stand-in that names it and refuses every source, so its stored outputs still show.
 * An id of neither kind throws a `TypeError`.
 *
 * @example
 * ```ts
 * presetById('mp4-h264-720p').label; // "MP4 H.264 720p"
 * ```
 */
export function presetById(id: string): Preset {
  const preset = BY_ID.get(id) ?? customById.get(id) ?? apiById.get(id);
  if (preset) return preset;
  if (isCustomPresetId(id)) return missingCustomPreset(id);
  throw new TypeError(`presetId must be one of ${[...BY_ID.keys()].join(', ')} or custom-…; got "${id}".`);
}

function missingCustomPreset(id: CustomPresetId): Preset {
  const name = id.slice('custom-'.length);
  return {
    id,
    label: name,
    summary: 'a custom preset that is no longer saved',
    container: 'bin',
    extension: 'bin',
    mimeType: 'application/octet-stream',
    nameSuffix: name,
    relativeCost: 1,
    estimateBytes: () => 0,
    args: () => {
      throw new PresetMismatchError(`The custom preset "${name}" is no longer saved.`);
    },
    parts: null,
  };
}
