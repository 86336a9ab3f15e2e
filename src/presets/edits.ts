import type { SourceInfo, VideoInfo } from './source-info';

/**
 * Per-file edits: what a person asks to keep of a source (a time range, a rectangle, an
 * orientation, which sound and subtitle tracks) before any preset runs on it. Pure data and
 * pure functions: the job model stores an `Edits` object, both engines compile it.
 *
 * Coordinates: times are the source's presentation times in seconds (what a player shows, so
 * an edit list's hidden pre-roll is never counted); the crop rectangle is in the source's
 * stored pixels of the upright picture (the file's own rotation applied, pixel aspect not),
 * which is where ffmpeg's `crop` filter sees it after autorotation.
 */

/**
 * A range to keep; `end: null` keeps to the end of the file.
 *
 * @example
 * ```ts
 * const trim: Trim = { start: 12, end: 100 };
 * ```
 */
export interface Trim {
  start: number;
  end: number | null;
}

/**
 * A rectangle to keep, in stored pixels of the upright picture.
 *
 * @example
 * ```ts
 * const crop: Crop = { width: 1920, height: 800, x: 0, y: 140 };
 * ```
 */
export interface Crop {
  width: number;
  height: number;
  x: number;
  y: number;
}

/**
 * Clockwise quarter turns on top of the rotation the file already carries.
 *
 * @example
 * ```ts
 * const rotate: Rotation = 90;
 * ```
 */
export type Rotation = 0 | 90 | 180 | 270;

/**
 * Subtitles: left out, kept as a text track where the container takes one, or burned into the picture.
 *
 * @example
 * ```ts
 * const subtitles: SubtitleChoice = { mode: 'burn', track: 0 };
 * ```
 */
export type SubtitleChoice = { mode: 'none' } | { mode: 'keep' | 'burn'; track: number };

/**
 * What a person asked of one source. Every field is optional; `{}` is the whole file as it is.
 *
 * @example
 * ```ts
 * const edits: Edits = { trim: { start: 12, end: 100 }, crop: { width: 1920, height: 800, x: 0, y: 140 }, audioTrack: 1 };
 * ```
 */
export interface Edits {
  /** The range kept; with `ranges`, their span (from the first's start to the last's end). */
  trim?: Trim;
  /**
   * Several ranges kept and joined in order (two or more, in order, not overlapping; only the
   * last may run to the end). `checkEdits` sets `trim` to their span. Joined by re-encoding on
   * ffmpeg.wasm: not on the fast route, not split, not with streams copied.
   */
  ranges?: Trim[];
  crop?: Crop;
  rotate?: Rotation;
  flip?: boolean;
  /** Index among the source's audio tracks (0 is the first). */
  audioTrack?: number;
  subtitles?: SubtitleChoice;
}

/**
 * What a source offers that edits are checked against.
 *
 * @example
 * ```ts
 * const facts: EditableSource = { durationSec: 60, picture: { width: 1920, height: 1080 }, audioTracks: 2, subtitleTracks: 0 };
 * ```
 */
export interface EditableSource {
  durationSec: number | null;
  /** The upright picture in stored pixels, or null for audio only. */
  picture: { width: number; height: number } | null;
  audioTracks: number;
  subtitleTracks: number;
}

const ROTATIONS: readonly Rotation[] = [0, 90, 180, 270];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteAtLeast(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}

/**
 * Checks edits given by a caller (the library's options, a stored record, the editor) and
 * returns them typed; throws a `TypeError` naming the exact field.
 *
 * @example
 * ```ts
 * checkEdits({ trim: { start: 5, end: 20 } }); // ok
 * checkEdits({ rotate: 45 }); // TypeError: edits.rotate must be 0, 90, 180 or 270.
 * ```
 */
export function checkEdits(value: unknown, field = 'edits'): Edits {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new TypeError(`${field} must be an object.`);
  const edits: Edits = {};
  const { trim, ranges, crop, rotate, flip, audioTrack, subtitles } = value;
  if (trim !== undefined) edits.trim = checkTrim(trim, `${field}.trim`);
  if (ranges !== undefined) {
    if (!Array.isArray(ranges)) throw new TypeError(`${field}.ranges must be an array of { start, end }.`);
    const kept = ranges.map((range, i) => checkTrim(range, `${field}.ranges[${i}]`));
    kept.forEach((range, i) => {
      const before = kept[i - 1];
      if (range.end === null && i < kept.length - 1) throw new TypeError(`${field}.ranges[${i}].end must be a time: only the last range may run to the end of the file.`);
      if (before && range.start < (before.end ?? Infinity)) throw new TypeError(`${field}.ranges[${i}] must start at or after the end of ${field}.ranges[${i - 1}] (ranges are joined in order).`);
    });
    const first = kept[0];
    const last = kept[kept.length - 1];
    if (first && last) {
      const span = { start: first.start, end: last.end };
      if (edits.trim && (edits.trim.start !== span.start || edits.trim.end !== span.end)) throw new TypeError(`${field}.trim must be left out with ${field}.ranges (it is their span).`);
      edits.trim = span;
      // One range is a plain trim.
      if (kept.length > 1) edits.ranges = kept;
    }
  }
  if (crop !== undefined) {
    if (!isRecord(crop)) throw new TypeError(`${field}.crop must be an object { width, height, x, y }.`);
    for (const key of ['width', 'height'] as const) {
      if (!Number.isInteger(crop[key]) || (crop[key] as number) < 2) throw new TypeError(`${field}.crop.${key} must be a whole number of pixels, 2 or more.`);
    }
    for (const key of ['x', 'y'] as const) {
      if (!Number.isInteger(crop[key]) || (crop[key] as number) < 0) throw new TypeError(`${field}.crop.${key} must be a whole number of pixels, 0 or more.`);
    }
    edits.crop = { width: crop['width'] as number, height: crop['height'] as number, x: crop['x'] as number, y: crop['y'] as number };
  }
  if (rotate !== undefined) {
    if (!ROTATIONS.includes(rotate as Rotation)) throw new TypeError(`${field}.rotate must be 0, 90, 180 or 270.`);
    edits.rotate = rotate as Rotation;
  }
  if (flip !== undefined) {
    if (typeof flip !== 'boolean') throw new TypeError(`${field}.flip must be true or false.`);
    edits.flip = flip;
  }
  if (audioTrack !== undefined) {
    if (!Number.isInteger(audioTrack) || (audioTrack as number) < 0) throw new TypeError(`${field}.audioTrack must be a track index, 0 or more.`);
    edits.audioTrack = audioTrack as number;
  }
  if (subtitles !== undefined) {
    if (!isRecord(subtitles)) throw new TypeError(`${field}.subtitles must be { mode: 'none' } or { mode: 'keep' | 'burn', track }.`);
    const mode = subtitles['mode'];
    if (mode === 'none') edits.subtitles = { mode: 'none' };
    else if (mode === 'keep' || mode === 'burn') {
      const track = subtitles['track'];
      if (!Number.isInteger(track) || (track as number) < 0) throw new TypeError(`${field}.subtitles.track must be a track index, 0 or more.`);
      edits.subtitles = { mode, track: track as number };
    } else throw new TypeError(`${field}.subtitles.mode must be 'none', 'keep' or 'burn'.`);
  }
  return edits;
}

function checkTrim(trim: unknown, field: string): Trim {
  if (!isRecord(trim)) throw new TypeError(`${field} must be an object { start, end }.`);
  const start = trim['start'] ?? 0;
  const end = trim['end'] ?? null;
  if (!finiteAtLeast(start, 0)) throw new TypeError(`${field}.start must be a number of seconds, 0 or more.`);
  if (end !== null && !finiteAtLeast(end, 0)) throw new TypeError(`${field}.end must be a number of seconds, or null for the end of the file.`);
  if (end !== null && end <= start) throw new TypeError(`${field}.end must come after ${field}.start.`);
  return { start, end };
}

/** True when the edits ask for nothing (the whole file as it is). */
export function isEmptyEdits(edits: Edits): boolean {
  return (
    edits.trim === undefined &&
    edits.crop === undefined &&
    (edits.rotate ?? 0) === 0 &&
    edits.flip !== true &&
    edits.audioTrack === undefined &&
    (edits.subtitles === undefined || edits.subtitles.mode === 'none')
  );
}

/**
 * Reads a time typed by a person: seconds (`12`, `12.5`) or `m:ss`, `h:mm:ss.fff`.
 * Returns null when it is not a time.
 *
 * @example
 * ```ts
 * parseTime('1:02.5'); // 62.5
 * parseTime('0:01:02.500'); // 62.5
 * ```
 */
export function parseTime(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+(?:\.\d+)?$|^\d+(?::[0-5]?\d){1,2}(?:\.\d+)?$/.test(trimmed)) return null;
  const parts = trimmed.split(':').map(Number);
  let seconds = 0;
  for (const part of parts) seconds = seconds * 60 + part;
  return Number.isFinite(seconds) ? seconds : null;
}

/**
 * A time as a person reads it: `m:ss.fff` under an hour, `h:mm:ss.fff` above; the fraction only when there is one.
 *
 * @example
 * ```ts
 * formatTime(62.5); // '1:02.500'
 * formatTime(3600); // '1:00:00'
 * ```
 */
export function formatTime(seconds: number): string {
  const millis = Math.round(seconds * 1000);
  const whole = Math.floor(millis / 1000);
  const fraction = millis % 1000;
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, '0');
  const tail = fraction ? `.${String(fraction).padStart(3, '0')}` : '';
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}${tail}` : `${m}:${ss}${tail}`;
}

/**
 * Reads a crop typed as `W:H:X:Y` (ffmpeg's order); empty text is no crop. Returns a
 * sentence instead when it cannot be read.
 *
 * @example
 * ```ts
 * parseCrop('1920:800:0:140'); // { width: 1920, height: 800, x: 0, y: 140 }
 * ```
 */
export function parseCrop(text: string): Crop | null | string {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const match = /^(\d+):(\d+):(\d+):(\d+)$/.exec(trimmed);
  if (!match) return 'Crop is written W:H:X:Y in pixels, for example 1920:800:0:140.';
  const [width, height, x, y] = match.slice(1).map(Number) as [number, number, number, number];
  if (width < 2 || height < 2) return 'A crop must keep at least 2×2 pixels.';
  return { width, height, x, y };
}

/** The picture after crop, rotation and flip, before any preset's scaling. */
export function editedPicture(edits: Edits, picture: { width: number; height: number }): { width: number; height: number } {
  const cropped = edits.crop ? { width: edits.crop.width, height: edits.crop.height } : picture;
  const quarter = (edits.rotate ?? 0) % 180 === 90;
  return quarter ? { width: cropped.height, height: cropped.width } : cropped;
}

/** How long the output lasts: the trimmed range, clamped to the source. */
export function editedDuration(edits: Edits, durationSec: number | null): number | null {
  if (edits.ranges) {
    let total = 0;
    for (const range of edits.ranges) {
      const end = range.end ?? durationSec;
      if (end === null) return null;
      total += Math.max(0, (durationSec === null ? end : Math.min(end, durationSec)) - range.start);
    }
    return total;
  }
  if (!edits.trim) return durationSec;
  const end = edits.trim.end ?? durationSec;
  if (end === null) return null;
  const clampedEnd = durationSec === null ? end : Math.min(end, durationSec);
  return Math.max(0, clampedEnd - edits.trim.start);
}

/**
 * The sentences that say why these edits do not fit this source (a trim past its end, a
 * crop outside the picture, a track it does not have); empty when they fit.
 *
 * @example
 * ```ts
 * editProblems({ trim: { start: 90, end: null } }, { durationSec: 60, picture: null, audioTracks: 1, subtitleTracks: 0 });
 * // ['The trim starts at 1:30, after the end of this file (1:00).']
 * ```
 */
export function editProblems(edits: Edits, source: EditableSource): string[] {
  const problems: string[] = [];
  const duration = source.durationSec;
  if (edits.trim && duration !== null) {
    if (edits.trim.start >= duration) problems.push(`The trim starts at ${formatTime(edits.trim.start)}, after the end of this file (${formatTime(duration)}).`);
    // A frame's worth of slack: a typed end equal to the shown duration is the end.
    else if (edits.trim.end !== null && edits.trim.end > duration + 0.05) problems.push(`The trim ends at ${formatTime(edits.trim.end)}, after the end of this file (${formatTime(duration)}).`);
    else {
      const late = edits.ranges?.find((range) => range.start >= duration);
      if (late) problems.push(`The range from ${formatTime(late.start)} starts after the end of this file (${formatTime(duration)}).`);
    }
  }
  const picture = source.picture;
  if ((edits.crop || edits.rotate || edits.flip) && !picture) problems.push('This file has no picture to crop, rotate or flip.');
  if (edits.crop && picture) {
    const { width, height, x, y } = edits.crop;
    if (x + width > picture.width || y + height > picture.height) {
      problems.push(`The crop ${width}:${height}:${x}:${y} reaches outside the ${picture.width}×${picture.height} picture.`);
    }
  }
  if (edits.audioTrack !== undefined && edits.audioTrack >= source.audioTracks) {
    problems.push(source.audioTracks === 0 ? 'This file has no sound track.' : `This file has ${source.audioTracks} sound track${source.audioTracks === 1 ? '' : 's'}; track ${edits.audioTrack + 1} is not there.`);
  }
  if (edits.subtitles && edits.subtitles.mode !== 'none' && edits.subtitles.track >= source.subtitleTracks) {
    problems.push(source.subtitleTracks === 0 ? 'This file has no subtitles.' : `This file has ${source.subtitleTracks} subtitle track${source.subtitleTracks === 1 ? '' : 's'}; track ${edits.subtitles.track + 1} is not there.`);
  }
  return problems;
}

/**
 * One short line for the source's row and its jobs: "0:12–1:40 · cropped to 1920×800 · sound track 2".
 * Empty for no edits. Tracks are counted from 1 for people.
 *
 * @example
 * ```ts
 * summarizeEdits({ trim: { start: 12, end: 100 }, audioTrack: 1 }); // '0:12–1:40 · sound track 2'
 * ```
 */
export function summarizeEdits(edits: Edits): string {
  const parts: string[] = [];
  const range = (trim: Trim): string => `${formatTime(trim.start)}–${trim.end === null ? 'end' : formatTime(trim.end)}`;
  if (edits.ranges) parts.push(edits.ranges.map(range).join(' + '));
  else if (edits.trim) parts.push(range(edits.trim));
  if (edits.crop) parts.push(`cropped to ${edits.crop.width}×${edits.crop.height}`);
  if (edits.rotate) parts.push(`rotated ${edits.rotate}°`);
  if (edits.flip) parts.push('flipped');
  if (edits.audioTrack !== undefined) parts.push(`sound track ${edits.audioTrack + 1}`);
  if (edits.subtitles && edits.subtitles.mode !== 'none') parts.push(`subtitles ${edits.subtitles.track + 1} ${edits.subtitles.mode === 'keep' ? 'kept' : 'burned in'}`);
  return parts.join(' · ');
}

/**
 * Copies the edits that make sense on every file (crop, rotation, flip, tracks, and the trim as
 * times) for "Apply to all"; whether they fit a given file is `editProblems`' question.
 */
export function editsForOthers(edits: Edits): Edits {
  return structuredClone(edits);
}

/** Seconds as ffmpeg reads them, without float noise (`12.3`, not `12.299999999999999`). */
function ffmpegSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/** The ffmpeg side of edits: input options (before `-i`), filters (before the preset's scaling), maps and subtitle options. */
export interface FfmpegEdits {
  /** Before `-i`: an accurate seek (ffmpeg decodes from the keyframe before and drops up to the start). */
  input: string[];
  /** Output options: how long to encode. */
  output: string[];
  /** Video filters in order, to run before the preset's own chain. */
  filters: string[];
  /** Audio filters in order (several ranges: the kept stretches joined); absent for none. */
  audioFilters?: string[];
  /** Which audio track to map, as ffmpeg's stream specifier. */
  audioMap: string;
  /** Maps and codec of a subtitle track kept as text; empty when none is kept. */
  subtitles: string[];
}

/** Where the subtitle options need the worker's files: the input as mounted, the folder of the burn-in font. */
export interface SubtitleContext {
  /** The input's path inside the worker (`/in/input.mkv`): the `subtitles` filter reads its track from there. */
  inputPath: string;
  /** The output container (`mp4`, `webm`, `matroska`…): which text codec it takes. */
  container: string;
  /** Folder holding the font libass draws with (the core has no fonts of its own). */
  fontsDir: string;
}

/** The font shipped for burned-in subtitles (DejaVu Sans, free licence), as libass names it. */
export const SUBTITLE_FONT = { file: 'DejaVuSans.ttf', family: 'DejaVu Sans' } as const;

/** The text subtitle codec each output container takes; absent: it takes none. */
const TEXT_SUBTITLES_IN: Readonly<Record<string, string>> = { mp4: 'mov_text', mov: 'mov_text', webm: 'webvtt', matroska: 'srt', mkv: 'srt' };

/** The text subtitle codec a container takes, or null when it takes none (FLV, GIF, audio). */
export function textSubtitleCodec(container: string): string | null {
  return TEXT_SUBTITLES_IN[container] ?? null;
}

/** A path inside a filter argument: `:`, `\`, `'`, `,` and brackets would end the option. */
function filterPath(path: string): string {
  return path.replace(/[\\:',[\]]/g, (c) => `\\${c}`);
}

/**
 * Compiles edits to ffmpeg arguments. `-ss` before `-i` is frame-accurate when transcoding
 * (ffmpeg decodes from the previous keyframe and drops the frames before the start); the
 * length is given with `-t` because an output `-to` counts from the seek, not the file.
 * Burned subtitles are drawn after crop and rotation (upright, inside the kept picture), on the
 * source's own clock (a trimmed input starts at 0; the track does not).
 *
 * @example
 * ```ts
 * ffmpegEdits({ trim: { start: 12, end: 100 }, rotate: 90 });
 * // { input: ['-ss', '12'], output: ['-t', '88'], filters: ['transpose=clock'], audioMap: '0:a:0', subtitles: [] }
 * ```
 */
export function ffmpegEdits(edits: Edits, context?: SubtitleContext): FfmpegEdits {
  const input: string[] = [];
  const output: string[] = [];
  const start = edits.trim?.start ?? 0;
  if (edits.trim) {
    if (start > 0) input.push('-ss', ffmpegSeconds(start));
    // Several ranges renumber the output's clock: their span limits the input read instead.
    if (edits.trim.end !== null) (edits.ranges ? input : output).push('-t', ffmpegSeconds(edits.trim.end - start));
  }
  const filters: string[] = [];
  if (edits.crop) filters.push(`crop=${edits.crop.width}:${edits.crop.height}:${edits.crop.x}:${edits.crop.y}:exact=1`);
  switch (edits.rotate ?? 0) {
    case 90:
      filters.push('transpose=clock');
      break;
    case 180:
      filters.push('hflip', 'vflip');
      break;
    case 270:
      filters.push('transpose=cclock');
      break;
    default:
      break;
  }
  if (edits.flip) filters.push('hflip');
  const subtitles: string[] = [];
  const choice = edits.subtitles;
  if (choice && choice.mode !== 'none') {
    if (!context) throw new TypeError('Subtitles need the input path, container and fonts folder (ffmpegEdits context).');
    if (choice.mode === 'burn') {
      const draw = `subtitles=${filterPath(context.inputPath)}:si=${choice.track}:fontsdir=${filterPath(context.fontsDir)}:force_style='FontName=${SUBTITLE_FONT.family}'`;
      filters.push(...(start > 0 ? [`setpts=PTS+${ffmpegSeconds(start)}/TB`, draw, 'setpts=PTS-STARTPTS'] : [draw]));
    } else {
      const codec = textSubtitleCodec(context.container);
      if (codec) subtitles.push('-map', `0:s:${choice.track}`, '-c:s', codec);
    }
  }
  // Several ranges: keep the frames and samples inside them (times from the seek) and number them on from 0, joined.
  const audioFilters: string[] = [];
  if (edits.ranges) {
    const inside = edits.ranges.map((r) => `gte(t,${ffmpegSeconds(r.start - start)})${r.end === null ? '' : `*lt(t,${ffmpegSeconds(r.end - start)})`}`).join('+');
    filters.push(`select='${inside}'`, 'setpts=N/FRAME_RATE/TB');
    audioFilters.push(`aselect='${inside}'`, 'asetpts=N/SR/TB');
  }
  return { input, output, filters, ...(audioFilters.length > 0 ? { audioFilters } : {}), audioMap: `0:a:${edits.audioTrack ?? 0}`, subtitles };
}

/** The upright picture in stored pixels (the file's rotation applied, pixel aspect not): where a crop is given. */
export function uprightPicture(video: Pick<VideoInfo, 'width' | 'height' | 'rotation'>): { width: number; height: number } {
  const turned = video.rotation === 90 || video.rotation === 270;
  return turned ? { width: video.height, height: video.width } : { width: video.width, height: video.height };
}

function editedVideo(video: VideoInfo, edits: Edits): VideoInfo {
  if (!edits.crop && !edits.rotate) return video;
  const upright = uprightPicture(video);
  // How much one stored pixel of the upright picture spans when shown, across and down.
  const across = video.displayWidth / upright.width;
  const down = video.displayHeight / upright.height;
  const cropped = edits.crop ? { width: edits.crop.width, height: edits.crop.height } : upright;
  const shown = { width: Math.round(cropped.width * across), height: Math.round(cropped.height * down) };
  const quarter = (edits.rotate ?? 0) % 180 === 90;
  return {
    ...video,
    width: quarter ? cropped.height : cropped.width,
    height: quarter ? cropped.width : cropped.height,
    displayWidth: quarter ? shown.height : shown.width,
    displayHeight: quarter ? shown.width : shown.height,
    // The output is made upright: nothing is left for a player to turn.
    rotation: 0,
  };
}

/**
 * The source as the edits make it, for everything downstream of them: a preset sizes the
 * edited picture, progress and checks count the trimmed duration, the chosen sound track is
 * the one described. The frame count of the whole stream no longer applies to a trim.
 *
 * @example
 * ```ts
 * editedSourceInfo(info, { trim: { start: 10, end: 30 }, rotate: 90 }); // durationSec 20, a portrait picture
 * ```
 */
export function editedSourceInfo(info: SourceInfo, edits: Edits): SourceInfo {
  if (isEmptyEdits(edits)) return info;
  const edited: SourceInfo = { ...info, durationSec: editedDuration(edits, info.durationSec), video: info.video ? editedVideo(info.video, edits) : null };
  if (edits.trim) delete edited.videoTiming;
  const track = edits.audioTrack !== undefined ? info.tracks?.audio[edits.audioTrack] : undefined;
  if (track && info.audio) edited.audio = { codec: track.codec, channels: track.channels ?? info.audio.channels, sampleRate: track.sampleRate ?? info.audio.sampleRate };
  return edited;
}

/**
 * What a source offers edits, from its probe.
 *
 * @example
 * ```ts
 * editableFacts(source.info); // { durationSec: 60, picture: { width: 1920, height: 1080 }, audioTracks: 1, subtitleTracks: 0 }
 * ```
 */
export function editableFacts(info: SourceInfo): EditableSource {
  return {
    durationSec: info.durationSec,
    picture: info.video ? uprightPicture(info.video) : null,
    audioTracks: info.tracks?.audio.length ?? (info.audio ? 1 : 0),
    subtitleTracks: info.tracks?.subtitles.length ?? 0,
  };
}

/** Where edited arguments need the worker's files (see SubtitleContext). */
export type EditContext = SubtitleContext;

/**
 * Applies edits to a whole encode's ffmpeg arguments, which every built-in writes as
 * `-i input, maps, [-vf chain], codecs…, output`: the seek goes before `-i`, the chosen sound
 * track replaces the first, the edit filters run before the preset's chain, the length and
 * the kept subtitles go before the output. Arguments with a `-filter_complex` of their own
 * take no picture edits (there is no one chain to put them in): a sentence says so.
 *
 * @example
 * ```ts
 * applyEditsToArgs(['-i', '/in/a.mp4', '-map', '0:v:0', '-map', '0:a:0', '-vf', 'scale=1280:720', '-c:v', 'libx264', '/out/o.mp4'], { trim: { start: 5, end: 10 } }, context);
 * // ['-ss', '5', '-i', '/in/a.mp4', …, '-t', '5', '/out/o.mp4']
 * ```
 */
export function applyEditsToArgs(args: readonly string[], edits: Edits, context: EditContext): string[] {
  if (isEmptyEdits(edits)) return [...args];
  const compiled = ffmpegEdits(edits, context);
  const out = [...args];
  const output = out.pop();
  if (output === undefined) throw new TypeError('applyEditsToArgs needs the output path as the last argument.');
  if (compiled.filters.length > 0) {
    if (out.includes('-filter_complex') || out.includes('-lavfi')) throw new EditMismatchError('Crop, rotate, flip and burned subtitles cannot be added to arguments with a -filter_complex of their own.');
    const vf = out.findIndex((a) => a === '-vf' || a === '-filter:v');
    if (vf >= 0) out[vf + 1] = [...compiled.filters, out[vf + 1]].filter(Boolean).join(',');
    else {
      // After the maps: before the first codec option.
      let at = out.indexOf('-i') + 2;
      while (out[at] === '-map') at += 2;
      out.splice(at, 0, '-vf', compiled.filters.join(','));
    }
  }
  if (compiled.audioFilters && !out.includes('-an')) {
    const af = out.findIndex((a) => a === '-af' || a === '-filter:a');
    if (af >= 0) out[af + 1] = [...compiled.audioFilters, out[af + 1]].filter(Boolean).join(',');
    else {
      let at = out.indexOf('-i') + 2;
      while (out[at] === '-map') at += 2;
      out.splice(at, 0, '-af', compiled.audioFilters.join(','));
    }
  }
  const audioMap = out.findIndex((a, i) => a === '0:a:0' && out[i - 1] === '-map');
  if (audioMap >= 0) out[audioMap] = compiled.audioMap;
  const input = out.indexOf('-i');
  out.splice(Math.max(0, input), 0, ...compiled.input);
  out.push(...compiled.subtitles, ...compiled.output, output);
  return out;
}

/**
 * Edits that do not fit a preset's output (a crop of an audio-only preset…). The job fails
 * with its sentence.
 *
 * @example
 * ```ts
 * if (error instanceof EditMismatchError) console.warn(error.message);
 * ```
 */
export class EditMismatchError extends Error {
  override name = 'EditMismatchError';
}

/** A split encode's parts with the picture edits before the preset's own chain. */
export function editedFilters(filters: string, edits: Edits, context?: EditContext): string {
  if (isEmptyEdits(edits)) return filters;
  return [...ffmpegEdits(edits, context).filters, filters].filter(Boolean).join(',');
}

/**
 * Why the fast route leaves edits to ffmpeg.wasm, in a few words; null when it honours them
 * all (trim, crop, rotate and the sound track it does; a mirror or subtitles it does not).
 */
export function fastRouteEditsReason(edits: Edits): string | null {
  if (edits.ranges) return 'several ranges run on ffmpeg.wasm';
  if (edits.flip) return 'flip runs on ffmpeg.wasm';
  if (edits.subtitles && edits.subtitles.mode !== 'none') return 'subtitles run on ffmpeg.wasm';
  return null;
}

/** Split encodes take trims, crops, turns and tracks; subtitles are drawn or muxed whole. */
export function splitsWithEdits(edits: Edits): boolean {
  return !edits.ranges && (!edits.subtitles || edits.subtitles.mode === 'none');
}

/**
 * Why a preset that copies the picture (MP4, streams copied) cannot make these edits; null
 * when it can. Several ranges are joined by re-encoding.
 *
 * @example
 * ```ts
 * copyEditsProblem({ ranges: [{ start: 0, end: 2 }, { start: 5, end: 7 }] }); // 'Several ranges are joined by re-encoding…'
 * ```
 */
export function copyEditsProblem(edits: Edits): string | null {
  return edits.ranges ? 'Several ranges are joined by re-encoding: MP4, streams copied cannot join them; pick a preset that encodes, such as MP4 H.264.' : null;
}
