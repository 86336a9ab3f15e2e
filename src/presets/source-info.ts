import type { ProbeReport, ProbeStream } from '../../workers/protocol';
import { describeTracks, type SourceTracks } from './source-tracks';

/**
 * What ffbatch knows of a source after probing it: what the presets and the page need.
 *
 * @example
 * ```ts
 * const { video, audio, durationSec } = source.info ?? {};
 * ```
 */
export interface SourceInfo {
  /** Seconds; null when the container does not say. */
  durationSec: number | null;
  /**
   * True when ffprobe only estimated `durationSec` from the bitrate (raw streams with no index:
   * ADTS AAC, MP3 without a Xing/VBRI header, elementary H.264/HEVC…). Never a reference for a
   * check until measured (`withMeasuredDuration`); absent when the container says.
   */
  durationEstimated?: boolean;
  /** The first video stream's own timing, where the probe kept it (`describeVideoTiming`). */
  videoTiming?: VideoTiming;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  video: VideoInfo | null;
  audio: AudioInfo | null;
  /** Every sound and subtitle track, present only when there is a choice (several sound tracks, or subtitles). */
  tracks?: SourceTracks;
}

export interface VideoInfo {
  codec: string;
  /** Coded size, as stored. */
  width: number;
  height: number;
  /** Size as shown: after the rotation and the sample aspect ratio are applied. */
  displayWidth: number;
  displayHeight: number;
  /** Degrees clockwise the player turns the picture (0, 90, 180, 270). */
  rotation: number;
  fps: number | null;
  /** Set only for an HDR picture (PQ or HLG transfer): its colour, which 8-bit SDR outputs tone-map from (src/presets/hdr.ts). */
  hdr?: VideoColour;
}

/** What a probe says of the first video stream's frames: for counting an output's frames against its source's. */
export interface VideoTiming {
  /** The stream's index in the file (as framecrc lists its packets). */
  index: number;
  /** The stream's own length in seconds (its duration, or Matroska's DURATION tag); null when unsaid. */
  durationSec: number | null;
  /** Frames the container's index counts (MP4's sample count, hidden ones included); null when unsaid. */
  frames: number | null;
  /** ffprobe's r_frame_rate: the rate a CFR muxer (ffmpeg's MP4) fills the timeline at. */
  nominalFps: number | null;
}

/** ffprobe's colour fields of a video stream, null where it gives none. */
export interface VideoColour {
  /** `color_primaries`, e.g. "bt709", "bt2020". */
  primaries: string | null;
  /** `color_transfer`, e.g. "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG). */
  transfer: string | null;
  /** `color_space` (the matrix), e.g. "bt709", "bt2020nc". */
  matrix: string | null;
  /** `color_range`: "tv" (limited) or "pc" (full). */
  range: string | null;
  /** `pix_fmt`, e.g. "yuv420p10le". */
  pixelFormat: string | null;
}

/** The transfers of HDR video: PQ (HDR10, Dolby Vision) and HLG (phones, broadcast). */
export const HDR_TRANSFERS: ReadonlySet<string> = new Set(['smpte2084', 'arib-std-b67']);

export interface AudioInfo {
  codec: string;
  channels: number;
  sampleRate: number;
}

function parseRatio(text: string | undefined): number | null {
  if (!text) return null;
  const [num, den] = text.split(/[/:]/).map(Number);
  if (num === undefined || !Number.isFinite(num) || num <= 0) return null;
  if (den === undefined) return num;
  return Number.isFinite(den) && den > 0 ? num / den : null;
}

function positive(value: string | number | undefined): number | null {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function rotationOf(stream: ProbeStream): number {
  const fromMatrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  const raw = fromMatrix ?? Number(stream.tags?.['rotate'] ?? 0);
  // ffprobe's display matrix says −90 for a picture the player turns 90° clockwise.
  const clockwise = fromMatrix === undefined ? raw : -raw;
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

/** Attached pictures (cover art) are video streams that are not the video. */
function isRealVideo(stream: ProbeStream): boolean {
  return stream.codec_type === 'video' && stream.disposition?.['attached_pic'] !== 1;
}

/** ffprobe says "unknown" (or nothing) where a stream does not tag a colour field. */
function colourField(value: string | undefined): string | null {
  return value && value !== 'unknown' && value !== 'unspecified' ? value : null;
}

function colourOf(stream: ProbeStream): VideoColour {
  return {
    primaries: colourField(stream.color_primaries),
    transfer: colourField(stream.color_transfer),
    matrix: colourField(stream.color_space),
    range: colourField(stream.color_range),
    pixelFormat: colourField(stream.pix_fmt),
  };
}

/** The colour of the first real video stream, or null when there is none (outputs' checks read the tags). */
export function describeColour(report: ProbeReport): VideoColour | null {
  const stream = (report.streams ?? []).find(isRealVideo);
  return stream ? colourOf(stream) : null;
}

function describeVideo(stream: ProbeStream): VideoInfo | null {
  const width = positive(stream.width);
  const height = positive(stream.height);
  if (width === null || height === null) return null;
  const rotation = rotationOf(stream);
  const sar = parseRatio(stream.sample_aspect_ratio) ?? 1;
  const shownWidth = Math.round(width * sar);
  const turned = rotation === 90 || rotation === 270;
  const colour = colourOf(stream);
  return {
    codec: stream.codec_name ?? 'unknown',
    width,
    height,
    displayWidth: turned ? height : shownWidth,
    displayHeight: turned ? shownWidth : height,
    rotation,
    fps: parseRatio(stream.avg_frame_rate) ?? parseRatio(stream.r_frame_rate),
    ...(colour.transfer !== null && HDR_TRANSFERS.has(colour.transfer) ? { hdr: colour } : {}),
  };
}

/** ffmpeg's own words when a duration is only a guess (libavformat's estimate_timings). */
const ESTIMATE_LINE = /Estimating duration from bitrate/i;

/** Raw formats with no index or length field: their duration is always the bitrate's guess. */
const UNINDEXED_FORMATS = new Set(['aac', 'h264', 'hevc', 'mpegvideo', 'm4v', 'ac3', 'eac3', 'dts', 'truehd', 'mlp', 'vc1', 'obu', 'avs2', 'avs3', 'vvc']);

/** Whether ffprobe's duration is only estimated from the bitrate: its log says so, or the format has no index. */
export function isDurationEstimated(report: ProbeReport, log: readonly string[] = []): boolean {
  if (log.some((line) => ESTIMATE_LINE.test(line))) return true;
  return UNINDEXED_FORMATS.has(report.format?.format_name?.split(',')[0] ?? '');
}

/**
 * Turns ffprobe's JSON into SourceInfo. The first real video and first audio stream count.
 * `log` is ffprobe's log of the same run: it says when the duration is an estimate.
 */
export function describeSource(report: ProbeReport, log: readonly string[] = []): SourceInfo {
  const streams = report.streams ?? [];
  const videoStream = streams.find(isRealVideo);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const streamDurations = streams.map((s) => positive(s.duration)).filter((d): d is number => d !== null);
  const tracks = describeTracks(report);
  const durationSec = positive(report.format?.duration) ?? (streamDurations.length ? Math.max(...streamDurations) : null);
  return {
    durationSec,
    ...(durationSec !== null && isDurationEstimated(report, log) ? { durationEstimated: true } : {}),
    container: report.format?.format_name ?? 'unknown',
    video: videoStream ? describeVideo(videoStream) : null,
    audio: audioStream
      ? {
          codec: audioStream.codec_name ?? 'unknown',
          channels: positive(audioStream.channels) ?? 2,
          sampleRate: positive(audioStream.sample_rate) ?? 0,
        }
      : null,
    // Listed only when there is a choice to make (more than one sound track, or subtitles).
    ...(tracks.audio.length > 1 || tracks.subtitles.length > 0 ? { tracks } : {}),
  };
}

/** `00:00:10.000000000` (Matroska's per-stream DURATION tag) → 10. */
function clockTag(text: string | undefined): number | null {
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  return match ? positive(Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3])) : null;
}

/** The first real video stream's timing in ffprobe's JSON; null without one. */
export function describeVideoTiming(report: ProbeReport): VideoTiming | null {
  const stream = report.streams?.find(isRealVideo);
  if (!stream) return null;
  return {
    index: stream.index,
    durationSec: positive(stream.duration) ?? clockTag(stream.tags?.['DURATION']),
    frames: positive(stream.nb_frames),
    nominalFps: parseRatio(stream.r_frame_rate),
  };
}

/**
 * The source's duration once measured (where its packets end, read to the last): it replaces
 * an estimate, and the stream lengths that came from the same estimate. Unchanged when nothing
 * was measured.
 */
export function withMeasuredDuration(info: SourceInfo, measuredSec: number | null): SourceInfo {
  if (measuredSec === null || !(measuredSec > 0)) return info;
  const measured: SourceInfo = { ...info, durationSec: measuredSec };
  delete measured.durationEstimated;
  if (info.videoTiming) measured.videoTiming = { ...info.videoTiming, durationSec: null };
  return measured;
}

/** The duration a check may hold an output to: never an estimate. */
export function referenceDurationSec(info: SourceInfo): number | null {
  return info.durationEstimated ? null : info.durationSec;
}
