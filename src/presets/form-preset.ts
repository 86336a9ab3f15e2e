/**
 * A preset built from choices (the **New preset** form): format, size, frame rate, sound,
 * quality or a size to fit in. The choices are what is kept (IndexedDB, export files); the
 * output spec is compiled from them, so both engines run it like a built-in. Pure.
 */
import { checkOutputSpec, QUALITY_MARKS, type AudioSpec, type OutputSpec, type QualityLevel, type SpecAudioCodec, type SpecContainer, type SpecVideoCodec, type VideoSpec } from './output-spec';
import { compileWebCodecs } from './webcodecs-compile';
import type { SourceInfo } from './source-info';

/**
 * The form's **Format** values.
 *
 * @example
 * ```ts
 * const format: FormFormat = 'webm-vp9';
 * ```
 */
export type FormFormat = 'mp4-h264' | 'mp4-hevc' | 'webm-vp9' | 'webm-av1' | 'mp4-av1' | 'gif' | 'mp3' | 'm4a' | 'opus' | 'flac' | 'wav' | 'copy';

/**
 * The form's **Sound** values: the format's own codec (stereo at most), the same in mono, or none.
 *
 * @example
 * ```ts
 * const sound: FormSound = 'mono';
 * ```
 */
export type FormSound = 'auto' | 'mono' | 'none';

/**
 * What the form holds; null where the form says "as the source" (size, frame rate), "quality
 * rules" (fit) or "the format's default" (sound bitrate).
 *
 * @example
 * ```ts
 * const choices: PresetChoices = { format: 'mp4-h264', maxHeight: 1080, maxFps: null, sound: 'auto', quality: 3, fitMB: null, soundKbps: 96 };
 * ```
 */
export interface PresetChoices {
  format: FormFormat;
  maxHeight: number | null;
  maxFps: number | null;
  sound: FormSound;
  quality: QualityLevel;
  /** Megabytes of 1,000,000 bytes; null: the quality mark rules. */
  fitMB: number | null;
  /** null: the format's default bitrate. */
  soundKbps: number | null;
}

interface FormatEntry {
  label: string;
  container: SpecContainer;
  video: SpecVideoCodec | null;
  audio: SpecAudioCodec;
}

/**
 * The formats in the form's order, with what each writes.
 *
 * @example
 * ```ts
 * FORM_FORMATS['webm-vp9'].container; // 'webm'
 * ```
 */
export const FORM_FORMATS: Readonly<Record<FormFormat, FormatEntry>> = {
  'mp4-h264': { label: 'MP4 H.264', container: 'mp4', video: 'h264', audio: 'aac' },
  'mp4-hevc': { label: 'MP4 HEVC', container: 'mp4', video: 'hevc', audio: 'aac' },
  'webm-vp9': { label: 'WebM VP9', container: 'webm', video: 'vp9', audio: 'opus' },
  'webm-av1': { label: 'WebM AV1', container: 'webm', video: 'av1', audio: 'opus' },
  'mp4-av1': { label: 'MP4 AV1', container: 'mp4', video: 'av1', audio: 'aac' },
  gif: { label: 'GIF', container: 'gif', video: 'gif', audio: 'aac' },
  mp3: { label: 'MP3 (sound only)', container: 'mp3', video: null, audio: 'mp3' },
  m4a: { label: 'M4A AAC (sound only)', container: 'm4a', video: null, audio: 'aac' },
  opus: { label: 'Opus (sound only)', container: 'opus', video: null, audio: 'opus' },
  flac: { label: 'FLAC (sound only, lossless)', container: 'flac', video: null, audio: 'flac' },
  wav: { label: 'WAV (sound only, lossless)', container: 'wav', video: null, audio: 'pcm' },
  copy: { label: 'MP4, streams copied', container: 'mp4', video: null, audio: 'aac' },
};
/**
 * The form's **Size** choices: lines high at most (besides `source`).
 *
 * @example
 * ```ts
 * FORM_SIZES.includes(1080); // true
 * ```
 */
export const FORM_SIZES: readonly number[] = [2160, 1440, 1080, 720, 480, 360];
/**
 * The form's **Frame rate** choices: frames per second at most (besides `source`).
 *
 * @example
 * ```ts
 * FORM_FRAME_RATES[0]; // 60
 * ```
 */
export const FORM_FRAME_RATES: readonly number[] = [60, 30, 24, 15];
/**
 * The quick picks beside **Fit in (MB)**: chat apps' and mail's usual limits.
 *
 * @example
 * ```ts
 * FIT_QUICK_PICKS.map((mb) => `${mb} MB`); // ['8 MB', '10 MB', '16 MB', '25 MB', '50 MB']
 * ```
 */
export const FIT_QUICK_PICKS: readonly number[] = [8, 10, 16, 25, 50];

/**
 * A choice the form cannot make into a preset; `message` is the form's sentence.
 *
 * @example
 * ```ts
 * if (error instanceof PresetChoicesError) alert.textContent = error.message;
 * ```
 */
export class PresetChoicesError extends TypeError {
  override name = 'PresetChoicesError';
}

/**
 * Whether the format has a picture the Size, Frame rate, Quality and Fit in choices act on.
 *
 * @example
 * ```ts
 * formatHasVideo('mp3'); // false
 * ```
 */
export function formatHasVideo(format: FormFormat): boolean {
  return FORM_FORMATS[format].video !== null;
}

function fail(message: string): never {
  throw new PresetChoicesError(message);
}

/**
 * Checks choices from outside (the form, a saved record, an import) and returns a clean copy;
 * throws a PresetChoicesError with the sentence to show.
 */
export function checkPresetChoices(value: unknown, field = 'choices'): PresetChoices {
  if (typeof value !== 'object' || value === null) fail(`${field} must be an object.`);
  const v = value as Record<string, unknown>;
  const format = v['format'];
  if (typeof format !== 'string' || !(format in FORM_FORMATS)) fail(`${field}.format must be one of ${Object.keys(FORM_FORMATS).join(', ')}.`);
  const pick = (key: string, allowed: readonly number[]): number | null => {
    const x = v[key];
    if (x === null || x === undefined) return null;
    if (typeof x !== 'number' || !allowed.includes(x)) fail(`${field}.${key} must be null or one of ${allowed.join(', ')}.`);
    return x;
  };
  const maxHeight = pick('maxHeight', FORM_SIZES);
  const maxFps = pick('maxFps', FORM_FRAME_RATES);
  const sound = v['sound'] ?? 'auto';
  if (sound !== 'auto' && sound !== 'mono' && sound !== 'none') fail(`${field}.sound must be auto, mono or none.`);
  const quality = v['quality'] ?? 3;
  if (typeof quality !== 'number' || !Number.isInteger(quality) || quality < 1 || quality > 5) fail(`${field}.quality must be a whole number from 1 to 5.`);
  const fitMB = v['fitMB'] ?? null;
  if (fitMB !== null && (typeof fitMB !== 'number' || !Number.isFinite(fitMB) || fitMB < 0.1 || fitMB > 100_000)) fail('Fit in (MB) must be a number from 0.1 to 100000, or empty.');
  const soundKbps = v['soundKbps'] ?? null;
  if (soundKbps !== null && (typeof soundKbps !== 'number' || !Number.isInteger(soundKbps) || soundKbps < 8 || soundKbps > 512)) fail('Sound kb/s must be a whole number from 8 to 512, or empty.');
  return { format: format as FormFormat, maxHeight, maxFps, sound, quality: quality as QualityLevel, fitMB: fitMB, soundKbps: soundKbps };
}

/**
 * The output spec of the choices, checked by `checkOutputSpec`; throws a PresetChoicesError
 * saying which choice does not go with which.
 *
 * @example
 * ```ts
 * specFromChoices({ format: 'mp4-h264', maxHeight: 1080, maxFps: null, sound: 'auto', quality: 3, fitMB: null, soundKbps: 96 });
 * // { container: 'mp4', video: { codec: 'h264', maxHeight: 1080, rate: { kind: 'quality', level: 3 } }, audio: { codec: 'aac', bitrate: 96000, channels: 2 }, faststart: true }
 * ```
 */
export function specFromChoices(choices: PresetChoices): OutputSpec {
  const entry = FORM_FORMATS[choices.format];
  if (choices.format === 'copy') {
    // Streams as they are: nothing else to choose.
    return checkOutputSpec({ container: 'mp4', video: 'copy', audio: choices.sound === 'none' ? null : 'copy', faststart: true });
  }
  const lossless = entry.audio === 'flac' || entry.audio === 'pcm';
  if (lossless && choices.soundKbps !== null) fail(`${entry.label.split(' (')[0] ?? entry.label} is lossless: leave Sound kb/s empty.`);
  let audio: AudioSpec | null = null;
  if (choices.sound !== 'none' && choices.format !== 'gif') {
    audio = {
      codec: entry.audio,
      ...(choices.soundKbps !== null ? { bitrate: choices.soundKbps * 1000 } : {}),
      channels: choices.sound === 'mono' ? 1 : 2,
    };
  } else if (entry.video === null) {
    fail(`${entry.label} is sound only: Sound cannot be none.`);
  }
  let video: VideoSpec | null = null;
  if (entry.video !== null) {
    if (entry.video === 'gif' && choices.fitMB !== null) fail('GIF has no rate control: leave Fit in (MB) empty.');
    video = {
      codec: entry.video,
      ...(choices.maxHeight !== null ? { maxHeight: choices.maxHeight } : {}),
      ...(choices.maxFps !== null ? { maxFps: choices.maxFps } : {}),
      ...(entry.video === 'gif'
        ? {}
        : { rate: choices.fitMB !== null ? { kind: 'size' as const, bytes: Math.round(choices.fitMB * 1_000_000) } : { kind: 'quality' as const, level: choices.quality } }),
    };
  }
  try {
    return checkOutputSpec({ container: entry.container, video, audio, ...(entry.container === 'mp4' || entry.container === 'm4a' ? { faststart: true } : {}) });
  } catch (error) {
    if (error instanceof TypeError) fail(error.message.replace(/^spec\./, ''));
    throw error;
  }
}

/**
 * One line for a form preset: "MP4 H.264 · at most 1080 lines · quality 3 (good) · sound 96 kb/s".
 *
 * @example
 * ```ts
 * summary.textContent = describeChoices(preset.choices);
 * ```
 */
export function describeChoices(choices: PresetChoices): string {
  const entry = FORM_FORMATS[choices.format];
  if (choices.format === 'copy') return `${entry.label}${choices.sound === 'none' ? ', no sound' : ''}`;
  const parts = [entry.label];
  if (entry.video !== null) {
    parts.push(choices.maxHeight !== null ? `at most ${choices.maxHeight} lines` : 'source size');
    if (choices.maxFps !== null) parts.push(`at most ${choices.maxFps} fps`);
    if (entry.video !== 'gif') parts.push(choices.fitMB !== null ? `fit in ${choices.fitMB} MB` : `quality ${choices.quality} (${QUALITY_MARKS[choices.quality]})`);
  }
  if (choices.sound === 'none' || choices.format === 'gif') parts.push('no sound');
  else parts.push(`${choices.sound === 'mono' ? 'mono ' : ''}sound${choices.soundKbps !== null ? ` ${choices.soundKbps} kb/s` : ''}`);
  return parts.join(' · ');
}

/** A typical phone clip: 30 s of 1080p30 H.264 with stereo AAC in MP4. */
export const TYPICAL_PHONE_CLIP: SourceInfo = {
  durationSec: 30,
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  video: { codec: 'h264', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, fps: 30 },
  audio: { codec: 'aac', channels: 2, sampleRate: 48000 },
};

/**
 * Which engine a typical phone clip (1080p H.264/AAC MP4) would take with this spec, and why,
 * as the form says it. `browserEncodes`: whether this browser encodes the spec's video codec
 * (null: not known yet).
 *
 * @example
 * ```ts
 * line.textContent = engineSentence(spec, await canEncode(spec));
 * ```
 */
export function engineSentence(spec: OutputSpec, browserEncodes: boolean | null): string {
  const compiled = compileWebCodecs(spec, TYPICAL_PHONE_CLIP);
  const av1 = typeof spec.video === 'object' && spec.video?.codec === 'av1';
  if (!compiled.ok) return `A typical phone clip (1080p H.264/AAC MP4) would take ffmpeg.wasm: ${compiled.reason}.`;
  if (browserEncodes === false) {
    return av1
      ? 'This browser does not encode AV1, and ffmpeg.wasm has no AV1 encoder: this preset cannot run here.'
      : `A typical phone clip (1080p H.264/AAC MP4) would take ffmpeg.wasm: this browser does not encode ${compiled.plan.video.codec === 'avc' ? 'H.264' : 'VP9'} at ${compiled.plan.video.height} lines.`;
  }
  return `A typical phone clip (1080p H.264/AAC MP4) would take the fast route (WebCodecs): the browser decodes it and encodes ${compiled.plan.video.width}×${compiled.plan.video.height}${browserEncodes === null ? ' where it can' : ''}.`;
}
