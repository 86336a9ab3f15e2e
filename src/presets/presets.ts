import { audioBitrateOf, outputFps, specArgs, specParts, specSplits, videoSize, type SpecTune } from './ffmpeg-compile';
import { CONTAINER_MIME, QUALITY_BITS, type AudioSpec, type OutputSpec } from './output-spec';
import { PresetMismatchError } from './preset-basics';
import type { SourceInfo } from './source-info';

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
  | 'mp4-remux'
  | 'mp4-h264-1080p'
  | 'mp4-fit-10mb'
  | 'm4a-audio'
  | 'gif-480'
  | 'webm-av1-720p';

/**
 * Where the presets bar lists a preset: video, audio, the 2010 recipe, or one's own.
 *
 * @example
 * ```ts
 * const video = PRESETS.filter((p) => p.group === ('video' satisfies PresetGroup));
 * ```
 */
export type PresetGroup = 'video' | 'audio' | 'recipe' | 'own';

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
  /**
   * ffmpeg's arguments for this source. Throws PresetMismatchError when the source cannot
   * make this output. `tune`: a size target's retry at a lower video rate (spec presets).
   */
  args(source: SourceInfo, paths: PresetPaths, tune?: SpecTune): string[];
  /**
   * The same encode in parts, so a long source can be cut in time segments encoded by
   * several workers; null where splitting would not pay (audio only: fast whole).
   */
  parts: ((source: SourceInfo, tune?: SpecTune) => PresetParts) | null;
  /** What the output is, for both engines; absent for an Advanced preset (ffmpeg arguments as written). */
  spec?: OutputSpec;
  /** Where the presets bar lists it (absent: with one's own). */
  group?: PresetGroup;
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

export { PresetMismatchError, codecLabel, fitBox, fitHeight } from './preset-basics';

/** Headroom over a bitrate's plain product: container overhead and rate-control swings. */
const ESTIMATE_MARGIN = 1.15;

function bytesAt(kbps: number, source: SourceInfo): number {
  return Math.ceil(((kbps * 1000) / 8) * (source.durationSec ?? 0) * ESTIMATE_MARGIN);
}

/**
 * A generous guess at a spec's output size. Quality-targeted video: bits per pixel per frame,
 * which x264 veryfast CRF 23 and VP9 CRF 33 realtime stay under for camera footage (screen
 * recordings make far less), scaled by the quality mark; GIF: a byte per pixel per frame.
 */
export function specEstimateBytes(spec: OutputSpec, source: SourceInfo, sourceBytes: number): number {
  if (spec.video === 'copy') return Math.ceil(sourceBytes * 1.02);
  const audioKbps = source.audio && spec.audio ? (spec.audio === 'copy' ? 0 : spec.audio.codec === 'mp3' && spec.audio.bitrate === undefined ? 260 : audioBitrateOf(spec.audio, source) / 1000 || 1536) : 0;
  if (spec.video === null) return source.audio ? bytesAt(audioKbps, source) : 0;
  const video = spec.video;
  if (video.rate?.kind === 'size') return video.rate.bytes;
  if (video.rate?.kind === 'bitrate') return bytesAt(video.rate.bitsPerSecond / 1000 + audioKbps, source);
  if (!source.video) return 0;
  const { width, height } = videoSize(video, source.video);
  const fps = Math.min(outputFps(video, source.video) ?? source.video.fps ?? 30, 60);
  const bitsPerPixel = video.codec === 'gif' ? 8 : 0.1 * QUALITY_BITS[video.rate?.level ?? 3];
  return bytesAt((width * height * fps * bitsPerPixel) / 1000 + audioKbps, source);
}

interface BuiltInEntry {
  id: BuiltInPresetId;
  group: PresetGroup;
  label: string;
  summary: string;
  extension: string;
  nameSuffix: string;
  relativeCost: number;
  spec: OutputSpec;
}

/** The file extension of each spec container. */
export const SPEC_EXTENSIONS: Readonly<Record<OutputSpec['container'], string>> = {
  mp4: 'mp4', webm: 'webm', flv: 'flv', gif: 'gif', mp3: 'mp3', m4a: 'm4a', opus: 'opus', flac: 'flac', wav: 'wav',
};

/**
 * A whole preset from a spec (built-in, a form-built own preset, or a library caller's):
 * both the whole and the split encode compile from it.
 */
export function presetFromSpec(entry: Omit<BuiltInEntry, 'id'> & { id: PresetId }): Preset {
  return fromSpec(entry);
}

function fromSpec(entry: Omit<BuiltInEntry, 'id'> & { id: PresetId }): Preset {
  const { spec } = entry;
  return {
    ...entry,
    container: spec.container,
    mimeType: CONTAINER_MIME[spec.container],
    estimateBytes: (source, sourceBytes) => specEstimateBytes(spec, source, sourceBytes),
    // The native command's arguments; what ffmpeg.wasm cannot run (AV1) the job refuses (ffmpegWasmRefusal).
    args: (source, paths, tune) => specArgs(spec, source, paths, tune),
    parts: specSplits(spec) ? (source, tune) => specParts(spec, source, tune) : null,
  };
}

const AAC_128: AudioSpec = { codec: 'aac', bitrate: 128_000, channels: 2 };

/** The recipe's two commands, word for word as ffmpeg 5.1 spells them (golden tests). */
const RECIPE_SPECS = {
  // The recipe: ffmpeg -i in -ar 44100 -ab 56 -f flv -s 320x240 -b 200k -r 25 out.flv
  // ("-ab 56" meant 56 kb/s then; it would mean 56 b/s today.) A steady 25 fps, gaps in
  // the source filled, as "-r 25" gave in the ffmpeg of the recipe's day.
  flv: {
    container: 'flv',
    video: {
      codec: 'flv1', exactSize: { width: 320, height: 240 }, fps: 25, rate: { kind: 'bitrate', bitsPerSecond: 200_000 },
      recipeWords: ['-c:v', 'flv', '-b:v', '200k', '-r', '25', '-fps_mode:v', 'cfr', '-s', '320x240', '-pix_fmt', 'yuv420p'],
    },
    // FLV's MP3 encoder only takes mono or stereo, and ffmpeg downmixes for it: no channel count.
    audio: { codec: 'mp3', bitrate: 56_000, sampleRate: 44100 },
  },
  // The recipe's mp4 command in today's spelling: "-flags +4mv" is "-flags:v +mv4"
  // (the bare form also reaches the audio encoder and fails); of its two -b and -s, the later win.
  mpeg4: {
    container: 'mp4',
    video: {
      codec: 'mpeg4', exactSize: { width: 320, height: 180 }, fps: 25, rate: { kind: 'bitrate', bitsPerSecond: 1_200_000 },
      recipeWords: ['-c:v', 'mpeg4', '-b:v', '1200k', '-mbd', '2', '-flags:v', '+mv4', '-cmp', '2', '-subcmp', '2', '-s', '320x180', '-r', '25', '-fps_mode:v', 'cfr', '-pix_fmt', 'yuv420p'],
    },
    audio: AAC_128,
    faststart: true,
  },
} as const satisfies Record<string, OutputSpec>;

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
    group: 'recipe',
    label: 'FLV 320×240 (Flash era)',
    summary: 'Sorenson FLV1 200 kb/s, 25 fps, MP3 56 kb/s',
    extension: 'flv',
    nameSuffix: '320x240',
    relativeCost: 1,
    spec: RECIPE_SPECS.flv,
  },
  {
    id: 'mp4-mpeg4-320x180',
    group: 'recipe',
    label: 'MP4 MPEG-4 320×180 (classic)',
    summary: 'MPEG-4 Part 2 1200 kb/s, 25 fps, AAC 128 kb/s',
    extension: 'mp4',
    nameSuffix: 'mpeg4',
    relativeCost: 1.1,
    spec: RECIPE_SPECS.mpeg4,
  },
  {
    id: 'mp4-h264-720p',
    group: 'video',
    label: 'MP4 H.264 720p',
    summary: 'H.264 CRF 23, at most 720 lines, AAC 128 kb/s, fast start',
    extension: 'mp4',
    nameSuffix: '720p',
    relativeCost: 6,
    spec: { container: 'mp4', video: { codec: 'h264', maxHeight: 720, rate: { kind: 'quality', level: 3 } }, audio: AAC_128, faststart: true },
  },
  {
    id: 'mp4-h264-480p',
    group: 'video',
    label: 'MP4 H.264 480p',
    summary: 'H.264 CRF 23, at most 480 lines, AAC 128 kb/s, fast start',
    extension: 'mp4',
    nameSuffix: '480p',
    relativeCost: 4,
    spec: { container: 'mp4', video: { codec: 'h264', maxHeight: 480, rate: { kind: 'quality', level: 3 } }, audio: AAC_128, faststart: true },
  },
  {
    id: 'webm-vp9-720p',
    group: 'video',
    label: 'WebM VP9 720p',
    summary: 'VP9 CRF 33 (realtime speed), at most 720 lines, Opus 96 kb/s',
    extension: 'webm',
    nameSuffix: 'vp9',
    relativeCost: 7,
    spec: { container: 'webm', video: { codec: 'vp9', maxHeight: 720, rate: { kind: 'quality', level: 3 } }, audio: { codec: 'opus', bitrate: 96_000, channels: 2 } },
  },
  {
    id: 'mp3-audio',
    group: 'audio',
    label: 'MP3 audio only',
    summary: 'LAME VBR quality 2 (about 190 kb/s), no video',
    extension: 'mp3',
    nameSuffix: 'audio',
    relativeCost: 0.3,
    spec: { container: 'mp3', video: null, audio: { codec: 'mp3', channels: 2 } },
  },
  {
    id: 'mp4-remux',
    group: 'video',
    label: 'MP4, streams copied (no re-encoding)',
    summary: 'the first video and audio streams as they are, fast start; seconds, not minutes',
    extension: 'mp4',
    nameSuffix: 'remux',
    relativeCost: 0.02,
    spec: { container: 'mp4', video: 'copy', audio: 'copy', faststart: true },
  },
  {
    id: 'mp4-h264-1080p',
    group: 'video',
    label: 'MP4 H.264 1080p',
    summary: 'H.264 CRF 23, at most 1080 lines, AAC 128 kb/s, fast start: 4K and phone footage shrunk to HD',
    extension: 'mp4',
    nameSuffix: '1080p',
    relativeCost: 12,
    spec: { container: 'mp4', video: { codec: 'h264', maxHeight: 1080, rate: { kind: 'quality', level: 3 } }, audio: AAC_128, faststart: true },
  },
  {
    id: 'mp4-fit-10mb',
    group: 'video',
    label: 'Fit in 10 MB (MP4)',
    summary: 'H.264 at most 720 lines, AAC 128 kb/s, never more than 10,000,000 bytes: for chat apps and mail',
    extension: 'mp4',
    nameSuffix: '10mb',
    relativeCost: 6,
    spec: { container: 'mp4', video: { codec: 'h264', maxHeight: 720, rate: { kind: 'size', bytes: 10_000_000 } }, audio: AAC_128, faststart: true },
  },
  {
    id: 'webm-av1-720p',
    group: 'video',
    label: 'WebM AV1 720p',
    summary: "AV1 at most 720 lines, Opus 96 kb/s: the smallest files; where the browser encodes AV1 (ffmpeg.wasm has no AV1 encoder)",
    extension: 'webm',
    nameSuffix: 'av1',
    relativeCost: 8,
    spec: { container: 'webm', video: { codec: 'av1', maxHeight: 720, rate: { kind: 'quality', level: 3 } }, audio: { codec: 'opus', bitrate: 96_000, channels: 2 } },
  },
  {
    id: 'gif-480',
    group: 'video',
    label: 'GIF 480 px',
    summary: 'at most 480 px wide, 15 fps, one palette for the clip, no sound',
    extension: 'gif',
    nameSuffix: '480',
    relativeCost: 3,
    spec: { container: 'gif', video: { codec: 'gif', maxWidth: 480, maxFps: 15 }, audio: null },
  },
  {
    id: 'm4a-audio',
    group: 'audio',
    label: 'M4A audio only (AAC)',
    summary: 'AAC 160 kb/s stereo in MP4, no video: the sound of a video, for phones and players',
    extension: 'm4a',
    nameSuffix: 'audio',
    relativeCost: 0.3,
    spec: { container: 'm4a', video: null, audio: { codec: 'aac', bitrate: 160_000, channels: 2 } },
  },
].map((entry) => fromSpec(entry as BuiltInEntry));

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
