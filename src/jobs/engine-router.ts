import { toneMapsHdr } from '../presets/hdr';
import type { SourceInfo } from '../presets/source-info';
import type { WebCodecsSupport } from '../../workers/protocol';
import { presetById } from '../presets/presets';
import { webCodecsTargetFor } from './webcodecs-plan';

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
  const target = planned.target;
  // The browser's encoders take 8-bit frames as they come: mapping HDR to SDR is ffmpeg's zscale + tonemap.
  if (toneMapsHdr(presetId, source)) return ffmpeg(HDR_REASON);
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
