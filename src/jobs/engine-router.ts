import { toneMapsHdr } from '../presets/hdr';
import type { SourceInfo } from '../presets/source-info';
import type { WebCodecsSupport } from '../../workers/protocol';
import { fastRouteEditsReason, type Edits } from '../presets/edits';
import { presetById, type Preset } from '../presets/presets';
import { webCodecsTargetFor, type WebCodecsPlan } from './webcodecs-plan';

export type { WebCodecsSupport };

export type Engine = 'webcodecs' | 'ffmpeg';

/** `reason` says in a few words why a job stays on ffmpeg.wasm; absent for WebCodecs. */
export interface EngineDecision {
  engine: Engine;
  reason?: string;
}

/** The Engine select / `?engine=`: Auto, or ffmpeg.wasm only. */
export type EngineMode = 'auto' | 'ffmpeg';

const CODEC_NAMES: Readonly<Record<string, string>> = {
  h264: 'H.264',
  avc: 'H.264',
  hevc: 'HEVC',
  h265: 'HEVC',
  vp8: 'VP8',
  vp9: 'VP9',
  av1: 'AV1',
  mpeg4: 'MPEG-4 Part 2',
  mpeg2video: 'MPEG-2',
  mpeg1video: 'MPEG-1',
  theora: 'Theora',
  flv1: 'FLV1',
  vp6f: 'VP6',
  vp6: 'VP6',
  prores: 'ProRes',
  msmpeg4v3: 'DivX 3',
  wmv3: 'WMV',
  aac: 'AAC',
  mp3: 'MP3',
  opus: 'Opus',
  vorbis: 'Vorbis',
  flac: 'FLAC',
  ac3: 'AC-3',
  eac3: 'E-AC-3',
  pcm_s16le: 'PCM',
  wmav2: 'WMA',
};

/** ffprobe's format names (first of the comma list) as people know them. */
const CONTAINER_NAMES: Readonly<Record<string, string>> = {
  avi: 'AVI',
  flv: 'FLV',
  asf: 'WMV/ASF',
  mpeg: 'MPEG-PS',
  mpegts: 'MPEG-TS',
  mov: 'MP4/MOV',
  matroska: 'Matroska',
  ogg: 'Ogg',
  rm: 'RealMedia',
  '3gp': '3GP',
};

const TARGET_VIDEO = { avc: 'H.264', vp9: 'VP9', av1: 'AV1' } as const;
const TARGET_AUDIO = { aac: 'AAC', opus: 'Opus' } as const;

export function codecName(codec: string | null | undefined): string {
  if (!codec || codec === 'unknown') return 'This';
  return CODEC_NAMES[codec.toLowerCase()] ?? codec.toUpperCase();
}

function containerName(format: string): string {
  const first = format.split(',')[0] ?? format;
  return CONTAINER_NAMES[first] ?? first.toUpperCase();
}

/** The router's reason for an HDR source going to an 8-bit SDR output. */
export const HDR_REASON = 'HDR → SDR tone mapping runs on ffmpeg.wasm';

function ffmpeg(reason: string): EngineDecision {
  return { engine: 'ffmpeg', reason };
}

/**
 * Picks the engine for one job: WebCodecs when the preset's spec compiles to a plan, Mediabunny
 * reads the container and the source's tracks, the browser decodes them and encodes the
 * preset's codecs at the planned size; ffmpeg.wasm otherwise, with the reason.
 * `support` is null when the worker could not be asked (treated as "no").
 *
 * @example
 * chooseEngine('mp4-h264-720p', source, support); // { engine: 'webcodecs' }
 * chooseEngine('flv-320x240', source, support); // { engine: 'ffmpeg', reason: 'FLV1 preset is ffmpeg-only' }
 */
export function chooseEngine(presetId: string, source: SourceInfo, support: WebCodecsSupport | null, mode: EngineMode = 'auto'): EngineDecision {
  if (mode === 'ffmpeg') return ffmpeg('ffmpeg.wasm only was chosen');
  // The preset's spec says what the fast route cannot make (and a source without video
  // fails the preset with its own sentence on ffmpeg.wasm).
  const planned = webCodecsTargetFor(presetById(presetId), source);
  if (!planned.target) return ffmpeg(planned.reason);
  return withBrowser(presetId, source, planned.target, support);
}

/** What the browser can and cannot do with a planned target: WebCodecs, or ffmpeg.wasm with why. */
function withBrowser(presetId: string, source: SourceInfo, target: WebCodecsPlan, support: WebCodecsSupport | null): EngineDecision {
  // The browser's encoders take 8-bit frames as they come: mapping HDR to SDR is ffmpeg's zscale + tonemap.
  if (toneMapsHdr(presetById(presetId).spec, source)) return ffmpeg(HDR_REASON);
  if (!support) return ffmpeg("the browser's codecs couldn't be checked");
  if (!support.readable) return ffmpeg(`${containerName(source.container)} isn't readable by the fast route`);
  const videoCodec = codecName(source.video?.codec);
  if (!support.video) return ffmpeg(`${videoCodec} video isn't readable by the fast route`);
  if (!support.video.decodable) return ffmpeg(`${videoCodec} can't be decoded by this browser`);
  if (source.audio) {
    const audioCodec = codecName(source.audio.codec);
    if (!support.audio) return ffmpeg(`${audioCodec} audio isn't readable by the fast route`);
    if (!support.audio.decodable) return ffmpeg(`${audioCodec} audio can't be decoded by this browser`);
  }
  const encode = support.encode[presetId];
  if (!encode?.video) return ffmpeg(`${TARGET_VIDEO[target.video]} can't be encoded by this browser at this size`);
  if (target.audio && !encode.audio) return ffmpeg(`${TARGET_AUDIO[target.audio.codec]} can't be encoded by this browser`);
  return { engine: 'webcodecs' };
}

/** What one job's route is decided over; the two asks are made only when the answer turns on them. */
export interface RouteFacts<E> {
  preset: Pick<Preset, 'id' | 'spec'>;
  /** The source as the job's edits make it. */
  source: SourceInfo;
  edits: Edits;
  mode: EngineMode;
  /** The pool's WebCodecs encoder, or undefined where it has none (no fast route here at all). */
  encoder: E | undefined;
  /** The `?h264TargetQp=` benchmark knob. */
  h264TargetQp?: number;
  /** The browser's support for this source, the planned target among what it was asked for. */
  support(target: WebCodecsPlan): Promise<WebCodecsSupport | null>;
  /** The OPFS folder the fast route writes into, or undefined where there is none. */
  scratchFolder(): string[] | undefined;
}

/** The route of one job: the fast route with its target (the edits it does in it) and folder, or ffmpeg.wasm and why. */
export type Route<E> = { engine: 'webcodecs'; encoder: E; target: WebCodecsPlan; scratchFolder: string[] } | { engine: 'ffmpeg'; reason: string };

const NOT_HERE = 'the fast route is not available here';

/**
 * Routes one job, once: the Engine select, whether the fast route exists here, the preset's
 * plan, the browser's codecs (`chooseEngine`'s rules), the edits the fast route does not do,
 * and OPFS scratch to write into. The WebCodecs route then does what this says.
 *
 * @example
 * await routeJob({ preset, source, edits: {}, mode: 'ffmpeg', … }); // { engine: 'ffmpeg', reason: 'ffmpeg.wasm only was chosen' }
 */
export async function routeJob<E>(facts: RouteFacts<E>): Promise<Route<E>> {
  const { preset, source, mode, encoder } = facts;
  const toFfmpeg = (reason: string | undefined): Route<E> => ({ engine: 'ffmpeg', reason: reason ?? NOT_HERE });
  if (mode === 'ffmpeg') return toFfmpeg('ffmpeg.wasm only was chosen');
  if (encoder === undefined) return toFfmpeg(NOT_HERE);
  const planned = webCodecsTargetFor(preset, source, facts.h264TargetQp);
  if (!planned.target) return toFfmpeg(planned.reason);
  const support = source.video ? await facts.support(planned.target) : null;
  const decided = withBrowser(preset.id, source, planned.target, support);
  if (decided.engine === 'ffmpeg') return toFfmpeg(decided.reason);
  // Edits the fast route does not do (a mirror, subtitles) send the job to ffmpeg.wasm, saying which.
  const editsReason = fastRouteEditsReason(facts.edits);
  if (editsReason) return toFfmpeg(editsReason);
  const scratchFolder = facts.scratchFolder();
  if (!scratchFolder) return toFfmpeg('no OPFS scratch for the fast route');
  const { trim, crop, rotate, audioTrack } = facts.edits;
  const edits = { ...(trim ? { trim } : {}), ...(crop ? { crop } : {}), ...(rotate ? { rotate } : {}), ...(audioTrack !== undefined ? { audioTrack } : {}) };
  const target = Object.keys(edits).length > 0 ? { ...planned.target, edits } : planned.target;
  return { engine: 'webcodecs', encoder, target, scratchFolder };
}
