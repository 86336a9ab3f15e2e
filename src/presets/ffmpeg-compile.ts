/**
 * Output spec → ffmpeg arguments. The whole encode and the split one come from the same
 * `specParts`, so they cannot drift; the native command a person copies is the same list.
 * Pure.
 */
import { AV1_CRF, CONTAINER_MUXERS, VP9_CRF, X264_CRF, X265_CRF, type AudioSpec, type OutputSpec, type VideoSpec } from './output-spec';
import { MP4_AUDIO_COPY, MP4_VIDEO_COPY, PresetMismatchError, codecLabel, fitBox } from './preset-basics';
import { planSizeBudget, type BudgetPlan } from './size-budget';
import { hdrName, makesSdrVideo, sdrOutput, toneMapChain } from './hdr';
import type { SourceInfo, VideoInfo } from './source-info';

/** A change for one run: the size target's retry at a lower video rate. */
export interface SpecTune {
  videoBitrate?: number;
}

/** Where ffmpeg reads and writes. */
export interface SpecPaths {
  input: string;
  output: string;
}

/** A video spec's arguments by role; the whole list is `-i in, maps, -vf filters, video, audio, mux, out`. */
export interface SpecParts {
  /** The -vf chain, or '' for none. */
  filters: string;
  video: string[];
  /** Empty when the source has no audio (or the spec none). */
  audio: string[];
  mux: string[];
  /** Output frame rate when the spec fixes or caps one (and the source is above it), else null. */
  fps: number | null;
}

/** What the output is called in a sentence: "an H.264 MP4", "a GIF". */
export function outputName(spec: OutputSpec): string {
  const video = typeof spec.video === 'object' && spec.video ? spec.video.codec : null;
  const names: Record<string, string> = { h264: 'H.264', hevc: 'HEVC', vp9: 'VP9', av1: 'AV1', flv1: 'FLV', mpeg4: 'MPEG-4', gif: 'GIF' };
  if (video === 'gif') return 'a GIF';
  if (video === 'flv1') return 'an FLV';
  if (video) {
    const name = `${names[video]} ${spec.container.toUpperCase() === 'WEBM' ? 'WebM' : spec.container.toUpperCase()}`;
    return /^[AEFHIMO]/.test(name) ? `an ${name}` : `a ${name}`;
  }
  return { mp3: 'an MP3', m4a: 'an M4A', opus: 'an Opus file', flac: 'a FLAC file', wav: 'a WAV file' }[spec.container as 'mp3'] ?? `a ${spec.container} file`;
}

function requireVideo(spec: OutputSpec, source: SourceInfo): VideoInfo {
  if (!source.video) {
    throw new PresetMismatchError(`This file has no video track, so it cannot become ${outputName(spec)}. Pick the MP3 audio preset for audio-only files.`);
  }
  return source.video;
}

const kbps = (bitsPerSecond: number): string => `${Math.round(bitsPerSecond / 1000)}k`;

/** The default bitrate of each lossy sound codec when the spec gives none (MP3: VBR instead). */
export const AUDIO_DEFAULT_BITRATE = { aac: 128_000, opus: 96_000, mp3: 190_000 } as const;

/** The sound's bitrate in the output, for a size budget (0 when there is none, or lossless). */
export function audioBitrateOf(audio: OutputSpec['audio'], source: SourceInfo): number {
  if (!source.audio || audio === null || audio === 'copy') return 0;
  if (audio.codec === 'flac' || audio.codec === 'pcm') return 0;
  return audio.bitrate ?? AUDIO_DEFAULT_BITRATE[audio.codec];
}

function audioWords(audio: AudioSpec, source: SourceInfo): string[] {
  const encoder = { aac: 'aac', opus: 'libopus', mp3: 'libmp3lame', flac: 'flac', pcm: 'pcm_s16le' }[audio.codec];
  const rate =
    audio.codec === 'flac' || audio.codec === 'pcm'
      ? []
      : audio.bitrate !== undefined
        ? ['-b:a', kbps(audio.bitrate)]
        : audio.codec === 'mp3'
          ? ['-q:a', '2']
          : ['-b:a', kbps(AUDIO_DEFAULT_BITRATE[audio.codec])];
  const channels = audio.channels !== undefined && source.audio && source.audio.channels > audio.channels ? ['-ac', String(audio.channels)] : [];
  return ['-c:a', encoder, ...rate, ...(audio.sampleRate !== undefined ? ['-ar', String(audio.sampleRate)] : []), ...channels];
}

/** The picture's planned size (shown, even sides), or the recipe's fixed one. */
export function videoSize(video: VideoSpec, source: VideoInfo): { width: number; height: number } {
  if (video.exactSize) return video.exactSize;
  if (video.maxWidth === undefined && video.maxHeight === undefined) return fitBox(source);
  return fitBox(source, video.maxWidth, video.maxHeight);
}

/** The frame rate the output runs at when the spec changes it, else null. */
export function outputFps(video: VideoSpec, source: VideoInfo): number | null {
  if (video.fps !== undefined) return video.fps;
  if (video.maxFps !== undefined && (source.fps === null || source.fps > video.maxFps + 0.01)) return video.maxFps;
  return null;
}

/**
 * The video filter chain, built here only: frame-rate cap, then (the seam for colour: an
 * HDR source's tone mapping goes before the scale) the scale, then GIF's palette.
 */
export function videoFilterChain(video: VideoSpec, source: VideoInfo): string {
  if (video.recipeWords) return '';
  const chain: string[] = [];
  if (video.maxFps !== undefined && outputFps(video, source) !== null) chain.push(`fps=${video.maxFps}`);
  const { width, height } = videoSize(video, source);
  if (video.codec === 'gif') {
    const hdr = hdrName(source) !== null && source.hdr ? [toneMapChain(source.hdr)] : [];
    chain.push(`scale=${width}:${height}:flags=lanczos`, 'setsar=1', ...hdr, 'split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4');
  } else {
    chain.push(`scale=${width}:${height}`, 'setsar=1');
  }
  return chain.join(',');
}

/**
 * A size target's share-out for this source (sound first, then the picture), or null when
 * the spec has no size target or the source no picture to size.
 */
export function specSizeBudget(spec: OutputSpec, source: SourceInfo): BudgetPlan | null {
  const video = spec.video;
  if (typeof video !== 'object' || video === null || video.rate?.kind !== 'size' || !source.video) return null;
  const size = videoSize(video, source.video);
  const info = source.video;
  return planSizeBudget({
    maxBytes: video.rate.bytes,
    durationSec: source.durationSec,
    audioBitrate: audioBitrateOf(spec.audio, source),
    width: size.width,
    height: size.height,
    fps: outputFps(video, info) ?? info.fps,
    smallerSizes: [720, 480, 360, 240].map((h) => fitBox(info, video.maxWidth, h)),
  });
}

/**
 * Why the job must not start, in a sentence, whichever engine would run it: a size target
 * that cannot hold a watchable picture (with what would fit). Null when it may start.
 */
export function specRefusal(spec: OutputSpec, source: SourceInfo): string | null {
  const budget = specSizeBudget(spec, source);
  return budget && !budget.ok ? budget.reason : null;
}

/** The rate words of each encoder: a quality, a size target's rate cap, or a bitrate. */
function rateWords(video: VideoSpec, spec: OutputSpec, source: SourceInfo, tune: SpecTune): string[] {
  const rate = video.rate;
  if (!rate) return [];
  const crfTable = { h264: X264_CRF, hevc: X265_CRF, vp9: VP9_CRF, av1: AV1_CRF }[video.codec as 'h264'];
  const zeroBitrate = video.codec === 'vp9' || video.codec === 'av1' ? ['-b:v', '0'] : [];
  if (rate.kind === 'quality') {
    if (video.codec === 'flv1' || video.codec === 'mpeg4') return ['-q:v', String({ 1: 12, 2: 8, 3: 5, 4: 3, 5: 2 }[rate.level])];
    return ['-crf', String(crfTable[rate.level]), ...zeroBitrate];
  }
  if (rate.kind === 'bitrate') return ['-b:v', kbps(rate.bitsPerSecond)];
  const budget = specSizeBudget(spec, source);
  if (!budget) return [];
  if (!budget.ok) throw new PresetMismatchError(budget.reason);
  const rateBits = tune.videoBitrate ?? budget.videoBitrate;
  const cap = kbps(rateBits);
  const buffer = kbps((budget.bufferBits * rateBits) / budget.videoBitrate);
  // A quality cap: CRF spends no more than it needs, the rate buffer bounds it from above.
  if (rate.cap !== undefined && crfTable) return ['-crf', String(crfTable[rate.cap]), ...(zeroBitrate.length ? ['-b:v', cap] : []), '-maxrate', cap, '-bufsize', buffer];
  return ['-b:v', cap, '-maxrate', cap, '-bufsize', buffer];
}

function videoWords(video: VideoSpec, spec: OutputSpec, source: SourceInfo, size: { width: number; height: number }, tune: SpecTune): string[] {
  if (video.recipeWords) return [...video.recipeWords];
  const rate = rateWords(video, spec, source, tune);
  const yuv = ['-pix_fmt', 'yuv420p'];
  switch (video.codec) {
    case 'h264':
      return ['-c:v', 'libx264', '-preset', 'veryfast', ...rate, ...yuv];
    case 'hevc':
      // Apple's players want HEVC tagged hvc1, not ffmpeg's default hev1.
      return ['-c:v', 'libx265', '-preset', 'veryfast', ...rate, '-tag:v', 'hvc1', ...yuv];
    case 'vp9':
      // The realtime deadline: ten times faster than good/5 on one wasm thread (16.7 s against
      // 173 s for 5 s of 960×540), at the same PSNR for about 65% more bytes.
      return ['-c:v', 'libvpx-vp9', ...rate, '-deadline', 'realtime', '-cpu-used', '8', ...yuv];
    case 'av1':
      return ['-c:v', 'libaom-av1', ...rate, '-cpu-used', '8', '-row-mt', '1', ...yuv];
    case 'gif':
      return ['-c:v', 'gif'];
    case 'flv1':
      return ['-c:v', 'flv', ...rate, '-s', `${size.width}x${size.height}`, ...yuv];
    case 'mpeg4':
      return ['-c:v', 'mpeg4', ...rate, ...yuv];
  }
}

function muxWords(spec: OutputSpec): string[] {
  // MP4 encodes leave the format to the output's .mp4 name, as the built-ins always have;
  // everything else names its muxer.
  const named = spec.container !== 'mp4' || spec.video === 'copy';
  return [...(spec.faststart ? ['-movflags', '+faststart'] : []), ...(named ? ['-f', CONTAINER_MUXERS[spec.container]] : [])];
}

/**
 * A spec with encoded video, by role, for one source: what both the whole encode and the
 * split one run. Throws PresetMismatchError when the source cannot make this output.
 */
export function specParts(spec: OutputSpec, source: SourceInfo, tune: SpecTune = {}): SpecParts {
  const video = spec.video;
  if (video === null || video === 'copy') throw new TypeError('specParts needs a spec with encoded video.');
  // 8-bit SDR video from an HDR source: tone-mapped and tagged BT.709 (src/presets/hdr.ts), whole and split alike.
  const own = (): SpecParts => ownParts(spec, video, source, tune);
  return mapsAfterOwnFilters(spec) ? sdrOutput(own)(source) : own();
}

/**
 * Whether the tone map and BT.709 tags go after the spec's own filters and encoder words:
 * every 8-bit SDR codec but GIF, whose chain maps before its palette (videoFilterChain).
 */
function mapsAfterOwnFilters(spec: OutputSpec): boolean {
  return makesSdrVideo(spec) && !(typeof spec.video === 'object' && spec.video?.codec === 'gif');
}

function ownParts(spec: OutputSpec, video: VideoSpec, source: SourceInfo, tune: SpecTune): SpecParts {
  const info = requireVideo(spec, source);
  const size = videoSize(video, info);
  const fps = outputFps(video, info);
  return {
    filters: videoFilterChain(video, info),
    video: videoWords(video, spec, source, size, tune),
    audio: source.audio && spec.audio !== null && spec.audio !== 'copy' ? audioWords(spec.audio, source) : source.audio && spec.audio === 'copy' ? ['-c:a', 'copy'] : [],
    mux: muxWords(spec),
    fps,
  };
}

/** Whether a long source may be cut in segments for this spec: encoded video but GIF (one palette for the whole). */
export function specSplits(spec: OutputSpec): boolean {
  return typeof spec.video === 'object' && spec.video !== null && spec.video.codec !== 'gif';
}

function copyArgs(spec: OutputSpec, source: SourceInfo, { input, output }: SpecPaths): string[] {
  if (source.video && !MP4_VIDEO_COPY.has(source.video.codec)) {
    throw new PresetMismatchError(
      `The video is ${codecLabel(source.video.codec)}, which cannot go into an MP4 without re-encoding. Pick "MP4 H.264 720p" (or 480p) instead.`,
    );
  }
  const audio = spec.audio === 'copy' ? source.audio : null;
  if (audio && !MP4_AUDIO_COPY.has(audio.codec)) {
    const instead = source.video ? '"MP4 H.264 720p" (or 480p)' : '"MP3 audio only"';
    throw new PresetMismatchError(`The audio is ${codecLabel(audio.codec)}, which cannot go into an MP4 without re-encoding. Pick ${instead} instead.`);
  }
  return [
    '-i', input,
    ...(source.video ? ['-map', '0:v:0'] : []),
    ...(audio ? ['-map', '0:a:0'] : []),
    '-c', 'copy',
    ...(source.video?.codec === 'hevc' ? ['-tag:v', 'hvc1'] : []),
    ...muxWords(spec),
    output,
  ];
}

function audioOnlyArgs(spec: OutputSpec, source: SourceInfo, { input, output }: SpecPaths): string[] {
  const audio = spec.audio;
  if (!source.audio) {
    throw new PresetMismatchError(`This file has no audio track, so there is nothing to put in ${outputName(spec)}.`);
  }
  if (audio === null || audio === 'copy') throw new TypeError('An audio-only spec needs an encoded audio codec.');
  return ['-i', input, '-map', '0:a:0', '-vn', ...audioWords(audio, source), ...muxWords(spec), output];
}

/**
 * ffmpeg's whole argument list (without the program name) for `spec` on `source`.
 * Throws PresetMismatchError with a sentence when the source cannot make this output.
 *
 * @example
 * ```ts
 * toFfmpegArgs(spec, info, { input: 'clip.mov', output: 'clip.mp4' });
 * // ['-i', 'clip.mov', '-map', '0:v:0', '-map', '0:a:0', '-vf', 'scale=1920:1080,setsar=1', '-c:v', 'libx264', …, 'clip.mp4']
 * ```
 */
export function specArgs(spec: OutputSpec, source: SourceInfo, paths: SpecPaths, tune: SpecTune = {}): string[] {
  if (spec.video === null) return audioOnlyArgs(spec, source, paths);
  if (spec.video === 'copy') return copyArgs(spec, source, paths);
  const { filters, video, audio, mux } = specParts(spec, source, tune);
  const maps = ['-map', '0:v:0', ...(audio.length ? ['-map', '0:a:0'] : [])];
  return ['-i', paths.input, ...maps, ...(filters ? ['-vf', filters] : []), ...video, ...audio, ...mux, paths.output];
}

/** Why ffmpeg.wasm (this core) cannot make `spec` at all, or null: native ffmpeg still can. */
export function ffmpegWasmRefusal(spec: OutputSpec): string | null {
  if (typeof spec.video === 'object' && spec.video?.codec === 'av1') return 'AV1 has no encoder in ffmpeg.wasm: only the fast route makes it, where the browser encodes AV1';
  return null;
}
